"""The heavy figures against brute force in a columnar engine (issue 27), for bench/benchmark.py.

The raw orders (customer_id, order_date, amount) and the customers (id, code, department_id) are
loaded into an in-memory DuckDB (2 threads) before any clock starts. Then, for the grading cards
(customers per ABC class, RFM segment and score, as of today), the customers per tier at the last
complete month's end (the tier matrix) and the customers per flag in that month's fluctuation
(the summary the cards show), it times DuckDB computing the same counts from the raw orders, and
the product's bare SQL as a reader meets it: the function is run once (the figure is computed and
stored then, as the day's fill does; that first time is printed in the row's label), then its
statements on the second run are captured and re-run on a raw psycopg2 cursor (as bench/pages.py
does), so pandas is not counted. The counts of both must be equal; a mismatch is printed loudly on
standard error and marks the row.
"""
from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.metrics import fluctuation, grading, tiers


def _setting(conn, key: str, default):
    value = conn.execute(sa.text("SELECT value #>> '{}' FROM settings WHERE key = :k"), {"k": key}).scalar()
    return type(default)(value) if value is not None else default


def load_duckdb(engine):
    """An in-memory DuckDB with the raw orders and customers (not timed)."""
    import duckdb

    db = duckdb.connect(":memory:")
    db.execute("SET threads = 2")
    directory = Path(tempfile.mkdtemp(prefix="bench-duck-"))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name, sql in (("orders", "SELECT customer_id, order_date, amount FROM orders"),
                          ("customers", "SELECT id, code, department_id FROM customers")):
            with open(directory / f"{name}.csv", "w", encoding="utf-8") as handle:
                cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", handle)
    finally:
        raw.close()
    db.execute(f"""CREATE TABLE orders AS SELECT * FROM read_csv('{directory}/orders.csv', header = true,
                   columns = {{'customer_id': 'BIGINT', 'order_date': 'DATE', 'amount': 'DECIMAL(18,2)'}})""")
    db.execute(f"""CREATE TABLE customers AS SELECT * FROM read_csv('{directory}/customers.csv', header = true,
                   columns = {{'id': 'BIGINT', 'code': 'VARCHAR', 'department_id': 'BIGINT'}})""")
    for f in directory.iterdir():
        f.unlink()
    directory.rmdir()
    return db


GRADING = """
WITH win AS (
    SELECT customer_id, max(order_date) FILTER (WHERE amount >= 0) AS last_purchase,
           count(*) FILTER (WHERE amount >= 0) AS frequency, sum(amount) AS monetary
    FROM orders WHERE order_date BETWEEN $d - 364 AND $d
    GROUP BY customer_id HAVING count(*) FILTER (WHERE amount >= 0) > 0
), pop AS (
    SELECT w.*, c.code, $d - w.last_purchase AS recency_days, count(*) OVER () AS n,
           sum($d - w.last_purchase) OVER () AS sum_r, sum(frequency) OVER () AS sum_f, sum(monetary) OVER () AS sum_m
    FROM win w JOIN customers c ON c.id = w.customer_id
), ranked AS (
    SELECT *, count(*) OVER (ORDER BY recency_days DESC) AS r_k, count(*) OVER (ORDER BY frequency) AS f_k,
           count(*) OVER (ORDER BY monetary) AS m_k,
           row_number() OVER (ORDER BY monetary DESC, code) AS abc_rank,
           coalesce(sum(greatest(monetary, 0)) OVER (ORDER BY monetary DESC, code
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum_before,
           sum(greatest(monetary, 0)) OVER () AS positive_total
    FROM pop
)
SELECT (5 * r_k + n - 1) // n AS r_score, (5 * f_k + n - 1) // n AS f_score, (5 * m_k + n - 1) // n AS m_score,
       (CASE WHEN monetary * n > sum_m THEN 'important_' ELSE 'general_' END) ||
       (CASE WHEN recency_days * n < sum_r THEN (CASE WHEN frequency * n > sum_f THEN 'value' ELSE 'develop' END)
             ELSE (CASE WHEN frequency * n > sum_f THEN 'keep' ELSE 'retain' END) END) AS rfm_segment,
       CASE WHEN monetary * n >= $high * sum_m THEN 'high' WHEN monetary * n < $low * sum_m THEN 'low'
            ELSE 'general' END AS value_class,
       CASE WHEN monetary <= 0 THEN 'C'
            WHEN $method = 'value' THEN CASE WHEN cum_before < 0.80 * positive_total THEN 'A'
                                             WHEN cum_before < 0.95 * positive_total THEN 'B' ELSE 'C' END
            WHEN abc_rank <= (2 * n + 9) // 10 THEN 'A' WHEN abc_rank <= (9 * n + 9) // 10 THEN 'B'
            ELSE 'C' END AS abc_class
FROM ranked"""

# the grading cards' counts: customers per ABC class, RFM segment and R/F/M score
GRADING_COUNTS = f"""
WITH g AS ({GRADING})
SELECT 'abc' AS kind, abc_class AS key, count(*) AS customers FROM g GROUP BY 2
UNION ALL SELECT 'segment', rfm_segment, count(*) FROM g GROUP BY 2
UNION ALL SELECT 'score', 'R' || CAST(r_score AS VARCHAR), count(*) FROM g GROUP BY 2
UNION ALL SELECT 'score', 'F' || CAST(f_score AS VARCHAR), count(*) FROM g GROUP BY 2
UNION ALL SELECT 'score', 'M' || CAST(m_score AS VARCHAR), count(*) FROM g GROUP BY 2"""

TIERS = """
SELECT tier, count(*) AS customers
FROM (SELECT v.customer_id, arg_min(r.name, r.rank) AS tier  -- the highest-ranked rule the volume reaches
      FROM (SELECT customer_id, sum(amount) AS volume FROM orders
            WHERE order_date BETWEEN $d - 364 AND $d GROUP BY customer_id HAVING sum(amount) > 0) v
      JOIN rules r ON r.min_amount <= v.volume
      GROUP BY v.customer_id)
GROUP BY tier"""


FLUCTUATION = """
WITH v AS (
    SELECT customer_id,
           coalesce(sum(amount) FILTER (WHERE order_date BETWEEN $s AND $e), 0) AS volume,
           count(*) FILTER (WHERE order_date BETWEEN $s AND $e) AS orders,
           coalesce(sum(amount) FILTER (WHERE order_date BETWEEN $ps AND $pe), 0) AS previous_volume,
           count(*) FILTER (WHERE order_date BETWEEN $ps AND $pe) AS previous_orders,
           count(*) FILTER (WHERE order_date BETWEEN $ys AND $ye) AS yoy_orders,
           bool_or(order_date < $s) AS before
    FROM orders WHERE order_date <= $e GROUP BY customer_id
)
SELECT CASE WHEN NOT before AND orders > 0 THEN 'new'
            WHEN previous_volume > 0 AND orders = 0 THEN 'stopped'
            WHEN previous_volume > 0 AND volume - previous_volume <= -$x * previous_volume THEN 'drop'
            WHEN previous_volume > 0 AND volume - previous_volume >= $x * previous_volume THEN 'surge'
            ELSE 'steady' END AS flag, count(*) AS customers
FROM v WHERE orders > 0 OR previous_orders > 0 OR yoy_orders > 0
GROUP BY 1"""


def _bare_sql(engine, call) -> tuple[float, object, float]:
    """The product's function as a reader meets it: run once first (a stored figure is computed and
    stored then, as the day's fill or the first reader does; that time is returned too), then run
    again with its statements captured (its result kept), and those re-run on a raw cursor."""
    from sqlalchemy.engine import Engine

    started = time.perf_counter()
    with engine.connect() as conn:
        call(conn)
    first = time.perf_counter() - started
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    sa.event.listen(Engine, "before_cursor_execute", capture)
    try:
        with engine.connect() as conn:
            result = call(conn)
    finally:
        sa.event.remove(Engine, "before_cursor_execute", capture)
    statements = [s for s in captured if s[0].lstrip().upper().startswith(("SELECT", "WITH"))]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        best = float("inf")
        for _ in range(2):  # the better of two, like DuckDB's
            started = time.perf_counter()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
            best = min(best, time.perf_counter() - started)
        raw.rollback()
    finally:
        raw.close()
    return best, result, first


def _duck(db, sql, params) -> tuple[float, object]:
    best, frame = float("inf"), None
    for _ in range(2):
        started = time.perf_counter()
        frame = db.execute(sql, params).df()
        best = min(best, time.perf_counter() - started)
    return best, frame


def columnar_rows(engine, today: date) -> list:
    db = load_duckdb(engine)
    with engine.connect() as conn:
        high = _setting(conn, "value_band_high", 1.25)
        low = _setting(conn, "value_band_low", 0.75)
        method = _setting(conn, "abc_method", "count")
        threshold = _setting(conn, "fluctuation_threshold", 0.30)
        rules = conn.execute(sa.text("SELECT name, rank, min_amount FROM tier_rules")).all()
    db.execute("CREATE TABLE rules (name VARCHAR, rank INTEGER, min_amount DECIMAL(18,2))")
    db.executemany("INSERT INTO rules VALUES (?, ?, ?)", [tuple(r) for r in rules])
    month = Period.containing("month", Period.containing("month", today).start - timedelta(days=1))
    previous = Period.containing("month", month.start - timedelta(days=1))
    last_year = Period.containing("month", month.start.replace(year=month.start.year - 1))
    company = Scope.company()
    rows = []

    # each figure as its cards show it: the counts per class, segment and score (grading_summary),
    # per tier (the tier matrix) and per flag (the fluctuation summary); the per-customer lists are
    # the exports' (timed above)
    product_s, product, first_s = _bare_sql(engine, lambda c: grading.grading_summary(c, company, today))
    duck_s, duck = _duck(db, GRADING_COUNTS, {"d": today, "high": high, "low": low, "method": method})
    mine = {(str(k), str(key)): int(n) for k, key, n in zip(product["kind"], product["key"], product["customers"])
            if k in ("abc", "segment", "score")}
    theirs = {(str(k), str(key)): int(n) for k, key, n in zip(duck["kind"], duck["key"], duck["customers"])}
    graded = sum(n for (k, _), n in mine.items() if k == "abc")
    rows.append(_row(f"grading counts as of {today} ({graded:,} customers)", product_s, duck_s, mine == theirs,
                     mine, theirs, first_s))

    product_s, product, first_s = _bare_sql(engine, lambda c: tiers.tier_matrix(c, company, month, as_of=month.end))
    duck_s, duck = _duck(db, TIERS, {"d": month.end})
    mine = {}
    for tier, n in zip(product["tier_current"], product["customers"]):
        if tier != "none":
            mine[str(tier)] = mine.get(str(tier), 0) + int(n)
    theirs = {str(k): int(n) for k, n in zip(duck["tier"], duck["customers"])}
    rows.append(_row(f"tier counts at {month.end} ({sum(mine.values()):,} with a tier)", product_s, duck_s,
                     mine == theirs, mine, theirs, first_s))

    product_s, product, first_s = _bare_sql(engine, lambda c: fluctuation.fluctuation_summary(c, company, month, as_of=month.end))
    duck_s, duck = _duck(db, FLUCTUATION, {"s": month.start, "e": month.end, "ps": previous.start, "pe": previous.end,
                                           "ys": last_year.start, "ye": last_year.end, "x": threshold})
    summary = product.iloc[0]
    mine = {flag: int(summary[flag]) for flag in ("new", "stopped", "drop", "surge", "steady") if int(summary[flag])}
    theirs = {str(k): int(n) for k, n in zip(duck["flag"], duck["customers"])}
    rows.append(_row(f"fluctuation counts {month.start:%Y-%m} ({int(summary['customers']):,} customers)", product_s,
                     duck_s, mine == theirs, mine, theirs, first_s))
    db.close()
    return rows


def _row(name, product_s, duck_s, same, mine, theirs, first_s):
    if not same:
        print(f"\n!!! MISMATCH {name}: the product and DuckDB disagree\n  product: {sorted(mine.items())}\n"
              f"  duckdb:  {sorted(theirs.items())}\n", file=sys.stderr)
    label = f"bare SQL of {name} vs DuckDB (first: {first_s:.2f} s)" + ("" if same else " MISMATCH")
    return (label, f"≤ {duck_s:.2f} s", product_s, product_s / duck_s)
