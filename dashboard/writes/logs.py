"""Writes of the customer log (客户日志): one contact with a customer, or with none.

An entry belongs to its customer's department (seed 000's 客户部门), or to the writer's when
it has no customer, and keeps its writer. `logged_at` is when the event happened; the database
keeps when the entry was recorded (recorded_at), for seed 003's 24-hour rule.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from dashboard.core import limits, vocabulary
from dashboard.core.scope import AccessDenied
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import Errors, choice, customer_in_scope, limited, moment, optional_text, required


def add_work_log(conn, user: User, *, customer_code: str | None, logged_at: datetime, source: str,
                 service_type: str, content: str | None, handling: str | None = None, satisfaction=None,
                 category: str | None = None, summary: str | None = None) -> str:
    errors = Errors()
    if user.staff_no is None:
        raise AccessDenied("work logs need a staff record")
    customer_id = customer_in_scope(conn, errors, user, customer_code) if customer_code else None
    moment(errors, "logged_at", logged_at)
    choice(errors, "source", source, vocabulary.LOG_SOURCE.codes)
    choice(errors, "service_type", service_type, vocabulary.SERVICE_TYPE.codes)
    limited(errors, "content", required(errors, "content", content))
    limited(errors, "handling", handling)
    limited(errors, "category", category, limits.SHORT_TEXT)
    limited(errors, "summary", summary)
    if satisfaction not in (None, "") and int(satisfaction) not in range(1, 6):
        errors.add("satisfaction", "err_choice", allowed="1-5")
    errors.raise_any()
    staff = conn.execute(sa.text("SELECT id, department_id FROM staff WHERE staff_no = :s"), {"s": user.staff_no}).one()
    row = conn.execute(sa.text("""
        INSERT INTO work_logs (department_id, staff_id, customer_id, logged_at, source, service_type, content,
                               handling, satisfaction, category, summary, recorded_at)
        VALUES (coalesce((SELECT department_id FROM customers WHERE id = :c), :d), :s, :c, :t, :source, :type,
                :content, :handling, :sat, :category, :summary, clock_timestamp()) RETURNING *"""),
        {"category": optional_text(category) and category.strip(), "summary": optional_text(summary), "d": staff[1], "s": staff[0], "c": customer_id, "t": logged_at, "source": source, "type": service_type,
         "content": content, "handling": optional_text(handling),
         "sat": int(satisfaction) if satisfaction not in (None, "") else None}).mappings().one()
    audit(conn, user, "create", "work_logs", str(row["id"]), after=row)
    return row["log_no"]
