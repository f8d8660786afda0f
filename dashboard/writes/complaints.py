"""Writes of complaints (投诉登记): register one; record first response, resolution, rating, callback."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from dashboard.core import limits, vocabulary
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import (
    Errors,
    check_version,
    choice,
    customer_in_scope,
    customer_record,
    moment,
    limited,
    lookup_id,
    next_number,
    optional_text,
    required,
)


def register_complaint(conn, user: User, *, customer_code: str, received_at: datetime, priority: str,
                       content: str, channel: str | None = None, category: str | None = None,
                       handler_staff_no: str | None = None) -> str:
    errors = Errors()
    customer_id = customer_in_scope(conn, errors, user, customer_code)
    moment(errors, "received_at", received_at)
    choice(errors, "priority", priority, vocabulary.PRIORITY.codes)
    limited(errors, "content", required(errors, "content", content))
    limited(errors, "channel", channel, limits.SHORT_TEXT)
    limited(errors, "category", category, limits.SHORT_TEXT)
    handler = None
    if handler_staff_no:
        handler = lookup_id(conn, "SELECT id FROM staff WHERE staff_no = :v", handler_staff_no)
        if handler is None:
            errors.add("handler_staff_no", "err_unknown", value=handler_staff_no)
    errors.raise_any()
    complaint_no = next_number(conn, "complaints", "complaint_no", "T")
    row = conn.execute(sa.text("""
        INSERT INTO complaints (complaint_no, customer_id, received_at, priority, content, channel, category,
                                handler_staff_id)
        VALUES (:no, :c, :r, :p, :content, :channel, :category, :h) RETURNING *"""),
        {"no": complaint_no, "c": customer_id, "r": received_at, "p": priority, "content": content,
         "channel": optional_text(channel), "category": optional_text(category), "h": handler}).mappings().one()
    audit(conn, user, "create", "complaints", complaint_no, after=row)
    return complaint_no


def update_complaint(conn, user: User, *, complaint_no: str, version: int, first_response_at: datetime | None,
                     resolved_at: datetime | None, resolution: str | None, satisfaction: int | None,
                     callback_at: datetime | None) -> None:
    """Record first response, resolution, satisfaction and callback (timestamps with offset)."""
    errors = Errors()
    before = customer_record(conn, errors, user, "complaints", "complaint_no", complaint_no)
    received = before["received_at"]
    for field, value in (("first_response_at", first_response_at), ("resolved_at", resolved_at),
                         ("callback_at", callback_at)):
        if value is not None and value.tzinfo is not None and value < received:
            errors.add(field, "err_before_received")
        moment(errors, field, value, required=False)
    limited(errors, "resolution", resolution)
    if callback_at is not None and resolved_at is None:
        errors.add("callback_at", "err_callback_needs_resolution")
    elif callback_at is not None and resolved_at is not None and callback_at < resolved_at:
        errors.add("callback_at", "err_callback_before_resolution")
    if satisfaction not in (None, "") and int(satisfaction) not in range(1, 6):
        errors.add("satisfaction", "err_choice", allowed="1-5")
    if satisfaction not in (None, "") and resolved_at is None:
        errors.add("satisfaction", "err_rating_needs_resolution")
    errors.raise_any()
    check_version(conn, "complaints", complaint_no, before, version)
    after = conn.execute(sa.text("""
        UPDATE complaints SET first_response_at = :fr, resolved_at = :res, resolution = :resolution,
               satisfaction = :sat, callback_at = :cb, version = version + 1
        WHERE id = :id RETURNING *"""), {"fr": first_response_at, "res": resolved_at, "resolution": optional_text(resolution),
                                         "sat": int(satisfaction) if satisfaction not in (None, "") else None,
                                         "cb": callback_at, "id": before["id"]}).mappings().one()
    audit(conn, user, "update", "complaints", complaint_no, before, after)
