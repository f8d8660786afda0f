"""Validated writes: every rule refuses with nothing written; audit trail; optimistic versions."""
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

import dashboard.metrics.complaints  # noqa: F401 (metrics.complaints)
import dashboard.metrics.plans  # noqa: F401 (metrics.plans)
import dashboard.metrics.records  # noqa: F401 (metrics.records)
import dashboard.metrics.retention  # noqa: F401 (metrics.retention)
from dashboard import metrics
from dashboard.core.scope import AccessDenied, Scope
from dashboard.core.user import User
from dashboard.writes.audit import history, latest_change
from dashboard.writes.complaints import register_complaint, update_complaint
from dashboard.writes.logs import add_work_log
from dashboard.writes.plans import bulk_update_plans, record_progress, save_plan
from dashboard.writes.retention import close_retention_case, open_retention_case
from dashboard.writes.settings import save_settings
from dashboard.writes.suggestions import answer_suggestion, send_suggestion
from dashboard.writes.validation import Conflict, Invalid
from tests.builders import add_complaint, base, exec_, local

MANAGER = User("boss", "manager", None, "Boss", None)
HEAD = User("east", "head", "H-EAST", "华东主管", "EAST")
AGENT = User("agent1", "agent", "S1", "张伟", "EAST-1")
OTHER_AGENT = User("agent2", "agent", "S2", "李娜", "EAST-1")


def setup(conn):
    base(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'H-EAST', '华东主管', id, 'head' FROM departments WHERE code='EAST'")
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'S2', '李娜', id, 'agent' FROM departments WHERE code='EAST-1'")


def count(conn, table):
    return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def plan_args(**overrides):
    args = dict(kind="task", type="visit", horizon="month", start_date=date(2026, 5, 1), end_date=date(2026, 5, 31),
                department_code="EAST-1", staff_no="S1", planned_count=10, minimum_count=8, planned_cost="500.00",
                content="拜访重点客户", purpose="续约", method="phone")
    return args | overrides


def test_assign_a_task_writes_it_with_an_audit_entry(conn):
    setup(conn)
    plan_no = save_plan(conn, HEAD, **plan_args())
    row = conn.execute(sa.text("SELECT p.*, s.staff_no AS by FROM plans p JOIN staff s ON s.id = p.assigned_by_staff_id "
                               "WHERE plan_no = :p"), {"p": plan_no}).mappings().one()
    assert (row["planned_count"], row["minimum_count"], row["planned_cost"], row["by"]) == (10, 8, Decimal("500.00"), "H-EAST")
    trail = history(conn, HEAD, "plans", plan_no)
    assert trail[0]["actor"] == "east" and trail[0]["action"] == "create" and trail[0]["after"]["planned_count"] == 10


@pytest.mark.parametrize("user,overrides,field,key", [
    (HEAD, dict(minimum_count=11), "minimum_count", "err_minimum_above_planned"),
    (HEAD, dict(planned_count=0, minimum_count=0), "planned_count", "err_at_least"),
    (HEAD, dict(end_date=date(2026, 4, 30)), "end_date", "err_end_before_start"),
    (HEAD, dict(planned_cost="-1"), "planned_cost", "err_not_negative"),
    (HEAD, dict(planned_cost="1.005"), "planned_cost", "err_amount"),
    (HEAD, dict(method=None), "method", "err_required"),
    (HEAD, dict(type="party"), "type", "err_choice"),
    (HEAD, dict(department_code="SOUTH"), "department_code", "err_out_of_scope"),
    (HEAD, dict(department_code="MARS"), "department_code", "err_unknown"),
    (AGENT, dict(), "kind", "err_tasks_by_heads"),
    (AGENT, dict(kind="plan", staff_no="S2"), "staff_no", "err_own_plans_only"),
])
def test_plan_rules_refuse_and_write_nothing(conn, user, overrides, field, key):
    setup(conn)
    with pytest.raises(Invalid) as invalid:
        save_plan(conn, user, **plan_args(**overrides))
    assert invalid.value.errors[field][0] == key
    assert count(conn, "plans") == 0 and count(conn, "audit_log") == 0


def test_progress_rules(conn):
    setup(conn)
    plan_no = save_plan(conn, HEAD, **plan_args(type="service", method=None))
    record_progress(conn, AGENT, plan_no=plan_no, recorded_on=date(2026, 5, 2), completed_count=4, cost="80.50",
                           success_count=3, note="按计划推进")
    for kwargs, field in ((dict(recorded_on=date(2026, 5, 2)), "recorded_on"),
                          (dict(success_count=5), "success_count"),
                          (dict(cost="abc"), "cost")):
        args = dict(plan_no=plan_no, recorded_on=date(2026, 5, 3), completed_count=4, cost="1.00") | kwargs
        with pytest.raises(Invalid) as invalid:
            record_progress(conn, AGENT, **args)
        assert field in invalid.value.errors
    with pytest.raises(Invalid) as invalid:
        record_progress(conn, OTHER_AGENT, plan_no=plan_no, recorded_on=date(2026, 5, 4), completed_count=1, cost="0")
    assert invalid.value.errors["plan_no"][0] == "err_own_plans_only"
    assert metrics.plans.plans(conn, Scope.company(), date(2026, 5, 31)).iloc[0]["actual_count"] == 4


def test_text_is_stored_verbatim(conn):
    setup(conn)
    text = 'He said "refund now"; DROP TABLE complaints; -- 😡\n第二行 <b>bold</b>'
    number = register_complaint(conn, AGENT, customer_code="C1", received_at=local(2026, 5, 3, 9, 0),
                                       priority="high", content=text)
    assert conn.execute(sa.text("SELECT content FROM complaints WHERE complaint_no = :n"), {"n": number}).scalar() == text
    assert count(conn, "complaints") == 1


def test_complaint_rules(conn):
    setup(conn)
    with pytest.raises(Invalid) as invalid:
        register_complaint(conn, AGENT, customer_code="C2", received_at=local(2026, 5, 3, 9, 0), priority="vip",
                                  content=" ")
    assert set(invalid.value.errors) == {"customer_code", "priority", "content"}
    assert invalid.value.errors["customer_code"][0] == "err_out_of_scope"  # C2 belongs to SOUTH
    number = register_complaint(conn, AGENT, customer_code="C1", received_at=local(2026, 5, 3, 9, 0),
                                       priority="high", content="x")
    received = local(2026, 5, 3, 9, 0)
    with pytest.raises(Invalid) as invalid:
        update_complaint(conn, AGENT, complaint_no=number, version=1, first_response_at=received - timedelta(hours=1),
                                resolved_at=None, resolution=None, satisfaction=4, callback_at=received)
    assert set(invalid.value.errors) == {"first_response_at", "satisfaction", "callback_at"}
    assert conn.execute(sa.text("SELECT version FROM complaints")).scalar() == 1


def test_the_second_of_two_concurrent_saves_is_refused(engine):
    with engine.begin() as conn:
        setup(conn)
        number = register_complaint(conn, AGENT, customer_code="C1", received_at=local(2026, 5, 3, 9, 0),
                                           priority="high", content="x")
    # both sessions loaded version 1
    first = dict(complaint_no=number, version=1, first_response_at=local(2026, 5, 3, 9, 30), resolved_at=None,
                 resolution=None, satisfaction=None, callback_at=None)
    second = dict(first, first_response_at=local(2026, 5, 3, 10, 0), resolution="我的处理")
    outcome = {}

    def save(user, values, name, hold=None):
        try:
            with engine.begin() as conn:
                update_complaint(conn, user, **values)
                if hold:
                    hold.wait(5)  # keep the row locked while the other session tries
            outcome[name] = "saved"
        except Conflict as conflict:
            outcome[name] = conflict

    hold = threading.Event()
    a = threading.Thread(target=save, args=(AGENT, first, "a", hold))
    a.start()
    threading.Timer(0.5, hold.set).start()
    save(OTHER_AGENT, second, "b")  # blocks on the row lock, then sees version 2
    a.join()
    assert outcome["a"] == "saved"
    assert isinstance(outcome["b"], Conflict) and outcome["b"].changed_by == "agent1"
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT version, first_response_at, resolution FROM complaints")).one()
        assert row.version == 2 and row.first_response_at == local(2026, 5, 3, 9, 30) and row.resolution is None


def test_retention_case_lifecycle_changes_the_figures(conn):
    setup(conn)
    case_no = open_retention_case(conn, AGENT, customer_code="C1", reason="price", intent="at_risk",
                                         method="discount", started_on=date(2026, 5, 4), cost="200.00")
    with pytest.raises(Invalid) as invalid:
        open_retention_case(conn, AGENT, customer_code="C1", reason="price", intent="at_risk",
                                   method="visit", started_on=date(2026, 5, 5))
    assert invalid.value.errors["customer_code"][0] == "err_case_open"
    with pytest.raises(Invalid) as invalid:
        close_retention_case(conn, AGENT, case_no=case_no, version=1, result="retained", closed_on=None, cost="250")
    assert invalid.value.errors["closed_on"][0] == "err_required"
    close_retention_case(conn, AGENT, case_no=case_no, version=1, result="retained",
                                closed_on=date(2026, 5, 20), cost="250.00")
    total = metrics.retention.retention(conn, Scope.company(), date(2026, 5, 1), date(2026, 5, 31)).set_index("reason").loc["ALL"]
    assert (total["retained"], total["total_cost"], total["cost_per_retained"]) == (1, Decimal("250.00"), Decimal("250.00"))
    with pytest.raises(Conflict):
        close_retention_case(conn, AGENT, case_no=case_no, version=1, result="lost",
                                    closed_on=date(2026, 5, 21), cost="250.00")


def test_bulk_edit_is_all_or_nothing(conn):
    setup(conn)
    one = save_plan(conn, HEAD, **plan_args())
    two = save_plan(conn, HEAD, **plan_args(staff_no="S2"))
    rows = [dict(plan_no=one, version=1, staff_no="S2", end_date=date(2026, 5, 31), planned_count=20, minimum_count=5,
                 planned_cost="600.00", content="改派"),
            dict(plan_no=two, version=1, staff_no="S1", end_date=date(2026, 5, 31), planned_count=5, minimum_count=9,
                 planned_cost="100.00", content="")]
    with pytest.raises(Invalid) as invalid:
        bulk_update_plans(conn, HEAD, rows)
    assert list(invalid.value.errors) == ["row 2: minimum_count"]
    assert conn.execute(sa.text("SELECT planned_count FROM plans WHERE plan_no = :p"), {"p": one}).scalar() == 10
    rows[1]["minimum_count"] = 4
    exec_(conn, "UPDATE plans SET version = 2 WHERE plan_no = :p", p=two)  # someone else saved plan two
    with pytest.raises(Conflict):
        with conn.begin_nested():
            bulk_update_plans(conn, HEAD, rows)
    assert conn.execute(sa.text("SELECT planned_count FROM plans WHERE plan_no = :p"), {"p": one}).scalar() == 10
    rows[1]["version"] = 2
    assert bulk_update_plans(conn, HEAD, rows) == 2
    with pytest.raises(AccessDenied):
        bulk_update_plans(conn, AGENT, rows)


def test_settings_are_for_managers_and_change_the_figures(conn):
    setup(conn)
    received = local(2026, 5, 3, 9, 0)
    add_complaint(conn, "N1", "C1", received, "normal", resolved=received + timedelta(hours=50))
    rules = dict(sla={"normal": ("48", "24")}, tiers=[("Gold", 1, "1000"), ("Regular", 2, "0.01")],
                 fluctuation_threshold="0.25", value_band_high="1.5", value_band_low="0.5", abc_method="value")
    with pytest.raises(AccessDenied):
        save_settings(conn, HEAD, **rules)
    with pytest.raises(Invalid) as invalid:
        save_settings(conn, MANAGER, **(rules | dict(fluctuation_threshold="1.5", tiers=[("none", 1, "5")])))
    assert set(invalid.value.errors) == {"fluctuation_threshold", "tiers.1"}
    assert metrics.complaints.complaints(conn, Scope.company(), date(2026, 5, 1), date(2026, 5, 31))["state"][0] == "met"
    save_settings(conn, MANAGER, **rules)
    assert metrics.complaints.complaints(conn, Scope.company(), date(2026, 5, 1), date(2026, 5, 31))["state"][0] == "breached"
    stored = dict(conn.execute(sa.text("SELECT key, value FROM settings")).fetchall())
    assert stored["fluctuation_threshold"] == 0.25 and stored["abc_method"] == "value"
    assert history(conn, MANAGER, "settings", "rules")[0]["actor"] == "boss"


def test_suggestions_go_to_the_superior_who_answers(conn):
    setup(conn)
    exec_(conn, "UPDATE staff SET department_id = (SELECT id FROM departments WHERE code = 'EAST') WHERE staff_no = 'H-EAST'")
    number = send_suggestion(conn, AGENT, subject="回访流程", body="建议三天内回访")
    to = conn.execute(sa.text("SELECT t.staff_no FROM suggestions g JOIN staff t ON t.id = g.to_staff_id")).scalar()
    assert to == "H-EAST"
    with pytest.raises(AccessDenied):
        answer_suggestion(conn, OTHER_AGENT, suggestion_id=number, answer="好")
    answer_suggestion(conn, HEAD, suggestion_id=number, answer="同意，下周执行")
    assert metrics.records.suggestions_for(conn, "S1")["answer"][0] == "同意，下周执行"


def test_work_log_needs_content_and_scope(conn):
    setup(conn)
    with pytest.raises(Invalid) as invalid:
        add_work_log(conn, AGENT, customer_code="C2", logged_at=local(2026, 5, 3, 9, 0), source="phone",
                            service_type="consultation", content="", handling=None)
    assert set(invalid.value.errors) == {"customer_code", "content"}
    add_work_log(conn, AGENT, customer_code="C1", logged_at=local(2026, 5, 3, 9, 0), source="phone",
                        service_type="consultation", content="咨询报价", handling="已发送资料", satisfaction=5)
    assert count(conn, "work_logs") == 1


def test_a_write_that_commits_after_a_later_one_still_changes_what_the_app_compares(engine):
    """Ids are taken at insert: the newest id alone would miss the earlier write landing last."""
    entry = ("INSERT INTO audit_log (actor, action, table_name, record_key) "
             "VALUES ('t', 'update', 'plans', :k) RETURNING id")
    with engine.connect() as slow, engine.connect() as quick, engine.connect() as app:
        slow_tx = slow.begin()
        slow_id = slow.execute(sa.text(entry), {"k": "slow"}).scalar()
        with quick.begin():
            quick_id = quick.execute(sa.text(entry), {"k": "quick"}).scalar()
        assert slow_id < quick_id
        seen = latest_change(app)
        app.rollback()
        slow_tx.commit()
        now = latest_change(app)
        assert now[0] == seen[0] == quick_id  # the newest id did not move
        assert now != seen
