"""Complaint timeliness (投诉处理及时性): states as of T, rates, trends, the overdue list, work waiting.

A complaint belongs to its customer's department (now); its deadline is its receipt plus the
resolution hours of its priority; as of T a resolution recorded after T does not exist yet.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.periods import end_of_day, start_of_day
from dashboard.core.scope import Scope
from dashboard.metrics.clock import POLICIES, Clock, deadline, read_clock
from dashboard.metrics.sql import SCOPE_CTE, achievement_rate, frame, in_scope, rate, scoped
from db.engine import app_timezone


def _complaint_params(scope: Scope, start: date, end: date, as_of: date | None) -> dict:
    tz = app_timezone()
    as_of = as_of or end
    return {
        "from_ts": start_of_day(start, tz),
        "to_ts": start_of_day(end + timedelta(days=1), tz),
        "t": end_of_day(as_of, tz),
        "department": scope.department,
    }


# The cohort with each complaint's state as of :t. Resolutions recorded after :t do not exist yet.
# The deadlines follow the SLA clock (dashboard/metrics/clock.py); a first response is the first
# of `first_response_at` and `resolved_at` (a resolution answers the customer too).
def _complaint_states(clock: Clock, response: bool = False) -> str:
    """The cohort's states; with `response`, the first response's deadline and state too."""
    due_joins, due = deadline(clock, "c.received_at", "s.resolution_hours", "due", "s.resolution_span")
    response_joins, response_due = (deadline(clock, "c.received_at", "s.response_hours", "resp", "s.response_span") if response
                                    else ("", "NULL::timestamptz"))
    return f"""
WITH RECURSIVE {SCOPE_CTE},
cohort AS (
    SELECT c.id, c.complaint_no, cu.code AS customer_code, d.code AS department_code, c.priority,
           c.received_at, {due} AS deadline,
           CASE WHEN c.resolved_at <= :t THEN c.resolved_at END AS resolved_at,
           CASE WHEN c.resolved_at <= :t AND c.callback_at <= :t THEN c.callback_at END AS callback_at,
           CASE WHEN c.resolved_at <= :t THEN c.satisfaction END AS satisfaction,
           CASE WHEN least(c.first_response_at, c.resolved_at) <= :t
                THEN least(c.first_response_at, c.resolved_at) END AS responded_at,
           {response_due} AS response_deadline,
           c.handler_staff_id
    FROM complaints c
    JOIN {POLICIES} s ON s.priority = c.priority{due_joins}{response_joins}
    -- left joins (every complaint has its customer and department) that the planner drops from
    -- the counts, which name neither
    LEFT JOIN customers cu ON cu.id = c.customer_id
    LEFT JOIN departments d ON d.id = cu.department_id
    WHERE c.received_at >= :from_ts AND c.received_at < :to_ts AND c.received_at <= :t
      AND {in_scope('c.customer_id')}
),
states AS (
    SELECT cohort.*,
           CASE WHEN resolved_at IS NOT NULL THEN
                     CASE WHEN resolved_at <= deadline THEN 'met' ELSE 'breached' END
                WHEN deadline < :t THEN 'breached'
                ELSE 'pending' END AS state,
           CASE WHEN responded_at IS NOT NULL THEN
                     CASE WHEN responded_at <= response_deadline THEN 'met' ELSE 'breached' END
                WHEN response_deadline < :t THEN 'breached'
                ELSE 'pending' END AS response_state,
           resolved_at - received_at AS resolution_time
    FROM cohort
)"""


def _states(conn: Connection, scope: Scope, start: date, end: date, as_of: date | None,
            response: bool = False) -> tuple[str, dict]:
    clock = read_clock(conn)
    return _complaint_states(clock, response), _complaint_params(scope, start, end, as_of) | clock.params()


_HOURS = "round(extract(epoch FROM {0}) / 3600, 2)"


def complaints(conn: Connection, scope: Scope, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """One row per complaint received on [start, end] (local dates), state as of `as_of`."""
    states, params = _states(conn, scope, start, end, as_of)
    sql = states + f"""
    SELECT s.complaint_no, s.customer_code, s.department_code, s.priority, s.received_at, s.deadline,
           s.resolved_at, s.state, {_HOURS.format('s.resolution_time')} AS resolution_hours,
           st.staff_no AS handler_staff_no, st.name AS handler_name
    FROM states s LEFT JOIN staff st ON st.id = s.handler_staff_id
    ORDER BY s.received_at, s.complaint_no"""
    return frame(conn, sql, params)


def complaint_summary(conn: Connection, scope: Scope, start: date, end: date,
                      as_of: date | None = None) -> pd.DataFrame:
    """Per owning department (not rolled up) plus `ALL`: counts, achievement rate, overdue, median."""
    states, params = _states(conn, scope, start, end, as_of)
    sql = states + f"""
    SELECT CASE WHEN grouping(department_code) = 1 THEN 'ALL' ELSE department_code END AS department_code,
           count(*) AS received,
           count(*) FILTER (WHERE state = 'met') AS met,
           count(*) FILTER (WHERE state = 'breached') AS breached,
           count(*) FILTER (WHERE state = 'pending') AS pending,
           {achievement_rate()} AS achievement_rate,
           count(*) FILTER (WHERE resolved_at IS NULL AND deadline < :t) AS overdue_open,
           {_HOURS.format('percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_time)')}
               AS median_resolution_hours
    FROM states
    GROUP BY GROUPING SETS ((department_code), ())
    ORDER BY grouping(department_code), department_code"""
    return frame(conn, sql, params)


def complaint_kpis(conn: Connection, scope: Scope, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """One row: the cohort's timeliness, resolution-time spread, callbacks and satisfaction."""
    states, params = _states(conn, scope, start, end, as_of, response=True)
    sql = states + f"""
    SELECT count(*) AS received,
           count(*) FILTER (WHERE state = 'met') AS met,
           count(*) FILTER (WHERE state = 'breached') AS breached,
           count(*) FILTER (WHERE state = 'pending') AS pending,
           {achievement_rate()} AS achievement_rate,
           {_HOURS.format('percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_time)')} AS median_resolution_hours,
           {_HOURS.format('percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_time)')} AS p90_resolution_hours,
           count(resolved_at) AS resolved,
           count(*) FILTER (WHERE callback_at - resolved_at <= interval '7 days') AS callbacks_on_time,
           {rate("count(*) FILTER (WHERE callback_at - resolved_at <= interval '7 days')", "count(resolved_at)")}
               AS callback_on_time_rate,
           round(avg(satisfaction), 2) AS mean_satisfaction,
           count(satisfaction) AS rated,
           {rate("count(*) FILTER (WHERE satisfaction <= 2)", "count(satisfaction)")} AS dissatisfied_share,
           count(*) FILTER (WHERE response_state = 'met') AS responses_on_time,
           count(*) FILTER (WHERE response_state IN ('met', 'breached')) AS responses_due,
           {rate("count(*) FILTER (WHERE response_state = 'met')",
                 "count(*) FILTER (WHERE response_state IN ('met', 'breached'))")} AS response_on_time_rate
    FROM states"""
    return frame(conn, sql, params)


def complaint_trend(conn: Connection, scope: Scope, start: date, end: date, grain: str = "month",
                    as_of: date | None = None) -> pd.DataFrame:
    """Achievement rate per week or month of received date (local), states as of `as_of`."""
    if grain not in ("week", "month"):
        raise ValueError(f"grain: '{grain}' is not week or month")
    # Counted per period and state first, so each complaint's state is worked out once, not once
    # per count.
    states, params = _states(conn, scope, start, end, as_of)
    sql = states + f""",
    counted AS (
        -- the week or month of the local receipt day: the period whose first local midnight is the
        -- last one at or before the receipt (a binary search, not a time zone conversion per row)
        SELECT (CAST(:starts AS date[]))[width_bucket(received_at, CAST(:bounds AS timestamptz[]))] AS period_start,
               state, count(*) AS n
        FROM states GROUP BY 1, 2
    )
    SELECT period_start, sum(n)::bigint AS received,
           coalesce(sum(n) FILTER (WHERE state = 'met'), 0)::bigint AS met,
           coalesce(sum(n) FILTER (WHERE state = 'breached'), 0)::bigint AS breached,
           coalesce(sum(n) FILTER (WHERE state = 'pending'), 0)::bigint AS pending,
           {achievement_rate('sum(n)')} AS achievement_rate
    FROM counted GROUP BY 1 ORDER BY 1"""
    tz = app_timezone()
    starts = _period_starts(grain, start, end)
    params = params | {"starts": starts, "bounds": [start_of_day(day, tz) for day in starts]}
    return frame(conn, sql, params)


def _period_starts(grain: str, start: date, end: date) -> list[date]:
    """The first days of the weeks (Monday first) or months that [start, end] touches."""
    day = start - timedelta(days=start.weekday()) if grain == "week" else start.replace(day=1)
    starts = []
    while day <= end:
        starts.append(day)
        day = day + timedelta(days=7) if grain == "week" else (day + timedelta(days=32)).replace(day=1)
    return starts


def complaint_breakdown(conn: Connection, scope: Scope, start: date, end: date, by: str = "priority",
                        as_of: date | None = None) -> pd.DataFrame:
    """met/breached/pending and achievement rate by priority or by department."""
    column = {"priority": "priority", "department": "department_code"}.get(by)
    if column is None:
        raise ValueError(f"by: '{by}' is not priority or department")
    states, params = _states(conn, scope, start, end, as_of)
    sql = states + f"""
    SELECT {column} AS key, count(*) AS received,
           count(*) FILTER (WHERE state = 'met') AS met,
           count(*) FILTER (WHERE state = 'breached') AS breached,
           count(*) FILTER (WHERE state = 'pending') AS pending,
           {achievement_rate()} AS achievement_rate
    FROM states GROUP BY 1 ORDER BY 1"""
    return frame(conn, sql, params)


def overdue_open(conn: Connection, scope: Scope, as_of: date) -> pd.DataFrame:
    """The "act now" list: not resolved by T and past the deadline, whatever the received date."""
    tz = app_timezone()
    clock = read_clock(conn)
    joins, due = deadline(clock, "c.received_at", "s.resolution_hours", "due", "s.resolution_span")
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    open_due AS (
        SELECT c.id, {due} AS deadline
        FROM complaints c
        JOIN {POLICIES} s ON s.priority = c.priority{joins}
        WHERE c.received_at <= :t AND (c.resolved_at IS NULL OR c.resolved_at > :t)
    )
    SELECT c.complaint_no, cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code,
           c.priority, c.received_at, o.deadline,
           round(extract(epoch FROM :t - o.deadline) / 3600, 2) AS hours_overdue,
           st.staff_no AS handler_staff_no, st.name AS handler_name
    FROM open_due o
    JOIN complaints c ON c.id = o.id
    JOIN customers cu ON cu.id = c.customer_id
    JOIN scope ON scope.id = cu.department_id
    JOIN departments d ON d.id = cu.department_id
    LEFT JOIN staff st ON st.id = c.handler_staff_id
    WHERE o.deadline < :t
    ORDER BY hours_overdue DESC, c.complaint_no"""
    return frame(conn, sql, {"t": end_of_day(as_of, tz)} | scoped(scope) | clock.params())


# The work waiting, in two parts with an index each: open complaints without a response (the open
# complaints' index) and resolved ones without a callback (their own index, in the order of their
# resolution, which is the order of their callback's due time).
def _waiting_filters(staff_no: str | None) -> str:
    """The scope and the handler (by staff number, when one is given) of the complaints waiting."""
    handler = " AND c.handler_staff_id = (SELECT id FROM staff WHERE staff_no = :staff_no)" if staff_no else ""
    return f"AND {in_scope('c.customer_id')}{handler}"


def complaints_waiting(conn: Connection, scope: Scope, as_of: date,
                       staff_no: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Open work on complaints as of `as_of`: no first response yet, or resolved without a callback.

    A resolved complaint without a callback stays on the list however long ago it was resolved
    (its callback was due 7 days after the resolution). With `limit`, the first `limit` of each
    kind by due time (the counts: `waiting_counts`).
    """
    tz = app_timezone()
    clock = read_clock(conn)
    joins, response_due = deadline(clock, "c.received_at", "s.response_hours", "resp", "s.response_span")
    filters = _waiting_filters(staff_no)
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    response AS (
        SELECT c.id, 'response' AS waiting_for, {response_due} AS due_at, c.complaint_no
        FROM complaints c
        JOIN {POLICIES} s ON s.priority = c.priority{joins}
        WHERE c.resolved_at IS NULL AND c.first_response_at IS NULL AND c.received_at <= :t {filters}
        ORDER BY 3, 4 LIMIT :limit
    ),
    callback AS (
        -- a later resolution is a later callback due (7 days after it): the first by resolution
        SELECT c.id, 'callback' AS waiting_for, c.resolved_at + interval '7 days' AS due_at, c.complaint_no
        FROM complaints c
        WHERE c.resolved_at IS NOT NULL AND c.callback_at IS NULL AND c.received_at <= :t {filters}
        ORDER BY c.resolved_at, c.complaint_no LIMIT :limit
    ),
    waiting AS (SELECT * FROM response UNION ALL SELECT * FROM callback)
    SELECT c.complaint_no, cu.code AS customer_code, cu.name AS customer_name, c.priority, c.received_at,
           w.waiting_for, w.due_at, st.staff_no AS handler_staff_no, st.name AS handler_name
    FROM waiting w
    JOIN complaints c ON c.id = w.id
    JOIN customers cu ON cu.id = c.customer_id
    LEFT JOIN staff st ON st.id = c.handler_staff_id
    ORDER BY w.due_at, c.complaint_no"""
    return frame(conn, sql, {"t": end_of_day(as_of, tz), "staff_no": staff_no, "limit": limit}
                 | scoped(scope) | clock.params())


def waiting_counts(conn: Connection, scope: Scope, as_of: date, staff_no: str | None = None) -> pd.DataFrame:
    """One row: how many complaints `complaints_waiting` lists for a response and for a callback."""
    # a resolution is never before its receipt (a check on the table): one resolved by T was
    # received by T, so only those resolved later are read for their receipt
    filters = _waiting_filters(staff_no)
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT (SELECT count(*) FROM complaints c
            WHERE c.resolved_at IS NULL AND c.first_response_at IS NULL AND c.received_at <= :t {filters})
               AS response,
           (SELECT count(*) FROM complaints c
            WHERE c.resolved_at IS NOT NULL AND c.callback_at IS NULL AND c.resolved_at <= :t {filters})
           + (SELECT count(*) FROM complaints c
              WHERE c.resolved_at IS NOT NULL AND c.callback_at IS NULL AND c.resolved_at > :t
                AND c.received_at <= :t {filters}) AS callback"""
    return frame(conn, sql, {"t": end_of_day(as_of, app_timezone()), "staff_no": staff_no} | scoped(scope))


# -- what complaints are about (metrics.md "Contact centre": complaint rate, repeat complaints) --------------
TOPICS = {"category": "c.category", "channel": "c.channel", "department": "d.code"}
_DEPARTMENT_OF = ("(SELECT d.code FROM customers cu JOIN departments d ON d.id = cu.department_id "
                  "WHERE cu.id = c.customer_id)")


def complaint_topics(conn: Connection, scope: Scope, start: date, end: date, by: str = "category",
                     as_of: date | None = None) -> pd.DataFrame:
    """Complaints received in the range (by T) per category, channel or department, plus `ALL` (its `all` true).

    Each row: complaints, its share of all, repeat complaints (received within `repeat_days` of the same
    customer's previous complaint, which may lie before the range; at exactly repeat_days it is a repeat),
    and the rates per 100 orders and per 100 customers with orders in the range (a department's row over
    its own orders and customers, the others over the scope's). An empty category or channel is its own row.
    """
    if by not in TOPICS:
        raise ValueError(f"by: '{by}' is not category, channel or department")
    from dashboard.metrics.calls import call_rules

    params = _complaint_params(scope, start, end, as_of) | {"repeat_days": call_rules(conn)["repeat_days"],
                                                            "start": start, "end": end}
    # A complaint's department is looked up per complaint (a range's few thousand), and the scope
    # test folds to true without a department: no pass over all customers for a few complaints'.
    group = _DEPARTMENT_OF if by == "department" else TOPICS[by]
    if by == "department":
        ordered = """
    SELECT d.code AS key, grouping(d.code) = 1 AS "all",
           count(*) AS orders, count(DISTINCT o.customer_id) AS active_customers
    FROM orders o JOIN customers cu ON cu.id = o.customer_id JOIN departments d ON d.id = cu.department_id
    WHERE o.order_date BETWEEN :start AND LEAST(:end, CAST(:t AS date)) AND cu.department_id IN (SELECT id FROM scope)
    GROUP BY GROUPING SETS ((d.code), ())"""
    else:
        # the orders' dates from their index, their customers only when a department is chosen
        ordered = f"""
    SELECT NULL::text AS key, true AS "all", count(*) AS orders, count(DISTINCT o.customer_id) AS active_customers
    FROM orders o
    WHERE o.order_date BETWEEN :start AND LEAST(:end, CAST(:t AS date)) AND {in_scope('o.customer_id')}"""
    sql = f"""
WITH RECURSIVE {SCOPE_CTE},
received AS (
    SELECT {group} AS key, EXISTS (
               SELECT 1 FROM complaints p
               WHERE p.customer_id = c.customer_id AND p.id <> c.id
                 AND (p.received_at < c.received_at OR (p.received_at = c.received_at AND p.id < c.id))
                 AND p.received_at >= c.received_at - make_interval(days => :repeat_days)) AS repeat
    FROM complaints c
    WHERE c.received_at >= :from_ts AND c.received_at < :to_ts AND c.received_at <= :t
      AND {in_scope('c.customer_id')}
),
counted AS (
    SELECT key, grouping(key) = 1 AS "all", count(*) AS complaints, count(*) FILTER (WHERE repeat) AS repeat_complaints
    FROM received GROUP BY GROUPING SETS ((key), ())
),
ordered AS ({ordered}
),
totals AS (SELECT complaints FROM counted WHERE "all")
SELECT c.key AS {by}, c."all", c.complaints, {rate("c.complaints", "(SELECT complaints FROM totals)")} AS complaint_share,
       c.repeat_complaints, coalesce(o.orders, 0) AS orders, coalesce(o.active_customers, 0) AS active_customers,
       round(c.complaints * 100.0 / nullif(o.orders, 0), 2) AS per_100_orders,
       round(c.complaints * 100.0 / nullif(o.active_customers, 0), 2) AS per_100_customers
FROM counted c
LEFT JOIN ordered o ON {'o."all" = c."all" AND (c."all" OR o.key = c.key)' if by == "department" else 'o."all"'}
WHERE c.complaints > 0
ORDER BY c."all", c.complaints DESC, c.key"""
    table = frame(conn, sql, params)
    if not table.empty:
        table = table.astype({c: "int64" for c in ("complaints", "repeat_complaints", "orders", "active_customers")})
    return table.reset_index(drop=True)


def share_change(now: pd.DataFrame, before: pd.DataFrame, by: str) -> list:
    """Per row of complaint_topics `now`: its share less the same key's share in `before` (points as a
    fraction), None for the ALL row and for a key the earlier range did not have."""
    earlier = {} if before.empty else {k: v for k, v, a in zip(before[by], before["complaint_share"], before["all"]) if not a}
    return [None if a or k not in earlier or s is None or earlier[k] is None else float(s) - float(earlier[k])
            for k, a, s in zip(now[by], now["all"], now["complaint_share"])]


def complaints_about(conn: Connection, scope: Scope, start: date, end: date, by: str, value: str | None,
                     as_of: date | None = None) -> pd.DataFrame:
    """The drill-down of complaint_topics: the complaints of one category, channel or department (None: empty)."""
    if by not in TOPICS:
        raise ValueError(f"by: '{by}' is not category, channel or department")
    sql = f"""
WITH RECURSIVE {SCOPE_CTE}
SELECT c.complaint_no, cu.code AS customer_code, d.code AS department_code, c.received_at, c.priority,
       c.category, c.channel, c.content
FROM complaints c JOIN customers cu ON cu.id = c.customer_id JOIN departments d ON d.id = cu.department_id
WHERE c.received_at >= :from_ts AND c.received_at < :to_ts AND c.received_at <= :t
  AND cu.department_id IN (SELECT id FROM scope) AND {TOPICS[by]} IS NOT DISTINCT FROM :value
ORDER BY c.received_at DESC, c.complaint_no LIMIT 500"""
    return frame(conn, sql, _complaint_params(scope, start, end, as_of) | {"value": value})
