"""Writes of suggestions (建议): staff write to their superior, who answers."""
from __future__ import annotations

import sqlalchemy as sa

from dashboard.core import limits
from dashboard.core.scope import AccessDenied
from dashboard.core.user import User
from dashboard.metrics.records import superior_of
from dashboard.writes.audit import audit
from dashboard.writes.plans import plan_in_scope
from dashboard.writes.validation import Errors, limited, locked_row, required


def send_suggestion(conn, user: User, *, subject: str, body: str, plan_no: str | None = None) -> int:
    errors = Errors()
    if user.staff_no is None:
        raise AccessDenied("suggestions need a staff record")
    limited(errors, "subject", required(errors, "subject", subject), limits.SHORT_TEXT)
    limited(errors, "body", required(errors, "body", body))
    plan = plan_in_scope(conn, errors, user, plan_no) if plan_no else None
    superior = superior_of(conn, user.staff_no)
    if superior is None:
        errors.add("subject", "err_no_superior")
    errors.raise_any()
    row = conn.execute(sa.text("""
        INSERT INTO suggestions (from_staff_id, to_staff_id, plan_id, subject, body)
        SELECT f.id, t.id, :plan, :subject, :body FROM staff f, staff t WHERE f.staff_no = :f AND t.staff_no = :t
        RETURNING *"""), {"plan": plan["id"] if plan else None, "subject": subject, "body": body,
                         "f": user.staff_no, "t": superior}).mappings().one()
    audit(conn, user, "create", "suggestions", str(row["id"]), after=row)
    return row["id"]


def answer_suggestion(conn, user: User, *, suggestion_id: int, answer: str) -> None:
    errors = Errors()
    limited(errors, "answer", required(errors, "answer", answer))
    before = locked_row(conn, "suggestions", "id", suggestion_id)
    if before is None:
        errors.add("answer", "err_unknown", value=str(suggestion_id))
    errors.raise_any()
    addressee = conn.execute(sa.text("SELECT staff_no FROM staff WHERE id = :i"), {"i": before["to_staff_id"]}).scalar()
    if addressee != user.staff_no and user.role != "manager":
        raise AccessDenied("only the addressee answers a suggestion")
    after = conn.execute(sa.text("UPDATE suggestions SET answer = :a, answered_at = clock_timestamp() WHERE id = :i "
                                 "RETURNING *"), {"a": answer, "i": suggestion_id}).mappings().one()
    audit(conn, user, "answer", "suggestions", str(suggestion_id), before, after)
