"""The working calendar of the business-hours SLA clock: one row per day, 2000-2100.

A day is a working day when the Chinese calendar of the `chinese-calendar` package says so
(weekdays that are not public holidays, plus the make-up working days, 调休); for years the
package does not know yet, Monday to Friday. `before` counts the working days before the day,
so the database finds the n-th working day after any instant by an index lookup instead of
walking day by day (see dashboard/metrics/clock.py).
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def known_years() -> tuple[int, int]:
    """The first and last year the installed chinese-calendar package has data for."""
    import chinese_calendar

    days = list(chinese_calendar.holidays) + list(chinese_calendar.workdays)
    return min(days).year, max(days).year


def working_days() -> list[tuple[date, bool, int, bool]]:
    """(day, working, working days before it, known to the package) for every day of the table."""
    import chinese_calendar

    first, last = known_years()
    rows, before, day = [], 0, FIRST_DAY
    while day <= LAST_DAY:
        known = first <= day.year <= last
        working = chinese_calendar.is_workday(day) if known else day.weekday() < 5
        rows.append((day, working, before, known))
        before += working
        day += timedelta(days=1)
    return rows


def fill(conn) -> None:
    """Write the calendar (idempotent): every day's row as the installed package sees it."""
    rows = working_days()
    conn.execute(sa.text("CREATE TEMP TABLE new_calendar (day date, working boolean, before integer, known boolean) "
                         "ON COMMIT DROP"))
    raw = conn.connection.dbapi_connection.cursor()
    from psycopg2.extras import execute_values

    execute_values(raw, "INSERT INTO new_calendar VALUES %s", rows, page_size=5000)
    conn.execute(sa.text("""
        INSERT INTO work_calendar AS w SELECT * FROM new_calendar
        ON CONFLICT (day) DO UPDATE SET working = EXCLUDED.working, before = EXCLUDED.before, known = EXCLUDED.known
        WHERE (w.working, w.before, w.known) IS DISTINCT FROM (EXCLUDED.working, EXCLUDED.before, EXCLUDED.known)"""))
    conn.execute(sa.text("DROP TABLE new_calendar"))


def is_current(conn) -> bool:
    """True when the table knows exactly the years the installed package knows."""
    first, last = known_years()
    stored = conn.execute(sa.text(
        "SELECT min(day), max(day) FROM work_calendar WHERE known")).one()
    return stored[0] is not None and stored[0].year == first and stored[1].year == last
