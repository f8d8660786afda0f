"""Periods (报告期): inclusive date ranges, named or custom, and the as-of instant.

Named periods: ISO week `2026-W21` (Monday first), month `2026-05`, quarter `2026-Q2`,
year `2026`. The previous period is the one of the same kind just before; the same period
last year is the one a year earlier (for an ISO week: the same week number of the previous
ISO year, or its last week when that year has no week 53). A custom range's previous
period is the range of the same length just before it; its last-year range is both ends
shifted back one year (29 February becomes 28 February).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

KINDS = ("week", "month", "quarter", "year", "custom")


class PeriodError(ValueError):
    """A period, date or range that cannot be understood; the message names it."""


def parse_date(text: str, what: str = "date") -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{what}: '{text}' is not a date YYYY-MM-DD") from None


def _shift_year(d: date, years: int) -> date:
    year = d.year + years
    day = min(d.day, calendar.monthrange(year, d.month)[1])
    return date(year, d.month, day)


def _iso_weeks(year: int) -> int:
    return date(year, 12, 28).isocalendar()[1]


@dataclass(frozen=True)
class Period:
    kind: str
    start: date
    end: date

    def __post_init__(self):
        if self.start > self.end:
            raise PeriodError(f"period: start {self.start} is after end {self.end}")

    # -- naming -------------------------------------------------------------------
    @property
    def label(self) -> str:
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            return f"{y}-W{w:02d}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "year":
            return f"{self.start.year}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def __str__(self) -> str:
        return self.label

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    # -- constructors -------------------------------------------------------------
    @classmethod
    def week(cls, year: int, week: int) -> "Period":
        if not 1 <= week <= _iso_weeks(year):
            raise PeriodError(f"period: {year} has no ISO week {week}")
        start = date.fromisocalendar(year, week, 1)
        return cls("week", start, start + timedelta(days=6))

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        if not 1 <= month <= 12:
            raise PeriodError(f"period: month {month} is not 1-12")
        return cls("month", date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        if not 1 <= quarter <= 4:
            raise PeriodError(f"period: quarter {quarter} is not 1-4")
        first = 3 * (quarter - 1) + 1
        return cls("quarter", date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1]))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls("year", date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def custom(cls, start: date, end: date) -> "Period":
        return cls("custom", start, end)

    @classmethod
    def parse(cls, text: str) -> "Period":
        """`2026-W21`, `2026-05`, `2026-Q2`, `2026`, or `2026-05-01..2026-05-20`."""
        t = text.strip()
        try:
            if m := re.fullmatch(r"(\d{4})-W(\d{1,2})", t, re.I):
                return cls.week(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-Q(\d)", t, re.I):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
                return cls.month(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})", t):
                return cls.year(int(m[1]))
            if m := re.fullmatch(r"(\S+)\.\.(\S+)", t):
                return cls.custom(parse_date(m[1], "period start"), parse_date(m[2], "period end"))
        except PeriodError as e:
            raise PeriodError(f"{e} (in period '{text}')") from None
        raise PeriodError(
            f"period: '{text}' is not a period (use 2026-W21, 2026-05, 2026-Q2, 2026 or START..END)"
        )

    @classmethod
    def containing(cls, kind: str, day: date) -> "Period":
        """The named period of `kind` that contains `day`."""
        if kind == "week":
            y, w, _ = day.isocalendar()
            return cls.week(y, w)
        if kind == "month":
            return cls.month(day.year, day.month)
        if kind == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if kind == "year":
            return cls.year(day.year)
        raise PeriodError(f"period kind: '{kind}' is not week, month, quarter or year")

    # -- neighbours -------------------------------------------------------------------
    def previous(self) -> "Period":
        if self.kind == "custom":
            return Period.custom(self.start - timedelta(days=self.days), self.start - timedelta(days=1))
        return Period.containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> "Period":
        if self.kind == "custom":
            return Period.custom(self.end + timedelta(days=1), self.end + timedelta(days=self.days))
        return Period.containing(self.kind, self.end + timedelta(days=1))

    def last_year(self) -> "Period":
        if self.kind == "week":
            y, w, _ = self.start.isocalendar()
            return Period.week(y - 1, min(w, _iso_weeks(y - 1)))
        if self.kind == "custom":
            return Period.custom(_shift_year(self.start, -1), _shift_year(self.end, -1))
        return Period.containing(self.kind, _shift_year(self.start, -1))


@dataclass(frozen=True)
class Comparison:
    """A period as of a day, against the same days before it and a year before (like for like).

    For a period still running on `as_of` (start <= as_of < end) the previous period and the
    same period last year are cut to as many days from their start (capped at their own end):
    the month to 2 December compares with 1-2 November and 1-2 December last year, a quarter on
    2 December with 1 July - 1 September. `current` is then the period up to `as_of`. A past
    (or future) period is compared whole with the whole previous period and last year's.
    """
    period: Period
    as_of: date
    current: Period
    previous: Period
    last_year: Period

    @property
    def running(self) -> bool:
        return self.current.end != self.period.end


def compare(period: Period, as_of: date) -> Comparison:
    """The like-for-like comparison of `period` as of `as_of` (see Comparison)."""
    previous, last_year = period.previous(), period.last_year()
    if not period.start <= as_of < period.end:
        return Comparison(period, as_of, period, previous, last_year)
    offset = timedelta(days=(as_of - period.start).days)

    def cut(other: Period) -> Period:
        return Period.custom(other.start, min(other.start + offset, other.end))

    return Comparison(period, as_of, Period.custom(period.start, as_of), cut(previous), cut(last_year))


def range_label(period: Period) -> str:
    """A range as ISO dates, `2026-11-01 – 2026-11-02` (one day: just the date)."""
    if period.start == period.end:
        return period.start.isoformat()
    return f"{period.start.isoformat()} – {period.end.isoformat()}"


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """T for "as of D": the last microsecond of D in the company time zone."""
    return datetime.combine(day + timedelta(days=1), time(0), tz) - timedelta(microseconds=1)


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)
