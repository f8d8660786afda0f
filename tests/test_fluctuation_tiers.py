"""Fluctuation flags at the 30% edges, refunds, yoy; tiers at thresholds and their changes."""
from datetime import date
from decimal import Decimal

import dashboard.metrics.fluctuation  # noqa: F401 (metrics.fluctuation)
import dashboard.metrics.grading  # noqa: F401 (metrics.grading)
import dashboard.metrics.tiers  # noqa: F401 (metrics.tiers)
from dashboard import metrics
from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from tests.builders import add_customer, add_order, base, exec_

MAY = Period.parse("2026-05")


def flags(conn, period=MAY):
    frame = metrics.fluctuation.fluctuation(conn, Scope.company(), period)
    return frame.set_index("customer_code")


def test_flags_first_rule_wins_and_thirty_percent_is_inclusive(conn):
    base(conn)
    for code in ("D30", "D29", "U30", "STOP", "NEW", "OLDNEW"):
        add_customer(conn, code, "EAST-1")
    add_order(conn, "1", "D30", date(2026, 4, 10), "100.00")
    add_order(conn, "2", "D30", date(2026, 5, 10), "70.00")        # exactly -30%: drop
    add_order(conn, "3", "D29", date(2026, 4, 10), "100.00")
    add_order(conn, "4", "D29", date(2026, 5, 10), "70.01")        # -29.99%: steady
    add_order(conn, "5", "U30", date(2026, 4, 30), "100.00")
    add_order(conn, "6", "U30", date(2026, 5, 1), "130.00")        # +30% on the period's first day: surge
    add_order(conn, "7", "STOP", date(2026, 4, 1), "50.00")        # stopped
    add_order(conn, "8", "NEW", date(2026, 5, 31), "10.00")        # new, on the last day
    add_order(conn, "9", "OLDNEW", date(2025, 1, 5), "10.00")
    add_order(conn, "10", "OLDNEW", date(2026, 5, 5), "10.00")     # ordered before: not new; prev 0 -> steady
    f = flags(conn)
    assert f.loc["D30", "flag"] == "drop" and f.loc["D30", "change_pct"] == Decimal("-0.3000")
    assert f.loc["D29", "flag"] == "steady"
    assert f.loc["U30", "flag"] == "surge"
    assert f.loc["STOP", "flag"] == "stopped" and f.loc["STOP", "volume"] == Decimal("0.00")
    assert f.loc["NEW", "flag"] == "new"
    assert f.loc["OLDNEW", "flag"] == "steady" and f.loc["OLDNEW", "change_pct"] is None


def test_overview_has_the_summary_and_the_largest_drops_and_surges_of_the_view(conn):
    base(conn)
    for i in range(5):
        for code, before, now in ((f"D{i}", 100 + i, 10), (f"S{i}", 10, 100 + 10 * i), (f"T{i}", 50, 50)):
            add_customer(conn, code, "EAST-1")
            add_order(conn, f"{code}a", code, date(2026, 4, 10), f"{before}.00")
            add_order(conn, f"{code}b", code, date(2026, 5, 10), f"{now}.00")
    add_customer(conn, "GONE", "EAST-1")
    add_order(conn, "gone", "GONE", date(2026, 4, 2), "500.00")    # stopped: the largest drop
    overview = metrics.fluctuation.fluctuation_overview(conn, Scope.company(), MAY, limit=3)
    assert metrics.fluctuation.extreme_rows(overview, "drops")["customer_code"].tolist() == ["GONE", "D4", "D3"]
    assert metrics.fluctuation.extreme_rows(overview, "surges")["customer_code"].tolist() == ["S4", "S3", "S2"]
    for part, flags in (("drops", metrics.fluctuation.DROP_FLAGS), ("surges", metrics.fluctuation.SURGE_FLAGS)):
        view = metrics.fluctuation.fluctuation(conn, Scope.company(), MAY, flags=flags, largest=part, limit=3)
        assert metrics.fluctuation.extreme_rows(overview, part).equals(view)
    summary = metrics.fluctuation.summary_row(overview)
    assert summary.equals(metrics.fluctuation.fluctuation_summary(conn, Scope.company(), MAY))
    assert summary.iloc[0][["customers", "drop", "stopped", "surge", "steady"]].tolist() == [16, 5, 1, 5, 5]


def test_largest_drops_cut_through_a_tie_by_customer_code(conn):
    base(conn)
    for code in ("Q3", "Q1", "Q4", "Q2"):      # the same drop of 90.00 each
        add_customer(conn, code, "EAST-1")
        add_order(conn, f"{code}a", code, date(2026, 4, 10), "100.00")
        add_order(conn, f"{code}b", code, date(2026, 5, 10), "10.00")
    add_customer(conn, "BIG", "EAST-1")
    add_order(conn, "big", "BIG", date(2026, 4, 10), "1000.00")    # stopped: the largest drop
    for limit, expected in ((1, ["BIG"]), (2, ["BIG", "Q1"]), (3, ["BIG", "Q1", "Q2"]), (9, ["BIG", "Q1", "Q2", "Q3", "Q4"])):
        drops = metrics.fluctuation.extreme_rows(metrics.fluctuation.fluctuation_overview(conn, Scope.company(), MAY, limit=limit), "drops")
        assert drops["customer_code"].tolist() == expected
        assert drops.equals(metrics.fluctuation.fluctuation(conn, Scope.company(), MAY, flags=metrics.fluctuation.DROP_FLAGS, largest="drops",
                                                        limit=limit))
    empty = metrics.fluctuation.fluctuation_overview(conn, Scope.company(), Period.parse("2020-01"), limit=3)
    assert metrics.fluctuation.extreme_rows(empty, "drops").empty
    assert metrics.fluctuation.summary_row(empty).iloc[0]["customers"] == 0


def test_refunds_are_negative_volume_and_pct_is_empty_when_previous_not_positive(conn):
    base(conn)
    add_order(conn, "1", "C1", date(2026, 4, 3), "100.00")
    add_order(conn, "2", "C1", date(2026, 4, 4), "-100.00")        # previous volume 0
    add_order(conn, "3", "C1", date(2026, 5, 3), "80.00")
    add_order(conn, "4", "C1", date(2026, 5, 4), "-20.00")
    add_order(conn, "5", "C1", date(2025, 5, 9), "40.00")
    row = flags(conn).loc["C1"]
    assert row["volume"] == Decimal("60.00") and row["previous_volume"] == Decimal("0.00")
    assert row["change_pct"] is None and row["flag"] == "steady"
    assert row["yoy_volume"] == Decimal("40.00") and row["yoy_pct"] == Decimal("0.5000")


def test_threshold_is_a_setting(conn):
    base(conn)
    add_order(conn, "1", "C1", date(2026, 4, 10), "100.00")
    add_order(conn, "2", "C1", date(2026, 5, 10), "80.00")
    assert flags(conn).loc["C1", "flag"] == "steady"
    exec_(conn, "UPDATE settings SET value = '0.20' WHERE key = 'fluctuation_threshold'")
    assert flags(conn).loc["C1", "flag"] == "drop"


def test_rows_include_customers_with_orders_only_a_year_before(conn):
    base(conn)
    add_order(conn, "1", "C2", date(2025, 5, 20), "10.00")
    add_order(conn, "2", "C3", date(2025, 3, 20), "10.00")
    assert list(flags(conn).index) == ["C2"]


def test_tier_at_the_threshold_and_every_change(conn):
    base(conn)
    for code in ("UP", "DOWN", "NEW", "LOST", "SAME", "NONE"):
        add_customer(conn, code, "EAST-1")
    # previous period April 2026: window 2025-05-01..2026-04-30; current: 2025-06-01..2026-05-31
    add_order(conn, "u1", "UP", date(2025, 12, 1), "99999.99")
    add_order(conn, "u2", "UP", date(2026, 5, 31), "0.01")          # reaches exactly 100000: Gold
    add_order(conn, "d1", "DOWN", date(2025, 5, 31), "20000.00")    # Silver in April, gone from May's window
    add_order(conn, "d2", "DOWN", date(2026, 1, 1), "5.00")
    add_order(conn, "n1", "NEW", date(2026, 5, 2), "20000.00")
    add_order(conn, "l1", "LOST", date(2025, 5, 15), "300.00")
    add_order(conn, "s1", "SAME", date(2026, 2, 1), "600000.00")
    add_order(conn, "x1", "NONE", date(2026, 2, 1), "10.00")
    add_order(conn, "x2", "NONE", date(2026, 2, 2), "-10.00")       # volume 0: no tier at either end
    frame = metrics.tiers.tiers(conn, Scope.company(), MAY).set_index("customer_code")
    assert frame.loc["UP", ["tier_previous", "tier_current", "change"]].tolist() == ["Silver", "Gold", "upgrade"]
    assert frame.loc["DOWN", ["tier_previous", "tier_current", "change"]].tolist() == ["Silver", "Regular", "downgrade"]
    assert frame.loc["NEW", "change"] == "new" and frame.loc["NEW", "tier_previous"] == "none"
    assert frame.loc["LOST", "change"] == "lost" and frame.loc["LOST", "tier_current"] == "none"
    assert frame.loc["SAME", "change"] == "unchanged" and frame.loc["SAME", "tier_current"] == "VIP"
    assert "NONE" not in frame.index
    counts = metrics.tiers.tier_change_counts(conn, Scope.company(), MAY).set_index("change")["customers"].to_dict()
    assert counts == {"downgrade": 1, "lost": 1, "new": 1, "unchanged": 1, "upgrade": 1}
    # the pages' one pass gives the same three figures
    overview = metrics.tiers.tier_overview(conn, Scope.company(), MAY, changes=("upgrade", "new"), limit=1)
    assert metrics.tiers.change_counts(overview).equals(metrics.tiers.tier_change_counts(conn, Scope.company(), MAY))
    assert metrics.tiers.matrix_rows(overview).equals(metrics.tiers.tier_matrix(conn, Scope.company(), MAY))
    assert metrics.tiers.tier_rows(overview)["customer_code"].tolist() == ["NEW"]
    assert metrics.tiers.tier_rows(metrics.tiers.tier_overview(conn, Scope.company(), MAY))["customer_code"].tolist() == \
        metrics.tiers.tiers(conn, Scope.company(), MAY)["customer_code"].tolist() == ["DOWN", "LOST", "NEW", "SAME", "UP"]


def test_tier_rules_are_editable(conn):
    base(conn)
    add_order(conn, "1", "C1", date(2026, 5, 1), "150000.00")
    assert metrics.tiers.tiers(conn, Scope.company(), MAY)["tier_current"][0] == "Gold"
    exec_(conn, "UPDATE tier_rules SET min_amount = 200000 WHERE name = 'Gold'")
    assert metrics.tiers.tiers(conn, Scope.company(), MAY)["tier_current"][0] == "Silver"


def test_tier_is_the_highest_ranked_rule_reached_even_when_minimums_do_not_follow_ranks(conn):
    """metrics.md: the tier is the highest-ranked rule whose minimum the volume reaches."""
    base(conn)
    # Gold (rank 2) now needs more than VIP (rank 1): VIP wins from 500000 up, Gold never
    exec_(conn, "UPDATE tier_rules SET min_amount = 700000 WHERE name = 'Gold'")
    for code, amount in (("V", "800000.00"), ("E", "500000.00"), ("S", "499999.99"), ("R", "0.01")):
        add_customer(conn, code, "EAST-1")
        add_order(conn, code, code, date(2026, 5, 1), amount)
    tiers = metrics.tiers.tiers(conn, Scope.company(), MAY).set_index("customer_code")["tier_current"].to_dict()
    assert tiers == {"V": "VIP", "E": "VIP", "S": "Silver", "R": "Regular"}


def test_summary_counts_the_rows_of_the_view(conn):
    base(conn)
    add_order(conn, "1", "C1", date(2026, 4, 10), "100.00")
    add_order(conn, "2", "C1", date(2026, 5, 10), "50.00")
    add_order(conn, "3", "C2", date(2026, 4, 10), "100.00")
    add_order(conn, "4", "C3", date(2026, 5, 10), "20.00")
    summary = metrics.fluctuation.fluctuation_summary(conn, Scope.company(), MAY).iloc[0]
    detail = metrics.fluctuation.fluctuation(conn, Scope.company(), MAY)
    assert summary["customers"] == len(detail) == 3
    assert (summary["drop"], summary["stopped"], summary["new"], summary["surge"]) == (1, 1, 1, 0)
    assert summary["volume"] == detail["volume"].sum() == Decimal("70.00")
    empty = metrics.fluctuation.fluctuation_summary(conn, Scope.company(), Period.parse("2020-01")).iloc[0]
    assert empty["customers"] == 0 and empty["volume"] == Decimal("0.00")


def test_a_department_counts_its_own_and_its_sub_departments_customers_only(conn):
    """EAST holds C1 (in EAST-1) and C3; SOUTH holds C2. Counts, lists and trends keep to the scope."""
    base(conn)
    for no, customer, amount in (("1", "C1", "30000.00"), ("2", "C2", "150000.00"), ("3", "C3", "600000.00")):
        add_order(conn, f"a{no}", customer, date(2026, 4, 10), amount)
        add_order(conn, f"b{no}", customer, date(2026, 5, 10), amount)
    expected = {None: {"C1", "C2", "C3"}, "EAST": {"C1", "C3"}, "EAST-1": {"C1"}, "SOUTH": {"C2"}}
    for department, codes in expected.items():
        assert set(metrics.fluctuation.fluctuation(conn, Scope(department), MAY)["customer_code"]) == codes
        assert metrics.fluctuation.fluctuation_summary(conn, Scope(department), MAY)["customers"].iloc[0] == len(codes)
        assert set(metrics.tiers.tiers(conn, Scope(department), MAY)["customer_code"]) == codes
        counts = metrics.tiers.tier_change_counts(conn, Scope(department), MAY)
        assert counts["customers"].sum() == len(codes) == metrics.tiers.tier_matrix(conn, Scope(department), MAY)["customers"].sum()
        trend = metrics.fluctuation.volume_trend(conn, Scope(department), date(2026, 4, 1), date(2026, 5, 20))
        assert trend["customers"].tolist() == [len(codes), len(codes)]
        assert set(metrics.grading.grading(conn, Scope(department), MAY.end)["customer_code"]) == codes
        assert metrics.grading.grading_abc(conn, Scope(department), MAY.end)["customers"].sum() == len(codes)
        summary = metrics.grading.grading_summary(conn, Scope(department), MAY.end)
        assert metrics.grading.segment_rows(summary)["customers"].sum() == len(codes)
