"""Limits every form and import applies to what users type (the same rule, the same words).

- Dates of records lie in DATE_MIN .. DATE_MAX: a complaint received in 1900 or a plan in
  9999 is a typing error, and such dates would break periods, charts and the running totals.
- Codes are identifiers (interfaces.md, "Codes are identifiers"): one that starts with
  '=', '+', '-' or '@' is refused, so no spreadsheet formula can enter through one.
- Text has a length limit: a name or subject a line long, a description a few pages.
"""
from __future__ import annotations

from datetime import date, datetime

DATE_MIN = date(1990, 1, 1)
DATE_MAX = date(2099, 12, 31)
SHORT_TEXT = 200      # codes, names, subjects, categories, channels
LONG_TEXT = 10_000    # contents, resolutions, notes, suggestions and answers
FORMULA_STARTS = ("=", "+", "-", "@")


def date_problem(value: date | datetime) -> str | None:
    """Why a date (or a timestamp's local date) is refused, or None."""
    day = value.date() if isinstance(value, datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        return f"{day.isoformat()} is outside {DATE_MIN.isoformat()} .. {DATE_MAX.isoformat()}"
    return None


def code_problem(code: str) -> str | None:
    """Why a code is refused, or None."""
    if code.startswith(FORMULA_STARTS):
        return f"'{code[:40]}' starts with '{code[0]}': a code may not start with = + - or @"
    if len(code) > SHORT_TEXT:
        return f"is {len(code):,} characters long; at most {SHORT_TEXT}"
    return None


def length_problem(text: str, limit: int) -> str | None:
    if len(text) > limit:
        return f"is {len(text):,} characters long; at most {limit:,}"
    return None
