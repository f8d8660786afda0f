"""The monthly running totals behind tiers, grading, 'new' and the volume trend.

They, and the per-department monthly volume summed from them, are pre-aggregates kept current
by triggers, so every test here compares them with the orders themselves: after inserts,
updates that move an order to another customer or month, deletes, refunds, a new latest
month and customers moving between departments, and at dates that end a month, fall inside
one, or sit next to 29 February.
"""
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

import dashboard.metrics.fluctuation  # noqa: F401 (metrics.fluctuation)
import dashboard.metrics.grading  # noqa: F401 (metrics.grading)
import dashboard.metrics.tiers  # noqa: F401 (metrics.tiers)
import dashboard.metrics.totals  # noqa: F401 (metrics.totals)
from dashboard import metrics
from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from tests.builders import add_customer, add_order, base, exec_

RECOMPUTED = """
WITH m AS (
    SELECT customer_id, date_trunc('month', order_date)::date AS month, sum(amount) AS s, count(*) AS n,
           count(*) FILTER (WHERE amount >= 0) AS p, max(order_date) FILTER (WHERE amount >= 0) AS l
    FROM orders GROUP BY 1, 2
),
grid AS (
    SELECT c.customer_id, g::date AS month
    FROM (SELECT customer_id, min(month) AS first FROM m GROUP BY 1) c
    CROSS JOIN (SELECT max(month) AS h FROM customer_running_totals) h
    CROSS JOIN generate_series(c.first, h.h, interval '1 month') g
)
SELECT g.customer_id, g.month, coalesce(m.s, 0) AS month_total, coalesce(m.n, 0) AS month_orders,
       sum(coalesce(m.s, 0)) OVER w AS total, sum(coalesce(m.p, 0)) OVER w AS purchases,
       sum(coalesce(m.n, 0)) OVER w AS orders, max(m.l) OVER w AS last_purchase_on
FROM grid g LEFT JOIN m USING (customer_id, month)
WINDOW w AS (PARTITION BY g.customer_id ORDER BY g.month)
"""


def stored(conn) -> set:
    return set(exec_(conn, "SELECT customer_id, month, month_total, month_orders, total, purchases, orders, "
                           "last_purchase_on FROM customer_running_totals").all())


DEPARTMENT_VOLUME = """
SELECT cu.department_id, date_trunc('month', o.order_date)::date, sum(o.amount), count(*), count(DISTINCT o.customer_id)
FROM orders o JOIN customers cu ON cu.id = o.customer_id GROUP BY 1, 2
"""


def assert_current(conn) -> None:
    expected = set(exec_(conn, RECOMPUTED).all())
    assert stored(conn) == expected
    assert set(exec_(conn, "SELECT * FROM department_monthly_volume").all()) == set(exec_(conn, DEPARTMENT_VOLUME).all())


def test_triggers_keep_running_totals_equal_to_the_orders(conn):
    base(conn)
    add_order(conn, "1", "C1", date(2026, 1, 15), "100.00")
    add_order(conn, "2", "C1", date(2026, 3, 2), "-30.00")           # a refund two months later
    add_order(conn, "3", "C2", date(2026, 2, 28), "50.00")
    assert_current(conn)
    # C1's February has no order: it carries January's totals
    row = exec_(conn, "SELECT month_total, total, purchases, orders, last_purchase_on FROM customer_running_totals r "
                      "JOIN customers c ON c.id = r.customer_id WHERE c.code = 'C1' AND month = '2026-02-01'").one()
    assert row == (Decimal("0.00"), Decimal("100.00"), 1, 1, date(2026, 1, 15))

    add_order(conn, "4", "C3", date(2026, 6, 1), "10.00")            # a new latest month: everyone carried to it
    assert_current(conn)
    assert exec_(conn, "SELECT count(*) FROM customer_running_totals WHERE month = '2026-06-01'").scalar() == 3

    # an update moving an order to another customer and an earlier month
    exec_(conn, "UPDATE orders SET customer_id = (SELECT id FROM customers WHERE code = 'C2'), "
                "order_date = '2025-12-31' WHERE order_no = '2'")
    assert_current(conn)
    # deleting a customer's only order removes their rows altogether
    exec_(conn, "DELETE FROM orders WHERE order_no = '4'")
    assert_current(conn)
    assert exec_(conn, "SELECT count(*) FROM customer_running_totals r JOIN customers c ON c.id = r.customer_id "
                       "WHERE c.code = 'C3'").scalar() == 0
    exec_(conn, "TRUNCATE orders")
    assert stored(conn) == set()
    assert exec_(conn, "SELECT count(*) FROM department_monthly_volume").scalar() == 0


def test_department_volume_follows_a_customer_to_another_department(conn):
    base(conn)
    add_order(conn, "1", "C1", date(2026, 1, 15), "100.00")
    add_order(conn, "2", "C1", date(2026, 1, 20), "-30.00")
    add_order(conn, "3", "C2", date(2026, 1, 5), "50.00")
    add_order(conn, "4", "C1", date(2026, 3, 2), "10.00")
    assert_current(conn)

    def volume(department):
        return exec_(conn, "SELECT v.month, v.volume, v.orders, v.customers FROM department_monthly_volume v "
                           "JOIN departments d ON d.id = v.department_id WHERE d.code = :d ORDER BY 1",
                     d=department).all()

    move = "UPDATE customers SET department_id = (SELECT id FROM departments WHERE code = :d) WHERE code = :c"
    exec_(conn, move, c="C1", d="SOUTH")     # C1 joins C2's department: January now has both
    assert_current(conn)
    assert volume("EAST-1") == []
    assert volume("SOUTH") == [(date(2026, 1, 1), Decimal("120.00"), 3, 2), (date(2026, 3, 1), Decimal("10.00"), 1, 1)]
    exec_(conn, "UPDATE customers SET name = name || ' ' WHERE code = 'C1'")    # no move: nothing changes
    assert_current(conn)
    # both swap in one statement, and an order arrives after
    exec_(conn, "UPDATE customers SET department_id = CASE code WHEN 'C1' THEN (SELECT id FROM departments WHERE code = 'EAST') "
                "ELSE (SELECT id FROM departments WHERE code = 'EAST-1') END WHERE code IN ('C1', 'C2')")
    add_order(conn, "5", "C2", date(2026, 3, 9), "7.00")
    assert_current(conn)
    assert volume("SOUTH") == []
    assert volume("EAST-1") == [(date(2026, 1, 1), Decimal("50.00"), 1, 1), (date(2026, 3, 1), Decimal("7.00"), 1, 1)]


def test_running_totals_stay_current_under_random_bulk_writes(conn):
    base(conn)
    rng = random.Random(11)
    customers = ["C1", "C2", "C3"] + [f"R{i}" for i in range(12)]
    for code in customers[3:]:
        add_customer(conn, code, "SOUTH")
    start = date(2023, 11, 1)
    rows = []
    for n in range(400):
        day = start + timedelta(days=rng.randrange(0, 1000))
        rows.append({"no": f"B{n}", "c": rng.choice(customers), "day": day,
                     "amount": Decimal(rng.randrange(-5000, 90000)) / 100})
    # one statement for many rows, as an import or the demo writes them
    exec_(conn, "INSERT INTO orders (order_no, customer_id, order_date, amount) "
                "SELECT r.no, c.id, r.day, r.amount FROM json_to_recordset(CAST(:rows AS json)) "
                "AS r(no text, c text, day date, amount numeric) JOIN customers c ON c.code = r.c",
          rows=__import__("json").dumps(rows, default=str))
    assert_current(conn)
    exec_(conn, "UPDATE orders SET order_date = order_date + 40, amount = -amount WHERE id % 7 = 0")
    assert_current(conn)
    exec_(conn, "DELETE FROM orders WHERE id % 5 = 0")
    assert_current(conn)
    exec_(conn, "UPDATE customers SET department_id = (SELECT id FROM departments WHERE code = 'EAST') "
                "WHERE code LIKE 'R%' AND right(code, 1) IN ('1', '3', '5')")
    assert_current(conn)


# 2024-03-20 and 2025-06-20 start their windows late in a month (2023-03-21, 2024-06-20), which
# is read from that month's end backwards
DATES = [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2024, 3, 20), date(2025, 2, 28),
         date(2025, 3, 1), date(2025, 6, 15), date(2025, 6, 20), date(2025, 12, 31), date(2026, 1, 1),
         date(2026, 7, 31)]


@pytest.fixture
def scattered(conn):
    """Orders on and around month ends and 29 February 2024, refunds included, in three departments."""
    base(conn)
    rng = random.Random(5)
    n = 0
    for code in ("C1", "C2", "C3"):
        day = date(2023, 1, 3)
        while day < date(2026, 9, 1):
            n += 1
            amount = Decimal(rng.randrange(-2000, 30000)) / 100
            add_order(conn, f"S{n}", code, day, amount)
            day += timedelta(days=rng.choice([1, 13, 28, 29, 30, 31, 45]))
    add_order(conn, "LEAP", "C1", date(2024, 2, 29), "77.00")
    return conn


@pytest.mark.parametrize("day", DATES)
def test_grading_window_equals_the_orders_of_the_365_days(scattered, day):
    conn = scattered
    direct = {code: (f, m, r) for code, f, m, r in exec_(conn, """
        SELECT c.code, count(*) FILTER (WHERE o.amount >= 0), sum(o.amount),
               CAST(:d AS date) - max(o.order_date) FILTER (WHERE o.amount >= 0)
        FROM orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.order_date BETWEEN CAST(:d AS date) - 364 AND :d
        GROUP BY c.code HAVING count(*) FILTER (WHERE o.amount >= 0) > 0""", d=day).all()}
    graded = metrics.grading.grading(conn, Scope.company(), day)
    got = {r.customer_code: (r.frequency, r.monetary, r.recency_days) for r in graded.itertuples()}
    assert got == direct


@pytest.mark.parametrize("period", ["2024-02", "2024-03", "2025-W09", "2025-Q1", "2026-01", "2024-02-10..2024-03-05"])
def test_tier_volumes_equal_the_orders_of_the_trailing_year(scattered, period):
    conn = scattered
    period = Period.parse(period)
    exec_(conn, "DELETE FROM tier_rules")
    exec_(conn, "INSERT INTO tier_rules (name, rank, min_amount) VALUES ('gold', 1, 1), ('silver', 2, 0.01)")

    def trailing(end):
        return dict(exec_(conn, """SELECT c.code, sum(o.amount) FROM orders o JOIN customers c ON c.id = o.customer_id
                                   WHERE o.order_date BETWEEN CAST(:e AS date) - 364 AND :e GROUP BY c.code""",
                          e=end).all())

    cur, prev = trailing(period.end), trailing(period.previous().end)
    frame = metrics.tiers.tiers(conn, Scope.company(), period)
    for row in frame.itertuples():
        assert row.current_volume == cur.get(row.customer_code, 0)
        assert row.previous_volume == prev.get(row.customer_code, 0)
    assert set(frame["customer_code"]) == {c for c in cur.keys() | prev.keys()
                                           if cur.get(c, 0) > 0 or prev.get(c, 0) > 0}


def test_new_flag_uses_every_order_before_the_period_even_a_refund(conn):
    base(conn)
    add_order(conn, "1", "C1", date(2026, 4, 30), "-5.00")    # only a refund before May: not new
    add_order(conn, "2", "C1", date(2026, 5, 3), "10.00")
    add_order(conn, "3", "C2", date(2026, 5, 1), "10.00")     # first order on the period's first day: new
    add_order(conn, "4", "C3", date(2026, 5, 9), "10.00")
    add_order(conn, "5", "C3", date(2026, 5, 8), "10.00")     # ordered on the 8th: within the period, still new
    add_order(conn, "6", "C2", date(2026, 5, 20), "10.00")
    # from 4 May, C2's order of 1 May (in the month's partial part) comes before: not new
    for period, expected in ((Period.parse("2026-05"), {"C1": "steady", "C2": "new", "C3": "new"}),
                             (Period.parse("2026-05-04..2026-05-31"), {"C1": "stopped", "C2": "steady", "C3": "new"})):
        frame = metrics.fluctuation.fluctuation(conn, Scope.company(), period).set_index("customer_code")
        assert frame["flag"].to_dict() == expected


def test_new_flag_when_the_period_starts_late_in_a_month(conn):
    """The orders before 25 May are May's running total less the orders from the 25th on."""
    assert metrics.totals.totals_at("before", date(2026, 5, 24))["before_sign"] == -1  # the path under test
    base(conn)
    add_order(conn, "1", "C1", date(2026, 5, 24), "-5.00")    # the day before: a refund, still an order
    add_order(conn, "2", "C1", date(2026, 5, 26), "10.00")
    add_order(conn, "3", "C2", date(2026, 5, 25), "10.00")    # first order on the period's first day
    add_order(conn, "4", "C2", date(2026, 5, 30), "10.00")
    add_order(conn, "5", "C3", date(2026, 4, 10), "10.00")
    add_order(conn, "6", "C3", date(2026, 5, 31), "10.00")
    frame = metrics.fluctuation.fluctuation(conn, Scope.company(), Period.parse("2026-05-25..2026-05-31")).set_index("customer_code")
    assert frame["flag"].to_dict() == {"C1": "steady", "C2": "new", "C3": "steady"}


@pytest.mark.parametrize("start,end", [(date(2024, 1, 1), date(2025, 12, 31)), (date(2024, 2, 10), date(2024, 9, 20)),
                                       (date(2025, 3, 1), date(2025, 3, 14)), (date(2025, 3, 5), date(2025, 3, 31))])
def test_volume_trend_equals_the_orders_month_by_month(scattered, start, end):
    conn = scattered
    direct = exec_(conn, """SELECT date_trunc('month', order_date)::date, sum(amount), count(*), count(DISTINCT customer_id)
                           FROM orders WHERE order_date BETWEEN :s AND :e GROUP BY 1 ORDER BY 1""", s=start, e=end).all()
    frame = metrics.fluctuation.volume_trend(conn, Scope.company(), start, end)
    assert [tuple(r) for r in frame.itertuples(index=False)] == [tuple(r) for r in direct]
    one = metrics.fluctuation.volume_trend(conn, Scope.company(), start, end, customer_code="C2")
    direct_c2 = exec_(conn, """SELECT date_trunc('month', order_date)::date, sum(amount), count(*), count(DISTINCT customer_id)
                              FROM orders o JOIN customers c ON c.id = o.customer_id
                              WHERE c.code = 'C2' AND order_date BETWEEN :s AND :e GROUP BY 1 ORDER BY 1""",
                      s=start, e=end).all()
    assert [tuple(r) for r in one.itertuples(index=False)] == [tuple(r) for r in direct_c2]
    east = metrics.fluctuation.volume_trend(conn, Scope("EAST"), start, end)    # EAST and EAST-1: C1 and C3
    direct_east = exec_(conn, """SELECT date_trunc('month', order_date)::date, sum(amount), count(*), count(DISTINCT customer_id)
                                FROM orders o JOIN customers c ON c.id = o.customer_id
                                WHERE c.code IN ('C1', 'C3') AND order_date BETWEEN :s AND :e GROUP BY 1 ORDER BY 1""",
                        s=start, e=end).all()
    assert [tuple(r) for r in east.itertuples(index=False)] == [tuple(r) for r in direct_east]
