"""Business fluctuation (业务波动): each customer's volume against the previous period and a year before.

Rows are the customers with an order in the period, the previous one or the same period last
year; the flag is new, stopped, drop, surge or steady (threshold: setting
`fluctuation_threshold`). The volume trend per month reads the monthly pre-aggregates.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.periods import Period, compare
from dashboard.core.scope import Scope
from dashboard.metrics import snapshots, totals
from dashboard.metrics.sql import SCOPE_CTE, frame, in_scope, setting_sql, split

# fluctuation's rows from rows keyed by customer_id. Every order's customer exists (a foreign
# key): the joins are left joins so that the planner drops them when only flags and volumes count.
NAMED_FLUCTUATION = """
    SELECT cu.code AS customer_code, cu.name AS customer_name, r.volume, r.previous_volume, r.change, r.change_pct,
           r.yoy_volume, r.yoy_pct, r.flag, d.code AS department_code
    FROM ({rows}) r
    LEFT JOIN customers cu ON cu.id = r.customer_id LEFT JOIN departments d ON d.id = cu.department_id"""


# Each customer's volume and orders in the period, the previous one and last year's, and whether
# it had an order before the period ('new'), from the orders: three index range scans (a custom
# range may overlap its year-earlier range) and the running totals before the period.
_LIVE_VOL = f"""
    windowed AS (
        SELECT 'p' AS k, customer_id, amount, 0 AS orders FROM orders WHERE order_date BETWEEN :p_start AND :p_end
        UNION ALL
        SELECT 'prev', customer_id, amount, 0 FROM orders WHERE order_date BETWEEN :prev_start AND :prev_end
        UNION ALL
        SELECT 'ly', customer_id, amount, 0 FROM orders WHERE order_date BETWEEN :ly_start AND :ly_end
        UNION ALL
        SELECT k, customer_id, 0, orders FROM ({totals.totals_rows('before')}) b
    ),
    vol AS (
        SELECT customer_id,
               sum(amount) FILTER (WHERE k = 'p') AS volume, count(*) FILTER (WHERE k = 'p') AS orders,
               sum(amount) FILTER (WHERE k = 'prev') AS previous_volume,
               sum(amount) FILTER (WHERE k = 'ly') AS yoy_volume,
               {totals.at('orders', 'before')} = 0 AS first_orders
        FROM windowed GROUP BY customer_id
        HAVING count(*) FILTER (WHERE k IN ('p', 'prev', 'ly')) > 0
    ),"""

# The same from the stored ranges (snapshots.py): one row per customer and range with orders in it,
# joined by customer (each range is read in customer order through its primary key, and the planner
# knows how many rows each holds, which a GROUP BY over the three would hide), and the range of
# everything before the period (from EPOCH), for 'new'.
_STORED_VOL = """
    vol AS (
        SELECT coalesce(p.customer_id, q.customer_id, y.customer_id) AS customer_id,
               p.total AS volume, coalesce(p.orders, 0) AS orders, q.total AS previous_volume,
               y.total AS yoy_volume, b.customer_id IS NULL AS first_orders
        FROM (SELECT customer_id, total, orders FROM customer_window_figures
              WHERE range_from = :p_start AND range_to = :p_end) p
        FULL JOIN (SELECT customer_id, total FROM customer_window_figures
                   WHERE range_from = :prev_start AND range_to = :prev_end) q ON q.customer_id = p.customer_id
        FULL JOIN (SELECT customer_id, total FROM customer_window_figures
                   WHERE range_from = :ly_start AND range_to = :ly_end) y
             ON y.customer_id = coalesce(p.customer_id, q.customer_id)
        LEFT JOIN (SELECT customer_id FROM customer_window_figures
                   WHERE range_from = :epoch AND range_to = :before_end) b
             ON b.customer_id = coalesce(p.customer_id, q.customer_id, y.customer_id)
    ),"""

# the first day of the stored range "every order before the period"
EPOCH = date(1900, 1, 1)


def _flags_sql(vol: str) -> str:
    return f"""
    WITH RECURSIVE {SCOPE_CTE},{vol}
    v AS (
        SELECT vol.customer_id, vol.orders, coalesce(volume, 0.00) AS volume,
               coalesce(previous_volume, 0.00) AS previous_volume, coalesce(yoy_volume, 0.00) AS yoy_volume,
               first_orders
        FROM vol
        WHERE {in_scope('vol.customer_id')}
    ),
    threshold AS (SELECT coalesce({setting_sql('fluctuation_threshold')}, 0.30) AS x)
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


_LIVE_FLAGS, _STORED_FLAGS = _flags_sql(_LIVE_VOL), _flags_sql(_STORED_VOL)


def stored_ranges(period: Period, as_of: date | None = None) -> list[tuple[date, date]]:
    """The ranges a stored fluctuation reads: the period (so far), the same days of the previous
    period and of last year, and every day before the period."""
    comparison = compare(period, period.end if as_of is None else as_of)
    return [(c.start, c.end) for c in (comparison.current, comparison.previous, comparison.last_year)] + \
        [(EPOCH, period.start - timedelta(days=1))]


def fluctuation_sql(scope: Scope, period: Period, as_of: date | None = None,
                    named: bool = True, conn: Connection | None = None) -> tuple[str, dict]:
    """The rows of `fluctuation`, or with `named` False keyed by customer_id instead of code, name and department.

    As of a day inside the period, like for like: the period so far against the same days of
    the previous period and of the same period last year (periods.compare). Without `as_of`,
    or as of its end, the period is compared whole. With `conn`, the volumes come from the
    stored ranges when they are stored or can be (snapshots.py), else from the orders.
    """
    comparison = compare(period, period.end if as_of is None else as_of)
    now, prev, ly = comparison.current, comparison.previous, comparison.last_year
    params = {
        "department": scope.department, "p_start": now.start, "p_end": now.end,
        "prev_start": prev.start, "prev_end": prev.end, "ly_start": ly.start, "ly_end": ly.end,
    }
    if conn is not None and snapshots.ranges_ready(conn, stored_ranges(period, as_of)):
        sql = _STORED_FLAGS
        params |= {"epoch": EPOCH, "before_end": period.start - timedelta(days=1)}
    else:
        sql = _LIVE_FLAGS
        params |= totals.totals_at("before", period.start - timedelta(days=1))
    return (NAMED_FLUCTUATION.format(rows=sql) if named else sql), params


DROP_FLAGS, SURGE_FLAGS = ("drop", "stopped"), ("surge", "new")


# the order of the fluctuation rows: by customer, largest drop first, largest surge first
FLUCTUATION_ORDER = {None: "customer_code", "drops": "change, customer_code", "surges": "change DESC, customer_code"}


def fluctuation(conn: Connection, scope: Scope, period: Period,
                flags: tuple[str, ...] | None = None, largest: str | None = None,
                limit: int | None = None, *, as_of: date | None = None) -> pd.DataFrame:
    """Each customer's volume in `period` against the previous period and a year before.

    `flags` keeps only those flags; `largest` ('drops' or 'surges') orders by change instead of
    customer code; `limit` keeps the first rows.
    """
    sql, params = fluctuation_sql(scope, period, as_of, conn=conn)
    return frame(conn, f"""SELECT * FROM ({sql}) f
        WHERE CAST(:flags AS text[]) IS NULL OR flag = ANY(:flags)
        ORDER BY {FLUCTUATION_ORDER[largest]} LIMIT :limit""",
                  params | {"flags": list(flags) if flags else None, "limit": limit})


# fluctuation_summary's one row over the rows `f` of _fluctuation_sql
_SUMMARY_SELECT = """count(*) AS customers, coalesce(sum(volume), 0.00) AS volume,
               count(*) FILTER (WHERE flag = 'new') AS new, count(*) FILTER (WHERE flag = 'stopped') AS stopped,
               count(*) FILTER (WHERE flag = 'drop') AS drop, count(*) FILTER (WHERE flag = 'surge') AS surge,
               count(*) FILTER (WHERE flag = 'steady') AS steady"""


_SUMMARY_COLUMNS = ["customers", "volume", "new", "stopped", "drop", "surge", "steady"]


_FLUCTUATION_COLUMNS = ["customer_code", "customer_name", "volume", "previous_volume", "change", "change_pct",
                        "yoy_volume", "yoy_pct", "flag", "department_code"]


def fluctuation_overview(conn: Connection, scope: Scope, period: Period,
                         limit: int = 15, *, as_of: date | None = None) -> pd.DataFrame:
    """The flag counts and the `limit` largest drops and surges, from one pass over the period.

    part 'summary': one row of customers, total volume and customers per flag (fluctuation_summary's
    row); 'drops' (drop, stopped) and 'surges' (surge, new): rows of `fluctuation` ordered as its
    `largest` orders them. Split with summary_row and extreme_rows.
    """
    def build(target: Connection) -> tuple[str, dict]:
        sql, params = fluctuation_sql(scope, period, as_of, named=False, conn=target)
        return overview_sql(sql), params | {"drops": list(DROP_FLAGS), "surges": list(SURGE_FLAGS), "limit": limit}

    # stored once per scope, period, as-of date and limit (snapshots.stored_frame)
    return snapshots.stored_frame(conn, "fluctuation.fluctuation_overview", scope,
                                  {"period": period, "as_of": period.end if as_of is None else as_of, "limit": limit},
                                  orders_read(period, as_of), build)


def overview_sql(rows_sql: str) -> str:
    """fluctuation_overview's statement over the rows of fluctuation_sql(named=False); its
    parameters add drops, surges (the flags of each part) and limit."""
    no_rows = ", ".join(f"NULL AS {c}" for c in _FLUCTUATION_COLUMNS)
    no_summary = ", ".join("NULL" for _ in _SUMMARY_COLUMNS)

    def largest(part: str) -> str:
        # Only the rows that can be among the largest are named: the first `limit` by change,
        # with every row tied with the last of them, as the customer code breaks those ties.
        by_change = FLUCTUATION_ORDER[part].split(",")[0]
        kept = f"SELECT * FROM f WHERE flag = ANY(:{part}) ORDER BY {by_change} FETCH FIRST (:limit) ROWS WITH TIES"
        return f"""(SELECT '{part}', n.*, {no_summary} FROM ({NAMED_FLUCTUATION.format(rows=kept)}) n
                    ORDER BY {FLUCTUATION_ORDER[part]} LIMIT :limit)"""

    return f"""WITH f AS MATERIALIZED ({rows_sql})
        SELECT 'summary' AS part, {no_rows}, s.customers, s.volume AS summary_volume, s.new, s.stopped, s.drop,
               s.surge, s.steady
        FROM (SELECT {_SUMMARY_SELECT} FROM f) s
        UNION ALL
        {largest("drops")}
        UNION ALL
        {largest("surges")}"""


def summary_row(overview: pd.DataFrame) -> pd.DataFrame:
    """fluctuation_overview's summary: one row of customers, volume and customers per flag."""
    return split(overview, "part", "summary", ["summary_volume" if c == "volume" else c for c in _SUMMARY_COLUMNS],
                  tuple(c for c in _SUMMARY_COLUMNS if c != "volume"), {"summary_volume": "volume"})


def extreme_rows(overview: pd.DataFrame, part: str) -> pd.DataFrame:
    """fluctuation_overview's largest 'drops' or 'surges', as rows of `fluctuation`."""
    return split(overview, "part", part, _FLUCTUATION_COLUMNS)


def fluctuation_summary(conn: Connection, scope: Scope, period: Period, *,
                        as_of: date | None = None) -> pd.DataFrame:
    """One row: customers, total volume, and customers per flag (the rows and rules of `fluctuation`).

    Stored once per scope, period and as-of date (snapshots.stored_frame).
    """
    def build(target: Connection) -> tuple[str, dict]:
        sql, params = fluctuation_sql(scope, period, as_of, named=False, conn=target)
        return f"SELECT {_SUMMARY_SELECT} FROM ({sql}) f", params

    return snapshots.stored_frame(conn, "fluctuation.fluctuation_summary", scope, {"period": period, "as_of": period.end if as_of is None else as_of},  # None: the whole period
                                  orders_read(period, as_of), build)


def orders_read(period: Period, as_of: date | None = None) -> tuple[date, date]:
    """The order dates a fluctuation reads: every day up to the end of the days compared."""
    return EPOCH, compare(period, period.end if as_of is None else as_of).current.end


def volume_trend(conn: Connection, scope: Scope, start: date, end: date,
                 customer_code: str | None = None) -> pd.DataFrame:
    """Order volume, orders and customers with orders per month over [start, end] (refunds are negative).

    Months wholly inside the range come from the monthly pre-aggregates: per department
    (department_monthly_volume) or, for one customer, the running totals. A month cut by
    either end is summed from its orders within the range.
    """
    first = Period.containing("month", start)
    full_from = first.start if first.start == start else first.next().start
    last_full = totals.last_month_ended_by(end)
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
          AND {in_scope('o.customer_id')} {one_customer.format('o.customer_id')}
        GROUP BY 1
    ) m
    GROUP BY month ORDER BY month"""
    return frame(conn, sql, {"department": scope.department, "start": start, "end": end, "customer": customer_code,
                              "full_from": full_from, "full_to": last_full.start,
                              "full_until": last_full.end + timedelta(days=1)})


def every_month(trend: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """volume_trend's months with every month of [start, end] present, one without orders at zero."""
    months = []
    p = Period.containing("month", start)
    while p.start <= end:
        months.append(p.start)
        p = p.next()
    full = pd.DataFrame({"month": pd.to_datetime(months)})
    if trend.empty:
        return full.assign(volume=0.0, orders=0, customers=0)
    known = trend.assign(month=pd.to_datetime(trend["month"]))
    merged = full.merge(known, on="month", how="left")
    return merged.fillna({column: 0 for column in known.columns if column != "month"})
