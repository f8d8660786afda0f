"""The contact centre (metrics.md "Contact centre"): call figures from the phone system's records.

A call belongs to the range by the local date of `started_at`, and exists as of T when it started
by T; inbound calls only. It belongs to its customer's department, else its staff member's (set
when it is imported); one with neither is read only in the company's scope (a manager's).

The rules are settings (dashboard/core/settings.py), read once per figure and returned beside it
(`rules`), so each figure can say which rule it uses:
- a short abandon is unanswered and `ended_at - started_at < short_abandon_seconds`; it is not offered;
- service level: answered with `answered_at - started_at <= sl_seconds`, over offered;
- first-contact resolution: no other inbound call of the same customer (else the same caller) starting
  in `(ended_at, ended_at + fcr_hours]`; counted only once that window has ended by T.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.core.periods import end_of_day, start_of_day
from dashboard.core.scope import Scope
from dashboard.core.settings import SETTINGS
from dashboard.metrics.sql import SCOPE_CTE, frame, rate
from db.engine import app_timezone

RULES = ("sl_seconds", "short_abandon_seconds", "fcr_hours", "repeat_days")
SUMMARY_COLUMNS = ("queue", "offered", "answered", "abandoned", "short_abandoned", "service_level", "asa_seconds",
                   "aht_seconds", "acw_seconds", "abandon_rate", "fcr_rate")
# the grains of call_figures: the SQL of each group (over `cohort`), and the columns naming it
GRAINS = {
    "queue": ("queue", "queue"),
    "hour": ("extract(hour FROM started_at AT TIME ZONE :tz)::int", "hour"),
    "weekday": ("extract(isodow FROM started_at AT TIME ZONE :tz)::int", "weekday"),
    "day": ("(started_at AT TIME ZONE :tz)::date", "day"),
    "week": ("date_trunc('week', started_at AT TIME ZONE :tz)::date", "week"),
    "staff": ("staff_id", "staff_id"),
}


def call_rules(conn: Connection) -> dict[str, int]:
    """The contact-centre rules in force: each setting's stored value, or its default."""
    stored = dict(conn.execute(sa.text("SELECT key, value FROM settings WHERE key = ANY(:keys)"),
                               {"keys": list(RULES)}).all())
    return {key: int(stored.get(key, SETTINGS[key].default)) for key in RULES}


def _cohort() -> str:
    """The range's inbound calls in scope as of :t, each with its per-call facts."""
    return f"""
WITH RECURSIVE {SCOPE_CTE},
cohort AS (
    SELECT c.id, c.queue, c.staff_id, c.started_at, c.answered_at, c.ended_at,
           c.answered_at IS NULL AND c.ended_at - c.started_at < make_interval(secs => :short) AS short_abandoned,
           c.answered_at IS NOT NULL AS answered,
           c.answered_at - c.started_at <= make_interval(secs => :sl) AS within_sl,
           extract(epoch FROM c.answered_at - c.started_at) AS wait,
           extract(epoch FROM c.ended_at - c.answered_at) + coalesce(c.wrap_up_seconds, 0) AS handle,
           CASE WHEN c.answered_at IS NOT NULL THEN coalesce(c.wrap_up_seconds, 0) END AS wrap,
           -- first contact: the base is answered, has a customer or caller, and its window ended by T
           c.answered_at IS NOT NULL AND (c.customer_id IS NOT NULL OR c.caller IS NOT NULL)
               AND c.ended_at + make_interval(hours => :fcr) <= :t AS fcr_base,
           -- each identity probes its own index (calls_customer_started_idx, calls_caller_started_idx)
           CASE WHEN c.customer_id IS NOT NULL THEN EXISTS (
                    SELECT 1 FROM calls r
                    WHERE r.direction = 'inbound' AND r.customer_id = c.customer_id AND r.id <> c.id
                      AND r.started_at > c.ended_at AND r.started_at <= c.ended_at + make_interval(hours => :fcr))
                WHEN c.caller IS NOT NULL THEN EXISTS (
                    SELECT 1 FROM calls r
                    WHERE r.direction = 'inbound' AND r.caller = c.caller AND r.id <> c.id
                      AND r.started_at > c.ended_at AND r.started_at <= c.ended_at + make_interval(hours => :fcr))
                ELSE false END AS repeated
    FROM calls c
    WHERE c.direction = 'inbound' AND c.started_at >= :from_ts AND c.started_at < :to_ts AND c.started_at <= :t
      AND (CAST(:department AS text) IS NULL OR c.department_id IN (SELECT id FROM scope))
)"""


def _figures() -> str:
    """The figures over a group of the cohort (each a count, a rate over its base, or a mean over answered calls)."""
    offered = "count(*) FILTER (WHERE NOT short_abandoned)"
    answered = "count(*) FILTER (WHERE answered)"
    within = "count(*) FILTER (WHERE within_sl)"
    fcr_base = "count(*) FILTER (WHERE fcr_base)"
    resolved = "count(*) FILTER (WHERE fcr_base AND NOT repeated)"
    return f"""
    {offered} AS offered, {answered} AS answered, {offered} - {answered} AS abandoned,
    count(*) FILTER (WHERE short_abandoned) AS short_abandoned,
    {within} AS within_sl, {rate(within, offered)} AS service_level,
    round(avg(wait)::numeric, 2) AS asa_seconds, round(avg(handle)::numeric, 2) AS aht_seconds,
    round(avg(wrap)::numeric, 2) AS acw_seconds, {rate(f"{offered} - {answered}", offered)} AS abandon_rate,
    {resolved} AS fcr_resolved, {fcr_base} AS fcr_base, {rate(resolved, fcr_base)} AS fcr_rate"""


def _params(conn: Connection, scope: Scope, start: date, end: date, as_of: date | None) -> tuple[dict, dict]:
    tz = app_timezone()
    rules = call_rules(conn)
    return {"from_ts": start_of_day(start, tz), "to_ts": start_of_day(end + timedelta(days=1), tz),
            "t": end_of_day(as_of or end, tz), "tz": str(tz), "department": scope.department,
            "short": rules["short_abandon_seconds"], "sl": rules["sl_seconds"], "fcr": rules["fcr_hours"]}, rules


COUNTS = ("offered", "answered", "abandoned", "short_abandoned", "within_sl", "fcr_resolved", "fcr_base")


def call_figures(conn: Connection, scope: Scope, start: date, end: date, as_of: date | None = None,
                 by: str = "queue") -> pd.DataFrame:
    """The figures per `by` (GRAINS: queue, hour, weekday, day, week, staff), plus a row `ALL` (its `all` true).

    A grain with no call in the range has no row; the rules used are in `frame.attrs["rules"]`.
    """
    group, name = GRAINS[by]
    params, rules = _params(conn, scope, start, end, as_of)
    staff = by == "staff"
    sql = f"""{_cohort()},
grouped AS (
    SELECT {group} AS {name}, grouping({group}) = 1 AS "all", {_figures()}
    FROM cohort {"WHERE staff_id IS NOT NULL AND answered" if staff else ""}
    GROUP BY GROUPING SETS (({group}), ())
)
SELECT g.*{", s.staff_no, s.name AS staff_name" if staff else ""}
FROM grouped g {"LEFT JOIN staff s ON s.id = g.staff_id" if staff else ""}
WHERE g.offered > 0 OR g.answered > 0 OR g.short_abandoned > 0
ORDER BY g."all", {"g.answered DESC, s.staff_no" if staff else f"g.{name}"}"""
    table = frame(conn, sql, params)
    if not table.empty:
        table = table.astype({c: "int64" for c in COUNTS})
        if by == "queue":
            table.loc[table["all"], "queue"] = "ALL"
    table.attrs["rules"] = rules
    return table


def call_summary(conn: Connection, scope: Scope, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """Export view call_summary: one row per queue with inbound calls in the range, plus `ALL`."""
    table = call_figures(conn, scope, start, end, as_of, by="queue")
    return table.loc[:, list(SUMMARY_COLUMNS)] if not table.empty else pd.DataFrame(columns=list(SUMMARY_COLUMNS))


def rules(conn: Connection, scope: Scope) -> pd.DataFrame:
    """The rules in force as one row (the pages say which rule each figure uses); the same for every scope."""
    return pd.DataFrame([call_rules(conn)])


RECORDS_LIMIT = 500


def call_records(conn: Connection, scope: Scope, start: date, end: date, as_of: date | None = None, *,
                 queue: str | None = None, hour: int | None = None, weekday: int | None = None,
                 staff_id: int | None = None, limit: int = RECORDS_LIMIT) -> pd.DataFrame:
    """The calls behind a figure of call_figures, newest first, at most `limit`; `attrs["total"]` counts them all.

    The same cohort as the figures (range, T, scope, rules): a queue's, an hour's or a weekday's calls are
    its inbound calls, short abandons included (its offered + short_abandoned); `queue=""` is the calls
    without a queue. A staff member's are the answered calls credited to them (their row's answered).
    """
    params, _ = _params(conn, scope, start, end, as_of)
    params |= {"queue": queue, "hour": hour, "weekday": weekday, "staff": staff_id, "limit": int(limit)}
    sql = f"""{_cohort()},
picked AS (
    SELECT c.*, count(*) OVER () AS total FROM cohort c
    WHERE (CAST(:queue AS text) IS NULL OR coalesce(c.queue, '') = :queue)
      AND (CAST(:hour AS int) IS NULL OR {GRAINS["hour"][0]} = :hour)
      AND (CAST(:weekday AS int) IS NULL OR {GRAINS["weekday"][0]} = :weekday)
      AND (CAST(:staff AS int) IS NULL OR (c.staff_id = :staff AND c.answered))
    ORDER BY c.started_at DESC, c.id DESC
    LIMIT :limit
)
SELECT k.call_id, p.started_at, p.queue, s.staff_no, s.name AS staff_name, cu.code AS customer_code,
       cu.name AS customer_name, k.caller,
       CASE WHEN p.short_abandoned THEN 'short_abandoned' WHEN p.answered THEN 'answered' ELSE 'abandoned' END
           AS call_outcome,
       round(p.wait::numeric, 1) AS wait_seconds, round(p.handle::numeric, 1) AS handle_seconds,
       p.within_sl, CASE WHEN p.fcr_base THEN NOT p.repeated END AS first_contact, p.total
FROM picked p JOIN calls k ON k.id = p.id LEFT JOIN staff s ON s.id = p.staff_id
LEFT JOIN customers cu ON cu.id = k.customer_id
ORDER BY p.started_at DESC, p.id DESC"""
    table = frame(conn, sql, params)
    table.attrs["total"] = int(table["total"].iloc[0]) if not table.empty else 0
    # unanswered: not within the service level; first contact unknown while its window is open
    table = table.astype({"within_sl": "boolean", "first_contact": "boolean"})
    table["within_sl"] = table["within_sl"].fillna(False)
    return table.drop(columns="total")
