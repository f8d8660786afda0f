"""The stored figures behind tiers and grading (migration 0021, docs/snapshots.md).

A read stores each customer's figures over a 365-day window and each graded population once;
triggers keep them current. Every test compares what the product reads (the stored rows) with
the live computation from the running totals and with the orders themselves, after the writes
that change them: inserts, deletes, orders moved between customers and months, customers and
departments moved, one large statement, tier rule and setting changes.
"""
import random
import threading
from datetime import date, timedelta

from dashboard.core.periods import Period, compare
from dashboard.core.scope import Scope
from dashboard.metrics import fluctuation, grading, snapshots, tiers
from dashboard.metrics.sql import frame
from tests.builders import add_customer, add_order, base, exec_

D = date(2026, 5, 20)
MONTH = Period.containing("month", date(2026, 4, 1))
SCOPES = (Scope.company(), Scope("EAST"), Scope("SOUTH"))


def live_grading(conn, scope, as_of):
    sql = grading._GRADING + f"SELECT {', '.join(grading._GRADING_COLUMNS)} FROM ({grading._GRADED_CUSTOMERS}) g ORDER BY abc_rank"
    return frame(conn, sql, grading._grading_params(as_of) | {"department": scope.department, "abc_method": None,
                                                                "limit": None})


def live_abc(conn, scope, as_of, method):
    sql = (grading._GRADING + grading._GRADING_TOTALS + grading._ABC_PER_CLASS + " ORDER BY 2")
    return grading.abc_rows(frame(conn, sql, grading._grading_params(as_of) | {"department": scope.department,
                                                                              "abc_method": method}))


def live_overview(conn, scope, as_of, method):
    sql = grading._GRADING + grading._LIVE_SUMMARY + f""",
    listed AS ({grading._GRADED_CUSTOMERS})
    SELECT 'customer' AS kind, NULL AS key, NULL AS customers, monetary, NULL AS customer_share,
           NULL AS revenue_share, abc_rank AS position,
           {', '.join(c for c in grading._GRADING_COLUMNS if c != "monetary")}
    FROM listed
    UNION ALL
    SELECT *, {", ".join("NULL" for c in grading._GRADING_COLUMNS if c != "monetary")} FROM summary
    ORDER BY 1, 2, 7"""
    return frame(conn, sql, grading._grading_params(as_of) | {"department": scope.department, "abc_method": method,
                                                                "points": 7, "limit": 5})


def live_tiers(conn, scope, period, as_of=None):
    return frame(conn, tiers._TIERS + tiers._TIER_ROWS.format(source="changes"),
                 tiers._tier_params(scope, period, as_of) | {"changes": None, "limit": None})


def live_tier_counts(conn, scope, period, as_of=None):
    return frame(conn, tiers._TIERS + tiers._TIER_COUNTS.format(source="changes"),
                 tiers._tier_params(scope, period, as_of))


def live_fluctuation(conn, scope, period, as_of=None):
    sql, params = fluctuation.fluctuation_sql(scope, period, as_of)  # no connection: from the orders
    return frame(conn, f"SELECT * FROM ({sql}) f ORDER BY customer_code", params)


def live_matrix(conn, scope, period, as_of=None):
    return frame(conn, tiers._TIERS + tiers._TIER_MATRIX.format(source="changes"),
                 tiers._tier_params(scope, period, as_of))


def live_fluctuation_summary(conn, scope, period, as_of=None):
    sql, params = fluctuation.fluctuation_sql(scope, period, as_of, named=False)
    return frame(conn, f"SELECT {fluctuation._SUMMARY_SELECT} FROM ({sql}) f", params)


def live_fluctuation_overview(conn, scope, period, as_of=None, limit=3):
    sql, params = fluctuation.fluctuation_sql(scope, period, as_of, named=False)
    return frame(conn, fluctuation.overview_sql(sql), params | {"drops": list(fluctuation.DROP_FLAGS),
                                                               "surges": list(fluctuation.SURGE_FLAGS), "limit": limit})


def live_grading_summary(conn, scope, as_of, method):
    sql = grading._GRADING + grading._LIVE_SUMMARY + " SELECT * FROM summary ORDER BY 1, 2, 7"
    return frame(conn, sql, grading._grading_params(as_of) | {"department": scope.department, "abc_method": method,
                                                                "points": 7})


def stored_figure(conn, figure, scope):
    return exec_(conn, "SELECT count(*) FROM stored_figures WHERE figure = :f AND scope_key = :k",
                 f=figure, k=snapshots.scope_key(scope)).scalar() > 0


# each stored window recomputed from the orders
WINDOWS_FROM_ORDERS = """
SELECT r.range_from, r.range_to, o.customer_id, sum(o.amount), count(*) FILTER (WHERE o.amount >= 0), count(*),
       max(o.order_date) FILTER (WHERE o.amount >= 0)
FROM customer_window_ranges r JOIN orders o ON o.order_date BETWEEN r.range_from AND r.range_to
GROUP BY 1, 2, 3"""


def assert_current(conn, as_of=D, period=MONTH):
    for scope in SCOPES:
        stored = grading.grading(conn, scope, as_of)
        assert exec_(conn, "SELECT count(*) FROM customer_grade_sets WHERE as_of = :d AND scope_key = :k",
                     d=as_of, k=snapshots.scope_key(scope)).scalar() == 1  # read from the stored set
        assert stored.equals(live_grading(conn, scope, as_of)), scope
        for method in (None, "count", "value"):
            assert grading.grading_overview(conn, scope, as_of, method, points=7, limit=5).equals(
                live_overview(conn, scope, as_of, method)), (scope, method)
            assert grading.grading_abc(conn, scope, as_of, method).equals(live_abc(conn, scope, as_of, method)), \
                (scope, method)
            for _ in range(2):  # stored by the first call, read back by the second
                assert grading.grading_summary(conn, scope, as_of, method, points=7).equals(
                    live_grading_summary(conn, scope, as_of, method)), (scope, method)
        assert stored_figure(conn, "grading.grading_summary", scope)
        assert stored_figure(conn, "grading.grading_overview", scope)
        assert tiers.tiers(conn, scope, period).equals(live_tiers(conn, scope, period)), scope
        assert tiers.tiers(conn, scope, Period.containing("month", as_of), as_of=as_of).equals(
            live_tiers(conn, scope, Period.containing("month", as_of), as_of)), scope
        for period, day in ((period, None), (Period.containing("month", as_of), as_of),
                            (Period.containing("week", as_of), as_of)):
            counts = tiers.tier_change_counts(conn, scope, period, as_of=day)
            assert counts.equals(live_tier_counts(conn, scope, period, day)), (scope, period)
            ends = [snapshots.window(end) for end in tiers._tier_ends(period, day)]
            assert exec_(conn, snapshots._TIER_COUNTS_STORED, **snapshots._tier_counts_key(scope, ends)).scalar()
            for _ in range(2):  # stored by the first call, read back by the second
                assert tiers.tier_matrix(conn, scope, period, as_of=day).equals(
                    live_matrix(conn, scope, period, day)), (scope, period)
                assert fluctuation.fluctuation_summary(conn, scope, period, as_of=day).equals(
                    live_fluctuation_summary(conn, scope, period, day)), (scope, period)
                assert fluctuation.fluctuation_overview(conn, scope, period, 3, as_of=day).equals(
                    live_fluctuation_overview(conn, scope, period, day)), (scope, period)
            stored = fluctuation.fluctuation(conn, scope, period, as_of=day)
            assert stored.equals(live_fluctuation(conn, scope, period, day)), (scope, period)
            assert set(fluctuation.stored_ranges(period, day)) <= set(exec_(
                conn, "SELECT range_from, range_to FROM customer_window_ranges").all())  # read from the stored ranges
    assert set(exec_(conn, "SELECT * FROM customer_window_figures").all()) == \
        set(exec_(conn, WINDOWS_FROM_ORDERS).all())
    for figure in ("tiers.tier_matrix", "fluctuation.fluctuation_summary", "fluctuation.fluctuation_overview"):
        assert stored_figure(conn, figure, Scope("EAST")), figure


def seed(conn, customers=24, orders=500, rng=None):
    rng = rng or random.Random(27)
    base(conn)
    departments = ["EAST", "EAST-1", "SOUTH"]
    for i in range(4, customers + 1):
        add_customer(conn, f"C{i}", departments[i % 3])
    for n in range(orders):
        day = D - timedelta(days=rng.randrange(800))
        amount = rng.choice(["-500.00", "0.00"]) if n % 17 == 0 else f"{rng.randrange(1, 400000)}.{rng.randrange(100):02d}"
        add_order(conn, f"O{n}", f"C{rng.randrange(1, customers + 1)}", day, amount)


def test_stored_figures_follow_every_change(conn):
    seed(conn)
    assert_current(conn)
    ranges = exec_(conn, "SELECT count(*) FROM customer_window_ranges").scalar()
    assert ranges >= 3

    add_order(conn, "N1", "C5", D - timedelta(days=3), "999999.00")  # a new top customer
    assert exec_(conn, "SELECT count(*) FROM customer_window_ranges").scalar() == ranges  # kept, updated in place
    assert_current(conn)
    exec_(conn, "DELETE FROM orders WHERE order_no IN ('O1', 'O2', 'O3')")
    assert_current(conn)
    # an order moved to another customer and another month, and a refund's amount changed
    exec_(conn, "UPDATE orders SET customer_id = (SELECT id FROM customers WHERE code = 'C2'), "
                "order_date = order_date - 200 WHERE order_no = 'O10'")
    exec_(conn, "UPDATE orders SET amount = -amount - 1 WHERE order_no = 'O17'")
    assert_current(conn)
    # a customer moves from EAST-1 to SOUTH; a department moves under another parent; a code changes
    exec_(conn, "UPDATE customers SET department_id = (SELECT id FROM departments WHERE code = 'SOUTH') "
                "WHERE code = 'C1'")
    assert_current(conn)
    exec_(conn, "UPDATE departments SET parent_id = (SELECT id FROM departments WHERE code = 'SOUTH') "
                "WHERE code = 'EAST-1'")
    assert_current(conn)
    exec_(conn, "UPDATE customers SET code = 'A0' WHERE code = 'C7'")
    assert_current(conn)
    # names are shown in the largest movers and the graded list
    exec_(conn, "UPDATE customers SET name = 'Renamed' WHERE code = 'C5'")
    assert_current(conn)
    exec_(conn, "UPDATE departments SET code = 'EAST-X' WHERE code = 'EAST-1'")
    assert_current(conn)
    # a customer with no orders yet is in no figure until it orders
    add_customer(conn, "C-NEW", "SOUTH")
    assert_current(conn)
    # tier rules and the grading settings are applied when read
    exec_(conn, "UPDATE tier_rules SET min_amount = 150000 WHERE name = 'Gold'")
    for key, value in (("value_band_high", "1.5"), ("abc_method", '"value"')):
        exec_(conn, "INSERT INTO settings (key, value) VALUES (:k, CAST(:v AS jsonb)) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", k=key, v=value)
    assert_current(conn)


def test_a_large_statement_drops_the_ranges_it_touches(conn):
    seed(conn, customers=12, orders=100)
    assert_current(conn)
    # 600 new customers with an order each in one statement: past the in-place limit of 500
    exec_(conn, "INSERT INTO customers (code, name, department_id) SELECT 'B' || g, 'B', "
                "(SELECT id FROM departments WHERE code = 'SOUTH') FROM generate_series(1, 600) g")
    exec_(conn, "INSERT INTO orders (order_no, customer_id, order_date, amount) "
                "SELECT 'B' || cu.code, cu.id, CAST(:d AS date) - 10, 100 FROM customers cu WHERE cu.code LIKE 'B%'", d=D)
    assert exec_(conn, "SELECT count(*) FROM customer_window_ranges "
                       "WHERE range_from <= :d - 10 AND range_to >= :d - 10", d=D).scalar() == 0
    assert_current(conn)
    assert len(grading.grading(conn, Scope("SOUTH"), D)) > 600


def test_a_head_reads_only_their_subtree(conn):
    seed(conn)
    grading.grading(conn, Scope.company(), D)  # the company's set stored first
    east = set(exec_(conn, "SELECT cu.code FROM customers cu JOIN departments d ON d.id = cu.department_id "
                           "WHERE d.code IN ('EAST', 'EAST-1')").scalars())
    for scope in (Scope("EAST"), Scope("EAST-1")):
        assert set(grading.grading(conn, scope, D)["customer_code"]) <= east
        assert set(tiers.tiers(conn, scope, MONTH)["customer_code"]) <= east
    south = grading.grading(conn, Scope("SOUTH"), D)
    assert not set(south["customer_code"]) & east and len(south) > 0
    assert grading.grading(conn, Scope("NOWHERE"), D).empty


def test_the_stored_figures_are_bounded(conn):
    seed(conn, customers=6, orders=60)
    asked = max(snapshots.KEEP_GRADE_SETS, snapshots.KEEP_RANGES) + 5
    for i in range(asked):
        grading.grading_abc(conn, Scope.company(), D - timedelta(days=i))
    assert exec_(conn, "SELECT count(*) FROM customer_grade_sets").scalar() == snapshots.KEEP_GRADE_SETS
    assert exec_(conn, "SELECT count(*) FROM customer_window_ranges").scalar() == snapshots.KEEP_RANGES
    # the latest asked are kept
    assert exec_(conn, "SELECT min(as_of) FROM customer_grade_sets").scalar() == D - timedelta(days=asked - 1)
    assert_current(conn, as_of=D - timedelta(days=asked - 1))


def test_a_read_stores_for_everyone_and_concurrent_reads_agree(engine):
    with engine.begin() as conn:
        seed(conn, customers=30, orders=400)
    results, errors = [], []

    def read():
        try:
            with engine.connect() as conn:  # each rolls back: the figures were stored on the side
                results.append(grading.grading(conn, Scope.company(), D))
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    with engine.connect() as conn:
        assert exec_(conn, "SELECT count(*) FROM customer_grade_sets").scalar() == 1
        live = live_grading(conn, Scope.company(), D)
    assert all(r.equals(live) for r in results)
    # a committed order from another session updates what everyone reads next
    with engine.begin() as conn:
        add_order(conn, "LATE", "C9", D, "99999999.00")
    with engine.connect() as conn:
        assert grading.grading(conn, Scope.company(), D).equals(live_grading(conn, Scope.company(), D))
        assert grading.grading(conn, Scope.company(), D, limit=1)["customer_code"].iloc[0] == "C9"


def test_callbacks_and_scorecards_read_the_stored_figures(engine):
    """The callback schedule's classes and the scorecard's tier changes come from the stored figures
    (one read, not a grading per figure) and equal what the live computation gives."""
    import pandas as pd
    import sqlalchemy as sa

    from dashboard.metrics import callbacks, scorecard

    with engine.begin() as conn:
        seed(conn, customers=30, orders=400)
        exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S1'), "
                    "created_on = CAST(:d AS date) - 400", d=D)
        exec_(conn, "INSERT INTO customer_callbacks (customer_id, called_on, method, result, staff_id) "
                    "SELECT id, CAST(:d AS date) - 20, 'phone', 'satisfied', owner_staff_id FROM customers "
                    "WHERE code IN ('C4', 'C5', 'C6')", d=D)

    def figures(conn):
        return {"due": callbacks.callback_due(conn, Scope.company(), D),
                "rates": callbacks.callback_rates(conn, Scope("EAST"), D),
                # each owner's tier changes and volumes behind the scorecard's customer KPIs
                "cards": pd.DataFrame(scorecard._customers(conn, Scope.company(), Period.parse("2026-Q2"), D)).T}

    with engine.connect() as conn:
        stored = figures(conn)
        assert exec_(conn, "SELECT count(*) FROM customer_grade_sets WHERE as_of = :d", d=D).scalar() == 2
        assert exec_(conn, "SELECT count(*) FROM customer_window_ranges").scalar() >= 2
    # with the writers' lock held elsewhere a reader may not read stored rows: it computes live
    with engine.connect() as blocker:
        blocker.execute(sa.text("SELECT pg_advisory_lock(:l)"), {"l": snapshots.LOCK})
        with engine.connect() as conn:
            live = figures(conn)
        blocker.execute(sa.text("SELECT pg_advisory_unlock(:l)"), {"l": snapshots.LOCK})
    assert len(stored["due"]) > 0 and set(stored["due"]["abc_class"].dropna()) >= {"A", "C"}
    assert stored["cards"].loc["S1", "tiered"] > 0 and stored["cards"].loc["S1", "upgrade_rate"] is not None
    for name in stored:
        assert stored[name].equals(live[name]), name


def test_the_days_figures_are_stored_before_the_first_reader(engine):
    """What the server's start stores (startup.store_figures_daily): the windows and company-wide graded
    sets the pages ask for by default, so the first reader of the day reads them instead of filling them."""
    ends, graded = snapshots.day_dates(date(2026, 12, 2))
    # today; the same days of last week, month and quarter; those figures' own comparisons; the ends of
    # the last complete periods and of the ones before them
    assert ends == [date(2026, 12, 2), date(2026, 11, 25), date(2026, 11, 18), date(2026, 11, 29),
                    date(2026, 11, 22), date(2026, 11, 2), date(2026, 10, 2), date(2026, 11, 30), date(2026, 10, 31),
                    date(2026, 9, 1), date(2026, 6, 2), date(2026, 9, 30), date(2026, 6, 30)]
    assert graded == [date(2026, 12, 2), date(2026, 11, 25), date(2026, 11, 2), date(2026, 9, 1)]
    with engine.begin() as conn:
        seed(conn, customers=12, orders=100)
    ends, graded = snapshots.day_dates(D)
    ranges = set(map(snapshots.window, ends)) | set(snapshots.day_fluctuation_ranges(D))
    assert snapshots.store_day(engine, D) == {"ranges": len(ranges), "grade_sets": len(graded),
                                              "tier_counts": len(snapshots.day_tier_periods(D)),
                                              "figures": len(snapshots.day_figure_calls(D, "count"))}
    assert snapshots.store_day(engine, D) == {"ranges": 0, "grade_sets": 0, "tier_counts": 0, "figures": 0}  # once a day
    with engine.connect() as conn:
        before = exec_(conn, "SELECT (SELECT count(*) FROM customer_window_ranges), "
                             "(SELECT count(*) FROM customer_grade_sets), "
                             "(SELECT count(*) FROM customer_tier_count_sets), "
                             "(SELECT count(*) FROM stored_figures)").one()
        month = Period.containing("month", D)
        grading.grading_abc(conn, Scope.company(), D, None)
        tiers.tier_overview(conn, Scope.company(), month, as_of=D)
        tiers.tier_change_counts(conn, Scope.company(), month.previous(), as_of=date(2026, 4, 20))
        fluctuation.fluctuation_overview(conn, Scope.company(), month, 15, as_of=D)  # the fluctuation page
        fluctuation.fluctuation_summary(conn, Scope.company(), month.previous(), as_of=date(2026, 4, 20))
        fluctuation.fluctuation_overview(conn, Scope.company(), Period.containing("week", D), 6, as_of=D)  # the review
        fluctuation.fluctuation(conn, Scope.company(), month.previous(), limit=5)  # last month, whole
        tiers.tier_change_counts(conn, Scope.company(), month.previous())
        fluctuation.fluctuation_summary(conn, Scope.company(), month.previous(),
                                        as_of=compare(month, D).previous.end)
        grading.grading_overview(conn, Scope.company(), D, "count")  # the grading page
        assert exec_(conn, "SELECT (SELECT count(*) FROM customer_window_ranges), "
                           "(SELECT count(*) FROM customer_grade_sets), "
                           "(SELECT count(*) FROM customer_tier_count_sets), "
                           "(SELECT count(*) FROM stored_figures)").one() == before
        assert grading.grading(conn, Scope.company(), D).equals(live_grading(conn, Scope.company(), D))
