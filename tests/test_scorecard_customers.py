"""The scorecard's customer KPIs (docs/quality.md, "Scorecards"): the tier changes, new customers
and volume change of the customers a person owns, and their service cost; lower-is-better bands
mirrored, ties at a band edge, a person without customers, an owner change, scope."""
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from dashboard.core.scope import Scope
from dashboard.metrics import scorecard
from tests.builders import add_complaint, add_customer, add_order, base, exec_, local

PERIOD, AS_OF = "2026-05", date(2026, 6, 30)


def staff(conn, no, department):
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT :n, :n || '名', id, 'agent' "
                "FROM departments WHERE code = :d", n=no, d=department)


def own(conn, staff_no, *codes):
    exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = :s) "
                "WHERE code = ANY(:c)", s=staff_no, c=list(codes))


def cost(conn, no, staff_no, department, day, amount):
    exec_(conn, """INSERT INTO cost_entries (entry_no, entry_date, department_id, staff_id, category, amount)
                   SELECT :no, :day, d.id, s.id, 'people', :amount FROM departments d, staff s
                   WHERE d.code = :d AND s.staff_no = :s""", no=no, day=day, d=department, s=staff_no, amount=amount)


@pytest.fixture
def book(conn):
    """A1 (EAST) owns U (upgraded), D (downgraded), L (lost), N (new in May), S (SOUTH, lost);
    A2 owns nothing. Both handled a complaint in May, so both have a scorecard."""
    base(conn)
    staff(conn, "A1", "EAST")
    staff(conn, "A2", "EAST")
    for code, department in (("U", "EAST"), ("D", "EAST"), ("L", "EAST"), ("N", "EAST"), ("S", "SOUTH")):
        add_customer(conn, code, department)
    add_order(conn, "u1", "U", date(2026, 3, 1), "30000.00")     # Silver at 30 April
    add_order(conn, "u2", "U", date(2026, 4, 10), "10000.00")    # April volume 10,000
    add_order(conn, "u3", "U", date(2026, 5, 10), "80000.00")    # 120,000 by 31 May: Gold
    add_order(conn, "d1", "D", date(2025, 5, 15), "150000.00")   # Gold at 30 April, out of the window by 31 May
    add_order(conn, "d2", "D", date(2025, 6, 10), "30000.00")    # Silver at 31 May
    add_order(conn, "l1", "L", date(2025, 5, 20), "5000.00")     # Regular at 30 April, none at 31 May
    add_order(conn, "s1", "S", date(2025, 5, 20), "5000.00")     # likewise, in SOUTH
    add_order(conn, "n1", "N", date(2026, 5, 5), "1000.00")      # the first order ever, in May
    own(conn, "A1", "U", "D", "L", "N", "S")
    for no, who in (("T1", "A1"), ("T2", "A2")):
        add_complaint(conn, no, "C3", local(2026, 5, 3, 9), "urgent", resolved=local(2026, 5, 3, 10))
        exec_(conn, "UPDATE complaints SET handler_staff_id = (SELECT id FROM staff WHERE staff_no = :s) "
                    "WHERE complaint_no = :no", s=who, no=no)
    return conn


def kpis_of(conn, scope, staff_no):
    return scorecard.scorecard(conn, scope, staff_no, PERIOD, AS_OF).set_index("kpi")


def test_the_tier_changes_new_customers_and_volume_of_the_customers_owned(book):
    kpis = kpis_of(book, Scope.company(), "A1")
    # tiered at 30 April: U, D, L, S (N had no order yet); one upgrade, one downgrade, two lost
    assert kpis.loc["upgrade_rate", "actual"] == Decimal("0.2500") and kpis.loc["upgrade_rate", "base"] == 4
    assert kpis.loc["downgrade_rate", "actual"] == Decimal("0.2500")
    assert kpis.loc["lost_rate", "actual"] == Decimal("0.5000")
    # a downgrade or a loss above target is worse: below target; upgrades 25 % > 10 % × 1.2
    assert kpis.loc["downgrade_rate", "band"] == "below" and kpis.loc["lost_rate", "band"] == "below"
    assert kpis.loc["upgrade_rate", "band"] == "far_above"
    # N only: 1 against 2 a month
    assert kpis.loc["new_customers", "actual"] == 1 and kpis.loc["new_customers", "band"] == "below"
    # May 81,000 against April 10,000
    assert kpis.loc["volume_change", "actual"] == Decimal("7.1000")
    assert kpis.loc["volume_change", "base"] == Decimal("10000.00")


def test_service_cost_is_worse_when_higher_and_ties_at_the_band_edges(book):
    assert [scorecard.band(a, 2000, lower_is_better=True) for a in
            ("1599.99", "1600", "1999.99", "2000", "2000.01")] == ["far_above", "above", "above", "at", "below"]
    # 20 % of a target is of its size: a volume change target of -5 % bands like a positive one
    assert [scorecard.band(a, "-0.05") for a in ("-0.039", "-0.04", "-0.049", "-0.05", "-0.051")] == \
        ["far_above", "above", "above", "at", "below"]
    cost(book, "E1", "A1", "EAST", date(2026, 5, 1), "1200.00")
    cost(book, "E2", "A1", "EAST", date(2026, 5, 31), "800.00")
    cost(book, "E3", "A1", "EAST", date(2026, 6, 1), "999.00")    # June: not May's
    cost(book, "E4", "A2", "SOUTH", date(2026, 5, 2), "10.00")    # a SOUTH entry of A2
    kpis = kpis_of(book, Scope.company(), "A1")
    assert kpis.loc["service_cost", "actual"] == Decimal("2000.00") and kpis.loc["service_cost", "band"] == "at"
    assert kpis.loc["service_cost", "points"] == 80 and kpis.loc["service_cost", "target"] == 2000
    # a quarter's target is three months'
    quarter = scorecard.scorecard(book, Scope.company(), "A1", "2026-Q2", AS_OF).set_index("kpi")
    assert quarter.loc["service_cost", "target"] == 6000 and quarter.loc["new_customers", "target"] == 6
    # a cost entry of a department outside the scope is not counted
    assert kpis_of(book, Scope("EAST"), "A2").loc["service_cost", "actual"] is None
    assert kpis_of(book, Scope.company(), "A2").loc["service_cost", "actual"] == Decimal("10.00")


def test_a_person_without_customers_has_no_customer_kpis_and_the_total_is_unchanged(book):
    kpis = kpis_of(book, Scope.company(), "A2")
    for kpi in scorecard.CUSTOMER_KPIS:
        assert kpis.loc[kpi, "actual"] is None and pd.isna(kpis.loc[kpi, "points"]), kpi
    # achievement 90 × 20 and callbacks (none of 1) 50 × 10 and workload 50 × 5 only: 2550 / 35 = 72.86
    assert scorecard.total_of(kpis.reset_index(), book)[0] == Decimal("72.86")


def test_a_customer_counts_for_its_owner_now_even_when_it_changed_owner_in_the_period(book):
    # D was A2's until 20 May, then A1's: its downgrade is A1's
    exec_(book, """INSERT INTO customer_owner_history (customer_id, staff_id, started_on, ended_on)
                   SELECT c.id, s.id, DATE '2025-01-01', DATE '2026-05-20' FROM customers c, staff s
                   WHERE c.code = 'D' AND s.staff_no = 'A2'""")
    assert kpis_of(book, Scope.company(), "A1").loc["downgrade_rate", "actual"] == Decimal("0.2500")
    assert kpis_of(book, Scope.company(), "A2").loc["downgrade_rate", "actual"] is None
    own(book, "A2", "D")
    assert kpis_of(book, Scope.company(), "A2").loc["downgrade_rate", "actual"] == Decimal("1.0000")
    assert kpis_of(book, Scope.company(), "A1").loc["downgrade_rate", "actual"] == Decimal("0.0000")


def test_customers_outside_the_scope_are_not_counted(book):
    east = kpis_of(book, Scope("EAST"), "A1")
    # S (SOUTH) is left out: U, D, L tiered, L lost
    assert east.loc["lost_rate", "actual"] == Decimal("0.3333") and east.loc["lost_rate", "base"] == 3
    assert kpis_of(book, Scope("SOUTH"), "A1").empty


def test_a_kpi_reads_in_its_own_unit():
    assert [scorecard.kpi_text(k, v) for k, v in (("service_cost", Decimal("2000")), ("lost_rate", Decimal("0.05")),
                                                   ("volume_change", Decimal("-0.125")), ("new_customers", 2),
                                                   ("csat", Decimal("4.5")), ("upgrade_rate", None))] == \
        ["¥2,000.00", "5.0%", "-12.5%", "2", "4.50", "—"]
    assert scorecard.base_text("volume_change", Decimal("150003.16"), "zh") == "¥15.0万"
    assert scorecard.base_text("volume_change", None, "en") == "—" and scorecard.base_text("lost_rate", 29, "en") == "29"
