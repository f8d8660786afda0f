"""Writes of retention cases (挽留案例): open a case for a customer, record its outcome."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from dashboard.core import vocabulary
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import (
    Errors,
    check_version,
    choice,
    customer_in_scope,
    customer_record,
    decimal_value,
    in_range,
    limited,
    lookup_id,
    next_number,
    optional_text,
    required,
)


def open_retention_case(conn, user: User, *, customer_code: str, reason: str, intent: str, method: str,
                        started_on: date, cost=0, note: str | None = None) -> str:
    errors = Errors()
    customer_id = customer_in_scope(conn, errors, user, customer_code)
    choice(errors, "reason", reason, vocabulary.RETENTION_REASON.codes)
    choice(errors, "intent", intent, vocabulary.RETENTION_INTENT.codes)
    choice(errors, "method", method, vocabulary.RETENTION_METHOD.codes)
    in_range(errors, "started_on", required(errors, "started_on", started_on))
    limited(errors, "note", note)
    amount = decimal_value(errors, "cost", cost)
    if customer_id and conn.execute(sa.text(
            "SELECT 1 FROM retention_cases WHERE customer_id = :c AND result = 'pending'"), {"c": customer_id}).scalar():
        errors.add("customer_code", "err_case_open", value=customer_code)
    errors.raise_any()
    case_no = next_number(conn, "retention_cases", "case_no", "R")
    staff_id = lookup_id(conn, "SELECT id FROM staff WHERE staff_no = :v", user.staff_no)
    row = conn.execute(sa.text("""
        INSERT INTO retention_cases (case_no, customer_id, reason, intent, method, started_on, cost, result, staff_id, note)
        VALUES (:no, :c, :reason, :intent, :method, :s, :cost, 'pending', :staff, :note) RETURNING *"""),
        {"no": case_no, "c": customer_id, "reason": reason, "intent": intent, "method": method, "s": started_on,
         "cost": amount, "staff": staff_id, "note": optional_text(note)}).mappings().one()
    audit(conn, user, "create", "retention_cases", case_no, after=row)
    return case_no


def close_retention_case(conn, user: User, *, case_no: str, version: int, result: str, closed_on: date | None,
                         cost, note: str | None = None) -> None:
    errors = Errors()
    before = customer_record(conn, errors, user, "retention_cases", "case_no", case_no)
    choice(errors, "result", result, vocabulary.RETENTION_RESULT.codes)
    if result in ("retained", "lost") and closed_on is None:
        errors.add("closed_on", "err_required")
    if closed_on is not None and closed_on < before["started_on"]:
        errors.add("closed_on", "err_before_start")
    in_range(errors, "closed_on", closed_on)
    limited(errors, "note", note)
    amount = decimal_value(errors, "cost", cost)
    errors.raise_any()
    check_version(conn, "retention_cases", case_no, before, version)
    after = conn.execute(sa.text("""
        UPDATE retention_cases SET result = :r, closed_on = :c, cost = :cost, note = coalesce(:note, note),
               version = version + 1 WHERE id = :id RETURNING *"""),
        {"r": result, "c": closed_on if result != "pending" else None, "cost": amount, "note": optional_text(note),
         "id": before["id"]}).mappings().one()
    audit(conn, user, "update", "retention_cases", case_no, before, after)
