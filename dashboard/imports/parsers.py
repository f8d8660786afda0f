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


# evaluations.csv's relation (interfaces.md): the code, or the Chinese names users write
RELATION_NAMES = {"superior": ("上级评价", "上级"), "peer": ("同级评价", "同级"), "subordinate": ("下级评价", "下级"),
                  "self": ("自评",)}


def relation(v: str) -> str:
    """The evaluator's relation to the evaluatee: its code, in any case, or one of its Chinese names."""
    for code, names in RELATION_NAMES.items():
        if v.strip().lower() == code or v.strip() in names:
            return code
    accepted = "; ".join(f"{code}: {', '.join(names)}" for code, names in RELATION_NAMES.items())
    raise BadValue(f"'{v}' is not a relation ({accepted})")
