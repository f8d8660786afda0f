"""The value parsers of the import: one per kind of cell, each refusing with the message it shows.

A parser takes the cell's text (stripped, not empty) and returns the value, or raises
BadValue saying what is wrong with it; the file and line are added by the reader.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Callable

from dashboard.core import limits, vocabulary
from db.engine import app_timezone


class BadValue(ValueError):
    pass


def _checked(problem: str | None, v):
    if problem:
        raise BadValue(problem)
    return v


def text(v: str) -> str:
    """A name, subject or category: a line of text."""
    return _checked(limits.length_problem(v, limits.SHORT_TEXT), v)


def long_text(v: str) -> str:
    """A content, resolution or note."""
    return _checked(limits.length_problem(v, limits.LONG_TEXT), v)


def code(v: str) -> str:
    """An identifier (a code or number of a record, or a reference to one)."""
    return _checked(limits.code_problem(v), v)


# Dates as users write them (interfaces.md): 2026-05-01, 2026/5/1 or 2026年5月1日; timestamps ISO 8601,
# or such a date and a time (2026/5/1 9:30, 2026年5月1日 09:30:15).
_DATE_FORMS = (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{4})/(\d{1,2})/(\d{1,2})", r"(\d{4})年(\d{1,2})月(\d{1,2})日")
DATE_FORMS = "YYYY-MM-DD, 2026/5/1 or 2026年5月1日"


def _date_parts(v: str) -> tuple[int, int, int] | None:
    for form in _DATE_FORMS:
        if m := re.fullmatch(form, v):
            return int(m[1]), int(m[2]), int(m[3])
    return None


def a_date(v: str) -> date:
    parts = _date_parts(v)
    if parts is None:
        raise BadValue(f"'{v}' is not a date YYYY-MM-DD (or 2026/5/1, 2026年5月1日)")
    try:
        value = date(*parts)
    except ValueError:
        raise BadValue(f"'{v}' is not a valid date") from None
    return _checked(limits.date_problem(value), value)


a_date.kind = "date"


def timestamp(v: str) -> datetime:
    try:
        value = datetime.fromisoformat(v)
    except ValueError:
        value = _written_timestamp(v)
    value = value if value.tzinfo else value.replace(tzinfo=app_timezone())
    return _checked(limits.date_problem(value.astimezone(app_timezone())), value)


timestamp.kind = "timestamp"


def _written_timestamp(v: str) -> datetime:
    """2026/5/1 9:30 or 2026年5月1日 9:30[:15] (a date form of a_date's, a space, a time)."""
    m = re.fullmatch(r"(\S+)\s+(\d{1,2}):(\d{2})(?::(\d{2}))?", v) \
        or re.fullmatch(r"(\S+日)(\d{1,2}):(\d{2})(?::(\d{2}))?", v)
    parts = _date_parts(m[1]) if m else None
    if m is None or parts is None:
        raise BadValue(f"'{v}' is not an ISO 8601 timestamp (or 2026/5/1 9:30, 2026年5月1日 9:30)")
    try:
        return datetime(*parts, int(m[2]), int(m[3]), int(m[4] or 0))
    except ValueError:
        raise BadValue(f"'{v}' is not a valid date and time") from None


def _written(pattern: str, what: str, convert: Callable[[str], object]) -> Callable[[str], object]:
    """A parser of cells written as `pattern`, refusing others as "'<cell>' is not <what>"."""
    def parse(v: str):
        if not re.fullmatch(pattern, v):
            raise BadValue(f"'{v}' is not {what}")
        return convert(v)
    return parse


amount = _written(r"-?\d{1,12}(\.\d{1,2})?", "an amount with up to 2 decimal places", Decimal)
count = _written(r"\d{1,9}", "a whole number >= 0", int)


def non_negative_amount(v: str) -> Decimal:
    value = amount(v)
    if value < 0:
        raise BadValue(f"'{v}' must not be negative")
    return value




def positive_hours(v: str) -> Decimal:
    value = non_negative_amount(v)
    if value <= 0:
        raise BadValue(f"'{v}' must be more than 0")
    return value


def one_of(*allowed) -> Callable[[str], str]:
    """A cell naming one member of an enumeration: its code, its English or Chinese label, or one of
    the Chinese names of vocabulary.IMPORT_NAMES, ignoring case and surrounding spaces.

    Takes the Enumeration, or its codes (`one_of(*X.codes)` finds the enumeration of those codes);
    codes of no enumeration are accepted as written only.
    """
    enumeration = allowed[0] if len(allowed) == 1 and isinstance(allowed[0], vocabulary.Enumeration) \
        else vocabulary.enumeration_of(allowed)
    codes = enumeration.codes if enumeration else tuple(allowed)
    accepted = enumeration.accepted() if enumeration else {vocabulary.fold(c): c for c in codes}
    listing = "; ".join(f"{c}: {', '.join(enumeration.names(c)[1:])}" if enumeration else c for c in codes)

    def parse(v: str) -> str:
        found = accepted.get(vocabulary.fold(v))
        if found is None:
            raise BadValue(f"'{v}' is not one of {', '.join(codes)} (accepted: {listing})")
        return found
    parse.enumeration = enumeration
    parse.accepted = accepted  # the SQL path of the import (staged.py) reads the same names
    return parse


def named_or_text(enumeration) -> Callable[[str], str]:
    """Free text where some names mean a code: a known name gives its code, any other text is kept as written."""
    accepted = enumeration.accepted()

    def parse(v: str) -> str:
        return accepted.get(vocabulary.fold(v)) or text(v)
    parse.enumeration = enumeration
    return parse


def score(low: int, high: int) -> Callable[[str], int]:
    def parse(v: str) -> int:
        if not re.fullmatch(r"\d{1,2}", v) or not low <= int(v) <= high:
            raise BadValue(f"'{v}' is not a whole number {low}-{high}")
        return int(v)
    return parse


def named_period(v: str):
    """A budget's named period: `2026`, `2026-Q2`, `2026-05` or `2026-W21` (not a custom range)."""
    from dashboard.core.periods import Period, PeriodError

    try:
        period = Period.parse(v)
    except PeriodError:
        period = None
    if period is None or period.kind == "custom":
        raise BadValue(f"'{v}' is not a named period (a year 2026, quarter 2026-Q2, month 2026-05 or week 2026-W21)")
    return _checked(limits.date_problem(period.start) or limits.date_problem(period.end), period)


def confidential_score(v: str) -> int:
    """A 360 rating's score, 0-100. Refused without repeating the cell: a rating is confidential
    (a subordinate's above all), so not even an error message shows it."""
    if not re.fullmatch(r"\d{1,3}", v) or int(v) > 100:
        raise BadValue("is not a whole number 0-100 (the cell is not repeated here: ratings are confidential)")
    return int(v)


def cycle_name(v: str) -> str:
    """An evaluation cycle: a quarter (2026-Q2), a half year (2026-H1, 2026-H2) or a year (2026)."""
    if not re.fullmatch(r"\d{4}(-Q[1-4]|-H[12])?", v):
        raise BadValue(f"'{v}' is not a cycle like 2026-Q2, 2026-H1 or 2026")
    return v


training_hours = _written(r"\d{1,5}(\.\d)?", "hours >= 0 with at most one decimal place", Decimal)


def birth_date(v: str) -> date:
    """A birth date: from 1900 up to today (a_date's bounds are those of business records)."""
    try:
        value = date.fromisoformat(v) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) else None
    except ValueError:
        raise BadValue(f"'{v}' is not a valid date") from None
    if value is None:
        raise BadValue(f"'{v}' is not a date YYYY-MM-DD")
    if not date(1900, 1, 1) <= value <= date.today():
        raise BadValue(f"{v} is outside 1900-01-01 .. today")
    return value
