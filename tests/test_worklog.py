"""Work records that can be corrected: editing a plan or task, correcting or withdrawing progress."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

import dashboard.metrics.plans  # noqa: F401 (metrics.plans)
from dashboard import metrics
from dashboard.core.scope import Scope
from dashboard.writes.audit import history
from dashboard.writes.plans import correct_progress, record_progress, save_plan, update_plan
from dashboard.writes.validation import Conflict, Invalid
from tests.builders import add_plan, add_progress, exec_
from tests.test_writes import AGENT, HEAD, MANAGER, OTHER_AGENT, plan_args, setup

OTHER_HEAD = HEAD.__class__("east2", "head", "H-EAST2", "华东副主管", "EAST")


def edit_args(plan_no, version=1, **overrides):
    args = dict(plan_no=plan_no, version=version, staff_no="S1", start_date=date(2026, 5, 1), end_date=date(2026, 5, 31),
                planned_count=12, minimum_count=9, planned_cost="600.00", content="拜访重点客户（改）", purpose="续约与增购",
                method="email")
    return args | overrides


def stored(conn, plan_no):
    return dict(conn.execute(sa.text("SELECT * FROM plans WHERE plan_no = :p"), {"p": plan_no}).mappings().one())


def test_the_assigner_edits_a_task_with_version_and_audit(conn):
    setup(conn)
    plan_no = save_plan(conn, HEAD, **plan_args())
    update_plan(conn, HEAD, **edit_args(plan_no, staff_no="S2"))
    row = stored(conn, plan_no)
    assert (row["planned_count"], row["minimum_count"], row["planned_cost"], row["purpose"], row["method"],
            row["version"]) == (12, 9, Decimal("600.00"), "续约与增购", "email", 2)
    trail = history(conn, HEAD, "plans", plan_no)
    assert trail[0]["action"] == "update" and trail[0]["before"]["planned_count"] == 10
    assert trail[0]["after"]["planned_count"] == 12
    with pytest.raises(Conflict):  # edited on the version before
        update_plan(conn, HEAD, **edit_args(plan_no, version=1, planned_count=20))
    assert stored(conn, plan_no)["planned_count"] == 12


@pytest.mark.parametrize("overrides,field", [
    (dict(minimum_count=13), "minimum_count"),            # minimum above planned
    (dict(planned_count=0, minimum_count=0), "planned_count"),
    (dict(planned_cost="-1.00"), "planned_cost"),
    (dict(start_date=date(2026, 6, 1)), "end_date"),     # start after end
    (dict(staff_no="NOPE"), "staff_no"),
])
def test_an_edit_breaking_a_constraint_writes_nothing(conn, overrides, field):
    setup(conn)
    plan_no = save_plan(conn, HEAD, **plan_args())
    before, trail = stored(conn, plan_no), len(history(conn, HEAD, "plans", plan_no))
    with pytest.raises(Invalid) as refused:
        update_plan(conn, HEAD, **edit_args(plan_no, **overrides))
    assert field in refused.value.errors
    assert stored(conn, plan_no) == before and len(history(conn, HEAD, "plans", plan_no)) == trail


def test_only_the_creator_or_the_assigner_edits(conn):
    setup(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'H-EAST2', '华东副主管', id, 'head' FROM departments WHERE code='EAST'")
    task = save_plan(conn, HEAD, **plan_args())
    with pytest.raises(Invalid) as refused:
        update_plan(conn, OTHER_HEAD, **edit_args(task))
    assert refused.value.errors["plan_no"][0] == "err_not_plan_maker"
    with pytest.raises(Invalid):  # the assignee of a task is not its maker
        update_plan(conn, AGENT, **edit_args(task))
    own = save_plan(conn, AGENT, **plan_args(kind="plan"))
    update_plan(conn, AGENT, **edit_args(own, planned_count=15))  # an agent's own plan
    assert stored(conn, own)["planned_count"] == 15
    with pytest.raises(Invalid):
        update_plan(conn, OTHER_AGENT, **edit_args(own, staff_no="S2"))
    add_plan(conn, "IMPORTED", date(2026, 5, 1), date(2026, 5, 31), planned=10, minimum=5)  # no maker recorded
    update_plan(conn, MANAGER, **edit_args("IMPORTED", method="phone"))
    assert stored(conn, "IMPORTED")["planned_count"] == 12


def actuals(conn, as_of):
    row = metrics.plans.plans(conn, Scope.company(), as_of).set_index("plan_no").loc["P"]
    return row["actual_count"], row["status"], row["actual_cost"], row["success_count"]


def test_a_correction_changes_counts_and_statuses_as_of_its_date(conn):
    setup(conn)
    add_plan(conn, "P", date(2026, 5, 1), date(2026, 5, 10), planned=10, minimum=8, type_="service")
    add_progress(conn, "P", date(2026, 5, 3), 5, "100.00", success=4)
    add_progress(conn, "P", date(2026, 5, 6), 5, "50.00", success=5)
    assert actuals(conn, date(2026, 5, 10)) == (10, "achieved", Decimal("150.00"), 9)
    # the entry of 5/6 said 5 but 2 were done: the correction is dated 5/6, entered today
    correct_progress(conn, AGENT, plan_no="P", recorded_on=date(2026, 5, 6), completed_count=2, cost="20.00",
                     success_count=1, reason="重复计数", corrections_seen=0)
    assert actuals(conn, date(2026, 5, 5)) == (5, "on_track", Decimal("100.00"), 4)   # the day before: untouched
    assert actuals(conn, date(2026, 5, 6)) == (7, "on_track", Decimal("120.00"), 5)   # on its date: 7 >= 10 * 6/10
    assert actuals(conn, date(2026, 5, 10)) == (7, "below_minimum", Decimal("120.00"), 5)
    entries = metrics.plans.progress_entries(conn, Scope.company(), "P")
    assert list(entries["entry"]) == ["entry", "entry", "correction"]
    correction = entries.iloc[2]
    assert (correction["completed_count"], correction["success_count"], correction["cost"]) == (-3, -4, Decimal("-30.00"))
    assert correction["note"] == "重复计数" and correction["recorded_by"] == "张伟"
    assert (entries.iloc[1]["net_completed"], entries.iloc[1]["corrections"]) == (2, 1)
    # withdrawn: zeros; the original and both corrections stay
    correct_progress(conn, AGENT, plan_no="P", recorded_on=date(2026, 5, 6), completed_count=0, cost="0",
                     reason="记错计划", corrections_seen=1)
    assert actuals(conn, date(2026, 5, 10)) == (5, "below_minimum", Decimal("100.00"), 4)
    assert conn.execute(sa.text("SELECT count(*) FROM plan_progress")).scalar() == 4
    trail = history(conn, AGENT, "plans", "P")
    assert [r["action"] for r in trail[:2]] == ["correct_progress", "correct_progress"]
    with pytest.raises(Conflict):  # a correction added since the user looked
        correct_progress(conn, AGENT, plan_no="P", recorded_on=date(2026, 5, 6), completed_count=1, cost="0",
                         reason="再改", corrections_seen=1)
    # a new entry on a corrected day is still refused: corrections do not free the day
    with pytest.raises(Invalid):
        record_progress(conn, AGENT, plan_no="P", recorded_on=date(2026, 5, 6), completed_count=1, cost="0")


@pytest.mark.parametrize("overrides,field", [
    (dict(reason=""), "reason"),
    (dict(recorded_on=date(2026, 5, 4)), "recorded_on"),         # no entry on that day
    (dict(success_count=6), "success_count"),                    # above completed
    (dict(completed_count=5, cost="50.00", success_count=5), "completed_count"),  # no change
    (dict(completed_count=-1), "completed_count"),
])
def test_a_bad_correction_writes_nothing(conn, overrides, field):
    setup(conn)
    add_plan(conn, "P", date(2026, 5, 1), date(2026, 5, 10), planned=10, minimum=8, type_="service")
    add_progress(conn, "P", date(2026, 5, 6), 5, "50.00", success=5)
    args = dict(plan_no="P", recorded_on=date(2026, 5, 6), completed_count=2, cost="20.00", success_count=1,
                reason="重复计数") | overrides
    with pytest.raises(Invalid) as refused:
        correct_progress(conn, AGENT, **args)
    assert field in refused.value.errors
    assert conn.execute(sa.text("SELECT count(*) FROM plan_progress")).scalar() == 1


def test_out_of_scope_plans_read_and_correct_like_missing_ones(conn):
    setup(conn)
    add_plan(conn, "PS", date(2026, 5, 1), date(2026, 5, 10), planned=10, minimum=8, department="SOUTH")
    add_progress(conn, "PS", date(2026, 5, 6), 5)
    east = Scope("EAST")
    assert metrics.plans.plan_record(conn, east, "PS").empty
    assert metrics.plans.progress_entries(conn, east, "PS").empty
    with pytest.raises(Invalid):
        correct_progress(conn, HEAD, plan_no="PS", recorded_on=date(2026, 5, 6), completed_count=1, cost="0", reason="x")


def test_the_weekly_report_shows_service_successes_after_corrections(conn):
    from dashboard import report
    from dashboard.core.periods import Period
    setup(conn)
    add_plan(conn, "P", date(2026, 5, 1), date(2026, 5, 31), planned=10, minimum=8, type_="service")
    add_plan(conn, "V", date(2026, 5, 1), date(2026, 5, 31), planned=10, minimum=8)  # a visit plan: no successes
    week = Period.containing("week", date(2026, 5, 13))  # 11–17 May
    add_progress(conn, "P", date(2026, 5, 10), 9, success=9)   # the Sunday before: last week
    add_progress(conn, "P", date(2026, 5, 11), 4, success=3)   # Monday: this week
    add_progress(conn, "P", date(2026, 5, 17), 4, success=4)   # Sunday: this week
    add_progress(conn, "V", date(2026, 5, 12), 7)
    correct_progress(conn, AGENT, plan_no="P", recorded_on=date(2026, 5, 17), completed_count=4, cost="0",
                     success_count=1, reason="三位客户未成交")
    sections = report.weekly_review(conn, Scope.company(), week, today=date(2026, 5, 25))
    figures = {f.label: f for s in sections if s.key == "plans" for f in s.figures}
    assert figures["kpi_service_successes"].now == 4 and float(figures["kpi_service_success_rate"].now) == 0.5  # 4 of 8
    assert figures["kpi_service_successes"].before == 9 and float(figures["kpi_service_success_rate"].before) == 1
    row = metrics.plans.tracked_plan(conn, Scope.company(), date(2026, 5, 17), "P").iloc[0]
    assert (row["success_count"], row["actual_count"]) == (13, 17) and row["method"] is None
