"""Retention (客户挽留): cases by reason or method, their cost and outcome, and the customers at risk.

A case belongs to its customer's department. Revenue after retention counts the orders in
the 180 days after the close date.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.metrics.fluctuation import DROP_FLAGS, FLUCTUATION_ORDER, fluctuation_sql
from dashboard.metrics.sql import SCOPE_CTE, frame, rate, scoped, success_rate
from db.engine import app_timezone


def retention(conn: Connection, scope: Scope, start: date, end: date, by: str = "reason") -> pd.DataFrame:
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
           {success_rate('r.result')} AS success_rate,
           coalesce(sum(r.cost), 0.00) AS total_cost,
           {rate('sum(r.cost)', "count(*) FILTER (WHERE r.result = 'retained')", 2)} AS cost_per_retained
    FROM retention_cases r
    JOIN customers cu ON cu.id = r.customer_id
    JOIN scope ON scope.id = cu.department_id
    WHERE r.started_on BETWEEN :start AND :end
    GROUP BY GROUPING SETS ((r.{column}), ())
    ORDER BY grouping(r.{column}), r.{column}"""
    return frame(conn, sql, {"start": start, "end": end} | scoped(scope))


def retention_outcome(conn: Connection, scope: Scope, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """One row: total cost, revenue of retained customers in the 180 days after closing, ROI.

    The 180 days are the days after the close date: closed_on + 1 .. closed_on + 180.

    While a window runs its revenue is not yet known, so the ROI a manager reads is taken over
    the cases whose window has closed by `as_of` (decided, closed_on + 180 <= as_of; default
    today): `windows_closed`, their `closed_cost` and `closed_revenue_after`, and `roi_closed`
    (empty while every window is still open). `windows_open` counts the others, pending ones included.
    """
    as_of = as_of or datetime.now(app_timezone()).date()
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
    ),
    closed AS (
        SELECT r.*, r.result IN ('retained', 'lost') AND r.closed_on IS NOT NULL
                    AND r.closed_on + 180 <= CAST(:as_of AS date) AS window_closed
        FROM cases r
    ),
    closed_after AS (
        SELECT coalesce(sum(o.amount), 0.00) AS revenue_after
        FROM closed r JOIN orders o ON o.customer_id = r.customer_id
        WHERE r.window_closed AND r.result = 'retained'
          AND o.order_date > r.closed_on AND o.order_date <= r.closed_on + 180
    )
    SELECT count(*) AS cases, count(*) FILTER (WHERE result = 'retained') AS retained,
           coalesce(sum(cost), 0.00) AS total_cost, (SELECT revenue_after FROM after) AS revenue_after,
           {rate('(SELECT revenue_after FROM after)', 'sum(cost)')} AS roi,
           count(*) FILTER (WHERE window_closed) AS windows_closed,
           count(*) FILTER (WHERE NOT window_closed) AS windows_open,
           coalesce(sum(cost) FILTER (WHERE window_closed), 0.00) AS closed_cost,
           (SELECT revenue_after FROM closed_after) AS closed_revenue_after,
           {rate('(SELECT revenue_after FROM closed_after)', 'sum(cost) FILTER (WHERE window_closed)')} AS roi_closed
    FROM closed"""
    return frame(conn, sql, {"start": start, "end": end, "as_of": as_of} | scoped(scope))


def retention_trend(conn: Connection, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Cases, results and cost per month of start date."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT date_trunc('month', r.started_on)::date AS month, count(*) AS cases,
           count(*) FILTER (WHERE r.result = 'retained') AS retained,
           count(*) FILTER (WHERE r.result = 'lost') AS lost,
           {success_rate('r.result')} AS success_rate,
           sum(r.cost) AS total_cost
    FROM retention_cases r
    JOIN customers cu ON cu.id = r.customer_id
    JOIN scope ON scope.id = cu.department_id
    WHERE r.started_on BETWEEN :start AND :end
    GROUP BY 1 ORDER BY 1"""
    return frame(conn, sql, {"start": start, "end": end} | scoped(scope))


def at_risk(conn: Connection, scope: Scope, period: Period,
            limit: int | None = None, *, as_of: date | None = None) -> pd.DataFrame:
    """Customers flagged drop or stopped in `period` with no open (pending) retention case, largest drop first.

    `limit` keeps the first rows; `customers_at_risk` counts them all.
    """
    sql, params = fluctuation_sql(scope, period, as_of, conn=conn)
    return frame(conn, f"""SELECT *, count(*) OVER () AS customers_at_risk FROM ({sql}) f
        WHERE flag = ANY(:drops)
          -- one set of the customers with an open case, hashed, rather than a lookup per row
          AND f.customer_code NOT IN (SELECT cu.code FROM retention_cases r JOIN customers cu ON cu.id = r.customer_id
                                      WHERE r.result = 'pending')
        ORDER BY {FLUCTUATION_ORDER["drops"]} LIMIT :limit""", params | {"drops": list(DROP_FLAGS), "limit": limit})


def retention_cases_open(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Pending retention cases in scope, oldest first."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT r.case_no, cu.code AS customer_code, cu.name AS customer_name, r.reason, r.method, r.started_on,
           r.cost, r.version
    FROM retention_cases r JOIN customers cu ON cu.id = r.customer_id JOIN scope ON scope.id = cu.department_id
    WHERE r.result = 'pending' ORDER BY r.started_on, r.case_no"""
    return frame(conn, sql, scoped(scope))


def retention_cases(conn: Connection, scope: Scope, start: date, end: date, limit: int | None = None) -> pd.DataFrame:
    """The cases started on [start, end] in scope, the records behind the page's figures: newest first."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT r.case_no, cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code, r.reason,
           r.method, r.started_on, r.closed_on, r.result, r.cost
    FROM retention_cases r JOIN customers cu ON cu.id = r.customer_id JOIN scope ON scope.id = cu.department_id
    JOIN departments d ON d.id = cu.department_id
    WHERE r.started_on BETWEEN :start AND :end
    ORDER BY r.started_on DESC, r.case_no LIMIT :limit"""
    return frame(conn, sql, {"start": start, "end": end, "limit": limit} | scoped(scope))


def total_row(by_reason: pd.DataFrame) -> pd.DataFrame:
    """The `ALL` row of `retention` (a one-row frame)."""
    return by_reason[by_reason.iloc[:, 0] == "ALL"]
