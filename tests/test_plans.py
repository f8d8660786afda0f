"""Plan status rules in order, exact pace comparisons, as-of actuals and cost."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

import dashboard.metrics.plans  # noqa: F401 (metrics.plans)
from dashboard import metrics
from dashboard.core.scope import Scope
from tests.builders import add_plan, add_progress, base

START, END = date(2026, 5, 1), date(2026, 5, 10)  # ten days


def status_of(conn, as_of):
    frame = metrics.plans.plans(conn, Scope.company(), as_of)
    return frame.set_index("plan_no")


@pytest.mark.parametrize("done,as_of,expected", [
    (0, date(2026, 4, 30), "not_started"),
    (100, date(2026, 4, 30), "not_started"),    # rule 1 wins even when progress was recorded early
    (100, date(2026, 5, 3), "achieved"),
    (80, date(2026, 5, 10), "met_minimum"),     # period over on its last day
    (79, date(2026, 5, 10), "below_minimum"),
    (39, date(2026, 5, 5), "behind"),           # minimum 80 * 5/10 = 40
    (40, date(2026, 5, 5), "at_risk"),          # exactly the minimum pace is not behind; expected 50
    (50, date(2026, 5, 5), "on_track"),         # exactly the expected pace
])
def test_every_status(conn, done, as_of, expected):
    base(conn)
    add_plan(conn, "P", START, END, planned=100, minimum=80)
    if done:
        add_progress(conn, "P", START if as_of >= START else date(2026, 4, 29), done)
    assert status_of(conn, as_of).loc["P", "status"] == expected


def test_exact_comparison_with_a_fraction_that_rounding_would_hide(conn):
    base(conn)
    add_plan(conn, "P", date(2026, 5, 1), date(2026, 5, 3), planned=10, minimum=9)  # three days
    add_progress(conn, "P", date(2026, 5, 1), 3)
    # day 1: minimum pace 9 * 1/3 = 3 exactly, so 3 is not behind; expected 3.333... so at risk
    row = status_of(conn, date(2026, 5, 1)).loc["P"]
    assert row["status"] == "at_risk" and row["expected_count"] == Decimal("3.33")
    add_progress(conn, "P", date(2026, 5, 2), 3)
    # day 2: 6 against minimum pace 6 exactly (not behind) and expected 6.666... (at risk)
    assert status_of(conn, date(2026, 5, 2)).loc["P", "status"] == "at_risk"
    add_progress(conn, "P", date(2026, 5, 3), 1)  # 7 > 6.67 but the period is over: 7 < 9 minimum
    assert status_of(conn, date(2026, 5, 2)).loc["P", "status"] == "at_risk"
    assert status_of(conn, date(2026, 5, 3)).loc["P", "status"] == "below_minimum"


def test_actuals_as_of_and_cost(conn):
    base(conn)
    add_plan(conn, "P", START, END, planned=20, minimum=10, planned_cost="1000.00", type_="service")
    add_progress(conn, "P", date(2026, 5, 2), 5, "300.50", success=4)
    add_progress(conn, "P", date(2026, 5, 8), 5, "200.25", success=1)
    early = status_of(conn, date(2026, 5, 5)).loc["P"]
    assert early["actual_count"] == 5 and early["actual_cost"] == Decimal("300.50")
    row = status_of(conn, date(2026, 5, 10)).loc["P"]
    assert row["actual_count"] == 10 and row["actual_cost"] == Decimal("500.75")
    assert row["cost_variance"] == Decimal("-499.25") and row["completion_rate"] == Decimal("0.5000")
    assert row["success_rate"] == Decimal("0.5000") and row["cost_per_unit"] == Decimal("50.08")


def test_no_progress_gives_zero_and_zero_cost(conn):
    base(conn)
    add_plan(conn, "P", START, END, planned=20, minimum=0)
    row = status_of(conn, date(2026, 5, 4)).loc["P"]
    assert row["actual_count"] == 0 and row["actual_cost"] == Decimal("0.00") and row["status"] == "at_risk"


def test_department_filter_includes_sub_departments_and_overlap(conn):
    base(conn)
    add_plan(conn, "E1", START, END, 10, 5, department="EAST-1")
    add_plan(conn, "S", START, END, 10, 5, department="SOUTH")
    add_plan(conn, "LATER", date(2026, 6, 1), date(2026, 6, 30), 10, 5, department="EAST")
    assert list(metrics.plans.plans(conn, Scope("EAST"), END)["plan_no"]) == ["E1", "LATER"]
    assert list(metrics.plans.plans(conn, Scope.company(), END, start=date(2026, 5, 1), end=date(2026, 5, 31))["plan_no"]) == ["E1", "S"]


@pytest.mark.parametrize("planned,minimum,cost,start,end", [
    (0, 0, "1", START, END), (10, 11, "1", START, END), (10, 5, "-1", START, END), (10, 5, "1", END, START),
])
def test_the_database_refuses_invalid_plans(conn, planned, minimum, cost, start, end):
    base(conn)
    with pytest.raises(sa.exc.IntegrityError):
        with conn.begin_nested():
            add_plan(conn, "BAD", start, end, planned, minimum, cost)


def test_totals_sum_the_rows_of_the_view(conn):
    base(conn)
    add_plan(conn, "A", START, END, planned=10, minimum=8, planned_cost="100.00")
    add_plan(conn, "B", START, END, planned=30, minimum=0, planned_cost="50.50")
    add_progress(conn, "A", date(2026, 5, 2), 1, "10.00")
    add_progress(conn, "B", date(2026, 5, 2), 19, "5.25")
    totals = metrics.plans.plan_totals(conn, Scope.company(), date(2026, 5, 5)).iloc[0]
    assert (totals["plans"], totals["planned_count"], totals["actual_count"]) == (2, 40, 20)
    assert totals["completion_rate"] == Decimal("0.5000") and totals["behind"] == 1
    assert (totals["planned_cost"], totals["actual_cost"]) == (Decimal("150.50"), Decimal("15.25"))
    none = metrics.plans.plan_totals(conn, Scope.company(), date(2026, 5, 5), start=date(2027, 1, 1), end=date(2027, 1, 31)).iloc[0]
    assert none["plans"] == 0 and none["completion_rate"] is None


def test_open_work_keeps_running_plans_and_misses_of_the_last_30_days(conn):
    base(conn)
    today = date(2026, 5, 31)
    add_plan(conn, "RUNNING", date(2026, 5, 20), date(2026, 6, 10), planned=10, minimum=5)
    add_plan(conn, "LATER", date(2026, 6, 1), date(2026, 6, 30), planned=10, minimum=5)       # not started
    add_plan(conn, "MISSED-30", date(2026, 4, 1), date(2026, 5, 1), planned=10, minimum=5)    # ended 30 days ago
    add_plan(conn, "MISSED-31", date(2026, 4, 1), date(2026, 4, 30), planned=10, minimum=5)   # ended 31 days ago
    add_plan(conn, "MET-MIN", date(2026, 5, 1), date(2026, 5, 10), planned=10, minimum=5)
    add_plan(conn, "ACHIEVED", date(2026, 5, 20), date(2026, 6, 10), planned=10, minimum=5)
    add_progress(conn, "MET-MIN", date(2026, 5, 5), 5)
    add_progress(conn, "ACHIEVED", date(2026, 5, 25), 10)
    add_progress(conn, "MISSED-30", date(2026, 4, 2), 4)
    frame = metrics.plans.open_plans(conn, Scope.company(), today)
    assert list(frame["plan_no"]) == ["MISSED-30", "RUNNING", "LATER"]  # by end date
    assert list(frame["status"]) == ["below_minimum", "behind", "not_started"]
    assert frame["actual_count"].tolist() == [4, 0, 0]
    assert metrics.plans.open_plans(conn, Scope("SOUTH"), today).empty
