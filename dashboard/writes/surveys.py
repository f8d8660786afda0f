"""Writes of satisfaction surveys (满意度调查): one customer's answer (CSAT 1-5, NPS 0-10, comment)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import (
    Errors,
    customer_in_scope,
    in_range,
    limited,
    optional_text,
    required,
    staff_in_scope,
)


def _score(errors: Errors, field: str, value, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        errors.add(field, "err_between", low=low, high=high)
        return None
    if not low <= number <= high:
        errors.add(field, "err_between", low=low, high=high)
    return number


def record_survey(conn, user: User, *, customer_code: str, surveyed_on: date, csat=None, nps=None,
                  comment: str | None = None, staff_no: str | None = None) -> str:
    """Record one survey answer; returns its number (S00000001...).

    The survey counts for `staff_no` when given, else for the customer's owner (metrics.md).
    """
    errors = Errors()
    customer_id = customer_in_scope(conn, errors, user, customer_code)
    in_range(errors, "surveyed_on", required(errors, "surveyed_on", surveyed_on))
    csat_value = _score(errors, "csat", csat, 1, 5)
    nps_value = _score(errors, "nps", nps, 0, 10)
    if csat in (None, "") and nps in (None, ""):
        errors.add("csat", "err_csat_or_nps")
    limited(errors, "comment", comment)
    staff_id = staff_in_scope(conn, errors, user, staff_no) if staff_no else None
    errors.raise_any()
    # the number comes from the table's sequence (S00000001...), as for every survey written without one
    row = conn.execute(sa.text("""
        INSERT INTO satisfaction_surveys (customer_id, staff_id, department_id, surveyed_on, csat, nps, comment)
        SELECT cu.id, :staff, cu.department_id, :day, :csat, :nps, :comment FROM customers cu WHERE cu.id = :c
        RETURNING *"""),
        {"c": customer_id, "staff": staff_id, "day": surveyed_on, "csat": csat_value,
         "nps": nps_value, "comment": optional_text(comment)}).mappings().one()
    audit(conn, user, "create", "satisfaction_surveys", row["survey_no"], after=row)
    return row["survey_no"]
