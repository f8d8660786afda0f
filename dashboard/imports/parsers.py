"""The value parsers of the import: one per kind of cell, each refusing with the message it shows.

A parser takes the cell's text (stripped, not empty) and returns the value, or raises
BadValue saying what is wrong with it; the file and line are added by the reader.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Callable

from dashboard.core import limits
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


def a_date(v: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise BadValue(f"'{v}' is not a date YYYY-MM-DD")
    try:
        value = date.fromisoformat(v)
    except ValueError:
        raise BadValue(f"'{v}' is not a valid date") from None
    return _checked(limits.date_problem(value), value)


def timestamp(v: str) -> datetime:
    try:
        value = datetime.fromisoformat(v)
    except ValueError:
        raise BadValue(f"'{v}' is not an ISO 8601 timestamp") from None
    value = value if value.tzinfo else value.replace(tzinfo=app_timezone())
    return _checked(limits.date_problem(value.astimezone(app_timezone())), value)


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


def one_of(*allowed: str) -> Callable[[str], str]:
    def parse(v: str) -> str:
        if v not in allowed:
            raise BadValue(f"'{v}' is not one of {', '.join(allowed)}")
        return v
    return parse


def score(low: int, high: int) -> Callable[[str], int]:
    def parse(v: str) -> int:
        if not re.fullmatch(r"\d{1,2}", v) or not low <= int(v) <= high:
            raise BadValue(f"'{v}' is not a whole number {low}-{high}")
        return int(v)
    return parse


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
