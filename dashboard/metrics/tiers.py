"""Tiers and tier changes (级别升降): each customer's tier at two period ends, and the change.

A tier is the highest-ranked rule whose minimum the customer's trailing-365-day volume reaches
(`tier_rules`); the change compares the end of the previous period with the end of this one.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.periods import Period, compare
from dashboard.core.scope import Scope
from dashboard.metrics import snapshots, totals
from dashboard.metrics.sql import SCOPE_CTE, frame, in_scope, scoped, split


def _tier_ends(period: Period, as_of: date | None) -> tuple[date, date]:
    # the end of a running period is its as-of day, compared with the same day of the period before
    comparison = compare(period, period.end if as_of is None else as_of)
    return comparison.current.end, comparison.previous.end


def _tier_params(scope: Scope, period: Period, as_of: date | None) -> dict:
    cur_end, prev_end = _tier_ends(period, as_of)
    params = scoped(scope)
    for name, day in (("cur", cur_end), ("cur0", cur_end - timedelta(days=365)),
                      ("prev", prev_end), ("prev0", prev_end - timedelta(days=365))):
        params |= totals.totals_at(name, day)
    return params


_TIERS_TAIL = f"""    bands AS (
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
        WHERE (prev_rank IS NOT NULL OR cur_rank IS NOT NULL) AND {in_scope('t.customer_id')}
    )"""


_LIVE_VOL = f"""
    vol AS (
        -- the trailing 365 days ending each period end: orders up to the end minus up to 365 days before
        SELECT customer_id, {totals.between('total', 'cur0', 'cur')} AS cur, {totals.between('total', 'prev0', 'prev')} AS prev
        FROM ({totals.totals_rows('cur')} UNION ALL {totals.totals_rows('cur0')}
              UNION ALL {totals.totals_rows('prev')} UNION ALL {totals.totals_rows('prev0')}) x
        GROUP BY customer_id
    ),"""


# the same volumes from the stored 365-day windows (snapshots.py): two reads of one row per customer
_STORED_VOL = """
    vol AS (
        SELECT coalesce(c.customer_id, p.customer_id) AS customer_id, coalesce(c.total, 0.00) AS cur,
               coalesce(p.total, 0.00) AS prev
        FROM (SELECT customer_id, total FROM customer_window_figures
              WHERE range_from = :cur_from AND range_to = :cur_to) c
        FULL JOIN (SELECT customer_id, total FROM customer_window_figures
                   WHERE range_from = :prev_from AND range_to = :prev_to) p ON p.customer_id = c.customer_id
    ),"""


# the live SQL (scorecard and reminders build on it) and the stored one, both ending in `changes`
_TIERS = f"WITH RECURSIVE {SCOPE_CTE}," + _LIVE_VOL + _TIERS_TAIL
_TIERS_STORED = f"WITH RECURSIVE {SCOPE_CTE}," + _STORED_VOL + _TIERS_TAIL


def _tiers_head(conn: Connection, scope: Scope, period: Period, as_of: date | None) -> tuple[str, dict]:
    """_TIERS_STORED with its parameters when the two windows are stored (or can be), else _TIERS."""
    windows = [snapshots.window(day) for day in _tier_ends(period, as_of)]
    if snapshots.ranges_ready(conn, windows):
        (cur_from, cur_to), (prev_from, prev_to) = windows
        return _TIERS_STORED, scoped(scope) | {"cur_from": cur_from, "cur_to": cur_to,
                                               "prev_from": prev_from, "prev_to": prev_to}
    return _TIERS, _tier_params(scope, period, as_of)


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


def tiers(conn: Connection, scope: Scope, period: Period,
          changes: tuple[str, ...] | None = None, limit: int | None = None, *,
          as_of: date | None = None) -> pd.DataFrame:
    """Tier at the end of the previous period and of `period` (trailing 365 days), and the change.

    `changes` keeps only those changes; `limit` the first rows (by customer code).
    """
    head, params = _tiers_head(conn, scope, period, as_of)
    return frame(conn, head + _TIER_ROWS.format(source="changes"),
                 params | {"changes": list(changes) if changes else None, "limit": limit})


# the stored counts of a scope between two windows (snapshots.tier_counts_ready), as _TIER_COUNTS gives them
_READ_STORED_COUNTS = """
    SELECT c.key AS change, CAST(c.value AS bigint) AS customers
    FROM customer_tier_count_sets s CROSS JOIN LATERAL jsonb_each_text(s.counts) c
    WHERE s.scope_key = :scope_key AND s.cur_from = :cur_from AND s.cur_to = :cur_to
      AND s.prev_from = :prev_from AND s.prev_to = :prev_to
    ORDER BY 1"""


def tier_change_counts(conn: Connection, scope: Scope, period: Period, *,
                       as_of: date | None = None) -> pd.DataFrame:
    """Customers per tier change (upgrade, downgrade, new, lost, unchanged).

    Stored per scope and pair of windows (migration 0023) the first time they are asked for: the
    overview's and the weekly review's cards then read a row instead of tiering every customer.
    """
    windows = [snapshots.window(day) for day in _tier_ends(period, as_of)]
    (cur_from, cur_to), (prev_from, prev_to) = windows
    stored = scoped(scope) | {"cur_from": cur_from, "cur_to": cur_to, "prev_from": prev_from, "prev_to": prev_to}
    key = snapshots.tier_counts_ready(conn, scope, windows, _TIERS_STORED + _TIER_COUNTS.format(source="changes"),
                                      stored)
    if key is not None:
        return frame(conn, _READ_STORED_COUNTS, key)
    head, params = _tiers_head(conn, scope, period, as_of)
    return frame(conn, head + _TIER_COUNTS.format(source="changes"), params)


def tier_matrix(conn: Connection, scope: Scope, period: Period, *,
                as_of: date | None = None) -> pd.DataFrame:
    """Customers per (previous tier, current tier): the migration matrix.

    Stored once per scope, period and as-of date (snapshots.stored_frame): the fluctuation page's
    matrix then reads a few rows instead of tiering every customer in scope.
    """
    def build(target: Connection) -> tuple[str, dict]:
        head, params = _tiers_head(target, scope, period, as_of)
        return head + _TIER_MATRIX.format(source="changes"), params

    current, previous = [snapshots.window(day) for day in _tier_ends(period, as_of)]
    return snapshots.stored_frame(conn, "tiers.tier_matrix", scope, {"period": period, "as_of": period.end if as_of is None else as_of},
                                  (previous[0], current[1]), build)


def tier_overview(conn: Connection, scope: Scope, period: Period,
                  changes: tuple[str, ...] | None = None, limit: int | None = None, *,
          as_of: date | None = None) -> pd.DataFrame:
    """tier_matrix, tier_change_counts and tiers(changes, limit) from one pass, for pages that show all three.

    part 'matrix', 'change' or 'customers', each with the columns of its figure (the others
    empty). Split with matrix_rows, change_counts and tier_rows.
    """
    # one materialized pass; each part keeps its own order (a plain Append runs its parts in turn)
    head, params = _tiers_head(conn, scope, period, as_of)
    sql = head + f""", c AS MATERIALIZED (SELECT * FROM changes)
    SELECT 'matrix' AS part, CAST(NULL AS text) AS customer_code, CAST(NULL AS text) AS customer_name,
           m.tier_previous, m.tier_current, CAST(NULL AS text) AS change, CAST(NULL AS numeric) AS previous_volume,
           CAST(NULL AS numeric) AS current_volume, m.prev_rank, m.cur_rank, m.customers
    FROM ({_TIER_MATRIX.format(source="c")}) m
    UNION ALL
    SELECT 'change', NULL, NULL, NULL, NULL, n.change, NULL, NULL, NULL, NULL, n.customers
    FROM ({_TIER_COUNTS.format(source="c")}) n
    UNION ALL
    SELECT 'customers', r.*, NULL FROM ({_TIER_ROWS.format(source="c")}) r"""
    return frame(conn, sql, params
                  | {"changes": list(changes) if changes else None, "limit": limit})


def matrix_rows(overview: pd.DataFrame) -> pd.DataFrame:
    """tier_overview's part 'matrix': the rows of tier_matrix."""
    return split(overview, "part", "matrix", ["tier_previous", "tier_current", "customers", "prev_rank", "cur_rank"],
                  ("customers", "prev_rank", "cur_rank"))


def change_counts(overview: pd.DataFrame) -> pd.DataFrame:
    """tier_overview's part 'change': the rows of tier_change_counts."""
    return split(overview, "part", "change", ["change", "customers"], ("customers",))


def tier_rows(overview: pd.DataFrame) -> pd.DataFrame:
    """tier_overview's part 'customers': the rows of tiers."""
    return split(overview, "part", "customers", _TIER_COLUMNS)


def tier_history(conn: Connection, scope: Scope, customer_code: str, ends: list[date]) -> pd.DataFrame:
    """One customer's trailing-365-day volume and tier at each of the given period ends, with the
    tier's rank (1 highest; no tier ranks below every tier) for a chart that orders tiers by rank.

    Empty for a customer outside `scope`, as for one that does not exist.
    """
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    customer AS (SELECT cu.id FROM customers cu JOIN scope ON scope.id = cu.department_id WHERE cu.code = :code)
    SELECT e.end_date, v.volume, coalesce(tr.name, 'none') AS tier,
           coalesce(tr.rank, (SELECT coalesce(max(rank), 0) + 1 FROM tier_rules)) AS tier_rank
    FROM customer CROSS JOIN unnest(CAST(:ends AS date[])) AS e(end_date)
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(o.amount), 0) AS volume FROM orders o
        WHERE o.customer_id = customer.id AND o.order_date BETWEEN e.end_date - 364 AND e.end_date
    ) v
    LEFT JOIN LATERAL (
        SELECT name, rank FROM tier_rules WHERE min_amount <= v.volume AND v.volume > 0 ORDER BY rank LIMIT 1
    ) tr ON true
    ORDER BY e.end_date"""
    return frame(conn, sql, {"code": customer_code, "ends": list(ends)} | scoped(scope))


def per_change(counts: pd.DataFrame) -> dict[str, int]:
    """tier_change_counts (or change_counts) as {change: customers}."""
    return dict(zip(counts["change"], counts["customers"]))
