"""Metric functions: one per figure or view, `(connection, parameters) -> DataFrame`.

Every figure of ../shared/spec/metrics.md is computed here, in SQL, and nowhere else.
Pages, the command line, exports and tests all call these functions.

Thresholds compare exact values: ratios are never compared after division; instead both
sides are multiplied out in integer or numeric arithmetic (e.g. `actual < minimum *
elapsed` becomes `actual * days_total < minimum * days_elapsed`).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
import psycopg2.extensions
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard.periods import Period, end_of_day, start_of_day
from db.engine import app_timezone

# Departments in scope: the chosen one and its sub-departments, or all when none chosen.
SCOPE_CTE = """
scope(id) AS (
    SELECT id FROM departments WHERE CAST(:department AS text) IS NULL OR code = :department
    UNION
    SELECT d.id FROM departments d JOIN scope s ON d.parent_id = s.id
)"""

# The customers in scope, for joining to a per-customer aggregate of orders. Materialized so the
# planner knows its size: it cannot estimate the groups of such an aggregate, guesses 200, and
# would otherwise probe the customers' index once per customer instead of hashing them.
SCOPED_CUSTOMERS_CTE = SCOPE_CTE + """,
scoped_customers AS MATERIALIZED (
    SELECT cu.id, cu.code FROM customers cu JOIN scope ON scope.id = cu.department_id
)"""


def _in_scope(customer_id: str) -> str:
    """The customer `customer_id` is in scope (needs SCOPE_CTE).

    Without a department the test folds to true when the query is planned (the driver sends
    the NULL inline), so a count over all customers never touches the customers table.
    """
    return (f"(CAST(:department AS text) IS NULL OR {customer_id} IN "
            f"(SELECT cu.id FROM customers cu JOIN scope ON scope.id = cu.department_id))")


class UnknownDepartment(ValueError):
    pass


# timestamptz read as its text: psycopg2 would build a datetime per value and pandas would then
# take them apart again, a quarter of the time of a list of complaints. psycopg2 picks a
# column's converter when the statement runs, so the cursor learns it just before.
_TIMESTAMPTZ = psycopg2.extensions.new_type((1184,), "TIMESTAMPTZ_TEXT", lambda value, cursor: value)


@sa.event.listens_for(Engine, "before_cursor_execute")
def _timestamptz_as_text(conn, cursor, statement, parameters, context, executemany) -> None:
    if context is not None and context.execution_options.get("timestamptz_as_text"):
        psycopg2.extensions.register_type(_TIMESTAMPTZ, cursor)


def _frame(conn: Connection, sql: str, params: dict) -> pd.DataFrame:
    result = conn.execute(sa.text(sql).execution_options(timestamptz_as_text=True), params)
    try:
        # Rows straight from the DBAPI cursor: SQLAlchemy's per-row objects cost a third of the
        # time of a 50,000-row view.
        cursor = result.cursor
        rows, columns = cursor.fetchall(), list(result.keys())
        stamped = [column for column, d in zip(columns, cursor.description) if d.type_code in _TIMESTAMPTZ.values]
    finally:
        result.close()
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for column in stamped:
        frame[column] = _timestamps(frame[column])
    return frame


def _timestamps(texts: pd.Series) -> pd.Series:
    """Postgres's text of timestamptz values as the column psycopg2's datetimes would have made."""
    if texts.isna().all():
        return texts  # as before: None, not NaT
    try:
        return pd.to_datetime(texts, format="ISO8601")
    except ValueError:  # offsets differ (a zone with summer time): datetimes, each with its own offset
        return pd.Series([None if pd.isna(text) else datetime.fromisoformat(text) for text in texts],
                         index=texts.index, dtype=object, name=texts.name)


def check_department(conn: Connection, department: str | None) -> None:
    """Raise UnknownDepartment naming the code when it does not exist."""
    if department is None:
        return
    found = conn.execute(sa.text("SELECT 1 FROM departments WHERE code = :c"), {"c": department}).scalar()
    if not found:
        raise UnknownDepartment(f"department: '{department}' does not exist")


# --------------------------------------------------------------------------------------
# Complaint timeliness (投诉处理及时性)
# --------------------------------------------------------------------------------------

def _complaint_params(start: date, end: date, as_of: date | None, department: str | None) -> dict:
    tz = app_timezone()
    as_of = as_of or end
    return {
        "from_ts": start_of_day(start, tz),
        "to_ts": start_of_day(end + timedelta(days=1), tz),
        "t": end_of_day(as_of, tz),
        "department": department,
    }


# The cohort with each complaint's state as of :t. Resolutions recorded after :t do not exist yet.
_COMPLAINT_STATES = f"""
WITH RECURSIVE {SCOPE_CTE},
cohort AS (
    SELECT c.id, c.complaint_no, cu.code AS customer_code, d.code AS department_code, c.priority,
           c.received_at, c.received_at + s.resolution_hours * interval '1 hour' AS deadline,
           CASE WHEN c.resolved_at <= :t THEN c.resolved_at END AS resolved_at,
           CASE WHEN c.resolved_at <= :t AND c.callback_at <= :t THEN c.callback_at END AS callback_at,
           CASE WHEN c.resolved_at <= :t THEN c.satisfaction END AS satisfaction,
           c.handler_staff_id
    FROM complaints c
    JOIN sla_policies s ON s.priority = c.priority
    -- left joins (every complaint has its customer and department) that the planner drops from
    -- the counts, which name neither
    LEFT JOIN customers cu ON cu.id = c.customer_id
    LEFT JOIN departments d ON d.id = cu.department_id
    WHERE c.received_at >= :from_ts AND c.received_at < :to_ts AND c.received_at <= :t
      AND {_in_scope('c.customer_id')}
),
states AS (
    SELECT cohort.*,
           CASE WHEN resolved_at IS NOT NULL THEN
                     CASE WHEN resolved_at <= deadline THEN 'met' ELSE 'breached' END
                WHEN deadline < :t THEN 'breached'
                ELSE 'pending' END AS state,
           resolved_at - received_at AS resolution_time
    FROM cohort
)"""

_HOURS = "round(extract(epoch FROM {0}) / 3600, 2)"


def complaints(conn: Connection, start: date, end: date, as_of: date | None = None,
               department: str | None = None) -> pd.DataFrame:
    """One row per complaint received on [start, end] (local dates), state as of `as_of`."""
    sql = _COMPLAINT_STATES + f"""
    SELECT s.complaint_no, s.customer_code, s.department_code, s.priority, s.received_at, s.deadline,
           s.resolved_at, s.state, {_HOURS.format('s.resolution_time')} AS resolution_hours,
           st.staff_no AS handler_staff_no, st.name AS handler_name
    FROM states s LEFT JOIN staff st ON st.id = s.handler_staff_id
    ORDER BY s.received_at, s.complaint_no"""
    return _frame(conn, sql, _complaint_params(start, end, as_of, department))


def complaint_summary(conn: Connection, start: date, end: date, as_of: date | None = None,
                      department: str | None = None) -> pd.DataFrame:
    """Per owning department (not rolled up) plus `ALL`: counts, achievement rate, overdue, median."""
    sql = _COMPLAINT_STATES + f"""
    SELECT CASE WHEN grouping(department_code) = 1 THEN 'ALL' ELSE department_code END AS department_code,
           count(*) AS received,
           count(*) FILTER (WHERE state = 'met') AS met,
           count(*) FILTER (WHERE state = 'breached') AS breached,
           count(*) FILTER (WHERE state = 'pending') AS pending,
           round(count(*) FILTER (WHERE state = 'met')::numeric
                 / nullif(count(*) FILTER (WHERE state IN ('met', 'breached')), 0), 4) AS achievement_rate,
           count(*) FILTER (WHERE resolved_at IS NULL AND deadline < :t) AS overdue_open,
           {_HOURS.format('percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_time)')}
               AS median_resolution_hours
    FROM states
    GROUP BY GROUPING SETS ((department_code), ())
    ORDER BY grouping(department_code), department_code"""
    return _frame(conn, sql, _complaint_params(start, end, as_of, department))


def complaint_kpis(conn: Connection, start: date, end: date, as_of: date | None = None,
                   department: str | None = None) -> pd.DataFrame:
    """One row: the cohort's timeliness, resolution-time spread, callbacks and satisfaction."""
    sql = _COMPLAINT_STATES + f"""
    SELECT count(*) AS received,
           count(*) FILTER (WHERE state = 'met') AS met,
           count(*) FILTER (WHERE state = 'breached') AS breached,
           count(*) FILTER (WHERE state = 'pending') AS pending,
           round(count(*) FILTER (WHERE state = 'met')::numeric
                 / nullif(count(*) FILTER (WHERE state IN ('met', 'breached')), 0), 4) AS achievement_rate,
           {_HOURS.format('percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_time)')} AS median_resolution_hours,
           {_HOURS.format('percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_time)')} AS p90_resolution_hours,
           count(resolved_at) AS resolved,
           round(count(*) FILTER (WHERE callback_at - resolved_at <= interval '7 days')::numeric
                 / nullif(count(resolved_at), 0), 4) AS callback_on_time_rate,
           round(avg(satisfaction), 2) AS mean_satisfaction,
           count(satisfaction) AS rated,
           round(count(*) FILTER (WHERE satisfaction <= 2)::numeric / nullif(count(satisfaction), 0), 4)
               AS dissatisfied_share
    FROM states"""
    return _frame(conn, sql, _complaint_params(start, end, as_of, department))


def complaint_trend(conn: Connection, start: date, end: date, grain: str = "month",
                    as_of: date | None = None, department: str | None = None) -> pd.DataFrame:
    """Achievement rate per week or month of received date (local), states as of `as_of`."""
    if grain not in ("week", "month"):
        raise ValueError(f"grain: '{grain}' is not week or month")
    # Counted per period and state first, so each complaint's state is worked out once, not once
    # per count.
    sql = _COMPLAINT_STATES + f""",
    counted AS (
        SELECT date_trunc('{grain}', received_at AT TIME ZONE :tz)::date AS period_start, state, count(*) AS n
        FROM states GROUP BY 1, 2
    )
    SELECT period_start, sum(n)::bigint AS received,
           coalesce(sum(n) FILTER (WHERE state = 'met'), 0)::bigint AS met,
           coalesce(sum(n) FILTER (WHERE state = 'breached'), 0)::bigint AS breached,
           coalesce(sum(n) FILTER (WHERE state = 'pending'), 0)::bigint AS pending,
           round(sum(n) FILTER (WHERE state = 'met')::numeric
                 / nullif(sum(n) FILTER (WHERE state IN ('met', 'breached')), 0), 4) AS achievement_rate
    FROM counted GROUP BY 1 ORDER BY 1"""
    params = _complaint_params(start, end, as_of, department) | {"tz": app_timezone().key}
    return _frame(conn, sql, params)


def complaint_breakdown(conn: Connection, start: date, end: date, by: str = "priority",
                        as_of: date | None = None, department: str | None = None) -> pd.DataFrame:
    """met/breached/pending and achievement rate by priority or by department."""
    column = {"priority": "priority", "department": "department_code"}.get(by)
    if column is None:
        raise ValueError(f"by: '{by}' is not priority or department")
    sql = _COMPLAINT_STATES + f"""
    SELECT {column} AS key, count(*) AS received,
           count(*) FILTER (WHERE state = 'met') AS met,
           count(*) FILTER (WHERE state = 'breached') AS breached,
           count(*) FILTER (WHERE state = 'pending') AS pending,
           round(count(*) FILTER (WHERE state = 'met')::numeric
                 / nullif(count(*) FILTER (WHERE state IN ('met', 'breached')), 0), 4) AS achievement_rate
    FROM states GROUP BY 1 ORDER BY 1"""
    return _frame(conn, sql, _complaint_params(start, end, as_of, department))


def overdue_open(conn: Connection, as_of: date, department: str | None = None) -> pd.DataFrame:
    """The "act now" list: not resolved by T and past the deadline, whatever the received date."""
    tz = app_timezone()
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT c.complaint_no, cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code,
           c.priority, c.received_at, c.received_at + s.resolution_hours * interval '1 hour' AS deadline,
           round(extract(epoch FROM :t - (c.received_at + s.resolution_hours * interval '1 hour')) / 3600, 2)
               AS hours_overdue,
           st.staff_no AS handler_staff_no, st.name AS handler_name
    FROM complaints c
    JOIN customers cu ON cu.id = c.customer_id
    JOIN scope ON scope.id = cu.department_id
    JOIN departments d ON d.id = cu.department_id
    JOIN sla_policies s ON s.priority = c.priority
    LEFT JOIN staff st ON st.id = c.handler_staff_id
    WHERE c.received_at <= :t
      AND (c.resolved_at IS NULL OR c.resolved_at > :t)
      AND c.received_at + s.resolution_hours * interval '1 hour' < :t
    ORDER BY hours_overdue DESC, c.complaint_no"""
    return _frame(conn, sql, {"t": end_of_day(as_of, tz), "department": department})


# --------------------------------------------------------------------------------------
# Plan and task tracking (计划跟踪)
# --------------------------------------------------------------------------------------

_PLANS = f"""
    WITH RECURSIVE {SCOPE_CTE},
    base AS (
        SELECT p.*, d.code AS department_code, st.staff_no, st.name AS staff_name,
               coalesce(pr.actual_count, 0) AS actual_count, coalesce(pr.success_count, 0) AS success_count,
               coalesce(pr.actual_cost, 0.00) AS actual_cost,
               (p.end_date - p.start_date + 1) AS days_total,
               greatest(0, least(CAST(:d AS date) - p.start_date + 1, p.end_date - p.start_date + 1))
                   AS days_elapsed
        FROM plans p
        JOIN scope ON scope.id = p.department_id
        JOIN departments d ON d.id = p.department_id
        LEFT JOIN staff st ON st.id = p.staff_id
        CROSS JOIN LATERAL (
            SELECT sum(completed_count) AS actual_count, sum(coalesce(success_count, 0)) AS success_count,
                   sum(cost) AS actual_cost
            FROM plan_progress WHERE plan_id = p.id AND recorded_on <= :d
        ) pr
        WHERE (CAST(:staff_no AS text) IS NULL OR st.staff_no = :staff_no)
          AND (CAST(:overlap_start AS date) IS NULL OR p.end_date >= :overlap_start)
          AND (CAST(:overlap_end AS date) IS NULL OR p.start_date <= :overlap_end)
    ),
    tracked AS (
    SELECT plan_no, kind, type, horizon, department_code, staff_no, staff_name, start_date, end_date,
           planned_count, minimum_count, actual_count,
           round(planned_count * days_elapsed::numeric / days_total, 2) AS expected_count,
           round(actual_count::numeric / planned_count, 4) AS completion_rate,
           CASE WHEN CAST(:d AS date) < start_date THEN 'not_started'
                WHEN actual_count >= planned_count THEN 'achieved'
                WHEN CAST(:d AS date) >= end_date THEN
                     CASE WHEN actual_count >= minimum_count THEN 'met_minimum' ELSE 'below_minimum' END
                WHEN actual_count * days_total < minimum_count * days_elapsed THEN 'behind'
                WHEN actual_count * days_total < planned_count * days_elapsed THEN 'at_risk'
                ELSE 'on_track' END AS status,
           planned_cost, actual_cost, actual_cost - planned_cost AS cost_variance,
           round(actual_cost / nullif(planned_cost, 0), 4) AS cost_usage,
           round(actual_cost / nullif(actual_count, 0), 2) AS cost_per_unit,
           CASE WHEN type = 'service' THEN success_count END AS success_count,
           CASE WHEN type = 'service' THEN round(success_count::numeric / nullif(actual_count, 0), 4) END
               AS success_rate,
           content, method
    FROM base
    )"""


def _plan_params(as_of, department, staff_no, start, end) -> dict:
    return {"d": as_of, "department": department, "staff_no": staff_no, "overlap_start": start, "overlap_end": end}


def plans(conn: Connection, as_of: date, department: str | None = None, staff_no: str | None = None,
          start: date | None = None, end: date | None = None, statuses: tuple[str, ...] | None = None,
          limit: int | None = None) -> pd.DataFrame:
    """Every plan and task with actuals as of `as_of`, expected pace, status and cost.

    `start`/`end` keep only plans whose dates overlap that range; `statuses` keeps those statuses,
    least complete first, and `limit` the first rows.
    """
    order = "completion_rate, plan_no" if statuses else "plan_no"
    return _frame(conn, _PLANS + f""" SELECT * FROM tracked
        WHERE CAST(:statuses AS text[]) IS NULL OR status = ANY(:statuses) ORDER BY {order} LIMIT :limit""",
                  _plan_params(as_of, department, staff_no, start, end)
                  | {"statuses": list(statuses) if statuses else None, "limit": limit})


def plan_status_counts(conn: Connection, as_of: date, department: str | None = None, staff_no: str | None = None,
                       start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Plans and tasks per status as of `as_of` (same rules as `plans`)."""
    return _frame(conn, _PLANS + " SELECT status, count(*) AS plans FROM tracked GROUP BY status ORDER BY status",
                  _plan_params(as_of, department, staff_no, start, end))


def plan_completion(conn: Connection, as_of: date, by: str = "department",
                    department: str | None = None) -> pd.DataFrame:
    """Planned vs actual counts and cost, grouped by department or by type, as of `as_of`."""
    column = {"department": "d.code", "type": "p.type"}.get(by)
    if column is None:
        raise ValueError(f"by: '{by}' is not department or type")
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    progress AS (
        SELECT plan_id, sum(completed_count) AS actual_count, sum(cost) AS actual_cost
        FROM plan_progress WHERE recorded_on <= :d GROUP BY plan_id
    )
    SELECT {column} AS key, count(*) AS plans,
           sum(p.planned_count) AS planned_count, coalesce(sum(pr.actual_count), 0) AS actual_count,
           round(coalesce(sum(pr.actual_count), 0)::numeric / sum(p.planned_count), 4) AS completion_rate,
           sum(p.planned_cost) AS planned_cost, coalesce(sum(pr.actual_cost), 0.00) AS actual_cost
    FROM plans p
    JOIN scope ON scope.id = p.department_id
    JOIN departments d ON d.id = p.department_id
    LEFT JOIN progress pr ON pr.plan_id = p.id
    GROUP BY 1 ORDER BY 1"""
    return _frame(conn, sql, {"d": as_of, "department": department})


# --------------------------------------------------------------------------------------
# Business fluctuation (业务波动) and tiers (级别升降)
# --------------------------------------------------------------------------------------

def _setting_sql(key: str) -> str:
    return f"(SELECT (value #>> '{{}}')::numeric FROM settings WHERE key = '{key}')"


# Running totals (db/migrations 0003): per customer and month, every order dated up to the
# month's last day. The orders up to any date x are the row of the last month ending on or
# before x plus the orders of x's own month up to x, or, from the nearer end of the month, the
# row of x's own month less its orders after x. A window [a, b] is "up to b" minus "up to
# a - 1". Past the horizon (the latest month with orders) the horizon's row holds.
# Each date's rows are tagged and all dates are summed in one GROUP BY: joining per-date
# subqueries on a coalesced key left the planner blind and it chose nested loops.
def _totals_rows(name: str) -> str:
    """Rows (k, customer_id, total, purchases, orders, last_purchase_on) summing to the totals up to :{name}.

    last_purchase_on is the latest purchase up to :{name} only when _totals_at was asked for it.
    """
    return f"""
        SELECT '{name}' AS k, customer_id, total, purchases, orders, last_purchase_on
        FROM customer_running_totals
        WHERE month = least(CAST(:{name}_month AS date), (SELECT max(month) FROM customer_running_totals))
        UNION ALL
        SELECT '{name}', customer_id, amount, CAST(amount >= 0 AS integer), 1, CASE WHEN amount >= 0 THEN order_date END
        FROM orders WHERE :{name}_sign > 0 AND order_date BETWEEN :{name}_from AND :{name}_to
        UNION ALL  -- the planner keeps one of the two: the sign is a constant
        SELECT '{name}', customer_id, -amount, -CAST(amount >= 0 AS integer), -1, NULL
        FROM orders WHERE :{name}_sign < 0 AND order_date BETWEEN :{name}_from AND :{name}_to"""


def _at(column: str, name: str) -> str:
    """One customer's `column` (total, purchases, orders) up to :{name}, from _totals_rows."""
    return f"coalesce(sum({column}) FILTER (WHERE k = '{name}'), 0)"


def _between(column: str, before: str, upto: str) -> str:
    """One customer's `column` after :{before} up to :{upto}: one signed sum instead of two."""
    return f"coalesce(sum(CASE k WHEN '{upto}' THEN {column} WHEN '{before}' THEN -{column} END), 0)"


def _last_month_ended_by(day: date) -> Period:
    """The latest calendar month whose last day is on or before `day`."""
    month = Period.containing("month", day)
    return month if month.end == day else month.previous()


def _totals_at(name: str, day: date, last_purchase: bool = False) -> dict:
    """The parameters of _totals_rows(name) for the orders up to and including `day`.

    The orders of `day`'s month are read from whichever end of it is nearer: after the 15th,
    the month's row less the orders after `day` halves the orders read. That row's latest
    purchase may fall after `day`, so `last_purchase` always adds from the month's start.
    """
    month = Period.containing("month", day)
    if not last_purchase and (month.end - day).days < day.day:
        return {f"{name}_month": month.start, f"{name}_from": day + timedelta(days=1), f"{name}_to": month.end,
                f"{name}_sign": -1}
    month = _last_month_ended_by(day)
    return {f"{name}_month": month.start, f"{name}_from": month.end + timedelta(days=1), f"{name}_to": day,
            f"{name}_sign": 1}


# fluctuation's rows from rows keyed by customer_id. Every order's customer exists (a foreign
# key): the joins are left joins so that the planner drops them when only flags and volumes count.
_NAMED_FLUCTUATION = """
    SELECT cu.code AS customer_code, cu.name AS customer_name, r.volume, r.previous_volume, r.change, r.change_pct,
           r.yoy_volume, r.yoy_pct, r.flag, d.code AS department_code
    FROM ({rows}) r
    LEFT JOIN customers cu ON cu.id = r.customer_id LEFT JOIN departments d ON d.id = cu.department_id"""


def _fluctuation_sql(period: Period, department: str | None, named: bool = True) -> tuple[str, dict]:
    """The rows of `fluctuation`, or with `named` False keyed by customer_id instead of code, name and department."""
    prev, ly = period.previous(), period.last_year()
    before = _totals_at("before", period.start - timedelta(days=1))
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    windowed AS (
        -- three index range scans (a custom range may overlap its year-earlier range), and the
        -- orders before the period, which decide 'new'
        SELECT 'p' AS k, customer_id, amount, 0 AS orders FROM orders WHERE order_date BETWEEN :p_start AND :p_end
        UNION ALL
        SELECT 'prev', customer_id, amount, 0 FROM orders WHERE order_date BETWEEN :prev_start AND :prev_end
        UNION ALL
        SELECT 'ly', customer_id, amount, 0 FROM orders WHERE order_date BETWEEN :ly_start AND :ly_end
        UNION ALL
        SELECT k, customer_id, 0, orders FROM ({_totals_rows('before')}) b
    ),
    vol AS (
        SELECT customer_id,
               sum(amount) FILTER (WHERE k = 'p') AS volume, count(*) FILTER (WHERE k = 'p') AS orders,
               sum(amount) FILTER (WHERE k = 'prev') AS previous_volume,
               sum(amount) FILTER (WHERE k = 'ly') AS yoy_volume,
               {_at('orders', 'before')} = 0 AS first_orders
        FROM windowed GROUP BY customer_id
        HAVING count(*) FILTER (WHERE k IN ('p', 'prev', 'ly')) > 0
    ),
    v AS (
        SELECT vol.customer_id, vol.orders, coalesce(volume, 0.00) AS volume,
               coalesce(previous_volume, 0.00) AS previous_volume, coalesce(yoy_volume, 0.00) AS yoy_volume,
               first_orders
        FROM vol
        WHERE {_in_scope('vol.customer_id')}
    ),
    threshold AS (SELECT coalesce({_setting_sql('fluctuation_threshold')}, 0.30) AS x)
    SELECT v.customer_id, v.volume, v.previous_volume,
           v.volume - v.previous_volume AS change,
           CASE WHEN v.previous_volume > 0 THEN round((v.volume - v.previous_volume) / v.previous_volume, 4) END
               AS change_pct,
           v.yoy_volume,
           CASE WHEN v.yoy_volume > 0 THEN round((v.volume - v.yoy_volume) / v.yoy_volume, 4) END AS yoy_pct,
           CASE WHEN v.orders > 0 AND v.first_orders THEN 'new'
                WHEN v.previous_volume > 0 AND v.orders = 0 THEN 'stopped'
                WHEN v.previous_volume > 0 AND v.volume - v.previous_volume <= -threshold.x * v.previous_volume
                    THEN 'drop'
                WHEN v.previous_volume > 0 AND v.volume - v.previous_volume >= threshold.x * v.previous_volume
                    THEN 'surge'
                ELSE 'steady' END AS flag
    FROM v CROSS JOIN threshold"""
    params = {
        "department": department, "p_start": period.start, "p_end": period.end,
        "prev_start": prev.start, "prev_end": prev.end, "ly_start": ly.start, "ly_end": ly.end,
    } | before
    return (_NAMED_FLUCTUATION.format(rows=sql) if named else sql), params


DROP_FLAGS, SURGE_FLAGS = ("drop", "stopped"), ("surge", "new")
# the order of the fluctuation rows: by customer, largest drop first, largest surge first
_FLUCTUATION_ORDER = {None: "customer_code", "drops": "change, customer_code", "surges": "change DESC, customer_code"}


def fluctuation(conn: Connection, period: Period, department: str | None = None,
                flags: tuple[str, ...] | None = None, largest: str | None = None,
                limit: int | None = None) -> pd.DataFrame:
    """Each customer's volume in `period` against the previous period and a year before.

    `flags` keeps only those flags; `largest` ('drops' or 'surges') orders by change instead of
    customer code; `limit` keeps the first rows.
    """
    sql, params = _fluctuation_sql(period, department)
    return _frame(conn, f"""SELECT * FROM ({sql}) f
        WHERE CAST(:flags AS text[]) IS NULL OR flag = ANY(:flags)
        ORDER BY {_FLUCTUATION_ORDER[largest]} LIMIT :limit""",
                  params | {"flags": list(flags) if flags else None, "limit": limit})


# fluctuation_summary's one row over the rows `f` of _fluctuation_sql
_SUMMARY_SELECT = """count(*) AS customers, coalesce(sum(volume), 0.00) AS volume,
               count(*) FILTER (WHERE flag = 'new') AS new, count(*) FILTER (WHERE flag = 'stopped') AS stopped,
               count(*) FILTER (WHERE flag = 'drop') AS drop, count(*) FILTER (WHERE flag = 'surge') AS surge,
               count(*) FILTER (WHERE flag = 'steady') AS steady"""
_SUMMARY_COLUMNS = ["customers", "volume", "new", "stopped", "drop", "surge", "steady"]
_FLUCTUATION_COLUMNS = ["customer_code", "customer_name", "volume", "previous_volume", "change", "change_pct",
                        "yoy_volume", "yoy_pct", "flag", "department_code"]


def fluctuation_overview(conn: Connection, period: Period, department: str | None = None,
                         limit: int = 15) -> pd.DataFrame:
    """The flag counts and the `limit` largest drops and surges, from one pass over the period.

    part 'summary': one row of customers, total volume and customers per flag (fluctuation_summary's
    row); 'drops' (drop, stopped) and 'surges' (surge, new): rows of `fluctuation` ordered as its
    `largest` orders them. Split with summary_row and extreme_rows.
    """
    sql, params = _fluctuation_sql(period, department, named=False)
    no_rows = ", ".join(f"NULL AS {c}" for c in _FLUCTUATION_COLUMNS)
    no_summary = ", ".join("NULL" for _ in _SUMMARY_COLUMNS)

    def largest(part: str) -> str:
        # Only the rows that can be among the largest are named: the first `limit` by change,
        # with every row tied with the last of them, as the customer code breaks those ties.
        by_change = _FLUCTUATION_ORDER[part].split(",")[0]
        kept = f"SELECT * FROM f WHERE flag = ANY(:{part}) ORDER BY {by_change} FETCH FIRST (:limit) ROWS WITH TIES"
        return f"""(SELECT '{part}', n.*, {no_summary} FROM ({_NAMED_FLUCTUATION.format(rows=kept)}) n
                    ORDER BY {_FLUCTUATION_ORDER[part]} LIMIT :limit)"""

    return _frame(conn, f"""WITH f AS MATERIALIZED ({sql})
        SELECT 'summary' AS part, {no_rows}, s.customers, s.volume AS summary_volume, s.new, s.stopped, s.drop,
               s.surge, s.steady
        FROM (SELECT {_SUMMARY_SELECT} FROM f) s
        UNION ALL
        {largest("drops")}
        UNION ALL
        {largest("surges")}""",
                  params | {"drops": list(DROP_FLAGS), "surges": list(SURGE_FLAGS), "limit": limit})


def _split(frame: pd.DataFrame, by: str, value: str, columns: list[str], counts: tuple[str, ...] = (),
           renames: dict[str, str] | None = None) -> pd.DataFrame:
    """The rows of a one-pass figure whose `by` column is `value`: `columns`, renamed, with `counts` as integers.

    Each part fills only its own columns, so its counts arrive as floats beside the other parts' NULLs.
    """
    rows = frame.loc[frame[by] == value, columns].rename(columns=renames or {})
    return rows.astype({c: "int64" for c in counts}).reset_index(drop=True)


def summary_row(overview: pd.DataFrame) -> pd.DataFrame:
    """fluctuation_overview's summary: one row of customers, volume and customers per flag."""
    return _split(overview, "part", "summary", ["summary_volume" if c == "volume" else c for c in _SUMMARY_COLUMNS],
                  tuple(c for c in _SUMMARY_COLUMNS if c != "volume"), {"summary_volume": "volume"})


def extreme_rows(overview: pd.DataFrame, part: str) -> pd.DataFrame:
    """fluctuation_overview's largest 'drops' or 'surges', as rows of `fluctuation`."""
    return _split(overview, "part", part, _FLUCTUATION_COLUMNS)


def volume_trend(conn: Connection, start: date, end: date, department: str | None = None,
                 customer_code: str | None = None) -> pd.DataFrame:
    """Order volume, orders and customers with orders per month over [start, end] (refunds are negative).

    Months wholly inside the range come from the monthly pre-aggregates: per department
    (department_monthly_volume) or, for one customer, the running totals. A month cut by
    either end is summed from its orders within the range.
    """
    first = Period.containing("month", start)
    full_from = first.start if first.start == start else first.next().start
    last_full = _last_month_ended_by(end)
    if customer_code:
        # the customer only within the department's scope: outside it, no months at all
        one_customer = ("AND {} = (SELECT cu.id FROM customers cu JOIN scope ON scope.id = cu.department_id "
                        "WHERE cu.code = :customer)")
        full_months = f"""
        SELECT r.month, sum(r.month_total) AS volume, sum(r.month_orders) AS orders, count(*) AS customers
        FROM customer_running_totals r
        WHERE r.month BETWEEN :full_from AND :full_to AND r.month_orders > 0 {one_customer.format('r.customer_id')}
        GROUP BY 1"""
    else:
        one_customer = ""
        full_months = """
        SELECT v.month, sum(v.volume) AS volume, sum(v.orders) AS orders, sum(v.customers) AS customers
        FROM department_monthly_volume v
        WHERE v.month BETWEEN :full_from AND :full_to AND v.department_id IN (SELECT id FROM scope)
        GROUP BY 1"""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT month, sum(volume) AS volume, CAST(sum(orders) AS bigint) AS orders,
           CAST(sum(customers) AS bigint) AS customers
    FROM ({full_months}
        UNION ALL
        SELECT date_trunc('month', o.order_date)::date, sum(o.amount), count(*), count(DISTINCT o.customer_id)
        FROM orders o
        WHERE o.order_date BETWEEN :start AND :end
          AND NOT (o.order_date >= :full_from AND o.order_date < :full_until)
          AND {_in_scope('o.customer_id')} {one_customer.format('o.customer_id')}
        GROUP BY 1
    ) m
    GROUP BY month ORDER BY month"""
    return _frame(conn, sql, {"department": department, "start": start, "end": end, "customer": customer_code,
                              "full_from": full_from, "full_to": last_full.start,
                              "full_until": last_full.end + timedelta(days=1)})


def _tier_params(period: Period, department: str | None) -> dict:
    prev_end, cur_end = period.previous().end, period.end
    params = {"department": department}
    for name, day in (("cur", cur_end), ("cur0", cur_end - timedelta(days=365)),
                      ("prev", prev_end), ("prev0", prev_end - timedelta(days=365))):
        params |= _totals_at(name, day)
    return params


_TIERS = f"""
    WITH RECURSIVE {SCOPE_CTE},
    vol AS (
        -- the trailing 365 days ending each period end: orders up to the end minus up to 365 days before
        SELECT customer_id, {_between('total', 'cur0', 'cur')} AS cur, {_between('total', 'prev0', 'prev')} AS prev
        FROM ({_totals_rows('cur')} UNION ALL {_totals_rows('cur0')}
              UNION ALL {_totals_rows('prev')} UNION ALL {_totals_rows('prev0')}) x
        GROUP BY customer_id
    ),
    bands AS (
        -- the volumes each rule wins (rank 1 highest): from its minimum up to the lowest minimum
        -- of a higher-ranked rule; a rule with no such volumes is dropped, so the remaining
        -- minimums ascend with their bands and width_bucket finds a volume's band in one call
        SELECT array_agg(min_amount ORDER BY min_amount) AS lows, array_agg(rank ORDER BY min_amount) AS ranks
        FROM (SELECT rank, min_amount,
                     min(min_amount) OVER (ORDER BY rank ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS higher
              FROM tier_rules) r
        WHERE higher IS NULL OR min_amount < higher
    ),
    ranked AS (
        SELECT vol.customer_id, vol.prev AS previous_volume, vol.cur AS current_volume,
               CASE WHEN vol.prev > 0 THEN bands.ranks[width_bucket(vol.prev, bands.lows)] END AS prev_rank,
               CASE WHEN vol.cur > 0 THEN bands.ranks[width_bucket(vol.cur, bands.lows)] END AS cur_rank
        FROM vol CROSS JOIN bands
    ),
    changes AS (
        SELECT t.customer_id, coalesce(tp.name, 'none') AS tier_previous, coalesce(tc.name, 'none') AS tier_current,
               CASE WHEN prev_rank IS NULL THEN 'new'
                    WHEN cur_rank IS NULL THEN 'lost'
                    WHEN cur_rank < prev_rank THEN 'upgrade'
                    WHEN cur_rank > prev_rank THEN 'downgrade'
                    ELSE 'unchanged' END AS change,
               previous_volume, current_volume, prev_rank, cur_rank
        FROM ranked t
        LEFT JOIN tier_rules tp ON tp.rank = t.prev_rank
        LEFT JOIN tier_rules tc ON tc.rank = t.cur_rank
        WHERE (prev_rank IS NOT NULL OR cur_rank IS NOT NULL) AND {_in_scope('t.customer_id')}
    )"""


_TIER_COLUMNS = ["customer_code", "customer_name", "tier_previous", "tier_current", "change", "previous_volume",
                 "current_volume", "prev_rank", "cur_rank"]
# The tier figures over a source shaped like `changes`: the named customers by code, the
# customers per change, and the migration matrix by rank (none last).
_TIER_ROWS = """
    SELECT cu.code AS customer_code, cu.name AS customer_name, c.tier_previous, c.tier_current, c.change,
           c.previous_volume, c.current_volume, c.prev_rank, c.cur_rank
    FROM {source} c JOIN customers cu ON cu.id = c.customer_id
    WHERE CAST(:changes AS text[]) IS NULL OR c.change = ANY(:changes)
    ORDER BY cu.code LIMIT :limit"""
_TIER_COUNTS = "SELECT change, count(*) AS customers FROM {source} GROUP BY 1 ORDER BY 1"
_TIER_MATRIX = """
    SELECT tier_previous, tier_current, count(*) AS customers,
           coalesce(min(prev_rank), 99) AS prev_rank, coalesce(min(cur_rank), 99) AS cur_rank
    FROM {source} GROUP BY 1, 2 ORDER BY 4, 5"""


def tiers(conn: Connection, period: Period, department: str | None = None,
          changes: tuple[str, ...] | None = None, limit: int | None = None) -> pd.DataFrame:
    """Tier at the end of the previous period and of `period` (trailing 365 days), and the change.

    `changes` keeps only those changes; `limit` the first rows (by customer code).
    """
    return _frame(conn, _TIERS + _TIER_ROWS.format(source="changes"),
                  _tier_params(period, department) | {"changes": list(changes) if changes else None, "limit": limit})


def tier_change_counts(conn: Connection, period: Period, department: str | None = None) -> pd.DataFrame:
    """Customers per tier change (upgrade, downgrade, new, lost, unchanged)."""
    return _frame(conn, _TIERS + _TIER_COUNTS.format(source="changes"), _tier_params(period, department))


def tier_matrix(conn: Connection, period: Period, department: str | None = None) -> pd.DataFrame:
    """Customers per (previous tier, current tier): the migration matrix."""
    return _frame(conn, _TIERS + _TIER_MATRIX.format(source="changes"), _tier_params(period, department))


def tier_overview(conn: Connection, period: Period, department: str | None = None,
                  changes: tuple[str, ...] | None = None, limit: int | None = None) -> pd.DataFrame:
    """tier_matrix, tier_change_counts and tiers(changes, limit) from one pass, for pages that show all three.

    part 'matrix', 'change' or 'customers', each with the columns of its figure (the others
    empty). Split with matrix_rows, change_counts and tier_rows.
    """
    # one materialized pass; each part keeps its own order (a plain Append runs its parts in turn)
    sql = _TIERS + f""", c AS MATERIALIZED (SELECT * FROM changes)
    SELECT 'matrix' AS part, CAST(NULL AS text) AS customer_code, CAST(NULL AS text) AS customer_name,
           m.tier_previous, m.tier_current, CAST(NULL AS text) AS change, CAST(NULL AS numeric) AS previous_volume,
           CAST(NULL AS numeric) AS current_volume, m.prev_rank, m.cur_rank, m.customers
    FROM ({_TIER_MATRIX.format(source="c")}) m
    UNION ALL
    SELECT 'change', NULL, NULL, NULL, NULL, n.change, NULL, NULL, NULL, NULL, n.customers
    FROM ({_TIER_COUNTS.format(source="c")}) n
    UNION ALL
    SELECT 'customers', r.*, NULL FROM ({_TIER_ROWS.format(source="c")}) r"""
    return _frame(conn, sql, _tier_params(period, department)
                  | {"changes": list(changes) if changes else None, "limit": limit})


def matrix_rows(overview: pd.DataFrame) -> pd.DataFrame:
    """tier_overview's part 'matrix': the rows of tier_matrix."""
    return _split(overview, "part", "matrix", ["tier_previous", "tier_current", "customers", "prev_rank", "cur_rank"],
                  ("customers", "prev_rank", "cur_rank"))


def change_counts(overview: pd.DataFrame) -> pd.DataFrame:
    """tier_overview's part 'change': the rows of tier_change_counts."""
    return _split(overview, "part", "change", ["change", "customers"], ("customers",))


def tier_rows(overview: pd.DataFrame) -> pd.DataFrame:
    """tier_overview's part 'customers': the rows of tiers."""
    return _split(overview, "part", "customers", _TIER_COLUMNS)


def tier_history(conn: Connection, customer_code: str, ends: list[date], department: str | None) -> pd.DataFrame:
    """One customer's trailing-365-day volume and tier at each of the given period ends.

    Empty for a customer outside `department`'s scope, as for one that does not exist.
    """
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    customer AS (SELECT cu.id FROM customers cu JOIN scope ON scope.id = cu.department_id WHERE cu.code = :code)
    SELECT e.end_date, v.volume, coalesce(tr.name, 'none') AS tier
    FROM customer CROSS JOIN unnest(CAST(:ends AS date[])) AS e(end_date)
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(o.amount), 0) AS volume FROM orders o
        WHERE o.customer_id = customer.id AND o.order_date BETWEEN e.end_date - 364 AND e.end_date
    ) v
    LEFT JOIN LATERAL (
        SELECT name FROM tier_rules WHERE min_amount <= v.volume AND v.volume > 0 ORDER BY rank LIMIT 1
    ) tr ON true
    ORDER BY e.end_date"""
    return _frame(conn, sql, {"code": customer_code, "ends": list(ends), "department": department})


# --------------------------------------------------------------------------------------
# Retention (客户挽留)
# --------------------------------------------------------------------------------------

def retention(conn: Connection, start: date, end: date, department: str | None = None,
              by: str = "reason") -> pd.DataFrame:
    """Cases started on [start, end] by reason (or method) plus `ALL`: results and cost."""
    column = {"reason": "reason", "method": "method"}.get(by)
    if column is None:
        raise ValueError(f"by: '{by}' is not reason or method")
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT CASE WHEN grouping(r.{column}) = 1 THEN 'ALL' ELSE r.{column} END AS {column},
           count(r.id) AS cases,
           count(*) FILTER (WHERE r.result = 'retained') AS retained,
           count(*) FILTER (WHERE r.result = 'lost') AS lost,
           count(*) FILTER (WHERE r.result = 'pending') AS pending,
           round(count(*) FILTER (WHERE r.result = 'retained')::numeric
                 / nullif(count(*) FILTER (WHERE r.result IN ('retained', 'lost')), 0), 4) AS success_rate,
           coalesce(sum(r.cost), 0.00) AS total_cost,
           round(sum(r.cost) / nullif(count(*) FILTER (WHERE r.result = 'retained'), 0), 2) AS cost_per_retained
    FROM retention_cases r
    JOIN customers cu ON cu.id = r.customer_id
    JOIN scope ON scope.id = cu.department_id
    WHERE r.started_on BETWEEN :start AND :end
    GROUP BY GROUPING SETS ((r.{column}), ())
    ORDER BY grouping(r.{column}), r.{column}"""
    return _frame(conn, sql, {"department": department, "start": start, "end": end})


def retention_outcome(conn: Connection, start: date, end: date,
                      department: str | None = None) -> pd.DataFrame:
    """One row: total cost, revenue of retained customers in the 180 days after closing, ROI.

    The 180 days are the days after the close date: closed_on + 1 .. closed_on + 180.
    """
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    cases AS (
        SELECT r.* FROM retention_cases r
        JOIN customers cu ON cu.id = r.customer_id
        JOIN scope ON scope.id = cu.department_id
        WHERE r.started_on BETWEEN :start AND :end
    ),
    after AS (
        SELECT coalesce(sum(o.amount), 0.00) AS revenue_after
        FROM cases r JOIN orders o ON o.customer_id = r.customer_id
        WHERE r.result = 'retained' AND r.closed_on IS NOT NULL
          AND o.order_date > r.closed_on AND o.order_date <= r.closed_on + 180
    )
    SELECT count(*) AS cases, count(*) FILTER (WHERE result = 'retained') AS retained,
           coalesce(sum(cost), 0.00) AS total_cost, (SELECT revenue_after FROM after) AS revenue_after,
           round((SELECT revenue_after FROM after) / nullif(sum(cost), 0), 4) AS roi
    FROM cases"""
    return _frame(conn, sql, {"department": department, "start": start, "end": end})


def retention_trend(conn: Connection, start: date, end: date, department: str | None = None) -> pd.DataFrame:
    """Cases, results and cost per month of start date."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT date_trunc('month', r.started_on)::date AS month, count(*) AS cases,
           count(*) FILTER (WHERE r.result = 'retained') AS retained,
           count(*) FILTER (WHERE r.result = 'lost') AS lost,
           round(count(*) FILTER (WHERE r.result = 'retained')::numeric
                 / nullif(count(*) FILTER (WHERE r.result IN ('retained', 'lost')), 0), 4) AS success_rate,
           sum(r.cost) AS total_cost
    FROM retention_cases r
    JOIN customers cu ON cu.id = r.customer_id
    JOIN scope ON scope.id = cu.department_id
    WHERE r.started_on BETWEEN :start AND :end
    GROUP BY 1 ORDER BY 1"""
    return _frame(conn, sql, {"department": department, "start": start, "end": end})


def at_risk(conn: Connection, period: Period, department: str | None = None,
            limit: int | None = None) -> pd.DataFrame:
    """Customers flagged drop or stopped in `period` with no open (pending) retention case, largest drop first.

    `limit` keeps the first rows; `customers_at_risk` counts them all.
    """
    sql, params = _fluctuation_sql(period, department)
    return _frame(conn, f"""SELECT *, count(*) OVER () AS customers_at_risk FROM ({sql}) f
        WHERE flag = ANY(:drops)
          -- one set of the customers with an open case, hashed, rather than a lookup per row
          AND f.customer_code NOT IN (SELECT cu.code FROM retention_cases r JOIN customers cu ON cu.id = r.customer_id
                                      WHERE r.result = 'pending')
        ORDER BY {_FLUCTUATION_ORDER["drops"]} LIMIT :limit""", params | {"drops": list(DROP_FLAGS), "limit": limit})


# --------------------------------------------------------------------------------------
# Customer grading (客户分级: RFM and ABC)
# --------------------------------------------------------------------------------------

# The population and its totals; every grading figure starts here.
_GRADING_BASE = f"""
WITH RECURSIVE {SCOPED_CUSTOMERS_CTE},
win AS (
    -- the 365 days ending D: orders up to D minus orders up to D - 365
    SELECT x.customer_id, max(last_purchase_on) FILTER (WHERE k = 'hi') AS last_purchase,
           {_between('purchases', 'lo', 'hi')} AS frequency, {_between('total', 'lo', 'hi')} AS monetary
    FROM ({_totals_rows('hi')} UNION ALL {_totals_rows('lo')}) x
    GROUP BY x.customer_id
    HAVING {_between('purchases', 'lo', 'hi')} > 0
),
pop AS (
    SELECT w.customer_id, cu.code AS customer_code,
           CAST(:d AS date) - w.last_purchase AS recency_days, w.frequency, w.monetary,
           count(*) OVER () AS n,
           sum(CAST(:d AS date) - w.last_purchase) OVER () AS sum_r,
           sum(w.frequency) OVER () AS sum_f,
           sum(w.monetary) OVER () AS sum_m
    FROM win w JOIN scoped_customers cu ON cu.id = w.customer_id
),
settings_now AS (
    SELECT coalesce({_setting_sql('value_band_high')}, 1.25) AS band_high,
           coalesce({_setting_sql('value_band_low')}, 0.75) AS band_low,
           coalesce(CAST(:abc_method AS text), (SELECT value #>> '{{}}' FROM settings WHERE key = 'abc_method'),
                    'count') AS abc_method
)"""

# ABC: the position in the monetary order (ties by customer code) and the revenue before it.
_ABC_WINDOWS = """
           row_number() OVER (ORDER BY monetary DESC, customer_code) AS abc_rank,
           coalesce(sum(greatest(monetary, 0)) OVER (ORDER BY monetary DESC, customer_code
                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum_before,
           sum(greatest(monetary, 0)) OVER () AS positive_total"""
_ABC_CLASS = """
           CASE WHEN monetary <= 0 THEN 'C'
                WHEN s.abc_method = 'value' THEN
                     CASE WHEN cum_before < 0.80 * positive_total THEN 'A'
                          WHEN cum_before < 0.95 * positive_total THEN 'B' ELSE 'C' END
                WHEN abc_rank <= (2 * n + 9) / 10 THEN 'A'
                WHEN abc_rank <= (9 * n + 9) / 10 THEN 'B'
                ELSE 'C' END"""

_GRADING = _GRADING_BASE + f""",
ranked AS (
    SELECT pop.*,
           -- peers are inside the default RANGE frame, so ties share a count and a score
           count(*) OVER (ORDER BY recency_days DESC) AS r_k,
           count(*) OVER (ORDER BY frequency) AS f_k,
           count(*) OVER (ORDER BY monetary) AS m_k,{_ABC_WINDOWS}
    FROM pop
),
graded AS (
    SELECT r.customer_id, r.customer_code, r.recency_days, r.frequency, r.monetary,
           (5 * r_k + n - 1) / n AS r_score,
           (5 * f_k + n - 1) / n AS f_score,
           (5 * m_k + n - 1) / n AS m_score,
           recency_days * n < sum_r AS r_high, frequency * n > sum_f AS f_high, monetary * n > sum_m AS m_high,
           CASE WHEN monetary * n >= s.band_high * sum_m THEN 'high'
                WHEN monetary * n < s.band_low * sum_m THEN 'low'
                ELSE 'general' END AS value_class,{_ABC_CLASS} AS abc_class,
           abc_rank, cum_before, positive_total
    FROM ranked r CROSS JOIN settings_now s
),
final AS (
    SELECT g.*,
           CASE WHEN m_high THEN 'important_' ELSE 'general_' END ||
           CASE WHEN r_high AND f_high THEN 'value' WHEN r_high THEN 'develop'
                WHEN f_high THEN 'keep' ELSE 'retain' END AS rfm_segment
    FROM graded g
)"""

# Per ABC class: customers, revenue and their shares of the population (grading_summary's
# 'abc' rows and grading_abc); `final` needs only customer_id, monetary, abc_rank, abc_class.
_GRADING_TOTALS = """
    , totals AS (SELECT count(*) AS n, sum(monetary) AS total FROM final)"""
_ABC_PER_CLASS = """
    SELECT 'abc' AS kind, abc_class AS key, count(*) AS customers, sum(monetary) AS monetary,
           round(count(*)::numeric / max(totals.n), 4) AS customer_share,
           round(sum(monetary) / nullif(max(totals.total), 0), 4) AS revenue_share, min(abc_rank) AS position
    FROM final CROSS JOIN totals GROUP BY abc_class"""


def _grading_params(as_of: date) -> dict:
    return {"d": as_of} | _totals_at("hi", as_of, last_purchase=True) | _totals_at("lo", as_of - timedelta(days=365))


# The first `limit` graded customers by ABC order, named (the names of the rows kept only).
_GRADING_COLUMNS = ["customer_code", "customer_name", "recency_days", "frequency", "monetary", "r_score", "f_score",
                    "m_score", "rfm_segment", "value_class", "abc_class"]
_GRADED_CUSTOMERS = """
    SELECT customer_code, cu.name AS customer_name, recency_days, frequency, monetary, r_score, f_score, m_score,
           rfm_segment, value_class, abc_class, abc_rank
    FROM (SELECT * FROM final ORDER BY abc_rank LIMIT :limit) f JOIN customers cu ON cu.id = f.customer_id"""
# grading_summary's rows over `final` and `totals`
_GRADING_SUMMARY = _ABC_PER_CLASS + """
    UNION ALL
    SELECT 'segment', rfm_segment, count(*), sum(monetary), round(count(*)::numeric / max(totals.n), 4),
           round(sum(monetary) / nullif(max(totals.total), 0), 4), min(abc_rank)
    FROM final CROSS JOIN totals GROUP BY rfm_segment
    UNION ALL
    SELECT 'score', dimension || score, count(*), NULL, NULL, NULL, NULL
    FROM final CROSS JOIN LATERAL (VALUES ('R', r_score), ('F', f_score), ('M', m_score)) d(dimension, score)
    GROUP BY dimension, score
    UNION ALL
    SELECT 'pareto', abc_class, NULL, NULL, round(abc_rank::numeric / totals.n, 4),
           round((cum_before + greatest(monetary, 0)) / nullif(positive_total, 0), 4), abc_rank
    FROM final CROSS JOIN totals
    WHERE abc_rank % greatest(1, totals.n / :points) = 0 OR abc_rank = totals.n OR abc_rank = 1
"""


def grading(conn: Connection, as_of: date, department: str | None = None,
            abc_method: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Each customer with a purchase in the 365 days ending `as_of`: RFM scores, segment, classes.

    Ordered by monetary (the ABC order); `limit` keeps the first rows only (the page's table).
    """
    sql = _GRADING + f"""
    SELECT {', '.join(_GRADING_COLUMNS)} FROM ({_GRADED_CUSTOMERS}) g ORDER BY abc_rank"""
    return _frame(conn, sql, _grading_params(as_of) | {"department": department, "abc_method": abc_method,
                                                        "limit": limit})


def grading_summary(conn: Connection, as_of: date, department: str | None = None,
                    abc_method: str | None = None, points: int = 200) -> pd.DataFrame:
    """Every grading aggregate in one pass over the population (long format).

    kind `segment` (key: RFM segment), `abc` (key: class), `score` (key: R1..M5), and `pareto`
    (key: class; customer_share/revenue_share: a point of the cumulative revenue curve, at most
    `points` of them). customers, monetary, customer_share and revenue_share as they apply.
    """
    sql = _GRADING + _GRADING_TOTALS + _GRADING_SUMMARY + """
    ORDER BY 1, 2, 7"""
    return _frame(conn, sql, _grading_params(as_of) | {"department": department, "abc_method": abc_method,
                                                        "points": points})


def grading_overview(conn: Connection, as_of: date, department: str | None = None,
                     abc_method: str | None = None, points: int = 200, limit: int = 500) -> pd.DataFrame:
    """grading_summary's rows and the first `limit` rows of `grading` (kind 'customer'), from one pass.

    The grading page shows both; split with abc_rows, segment_rows, score_rows, pareto_rows and
    graded_rows.
    """
    no_customer = ", ".join("NULL" for c in _GRADING_COLUMNS if c != "monetary")
    sql = _GRADING + _GRADING_TOTALS + f""",
    summary AS ({_GRADING_SUMMARY}),
    listed AS ({_GRADED_CUSTOMERS})
    SELECT 'customer' AS kind, NULL AS key, NULL AS customers, monetary, NULL AS customer_share,
           NULL AS revenue_share, abc_rank AS position,
           {', '.join(c for c in _GRADING_COLUMNS if c != "monetary")}
    FROM listed
    UNION ALL
    SELECT *, {no_customer} FROM summary
    ORDER BY 1, 2, 7"""
    return _frame(conn, sql, _grading_params(as_of) | {"department": department, "abc_method": abc_method,
                                                        "points": points, "limit": limit})


def graded_rows(overview: pd.DataFrame) -> pd.DataFrame:
    """grading_overview's kind 'customer': the rows of `grading`."""
    return _split(overview, "kind", "customer", _GRADING_COLUMNS,
                  ("recency_days", "frequency", "r_score", "f_score", "m_score"))


# grading_summary's rows by kind, in the shape each is drawn: the grading page reads the summary
# once and splits it with these.
def _summary_part(summary: pd.DataFrame, kind: str, key: str, columns: list[str]) -> pd.DataFrame:
    return _split(summary, "kind", kind, ["key"] + columns, renames={"key": key})


def abc_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue and their shares per ABC class."""
    return _summary_part(summary, "abc", "abc_class", ["customers", "monetary", "customer_share", "revenue_share"])


def segment_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """Customers, revenue and revenue share per RFM segment."""
    return _summary_part(summary, "segment", "rfm_segment", ["customers", "monetary", "revenue_share"])


def score_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """Customers per score 1-5 for each of R, F and M."""
    part = _summary_part(summary, "score", "key", ["customers"])
    return pd.DataFrame({"dimension": part["key"].str[0], "score": part["key"].str[1:].astype(int),
                         "customers": part["customers"]})


def pareto_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """The sampled cumulative revenue curve in customer order, with each point's class."""
    part = summary.loc[summary["kind"] == "pareto", ["customer_share", "revenue_share", "key", "position"]]
    return part.sort_values("position").drop(columns="position").rename(columns={"key": "abc_class"}) \
        .reset_index(drop=True)


def grading_abc(conn: Connection, as_of: date, department: str | None = None,
                abc_method: str | None = None) -> pd.DataFrame:
    """Customers and revenue share per ABC class: grading_summary's 'abc' rows, without ranking
    the population by recency and frequency (the overview and weekly review need only these)."""
    sql = _GRADING_BASE + f""",
    ranked AS (SELECT pop.*, {_ABC_WINDOWS} FROM pop),
    final AS (SELECT customer_id, monetary, abc_rank, {_ABC_CLASS} AS abc_class
              FROM ranked CROSS JOIN settings_now s)""" + _GRADING_TOTALS + _ABC_PER_CLASS + " ORDER BY 2"
    frame = _frame(conn, sql, _grading_params(as_of) | {"department": department, "abc_method": abc_method})
    return abc_rows(frame)


# --------------------------------------------------------------------------------------
# Reference lists for filters
# --------------------------------------------------------------------------------------

def department_tree(conn: Connection) -> pd.DataFrame:
    """Departments in tree order with their depth, for the department filter."""
    sql = """
    WITH RECURSIVE tree AS (
        SELECT id, code, name, parent_id, 0 AS depth, ARRAY[code] AS path FROM departments WHERE parent_id IS NULL
        UNION ALL
        SELECT d.id, d.code, d.name, d.parent_id, t.depth + 1, t.path || d.code
        FROM departments d JOIN tree t ON d.parent_id = t.id
    )
    SELECT code, name, depth FROM tree ORDER BY path"""
    return _frame(conn, sql, {})


def staff_list(conn: Connection, department: str | None = None) -> pd.DataFrame:
    """Staff of the department and its sub-departments, for the staff filter."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT st.staff_no, st.name, d.code AS department_code, st.role
    FROM staff st JOIN scope ON scope.id = st.department_id JOIN departments d ON d.id = st.department_id
    ORDER BY st.staff_no"""
    return _frame(conn, sql, {"department": department})


def customer_list(conn: Connection, department: str | None = None, search: str | None = None,
                  limit: int = 200) -> pd.DataFrame:
    """Customers in scope matching `search` in code or name (for pickers)."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT cu.code, cu.name FROM customers cu JOIN scope ON scope.id = cu.department_id
    WHERE CAST(:search AS text) IS NULL OR cu.code ILIKE '%' || :search || '%' OR cu.name ILIKE '%' || :search || '%'
    ORDER BY cu.code LIMIT :limit"""
    return _frame(conn, sql, {"department": department, "search": search, "limit": limit})


def settings(conn: Connection) -> pd.DataFrame:
    """The rule settings (key, value) as stored, e.g. abc_method, fluctuation_threshold."""
    return _frame(conn, "SELECT key, value FROM settings ORDER BY key", {})


# --------------------------------------------------------------------------------------
# Service quality and evaluation (业绩考核)
# --------------------------------------------------------------------------------------

MIN_SUBORDINATE_RATERS = 3


def evaluation_360(conn: Connection, staff_no: str, period: str) -> pd.DataFrame:
    """One staff member's 360 review for `period`: per relation, raters and mean score (0-100).

    A rating's score is the weighted mean of its dimensions (weights: setting
    `evaluation_weights`). Ratings are never returned one by one; the subordinates' mean is
    empty unless at least three subordinates rated.
    """
    sql = """
    WITH weights AS (SELECT w.dimension, w.weight::numeric AS weight
                     FROM settings, jsonb_each_text(settings.value) w(dimension, weight)
                     WHERE settings.key = 'evaluation_weights'),
    rated AS (
        SELECT e.id, e.relation, sum(s.value::numeric * w.weight) / nullif(sum(w.weight), 0) AS score
        FROM evaluations_360 e
        JOIN staff st ON st.id = e.evaluatee_staff_id
        CROSS JOIN LATERAL jsonb_each_text(e.scores) s(dimension, value)
        JOIN weights w ON w.dimension = s.dimension
        WHERE st.staff_no = :staff_no AND e.period = :period
        GROUP BY e.id, e.relation
    )
    SELECT r.relation, count(rated.id) AS raters,
           CASE WHEN r.relation <> 'subordinate' OR count(rated.id) >= :min_subordinates
                THEN round(avg(rated.score), 2) END AS mean_score
    FROM (VALUES ('superior', 1), ('peer', 2), ('subordinate', 3), ('self', 4)) r(relation, position)
    LEFT JOIN rated ON rated.relation = r.relation
    GROUP BY r.relation, r.position ORDER BY r.position"""
    return _frame(conn, sql, {"staff_no": staff_no, "period": period, "min_subordinates": MIN_SUBORDINATE_RATERS})


# --------------------------------------------------------------------------------------
# Work lists (我的工作)
# --------------------------------------------------------------------------------------

def open_plans(conn: Connection, as_of: date, department: str | None = None,
               staff_no: str | None = None) -> pd.DataFrame:
    """Plans and tasks not yet over on `as_of` (or over but not achieved within 30 days), with status."""
    sql = _PLANS + """
    SELECT * FROM tracked
    WHERE status IN ('not_started', 'on_track', 'at_risk', 'behind')
       OR (status = 'below_minimum' AND end_date >= CAST(:d AS date) - 30)
    ORDER BY end_date, plan_no"""
    # Every status kept here ends after `as_of` - 30 days, so only those plans need their progress summed.
    return _frame(conn, sql, _plan_params(as_of, department, staff_no, as_of - timedelta(days=30), None))


def complaints_waiting(conn: Connection, as_of: date, department: str | None = None,
                       staff_no: str | None = None) -> pd.DataFrame:
    """Open work on complaints as of `as_of`: no first response yet, or resolved without a callback."""
    tz = app_timezone()
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT c.complaint_no, cu.code AS customer_code, cu.name AS customer_name, c.priority, c.received_at,
           CASE WHEN c.first_response_at IS NULL AND c.resolved_at IS NULL THEN 'response' ELSE 'callback' END AS waiting_for,
           CASE WHEN c.first_response_at IS NULL AND c.resolved_at IS NULL
                THEN c.received_at + s.response_hours * interval '1 hour'
                ELSE c.resolved_at + interval '7 days' END AS due_at,
           st.staff_no AS handler_staff_no, st.name AS handler_name
    FROM complaints c
    JOIN customers cu ON cu.id = c.customer_id
    JOIN scope ON scope.id = cu.department_id
    JOIN sla_policies s ON s.priority = c.priority
    LEFT JOIN staff st ON st.id = c.handler_staff_id
    WHERE c.received_at <= :t
      AND ((c.first_response_at IS NULL AND c.resolved_at IS NULL)
           OR (c.resolved_at IS NOT NULL AND c.callback_at IS NULL AND c.resolved_at > :t - interval '30 days'))
      AND (CAST(:staff_no AS text) IS NULL OR st.staff_no = :staff_no)
    ORDER BY due_at, c.complaint_no"""
    return _frame(conn, sql, {"t": end_of_day(as_of, tz), "department": department, "staff_no": staff_no})


def retention_cases_open(conn: Connection, department: str | None = None) -> pd.DataFrame:
    """Pending retention cases in scope, oldest first."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT r.case_no, cu.code AS customer_code, cu.name AS customer_name, r.reason, r.method, r.started_on,
           r.cost, r.version
    FROM retention_cases r JOIN customers cu ON cu.id = r.customer_id JOIN scope ON scope.id = cu.department_id
    WHERE r.result = 'pending' ORDER BY r.started_on, r.case_no"""
    return _frame(conn, sql, {"department": department})


def complaint_record(conn: Connection, complaint_no: str, department: str | None) -> pd.DataFrame:
    """One complaint as stored, with its version for an optimistic save; empty outside `department`.

    `department` is the reader's scope (None: a manager, everything). A complaint outside it
    reads exactly like one that does not exist.
    """
    sql = f"""WITH RECURSIVE {SCOPE_CTE}
             SELECT c.complaint_no, cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code,
                    c.received_at, c.priority, c.content, c.first_response_at, c.resolved_at, c.resolution,
                    c.satisfaction, c.callback_at, c.version
             FROM complaints c JOIN customers cu ON cu.id = c.customer_id JOIN departments d ON d.id = cu.department_id
             JOIN scope ON scope.id = cu.department_id
             WHERE c.complaint_no = :no"""
    return _frame(conn, sql, {"no": complaint_no, "department": department})


def suggestions_for(conn: Connection, staff_no: str) -> pd.DataFrame:
    """Suggestions sent by or to a staff member, newest first."""
    sql = """SELECT g.id, f.staff_no AS from_staff_no, f.name AS from_name, t.staff_no AS to_staff_no,
                    t.name AS to_name, p.plan_no, g.subject, g.body, g.created_at, g.answer, g.answered_at
             FROM suggestions g JOIN staff f ON f.id = g.from_staff_id JOIN staff t ON t.id = g.to_staff_id
             LEFT JOIN plans p ON p.id = g.plan_id
             WHERE f.staff_no = :s OR t.staff_no = :s ORDER BY g.created_at DESC, g.id DESC"""
    return _frame(conn, sql, {"s": staff_no})


def rules(conn: Connection) -> pd.DataFrame:
    """SLA policies and tier rules in one frame (kind, key, a, b) for the settings form."""
    sql = """SELECT 'sla' AS kind, priority AS key, resolution_hours AS a, response_hours AS b FROM sla_policies
             UNION ALL SELECT 'tier', name, rank, min_amount FROM tier_rules ORDER BY 1, 3"""
    return _frame(conn, sql, {})


def plan_versions(conn: Connection, plan_nos: list[str], department: str | None) -> pd.DataFrame:
    """The stored version of each plan in `department`'s scope, for optimistic saves from the bulk editor."""
    sql = f"""WITH RECURSIVE {SCOPE_CTE}
              SELECT p.plan_no, p.version FROM plans p JOIN scope ON scope.id = p.department_id
              WHERE p.plan_no = ANY(:p) ORDER BY p.plan_no"""
    return _frame(conn, sql, {"p": list(plan_nos), "department": department})


def plan_totals(conn: Connection, as_of: date, department: str | None = None, staff_no: str | None = None,
                start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """One row over the plans of `plans(...)`: count, planned and actual counts and cost, completion, behind."""
    sql = _PLANS + """
    SELECT count(*) AS plans, coalesce(sum(planned_count), 0) AS planned_count,
           coalesce(sum(actual_count), 0) AS actual_count,
           round(sum(actual_count)::numeric / nullif(sum(planned_count), 0), 4) AS completion_rate,
           coalesce(sum(planned_cost), 0.00) AS planned_cost, coalesce(sum(actual_cost), 0.00) AS actual_cost,
           count(*) FILTER (WHERE status = 'behind') AS behind,
           count(*) FILTER (WHERE status = 'below_minimum') AS below_minimum
    FROM tracked"""
    return _frame(conn, sql, _plan_params(as_of, department, staff_no, start, end))


def fluctuation_summary(conn: Connection, period: Period, department: str | None = None) -> pd.DataFrame:
    """One row: customers, total volume, and customers per flag (the rows and rules of `fluctuation`)."""
    sql, params = _fluctuation_sql(period, department, named=False)
    return _frame(conn, f"SELECT {_SUMMARY_SELECT} FROM ({sql}) f", params)
