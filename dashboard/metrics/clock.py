"""The SLA clock: when a number of SLA hours after an instant is reached.

Setting `sla_clock`:
- `calendar` (the default): hours around the clock, `received_at + hours`.
- `business`: hours of working time (setting `business_hours`, e.g. 09:00-18:00, in APP_TZ) on
  the working days of the Chinese calendar (table `work_calendar`, from `chinese-calendar`;
  Monday-Friday in years the package does not know). Counted from the instant, or from the next
  opening when it falls outside working hours; a deadline reached exactly at closing time is that
  closing instant (not the next opening).

The business clock is arithmetic on a day index, done in the database: with `L` seconds of working
time a day, an instant's position is `before(day) * L + clamp(time - opening, 0, L)` (0 on a day
off), the deadline's position is that plus the hours, and the deadline lies on the working day
number `ceil(position / L) - 1` at `opening + position - number * L`. Two lookups in
`work_calendar` per complaint, joined by hash: no loop, no function call per row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.core.settings import SETTINGS
from db.engine import app_timezone


@dataclass(frozen=True)
class Clock:
    kind: str = "calendar"          # calendar | business
    hours: str = "09:00-18:00"

    @property
    def opening_seconds(self) -> int:
        h, m = re.fullmatch(r"(\d\d):(\d\d)-\d\d:\d\d", self.hours).groups()
        return int(h) * 3600 + int(m) * 60

    @property
    def day_seconds(self) -> int:
        h, m = re.fullmatch(r"\d\d:\d\d-(\d\d):(\d\d)", self.hours).groups()
        return int(h) * 3600 + int(m) * 60 - self.opening_seconds

    def params(self) -> dict:
        """The bind parameters the business clock's SQL reads."""
        if self.kind != "business":
            return {}
        return {"clock_tz": app_timezone().key, "clock_open": self.opening_seconds, "clock_len": self.day_seconds}


def read_clock(conn: Connection) -> Clock:
    """The clock the settings choose (a value that is not valid counts as its default)."""
    stored = dict(conn.execute(sa.text(
        "SELECT key, value #>> '{}' FROM settings WHERE key IN ('sla_clock', 'business_hours')")).all())
    kind = stored.get("sla_clock") or SETTINGS["sla_clock"].default
    hours = stored.get("business_hours") or SETTINGS["business_hours"].default
    if kind not in ("calendar", "business") or not re.fullmatch(r"\d\d:\d\d-\d\d:\d\d", hours):
        return Clock()
    return Clock(kind, hours)


# The SLA policies with their hours as intervals, for `FROM ... JOIN {POLICIES} s ON s.priority = ...`:
# worked out once per priority (OFFSET 0 keeps the planner from doing it on each joined row, where
# the hours' numeric-to-float conversion is half of a year's complaint trend at 2 M complaints).
POLICIES = """(SELECT priority, resolution_hours, response_hours,
                  resolution_hours * interval '1 hour' AS resolution_span,
                  response_hours * interval '1 hour' AS response_span
           FROM sla_policies OFFSET 0)"""


def deadline(clock: Clock, start: str, hours: str, tag: str, span: str | None = None) -> tuple[str, str]:
    """(joins to add after the table of `start`, the deadline expression) for `hours` SLA hours after `start`.

    `tag` names the joined rows, so one query may compute several deadlines. `span`: the same hours
    as an interval (a column of POLICIES), which the calendar clock adds as it is.
    """
    if clock.kind != "business":
        interval = span or f"{hours} * interval '1 hour'"
        return "", f"({start} + {interval})"
    # in double precision seconds: exact to the microsecond over the table's 101 years of working
    # time (below 2^53 microseconds), and several times faster than numeric over millions of rows
    local = f"({start} AT TIME ZONE :clock_tz)"
    joins = f"""
    LEFT JOIN work_calendar {tag}_from ON {tag}_from.day = {local}::date
    CROSS JOIN LATERAL (
        SELECT {tag}_from.before * CAST(:clock_len AS float8)
               + CASE WHEN {tag}_from.working
                      THEN least(greatest(date_part('epoch', {local}::time) - :clock_open, 0), :clock_len)
                      ELSE 0 END
               + CAST({hours} AS float8) * 3600 AS position
    ) {tag}_pos
    LEFT JOIN work_calendar {tag}_to
           ON {tag}_to.working AND {tag}_to.before = ceil({tag}_pos.position / :clock_len)::integer - 1"""
    expression = (f"(({tag}_to.day + make_interval(secs => :clock_open + {tag}_pos.position "
                  f"- {tag}_to.before * CAST(:clock_len AS float8))) AT TIME ZONE :clock_tz)")
    return joins, expression


def unknown_years(conn: Connection, start: date, end: date) -> list[int]:
    """Years in [start, end] whose working days are Monday-Friday because chinese-calendar does not know them."""
    rows = conn.execute(sa.text(
        "SELECT DISTINCT extract(year FROM day)::int FROM work_calendar "
        "WHERE day BETWEEN :s AND :e AND NOT known ORDER BY 1"), {"s": start, "e": end})
    return [r[0] for r in rows]


def clock_info(conn: Connection, scope, start: date, end: date):
    """One row: the clock (kind, working hours) and the years in [start, end] counted Monday-Friday."""
    import pandas as pd

    clock = read_clock(conn)
    years = unknown_years(conn, start, end) if clock.kind == "business" else []
    return pd.DataFrame([{"kind": clock.kind, "hours": clock.hours, "unknown_years": ", ".join(map(str, years))}])
