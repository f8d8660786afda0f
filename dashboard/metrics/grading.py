"""Customer grading (客户分级): RFM scores and segments, value class and ABC over the 365 days ending D.

The population is the customers with a purchase in the window; with a department filter the
department's customers are graded among themselves.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.metrics import snapshots, totals
from dashboard.metrics.sql import SCOPED_CUSTOMERS_CTE, frame, rate, scoped, setting_sql, split

# The population and its totals; every grading figure starts here.
_GRADING_BASE = f"""
WITH RECURSIVE {SCOPED_CUSTOMERS_CTE},
win AS (
    -- the 365 days ending D: orders up to D minus orders up to D - 365
    SELECT x.customer_id, max(last_purchase_on) FILTER (WHERE k = 'hi') AS last_purchase,
           {totals.between('purchases', 'lo', 'hi')} AS frequency, {totals.between('total', 'lo', 'hi')} AS monetary
    FROM ({totals.totals_rows('hi')} UNION ALL {totals.totals_rows('lo')}) x
    GROUP BY x.customer_id
    HAVING {totals.between('purchases', 'lo', 'hi')} > 0
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
    SELECT coalesce({setting_sql('value_band_high')}, 1.25) AS band_high,
           coalesce({setting_sql('value_band_low')}, 0.75) AS band_low,
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


# The same `final` from the stored graded population (snapshots.py): ranks and scores were
# computed once for the date and scope; the value band and ABC method are applied here, so
# changing those settings needs no recomputation.
_STORED_FINAL = """
WITH settings_now AS (
    SELECT coalesce({band_high}, 1.25) AS band_high,
           coalesce({band_low}, 0.75) AS band_low,
           coalesce(CAST(:abc_method AS text), (SELECT value #>> '{{}}' FROM settings WHERE key = 'abc_method'),
                    'count') AS abc_method
),
final AS NOT MATERIALIZED (  -- each use reads only its rows through the primary key
    SELECT g.customer_id, g.customer_code, g.recency_days, g.frequency, g.monetary, g.r_score, g.f_score,
           g.m_score,
           CASE WHEN monetary * n >= s.band_high * sum_m THEN 'high'
                WHEN monetary * n < s.band_low * sum_m THEN 'low'
                ELSE 'general' END AS value_class,{abc_class} AS abc_class,
           g.abc_rank, g.cum_before, g.positive_total, g.rfm_segment, g.cum_monetary
    FROM customer_grades g CROSS JOIN settings_now s
    WHERE g.as_of = :d AND g.scope_key = :scope_key
)""".format(band_high=setting_sql('value_band_high'), band_low=setting_sql('value_band_low'), abc_class=_ABC_CLASS)


def _head(conn: Connection, scope: Scope, as_of: date, live: str = _GRADING) -> tuple[str, dict]:
    """The SQL up to `final` and its parameters: the stored population when it is stored (or can
    be), else `live` computed from the running totals."""
    return _head_and_summary(conn, scope, as_of, live)[::2]


def _head_and_summary(conn: Connection, scope: Scope, as_of: date, live: str = _GRADING) -> tuple[str, str, dict]:
    """_head with the CTE `summary` (grading_summary's rows) that goes with it."""
    if snapshots.grades_ready(conn, scope, as_of):
        return _STORED_FINAL, _STORED_SUMMARY, {"d": as_of, "scope_key": snapshots.scope_key(scope)}
    return live, _LIVE_SUMMARY, _grading_params(as_of) | scoped(scope)


# Per ABC class: customers, revenue and their shares of the population (grading_summary's
# 'abc' rows and grading_abc); `final` needs only customer_id, monetary, abc_rank, abc_class.
_GRADING_TOTALS = """
    , totals AS (SELECT count(*) AS n, sum(monetary) AS total FROM final)"""


_ABC_PER_CLASS = f"""
    SELECT 'abc' AS kind, abc_class AS key, count(*) AS customers, sum(monetary) AS monetary,
           {rate('count(*)', 'max(totals.n)')} AS customer_share,
           {rate('sum(monetary)', 'max(totals.total)')} AS revenue_share, min(abc_rank) AS position
    FROM final CROSS JOIN totals GROUP BY abc_class"""


def _grading_params(as_of: date) -> dict:
    return {"d": as_of} | totals.totals_at("hi", as_of, last_purchase=True) | totals.totals_at("lo", as_of - timedelta(days=365))


# The first `limit` graded customers by ABC order, named (the names of the rows kept only).
_GRADING_COLUMNS = ["customer_code", "customer_name", "recency_days", "frequency", "monetary", "r_score", "f_score",
                    "m_score", "rfm_segment", "value_class", "abc_class"]


_GRADED_CUSTOMERS = """
    SELECT customer_code, cu.name AS customer_name, recency_days, frequency, monetary, r_score, f_score, m_score,
           rfm_segment, value_class, abc_class, abc_rank
    FROM (SELECT * FROM final ORDER BY abc_rank LIMIT :limit) f JOIN customers cu ON cu.id = f.customer_id"""


# The same for a page's few hundred rows: the name looked up per row kept (a join hashed all
# 50,000 customers for 500 names; for a whole export the join is the faster).
_LISTED_CUSTOMERS = """
    SELECT customer_code, (SELECT cu.name FROM customers cu WHERE cu.id = f.customer_id) AS customer_name,
           recency_days, frequency, monetary, r_score, f_score, m_score, rfm_segment, value_class, abc_class, abc_rank
    FROM (SELECT * FROM final ORDER BY abc_rank LIMIT :limit) f"""


# grading_summary's rows over `final` and `totals`
_GRADING_SUMMARY = _ABC_PER_CLASS + f"""
    UNION ALL
    SELECT 'segment', rfm_segment, count(*), sum(monetary), {rate('count(*)', 'max(totals.n)')},
           {rate('sum(monetary)', 'max(totals.total)')}, min(abc_rank)
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


def grading(conn: Connection, scope: Scope, as_of: date,
            abc_method: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """Each customer with a purchase in the 365 days ending `as_of`: RFM scores, segment, classes.

    Ordered by monetary (the ABC order); `limit` keeps the first rows only (the page's table).
    """
    head, params = _head(conn, scope, as_of)
    sql = head + f"""
    SELECT {', '.join(_GRADING_COLUMNS)} FROM ({_GRADED_CUSTOMERS}) g ORDER BY abc_rank"""
    return frame(conn, sql, params | {"abc_method": abc_method,
                                                        "limit": limit})


# the groups a grading chart can pick, each a column of `final` (issue 20's drill-down)
GRADED_FILTERS = ("rfm_segment", "abc_class", "r_score", "f_score", "m_score")


def graded_customers(conn: Connection, scope: Scope, as_of: date, abc_method: str | None = None,
                     where: dict | None = None, limit: int | None = None) -> pd.DataFrame:
    """The graded customers of one group (`where`: {column of GRADED_FILTERS: values}), in ABC order.

    The records behind a bar of the segment or score chart or a class of the Pareto curve; the
    grades are those of the whole population (a group is not graded among itself). A column
    outside GRADED_FILTERS is refused.
    """
    where = where or {}
    unknown = set(where) - set(GRADED_FILTERS)
    if unknown:
        raise ValueError(f"where: {sorted(unknown)} cannot be filtered on")
    tests = [f"{column} = ANY(:w_{column})" for column in where]
    filters = {f"w_{column}": list(values) for column, values in where.items()}
    head, params = _head(conn, scope, as_of)
    sql = head + f"""
    SELECT {', '.join(_GRADING_COLUMNS)} FROM (
        SELECT customer_code, cu.name AS customer_name, recency_days, frequency, monetary, r_score, f_score, m_score,
               rfm_segment, value_class, abc_class, abc_rank
        FROM (SELECT * FROM final WHERE {' AND '.join(tests) or 'true'} ORDER BY abc_rank LIMIT :limit) f
        JOIN customers cu ON cu.id = f.customer_id) g ORDER BY abc_rank"""
    return frame(conn, sql, params | filters | {"abc_method": abc_method,
                                                                                 "limit": limit})


def grading_summary(conn: Connection, scope: Scope, as_of: date,
                    abc_method: str | None = None, points: int = 200) -> pd.DataFrame:
    """Every grading aggregate in one pass over the population (long format).

    kind `segment` (key: RFM segment), `abc` (key: class), `score` (key: R1..M5), and `pareto`
    (key: class; customer_share/revenue_share: a point of the cumulative revenue curve, at most
    `points` of them). customers, monetary, customer_share and revenue_share as they apply.
    """
    def build(target: Connection) -> tuple[str, dict]:
        head, summary, params = _head_and_summary(target, scope, as_of)
        return head + summary + """
    SELECT * FROM summary ORDER BY 1, 2, 7""", params | {"abc_method": abc_method, "points": points}

    # stored once per scope, date and options (snapshots.stored_frame)
    return snapshots.stored_frame(conn, "grading.grading_summary", scope,
                                  {"as_of": as_of, "abc_method": abc_method, "points": points},
                                  snapshots.window(as_of), build)


def grading_overview(conn: Connection, scope: Scope, as_of: date,
                     abc_method: str | None = None, points: int = 200, limit: int = 500) -> pd.DataFrame:
    """grading_summary's rows and the first `limit` rows of `grading` (kind 'customer'), from one pass.

    The grading page shows both; split with abc_rows, segment_rows, score_rows, pareto_rows and
    graded_rows.
    """
    no_customer = ", ".join("NULL" for c in _GRADING_COLUMNS if c != "monetary")
    def build(target: Connection) -> tuple[str, dict]:
        head, summary, params = _head_and_summary(target, scope, as_of)
        return head + summary + f""",
    listed AS ({_LISTED_CUSTOMERS})
    SELECT 'customer' AS kind, NULL AS key, NULL AS customers, monetary, NULL AS customer_share,
           NULL AS revenue_share, abc_rank AS position,
           {', '.join(c for c in _GRADING_COLUMNS if c != "monetary")}
    FROM listed
    UNION ALL
    SELECT *, {no_customer} FROM summary
    ORDER BY 1, 2, 7""", params | {"abc_method": abc_method, "points": points, "limit": limit}

    # stored once per scope, date and options (snapshots.stored_frame)
    return snapshots.stored_frame(conn, "grading.grading_overview", scope,
                                  {"as_of": as_of, "abc_method": abc_method, "points": points, "limit": limit},
                                  snapshots.window(as_of), build)


def graded_rows(overview: pd.DataFrame) -> pd.DataFrame:
    """grading_overview's kind 'customer': the rows of `grading`."""
    return split(overview, "kind", "customer", _GRADING_COLUMNS,
                  ("recency_days", "frequency", "r_score", "f_score", "m_score"))


# grading_summary's rows by kind, in the shape each is drawn: the grading page reads the summary
# once and splits it with these.
def _summary_part(summary: pd.DataFrame, kind: str, key: str, columns: list[str]) -> pd.DataFrame:
    return split(summary, "kind", kind, ["key"] + columns, renames={"key": key})


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


# grading_abc from a stored graded population without reading it whole: each class is a run of
# ABC positions (the customers with monetary > 0 come first, and the revenue before a customer
# only grows along the order), so its customers and revenue are read at the run's two ends.
_IN_SET = "as_of = :d AND scope_key = :scope_key"
_STORED_ABC_CTES = f"""
top AS (SELECT n, positive_total FROM customer_grades WHERE {_IN_SET} AND abc_rank = 1),
positive AS (
    SELECT coalesce((SELECT abc_rank FROM customer_grades WHERE {_IN_SET} AND monetary > 0
                     ORDER BY abc_rank DESC LIMIT 1), 0) AS last
),
ends AS (
    SELECT top.n,
           least(positive.last, CASE WHEN s.abc_method = 'value'
               THEN (SELECT coalesce(max(abc_rank), 0) FROM customer_grades
                     WHERE {_IN_SET} AND cum_before < 0.80 * top.positive_total)
               ELSE (2 * top.n + 9) / 10 END) AS a_end,
           least(positive.last, CASE WHEN s.abc_method = 'value'
               THEN (SELECT coalesce(max(abc_rank), 0) FROM customer_grades
                     WHERE {_IN_SET} AND cum_before < 0.95 * top.positive_total)
               ELSE (9 * top.n + 9) / 10 END) AS b_end
    FROM {{settings}} s, top, positive
),
runs AS (
    SELECT 'A' AS abc_class, 1 AS first, a_end AS last, n FROM ends
    UNION ALL SELECT 'B', a_end + 1, b_end, n FROM ends
    UNION ALL SELECT 'C', b_end + 1, n, n FROM ends
),
whole AS (SELECT cum_monetary AS total FROM customer_grades WHERE {_IN_SET} ORDER BY abc_rank DESC LIMIT 1)"""


_STORED_ABC_ROWS = f"""
SELECT 'abc' AS kind, r.abc_class AS key, r.last - r.first + 1 AS customers,
       hi.cum_monetary - coalesce(lo.cum_monetary, 0) AS monetary,
       {rate('r.last - r.first + 1', 'r.n')} AS customer_share,
       {rate('hi.cum_monetary - coalesce(lo.cum_monetary, 0)', 'whole.total')} AS revenue_share,
       r.first AS position
FROM runs r CROSS JOIN whole
JOIN customer_grades hi ON hi.as_of = :d AND hi.scope_key = :scope_key AND hi.abc_rank = r.last
LEFT JOIN customer_grades lo ON lo.as_of = :d AND lo.scope_key = :scope_key AND lo.abc_rank = r.first - 1
WHERE r.last >= r.first"""


_STORED_ABC = ("WITH settings_now AS (SELECT coalesce(CAST(:abc_method AS text), "
               "(SELECT value #>> '{}' FROM settings WHERE key = 'abc_method'), 'count') AS abc_method),"
               + _STORED_ABC_CTES.format(settings="settings_now") + _STORED_ABC_ROWS + " ORDER BY 2")


# grading_summary's rows from a stored set: segments and scores counted when it was filled
# (customer_grade_groups), ABC classes by position, the Pareto points read by position.
_STORED_SUMMARY = ",\n" + _STORED_ABC_CTES.format(settings="settings_now") + f""",
summary AS (
    SELECT g.kind, g.key, g.customers, g.monetary,
           CASE WHEN g.kind = 'segment' THEN {rate('g.customers', 'top.n')} END AS customer_share,
           CASE WHEN g.kind = 'segment' THEN {rate('g.monetary', 'whole.total')} END AS revenue_share, g.position
    FROM customer_grade_groups g CROSS JOIN top CROSS JOIN whole WHERE g.{_IN_SET.replace(' AND ', ' AND g.')}
    UNION ALL
    {_STORED_ABC_ROWS}
    UNION ALL
    SELECT 'pareto', f.abc_class, NULL, NULL, round(f.abc_rank::numeric / top.n, 4),
           round((f.cum_before + greatest(f.monetary, 0)) / nullif(f.positive_total, 0), 4), f.abc_rank
    FROM top
    CROSS JOIN (SELECT generate_series(greatest(1, n / :points), n, greatest(1, n / :points)) FROM top
                UNION SELECT 1 UNION SELECT n FROM top) points(position)
    -- one lookup by position per point (LIMIT keeps the planner from scanning the whole set)
    CROSS JOIN LATERAL (SELECT * FROM final WHERE final.abc_rank = points.position LIMIT 1) f
)"""


_LIVE_SUMMARY = _GRADING_TOTALS + f""",
summary AS ({_GRADING_SUMMARY})"""


def grading_abc(conn: Connection, scope: Scope, as_of: date,
                abc_method: str | None = None) -> pd.DataFrame:
    """Customers and revenue share per ABC class: grading_summary's 'abc' rows, without ranking
    the population by recency and frequency (the overview and weekly review need only these)."""
    if snapshots.grades_ready(conn, scope, as_of):
        sql, params = _STORED_ABC, {"d": as_of, "scope_key": snapshots.scope_key(scope)}
    else:
        sql = _GRADING_BASE + f""",
    ranked AS (SELECT pop.*, {_ABC_WINDOWS} FROM pop),
    final AS (SELECT customer_id, monetary, abc_rank, {_ABC_CLASS} AS abc_class
              FROM ranked CROSS JOIN settings_now s)""" + _GRADING_TOTALS + _ABC_PER_CLASS + " ORDER BY 2"
        params = _grading_params(as_of) | scoped(scope)
    rows = frame(conn, sql, params | {"abc_method": abc_method})
    return abc_rows(rows)


def a_share(abc: pd.DataFrame):
    """The revenue share of the A class in abc_rows / grading_abc (None without graded customers)."""
    row = abc[abc["abc_class"] == "A"]
    return None if row.empty else row["revenue_share"].iloc[0]



def segments_of(conn: Connection, scope: Scope, as_of: date, customer_codes: list[str]) -> pd.DataFrame:
    """The RFM segment and value class of the given customers among `scope`'s population, as the
    grading page grades them (a customer with no purchase in the window has none). Only the
    population's sums are needed, not its ranks, so the customer file and a staff profile open fast."""
    sql = _GRADING_BASE + """
    SELECT customer_code,
           CASE WHEN monetary * n > sum_m THEN 'important_' ELSE 'general_' END ||
           CASE WHEN recency_days * n < sum_r AND frequency * n > sum_f THEN 'value'
                WHEN recency_days * n < sum_r THEN 'develop'
                WHEN frequency * n > sum_f THEN 'keep' ELSE 'retain' END AS rfm_segment,
           CASE WHEN monetary * n >= s.band_high * sum_m THEN 'high'
                WHEN monetary * n < s.band_low * sum_m THEN 'low' ELSE 'general' END AS value_class
    FROM pop CROSS JOIN settings_now s WHERE customer_code = ANY(:codes) ORDER BY customer_code"""
    return frame(conn, sql, _grading_params(as_of) | scoped(scope) | {"abc_method": None,
                                                                     "codes": list(customer_codes)})
