"""RFM segments and scores with ties, refunds, ABC by count and value; retention figures."""
from datetime import date, timedelta
from decimal import Decimal

import dashboard.metrics.grading  # noqa: F401 (metrics.grading)
import dashboard.metrics.retention  # noqa: F401 (metrics.retention)
from dashboard import metrics
from dashboard.core.scope import Scope
from tests.builders import add_case, add_customer, add_order, base, exec_

D = date(2026, 5, 31)


def grade(conn, **kw):
    return metrics.grading.grading(conn, Scope.company(), D, **kw).set_index("customer_code")


def test_rfm_segments_scores_and_refunds(conn):
    base(conn)
    for code in ("A", "B", "C", "E"):
        add_customer(conn, code, "EAST-1")
    add_order(conn, "a1", "A", D, "1000.00")
    add_order(conn, "a2", "A", D - timedelta(days=3), "1000.00")
    add_order(conn, "a3", "A", D - timedelta(days=4), "1000.00")
    add_order(conn, "b1", "B", D - timedelta(days=200), "100.00")
    add_order(conn, "b2", "B", D - timedelta(days=1), "-50.00")       # refund: not a purchase
    add_order(conn, "c1", "C", D - timedelta(days=364), "100.00")     # first day of the window
    add_order(conn, "c0", "C", D - timedelta(days=365), "9999.00")    # outside the window
    add_order(conn, "e1", "E", D - timedelta(days=10), "-10.00")      # only a refund: not in the population
    g = grade(conn)
    assert set(g.index) == {"A", "B", "C"}
    assert g.loc["B", "recency_days"] == 200 and g.loc["B", "frequency"] == 1 and g.loc["B", "monetary"] == Decimal("50.00")
    assert g.loc["A", "rfm_segment"] == "important_value"
    assert g.loc["B", "rfm_segment"] == "general_retain"
    # B and C tie on frequency 1 of 3: cume_dist 2/3 -> ceil(10/3) = 4 for both; A has 3/3 -> 5
    assert (g.loc["B", "f_score"], g.loc["C", "f_score"], g.loc["A", "f_score"]) == (4, 4, 5)
    assert g.loc["C", "r_score"] == 2 and g.loc["A", "r_score"] == 5  # share with recency >= own: 1/3 and 3/3


def test_value_equal_to_the_mean_is_low_for_rfm(conn):
    base(conn)
    add_order(conn, "1", "C1", D, "100.00")
    add_order(conn, "2", "C2", D, "100.00")
    g = grade(conn)
    assert set(g["rfm_segment"]) == {"general_retain"}  # everything equals the mean: all low
    assert set(g["value_class"]) == {"general"}


def test_abc_by_count_ties_by_code_and_non_positive_is_c(conn):
    base(conn)
    codes = [f"K{i:02d}" for i in range(10)]
    for code in codes:
        add_customer(conn, code, "EAST-1")
    for i, code in enumerate(codes):
        amount = "100.00" if i < 3 else f"{50 - i}.00"
        add_order(conn, f"o{i}", code, D, amount)
    add_order(conn, "refund", "K09", D, "-41.00")  # K09 nets 0: always C
    g = grade(conn)
    # ceil(0.2 * 10) = 2 A's: K00, K01 (tie of three at 100 broken by code); ceil(0.9 * 10) = 9
    assert g["abc_class"].to_dict() == {"K00": "A", "K01": "A", "K02": "B", "K03": "B", "K04": "B", "K05": "B",
                                        "K06": "B", "K07": "B", "K08": "B", "K09": "C"}


def test_abc_by_value_uses_the_share_before_the_customer(conn):
    base(conn)
    for code, amount in (("V1", "790.00"), ("V2", "100.00"), ("V3", "60.00"), ("V4", "50.00")):
        add_customer(conn, code, "EAST-1")
        add_order(conn, code, code, D, amount)
    exec_(conn, "UPDATE settings SET value = '\"value\"' WHERE key = 'abc_method'")
    g = grade(conn)
    # before V2 the share is 79% (< 80%): A; before V3 89% (< 95%): B; before V4 95%: C
    assert g["abc_class"].to_dict() == {"V1": "A", "V2": "A", "V3": "B", "V4": "C"}
    assert grade(conn, abc_method="count")["abc_class"].to_dict() == {"V1": "A", "V2": "B", "V3": "B", "V4": "B"}


def test_abc_per_class_counts_the_graded_customers(conn):
    """The overview's A share (grading_abc) is counted from the same classes as the customer list."""
    base(conn)
    for i, amount in enumerate(("100.00", "100.00", "100.00", "47.00", "46.00", "45.00", "44.00", "43.00",
                                "42.00", "41.00")):
        add_customer(conn, f"K{i:02d}", "EAST-1")
        add_order(conn, f"o{i}", f"K{i:02d}", D, amount)
    add_order(conn, "refund", "K09", D, "-41.00")
    for method in ("count", "value"):
        g = grade(conn, abc_method=method)
        per_class = metrics.grading.grading_abc(conn, Scope.company(), D, abc_method=method).set_index("abc_class")
        expected = g.groupby("abc_class")["monetary"].agg(["count", "sum"])
        assert per_class["customers"].to_dict() == expected["count"].to_dict()
        assert per_class["monetary"].to_dict() == expected["sum"].to_dict()
        total = sum(expected["sum"])
        assert per_class["revenue_share"].to_dict() == {k: round(v / total, 4) for k, v in expected["sum"].items()}
        summary = metrics.grading.grading_summary(conn, Scope.company(), D, abc_method=method)
        summary = summary[summary["kind"] == "abc"].set_index("key")
        assert summary["customers"].astype(int).to_dict() == per_class["customers"].to_dict()
        # the grading page's one pass: the same summary and the first rows of the customer list
        overview = metrics.grading.grading_overview(conn, Scope.company(), D, abc_method=method, limit=4)
        assert metrics.grading.graded_rows(overview).equals(metrics.grading.grading(conn, Scope.company(), D, abc_method=method, limit=4))
        assert metrics.grading.graded_rows(overview)["customer_code"].tolist() == list(g.index[:4])
        full = metrics.grading.grading_summary(conn, Scope.company(), D, abc_method=method)
        for split in (metrics.grading.abc_rows, metrics.grading.segment_rows, metrics.grading.score_rows, metrics.grading.pareto_rows):
            assert split(overview).equals(split(full))
    assert metrics.grading.grading_abc(conn, Scope.company(), D, abc_method="count")["customers"].tolist() == [2, 7, 1]
    assert metrics.grading.grading_abc(conn, Scope.company(), D - timedelta(days=400)).empty


def test_retention_rates_cost_and_roi(conn):
    base(conn)
    add_case(conn, "R1", "C1", date(2026, 5, 1), "retained", "300.00", "price", closed=date(2026, 5, 10))
    add_case(conn, "R2", "C2", date(2026, 5, 31), "lost", "100.00", "price", closed=date(2026, 6, 3))
    add_case(conn, "R3", "C3", date(2026, 5, 15), "pending", "50.00", "service")
    add_case(conn, "R4", "C3", date(2026, 6, 1), "retained", "999.00", "service")  # outside the range
    add_order(conn, "after1", "C1", date(2026, 5, 10), "1000.00")  # on the close date: not after
    add_order(conn, "after2", "C1", date(2026, 5, 11), "600.00")
    add_order(conn, "after3", "C1", date(2026, 11, 6), "300.00")   # day 180 after closing
    add_order(conn, "after4", "C1", date(2026, 11, 7), "5000.00")  # day 181
    frame = metrics.retention.retention(conn, Scope.company(), date(2026, 5, 1), date(2026, 5, 31)).set_index("reason")
    assert list(frame.index) == ["price", "service", "ALL"]
    assert frame.loc["price", "success_rate"] == Decimal("0.5000")
    assert frame.loc["service", "success_rate"] is None and frame.loc["service", "cost_per_retained"] is None
    assert frame.loc["ALL", "total_cost"] == Decimal("450.00") and frame.loc["ALL", "cost_per_retained"] == Decimal("450.00")
    outcome = metrics.retention.retention_outcome(conn, Scope.company(), date(2026, 5, 1), date(2026, 5, 31)).iloc[0]
    assert outcome["revenue_after"] == Decimal("900.00") and outcome["roi"] == Decimal("2.0000")


def test_retention_empty_period(conn):
    base(conn)
    frame = metrics.retention.retention(conn, Scope.company(), date(2026, 5, 1), date(2026, 5, 31))
    assert frame.to_dict("records") == [{"reason": "ALL", "cases": 0, "retained": 0, "lost": 0, "pending": 0,
                                         "success_rate": None, "total_cost": Decimal("0.00"), "cost_per_retained": None}]


def test_at_risk_lists_drops_and_stops_without_an_open_case(conn):
    from dashboard.core.periods import Period

    base(conn)
    add_customer(conn, "C4", "EAST")
    for code, april, may in (("C1", "100.00", "10.00"), ("C2", "100.00", None), ("C3", "100.00", "20.00"),
                             ("C4", "100.00", "100.00")):
        add_order(conn, f"{code}-4", code, date(2026, 4, 10), april)
        if may:
            add_order(conn, f"{code}-5", code, date(2026, 5, 10), may)
    add_case(conn, "R1", "C3", date(2026, 5, 12), "pending", "10.00")   # already being handled
    add_case(conn, "R2", "C1", date(2026, 3, 1), "lost", "10.00", closed=date(2026, 3, 20))  # closed: no help
    frame = metrics.retention.at_risk(conn, Scope.company(), Period.parse("2026-05"))
    assert list(frame["customer_code"]) == ["C2", "C1"]  # largest drop first; C4 is steady
    assert list(frame["flag"]) == ["stopped", "drop"]
    assert list(metrics.retention.at_risk(conn, Scope("SOUTH"), Period.parse("2026-05"))["customer_code"]) == ["C2"]
    first = metrics.retention.at_risk(conn, Scope.company(), Period.parse("2026-05"), limit=1)
    assert list(first["customer_code"]) == ["C2"] and list(first["customers_at_risk"]) == [2]  # counted before the cut
