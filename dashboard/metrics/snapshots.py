"""Stored figures per customer over a date range, and graded populations as of a date (migration 0021).

The first request for a range (or a graded date and department) computes it once from the
running totals and stores it; later requests by any user or process read the stored rows.
Triggers on orders, customers and departments keep them current (docs/snapshots.md).

A read takes advisory lock 7411021 shared, without waiting, for the rest of the caller's
transaction: the writers that change stored figures take it exclusively, so what the read
found stored stays whole until it is done. When the lock is not to be had (an import is
running) or the figures could not be stored, the caller computes the figure live, as before.
"""
from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.metrics import totals
from dashboard.metrics.sql import SCOPED_CUSTOMERS_CTE

LOCK = 7411021
# The most ranges and graded sets kept: a page asks for two to eight ranges and one or two graded
# dates, and the day's defaults stored ahead are some 35 ranges, so this holds every period and
# as-of date that a few dozen people look at; the oldest filled are dropped first.
KEEP_RANGES = 96
KEEP_GRADE_SETS = 48


def window(day: date) -> tuple[date, date]:
    """The 365 days ending `day` (tiers and grading)."""
    return day - timedelta(days=364), day


def _fill_range_sql() -> str:
    hi, lo = "hi", "lo"
    return f"""
    INSERT INTO customer_window_figures
    SELECT CAST(:range_from AS date), CAST(:range_to AS date), customer_id,
           {totals.between('total', lo, hi)}, {totals.between('purchases', lo, hi)},
           {totals.between('orders', lo, hi)},
           CASE WHEN {totals.between('purchases', lo, hi)} > 0 THEN max(last_purchase_on) FILTER (WHERE k = '{hi}') END
    FROM ({totals.totals_rows(hi)} UNION ALL {totals.totals_rows(lo)}) x
    GROUP BY customer_id
    HAVING {totals.between('orders', lo, hi)} > 0
    ORDER BY customer_id"""


_FILL_RANGE = _fill_range_sql()


def _range_params(range_from: date, range_to: date) -> dict:
    return ({"range_from": range_from, "range_to": range_to} | totals.totals_at("hi", range_to, last_purchase=True)
            | totals.totals_at("lo", range_from - timedelta(days=1)))


# The graded population of a scope from the stored window ending :as_of (grading.py's rules:
# ties share a count and so a score; ABC ties by customer code).
_FILL_GRADES = f"""
    WITH RECURSIVE {SCOPED_CUSTOMERS_CTE},
    pop AS (
        SELECT w.customer_id, cu.code AS customer_code, CAST(:as_of AS date) - w.last_purchase_on AS recency_days,
               w.purchases AS frequency, w.total AS monetary,
               count(*) OVER () AS n, sum(CAST(:as_of AS date) - w.last_purchase_on) OVER () AS sum_r,
               sum(w.purchases) OVER () AS sum_f, sum(w.total) OVER () AS sum_m
        FROM customer_window_figures w JOIN scoped_customers cu ON cu.id = w.customer_id
        WHERE w.range_from = CAST(:as_of AS date) - 364 AND w.range_to = :as_of AND w.purchases > 0
    ),
    ranked AS (
        SELECT pop.*,
               count(*) OVER (ORDER BY recency_days DESC) AS r_k,
               count(*) OVER (ORDER BY frequency) AS f_k,
               count(*) OVER (ORDER BY monetary) AS m_k,
               row_number() OVER (ORDER BY monetary DESC, customer_code) AS abc_rank,
               coalesce(sum(greatest(monetary, 0)) OVER (ORDER BY monetary DESC, customer_code
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum_before,
               sum(greatest(monetary, 0)) OVER () AS positive_total,
               sum(monetary) OVER (ORDER BY monetary DESC, customer_code ROWS UNBOUNDED PRECEDING) AS cum_monetary
        FROM pop
    )
    INSERT INTO customer_grades (as_of, scope_key, abc_rank, customer_id, customer_code, recency_days, frequency,
                                 monetary, r_score, f_score, m_score, rfm_segment, cum_before, positive_total, n,
                                 sum_m, cum_monetary)
    SELECT :as_of, :scope_key, abc_rank, customer_id, customer_code, recency_days, frequency, monetary,
           (5 * r_k + n - 1) / n, (5 * f_k + n - 1) / n, (5 * m_k + n - 1) / n,
           CASE WHEN monetary * n > sum_m THEN 'important_' ELSE 'general_' END ||
           CASE WHEN recency_days * n < sum_r AND frequency * n > sum_f THEN 'value'
                WHEN recency_days * n < sum_r THEN 'develop'
                WHEN frequency * n > sum_f THEN 'keep' ELSE 'retain' END,
           cum_before, positive_total, n, sum_m, cum_monetary
    FROM ranked ORDER BY abc_rank"""


_FILL_GROUPS = """
    INSERT INTO customer_grade_groups
    SELECT :as_of, :scope_key, 'segment', rfm_segment, count(*), sum(monetary), min(abc_rank)
    FROM customer_grades WHERE as_of = :as_of AND scope_key = :scope_key GROUP BY rfm_segment
    UNION ALL
    SELECT :as_of, :scope_key, 'score', dimension || score, count(*), NULL, NULL
    FROM customer_grades CROSS JOIN LATERAL (VALUES ('R', r_score), ('F', f_score), ('M', m_score)) d(dimension, score)
    WHERE as_of = :as_of AND scope_key = :scope_key GROUP BY dimension, score"""


def scope_key(scope: Scope) -> str:
    return scope.department or ""


def _missing_ranges(conn: Connection, ranges: list[tuple[date, date]]) -> list[tuple[date, date]]:
    stored = set(conn.execute(sa.text(
        "SELECT range_from, range_to FROM customer_window_ranges "
        "WHERE (range_from, range_to) IN (SELECT * FROM unnest(CAST(:froms AS date[]), CAST(:tos AS date[])))"),
        {"froms": [r[0] for r in ranges], "tos": [r[1] for r in ranges]}).all())
    return [r for r in dict.fromkeys(ranges) if tuple(r) not in stored]


def _store_ranges(target: Connection, ranges: list[tuple[date, date]]) -> None:
    added = 0
    for range_from, range_to in ranges:
        claimed = target.execute(sa.text(
            "INSERT INTO customer_window_ranges (range_from, range_to) VALUES (:f, :t) "
            "ON CONFLICT DO NOTHING RETURNING 1"), {"f": range_from, "t": range_to}).scalar()
        if claimed:  # another session stored it meanwhile otherwise
            added += target.execute(sa.text(_FILL_RANGE), _range_params(range_from, range_to)).rowcount
    _analyze_filled(target, "customer_window_figures", added)
    target.execute(sa.text(
        "DELETE FROM customer_window_ranges WHERE (range_from, range_to) NOT IN "
        "(SELECT range_from, range_to FROM customer_window_ranges ORDER BY filled_at DESC LIMIT :keep)"),
        {"keep": KEEP_RANGES})


def _store_grades(target: Connection, scope: Scope, as_of: date) -> None:
    if _missing_ranges(target, [window(as_of)]):
        _store_ranges(target, [window(as_of)])
    claimed = target.execute(sa.text(
        "INSERT INTO customer_grade_sets (as_of, scope_key) VALUES (:d, :k) ON CONFLICT DO NOTHING RETURNING 1"),
        {"d": as_of, "k": scope_key(scope)}).scalar()
    if claimed:
        added = target.execute(sa.text(_FILL_GRADES), {"as_of": as_of, "scope_key": scope_key(scope),
                                                       "department": scope.department}).rowcount
        _analyze_filled(target, "customer_grades", added)
        target.execute(sa.text(_FILL_GROUPS), {"as_of": as_of, "scope_key": scope_key(scope)})
    target.execute(sa.text(
        "DELETE FROM customer_grade_sets WHERE (as_of, scope_key) NOT IN "
        "(SELECT as_of, scope_key FROM customer_grade_sets ORDER BY filled_at DESC LIMIT :keep)"),
        {"keep": KEEP_GRADE_SETS})


KEEP_TIER_COUNT_SETS = 200


def _tier_counts_key(scope: Scope, windows: list[tuple[date, date]]) -> dict:
    (cur_from, cur_to), (prev_from, prev_to) = windows
    return {"scope_key": scope_key(scope), "cur_from": cur_from, "cur_to": cur_to, "prev_from": prev_from,
            "prev_to": prev_to}


_TIER_COUNTS_STORED = """SELECT EXISTS (SELECT 1 FROM customer_tier_count_sets WHERE scope_key = :scope_key
    AND cur_from = :cur_from AND cur_to = :cur_to AND prev_from = :prev_from AND prev_to = :prev_to)"""


def _store_tier_counts(target: Connection, scope: Scope, windows: list[tuple[date, date]], counts_sql: str,
                       params: dict) -> None:
    missing = _missing_ranges(target, windows)
    if missing:
        _store_ranges(target, missing)
    key = _tier_counts_key(scope, windows)
    target.execute(sa.text(f"""
        INSERT INTO customer_tier_count_sets (scope_key, cur_from, cur_to, prev_from, prev_to, counts)
        SELECT :scope_key, :cur_from, :cur_to, :prev_from, :prev_to,
               coalesce(jsonb_object_agg(c.change, c.customers), '{{}}'::jsonb)
        FROM ({counts_sql}) c
        ON CONFLICT DO NOTHING"""), params | key)
    target.execute(sa.text(
        "DELETE FROM customer_tier_count_sets WHERE (scope_key, cur_from, cur_to, prev_from, prev_to) NOT IN "
        "(SELECT scope_key, cur_from, cur_to, prev_from, prev_to FROM customer_tier_count_sets "
        "ORDER BY filled_at DESC LIMIT :keep)"), {"keep": KEEP_TIER_COUNT_SETS})


def tier_counts_ready(conn: Connection, scope: Scope, windows: list[tuple[date, date]], counts_sql: str,
                      params: dict) -> dict | None:
    """The parameters to read `scope`'s stored tier-change counts between the two windows (current,
    previous) with, storing them first from `counts_sql` (rows of change and customers over the stored
    windows, run with `params`) when they are not stored; None when they cannot be read now."""
    key = _tier_counts_key(scope, windows)
    if not conn.execute(sa.text(_TIER_COUNTS_STORED), key).scalar():
        _store(conn, lambda target: _store_tier_counts(target, scope, windows, counts_sql, params))
    return key if _hold(conn) and conn.execute(sa.text(_TIER_COUNTS_STORED), key).scalar() else None


def _analyze_filled(target: Connection, table: str, added: int) -> None:
    # A fill adds rows under key values the planner has not seen (a new range, a new date): until
    # the table is analyzed it estimates them at a row or so and chooses nested loops over tens of
    # thousands. At L the first fluctuation over four new ranges took 47 s instead of 1.6 s, and the
    # weekly review's first run over its new weeks 50 s instead of 2.5 s, though the table already
    # held 700,000 rows. ANALYZE samples a fixed number of rows: 0.12 s at L.
    if added:
        target.execute(sa.text(f"ANALYZE {table}"))


def _analyze_once(target: Connection) -> None:
    # A table never analyzed (a new database) leaves the planner guessing its sizes; reading a
    # first graded set with those guesses took minutes at L. Autovacuum keeps them after that.
    for table in ("customer_window_figures", "customer_grades"):
        if target.execute(sa.text("SELECT reltuples < 0 FROM pg_class WHERE oid = CAST(:t AS regclass)"),
                          {"t": table}).scalar():
            target.execute(sa.text(f"ANALYZE {table}"))


def _store(conn: Connection, store) -> None:
    """Run store(target) where its rows will be seen: a transaction of its own, committed, when
    the caller has written nothing yet (a read's cache, kept for everyone), else the caller's own
    transaction under a savepoint (its uncommitted orders count, and go with it)."""
    standby, wrote = conn.execute(sa.text(
        "SELECT pg_is_in_recovery(), pg_current_xact_id_if_assigned() IS NOT NULL")).one()
    if standby:
        # a replica's reader (DATABASE_READ_URL) stores them on the primary, which streams them
        # back; until they have arrived the figure is computed live, and without a primary always
        primary = conn.info.get("primary_engine")
        if primary is not None:
            with primary.connect() as own:
                with own.begin():
                    if own.execute(sa.text("SELECT pg_try_advisory_xact_lock_shared(:l)"), {"l": LOCK}).scalar():
                        store(own)
                        _analyze_once(own)
        return
    if wrote:
        with conn.begin_nested():
            if conn.execute(sa.text("SELECT pg_try_advisory_xact_lock_shared(:l)"), {"l": LOCK}).scalar():
                store(conn)
                _analyze_once(conn)
        return
    with conn.engine.connect() as own:
        with own.begin():
            if own.execute(sa.text("SELECT pg_try_advisory_xact_lock_shared(:l)"), {"l": LOCK}).scalar():
                store(own)
                _analyze_once(own)


def _hold(conn: Connection) -> bool:
    """The shared lock for the rest of the caller's transaction: no write changes stored figures meanwhile."""
    return bool(conn.execute(sa.text("SELECT pg_try_advisory_xact_lock_shared(:l)"), {"l": LOCK}).scalar())


def ranges_ready(conn: Connection, ranges: list[tuple[date, date]]) -> bool:
    """Whether the figures of every range are stored (storing those missing) and may be read now."""
    if _missing_ranges(conn, ranges):
        _store(conn, lambda target: _store_ranges(target, _missing_ranges(target, ranges)))
    return _hold(conn) and not _missing_ranges(conn, ranges)


def _grades_stored(conn: Connection, scope: Scope, as_of: date) -> bool:
    return conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM customer_grade_sets WHERE as_of = :d AND scope_key = :k)"),
                        {"d": as_of, "k": scope_key(scope)}).scalar()


def grades_ready(conn: Connection, scope: Scope, as_of: date) -> bool:
    """Whether `scope`'s graded population as of `as_of` is stored (storing it if not) and may be read now."""
    if not _grades_stored(conn, scope, as_of):
        _store(conn, lambda target: _store_grades(target, scope, as_of))
    return _hold(conn) and _grades_stored(conn, scope, as_of)


# -- the day's figures, stored before anyone asks -------------------------------------------
def day_fluctuation_ranges(today: date) -> list[tuple[date, date]]:
    """The ranges fluctuation reads by default on `today` (fluctuation.stored_ranges): per kind in
    AHEAD_KINDS, the period so far, the previous period as of the days compared with, and the last
    complete period whole."""
    from dashboard.core.periods import Period, compare
    from dashboard.metrics.fluctuation import stored_ranges

    ranges = []
    for kind in AHEAD_KINDS:
        period = Period.containing(kind, today)
        ranges += stored_ranges(period, today) + stored_ranges(period.previous(), compare(period, today).previous.end)
        ranges += stored_ranges(period.previous())  # the last complete period, whole (a scorecard's default month)
    return list(dict.fromkeys(ranges))


def day_tier_periods(today: date) -> list[tuple]:
    """The (period, as_of) pairs whose tier-change counts the overview and the weekly review ask for
    by default on `today`: per kind in AHEAD_KINDS, the period so far, the previous one as of the days
    compared with, and the last complete period whole (as_of None)."""
    from dashboard.core.periods import Period, compare

    pairs = []
    for kind in AHEAD_KINDS:
        period = Period.containing(kind, today)
        pairs += [(period, today), (period.previous(), compare(period, today).previous.end), (period.previous(), None)]
    return pairs


# Which period kinds' default comparisons are stored ahead: the pages open on this month (running),
# the weekly review on this week, evaluation cycles are quarters.
AHEAD_KINDS = ("week", "month", "quarter")


def day_dates(today: date) -> tuple[list[date], list[date]]:
    """The 365-day window ends and the graded dates (company-wide) that the pages ask for by
    default on `today`: today, and per kind in AHEAD_KINDS the end of the days compared with
    (the same days of the previous period), the end of the days that one is compared with (a
    previous figure's own comparison), and the ends of the last complete period and of the one
    before it (the last complete period compared whole)."""
    from dashboard.core.periods import Period, compare

    ends, graded = [today], [today]
    for kind in AHEAD_KINDS:
        period = Period.containing(kind, today)
        before = compare(period, today).previous.end
        last = period.previous()
        ends += [before, compare(last, before).previous.end, last.end, last.previous().end]
        graded.append(before)
    return list(dict.fromkeys(ends)), list(dict.fromkeys(graded))


def day_figure_calls(today: date, abc_method: str) -> list:
    """The stored results (stored_frame) the pages and the weekly review ask for by default on
    `today`, company-wide: per kind in AHEAD_KINDS the fluctuation page's period so far (its 15
    largest movers) and the previous period as of the days compared with; the weekly review's
    week (6 movers); the grading page's population today by the configured ABC method."""
    from dashboard.core.calls import Call
    from dashboard.core.periods import Period, compare
    from dashboard.metrics import fluctuation, grading

    company = Scope.company()
    calls = []
    for kind in AHEAD_KINDS:
        period = Period.containing(kind, today)
        calls += [Call(fluctuation.fluctuation_overview, company, period, 15, as_of=today),
                  Call(fluctuation.fluctuation_summary, company, period.previous(),
                       as_of=compare(period, today).previous.end)]
    calls += [Call(fluctuation.fluctuation_overview, company, Period.containing("week", today), 6, as_of=today),
              Call(grading.grading_overview, company, today, abc_method)]
    return calls


def store_day(engine, today: date) -> dict[str, int]:
    """Store the windows and company-wide graded populations of day_dates(today), the ranges of
    day_fluctuation_ranges(today) and the company's tier-change counts of day_tier_periods(today),
    and the results of day_figure_calls(today) that are not stored yet, each in a transaction of its
    own: the first reader of the day then reads them instead of computing them. Returns how many
    ranges, graded sets, tier-count sets and results were filled now."""
    ends, graded = day_dates(today)
    filled = {"ranges": 0, "grade_sets": 0, "tier_counts": 0, "figures": 0}
    for stored in [window(end) for end in ends] + day_fluctuation_ranges(today):
        with engine.connect() as conn:
            with conn.begin():
                if not _hold(conn):  # an import holds the writers' lock: the readers compute live meanwhile
                    continue
                missing = _missing_ranges(conn, [stored])
                if missing:
                    _store_ranges(conn, missing)
                    filled["ranges"] += 1
    from dashboard.metrics import tiers

    for period, as_of in day_tier_periods(today):
        with engine.connect() as conn:
            windows = [window(day) for day in tiers._tier_ends(period, as_of)]
            if conn.execute(sa.text(_TIER_COUNTS_STORED), _tier_counts_key(Scope.company(), windows)).scalar():
                continue
            tiers.tier_change_counts(conn, Scope.company(), period, as_of=as_of)  # stores them on the side
            filled["tier_counts"] += 1
    for as_of in graded:
        with engine.connect() as conn:
            with conn.begin():
                if not _hold(conn) or _grades_stored(conn, Scope.company(), as_of):
                    continue
                _store_grades(conn, Scope.company(), as_of)
                filled["grade_sets"] += 1
    with engine.connect() as conn:
        method = conn.execute(sa.text("SELECT value FROM settings WHERE key = 'abc_method'")).scalar() or "count"
        started = conn.execute(sa.text("SELECT clock_timestamp()")).scalar()
    for call in day_figure_calls(today, method):
        with engine.connect() as conn:
            call.run(conn)  # stored on the side the first time (stored_frame); read back after that
    with engine.connect() as conn:
        filled["figures"] = conn.execute(sa.text("SELECT count(*) FROM stored_figures WHERE filled_at > :t"),
                                         {"t": started}).scalar()
    # (each fill has analyzed the table it grew: _analyze_filled)
    return filled


# -- stored figures: a heavy read's small result, kept (migration 0025) ----------------------
# The most results kept: a page shows a handful, for a few periods and scopes each.
KEEP_FIGURES = 400
# The largest result stored: the figures stored are cards and short lists.
MAX_FIGURE_ROWS = 2_000
# The column types a result is stored with: each is read back from its text exactly (JSON keeps
# the text; the cast gives the same type, so frame() builds the same DataFrame).
_STORABLE = {"text", "character varying", "smallint", "integer", "bigint", "numeric", "double precision",
             "real", "boolean", "date", "timestamp with time zone", "timestamp without time zone"}


def _figure_key(conn: Connection, figure: str, scope: Scope, key: dict) -> dict:
    # The settings are part of the key: a result read with other settings is another result.
    settings = conn.execute(sa.text("SELECT coalesce(jsonb_object_agg(key, value ORDER BY key), '{}') FROM settings")
                            ).scalar()
    params = json.dumps({"call": key, "settings": settings}, sort_keys=True, default=str, ensure_ascii=False)
    return {"figure": figure, "scope_key": scope_key(scope), "params": params}


def _figure_columns(conn: Connection, key: dict):
    return conn.execute(sa.text("SELECT columns FROM stored_figures "
                                "WHERE figure = :figure AND scope_key = :scope_key AND params = :params"), key).scalar()


def _text(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)  # Decimal, float (its shortest exact text), date, datetime


def _store_figure(target: Connection, key: dict, orders: tuple[date, date], build) -> None:
    if _figure_columns(target, key) is not None:
        return
    sql, params = build(target)  # built here: the stored ranges it may read are checked in this transaction
    result = target.execute(sa.text(sql).execution_options(timestamptz_as_text=True), params)
    try:
        names = list(result.keys())
        oids = [d.type_code for d in result.cursor.description]
        rows = result.cursor.fetchmany(MAX_FIGURE_ROWS + 1)
    finally:
        result.close()
    if len(rows) > MAX_FIGURE_ROWS:
        return
    types = target.execute(sa.text("SELECT format_type(o, NULL) FROM unnest(CAST(:o AS oid[])) WITH ORDINALITY AS u(o, n) "
                                   "ORDER BY n"), {"o": oids}).scalars().all()
    if not set(types) <= _STORABLE:
        return
    target.execute(sa.text("""
        INSERT INTO stored_figures (figure, scope_key, params, orders_from, orders_to, columns, rows)
        VALUES (:figure, :scope_key, :params, :lo, :hi, CAST(:columns AS jsonb), CAST(:rows AS jsonb))
        ON CONFLICT DO NOTHING"""), key | {
        "lo": orders[0], "hi": orders[1], "columns": json.dumps([[n, t] for n, t in zip(names, types)]),
        "rows": json.dumps([[_text(v) for v in row] for row in rows], ensure_ascii=False)})
    target.execute(sa.text("""
        DELETE FROM stored_figures WHERE (figure, scope_key, params) IN (
            SELECT figure, scope_key, params FROM stored_figures ORDER BY filled_at DESC OFFSET :keep)"""),
                   {"keep": KEEP_FIGURES})


def _read_figure_sql(columns: list) -> str:
    cells = ", ".join(f"CAST(e.r ->> {i} AS {kind}) AS \"{name.replace(chr(34), chr(34) * 2)}\""
                      for i, (name, kind) in enumerate(columns))
    return f"""SELECT {cells}
    FROM stored_figures s CROSS JOIN LATERAL jsonb_array_elements(s.rows) WITH ORDINALITY AS e(r, n)
    WHERE s.figure = :figure AND s.scope_key = :scope_key AND s.params = :params
    ORDER BY e.n"""


def stored_frame(conn: Connection, figure: str, scope: Scope, key: dict, orders: tuple[date, date], build):
    """The result of `build(connection) -> (sql, params)` for `scope`, stored the first time (its
    own transaction, as the stored ranges) and read back after that until the orders dated within
    `orders` (lo, hi), a customer's or department's name, code or place, or the tier rules change.

    `figure` names the function and `key` holds every parameter of the call besides the scope
    (the settings are added): two calls with the same key must give the same rows. The result's
    SQL may read only orders, customers, departments, tier rules and settings, and no clock.
    Computed live when it cannot be stored now (an import holds the writers' lock) or has more
    than MAX_FIGURE_ROWS rows.
    """
    from dashboard.metrics.sql import frame

    stored = _figure_key(conn, figure, scope, key)
    if _figure_columns(conn, stored) is None:
        _store(conn, lambda target: _store_figure(target, stored, orders, build))
    if _hold(conn):
        columns = _figure_columns(conn, stored)
        if columns is not None:
            return frame(conn, _read_figure_sql(columns), stored)
    sql, params = build(conn)
    return frame(conn, sql, params)
