"""Writes of callbacks (回访) and gifts: recorded by the person who made them, for a customer in their scope."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from dashboard.core import limits, vocabulary
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import Errors, choice, customer_in_scope, in_range, limited, optional_text, required


def _day(errors: Errors, field: str, value, today: date, earliest: date | None = None) -> date | None:
    if not isinstance(value, date):
        errors.add(field, "err_required")
        return None
    in_range(errors, field, value)
    if value > today:
        errors.add(field, "err_future_date", today=today.isoformat())
    elif earliest is not None and value < earliest:
        errors.add(field, "err_before_sent", sent=earliest.isoformat())
    return value


def _staff_id(conn, user: User) -> int | None:
    if user.staff_no is None:
        return None
    return conn.execute(sa.text("SELECT id FROM staff WHERE staff_no = :s"), {"s": user.staff_no}).scalar()


def record_callback(conn, user: User, *, customer_code: str, called_on: date, method: str, result: str,
                    note: str | None, today: date) -> int:
    """A callback of a customer: when, how, what came of it, and a note (kept verbatim)."""
    errors = Errors()
    customer_id = customer_in_scope(conn, errors, user, customer_code)
    _day(errors, "called_on", called_on, today)
    choice(errors, "method", method, vocabulary.CALLBACK_METHOD.codes)
    choice(errors, "result", result, vocabulary.CALLBACK_RESULT.codes)
    limited(errors, "note", note)
    errors.raise_any()
    row = conn.execute(sa.text("""
        INSERT INTO customer_callbacks (customer_id, staff_id, called_on, method, result, note, created_by)
        VALUES (:c, :s, :d, :m, :r, :n, :by) RETURNING *"""),
        {"c": customer_id, "s": _staff_id(conn, user), "d": called_on, "m": method, "r": result,
         "n": optional_text(note), "by": user.username}).mappings().one()
    audit(conn, user, "create", "customer_callbacks", str(row["id"]), after=row)
    return row["id"]


def record_gift(conn, user: User, *, customer_code: str, sent_on: date, item: str, note: str | None,
                today: date) -> int:
    errors = Errors()
    customer_id = customer_in_scope(conn, errors, user, customer_code)
    _day(errors, "sent_on", sent_on, today)
    limited(errors, "item", required(errors, "item", optional_text(item)), limits.SHORT_TEXT)
    limited(errors, "note", note)
    errors.raise_any()
    row = conn.execute(sa.text("""
        INSERT INTO customer_gifts (customer_id, staff_id, sent_on, item, note)
        VALUES (:c, :s, :d, :i, :n) RETURNING *"""),
        {"c": customer_id, "s": _staff_id(conn, user), "d": sent_on, "i": item, "n": optional_text(note)}
    ).mappings().one()
    audit(conn, user, "create", "customer_gifts", str(row["id"]), after=row)
    return row["id"]


def confirm_gift(conn, user: User, *, gift_id: int, confirmed_on: date, today: date) -> None:
    """The customer confirmed the gift arrived (on `confirmed_on`)."""
    errors = Errors()
    before = conn.execute(sa.text("SELECT g.*, cu.code AS customer_code FROM customer_gifts g "
                                  "JOIN customers cu ON cu.id = g.customer_id WHERE g.id = :i FOR UPDATE OF g"),
                          {"i": gift_id}).mappings().first()
    if before is None:
        errors.add("gift_id", "err_unknown", value=gift_id)
        errors.raise_any()
    customer_in_scope(conn, errors, user, before["customer_code"])
    errors.raise_any()   # a gift outside the scope reads like one that does not exist: nothing more is said
    _day(errors, "confirmed_on", confirmed_on, today, before["sent_on"])
    errors.raise_any()
    conn.execute(sa.text("UPDATE customer_gifts SET confirmed_on = :d WHERE id = :i"), {"d": confirmed_on, "i": gift_id})
    audit(conn, user, "update", "customer_gifts", str(gift_id), before={"confirmed_on": before["confirmed_on"]},
          after={"confirmed_on": confirmed_on})
