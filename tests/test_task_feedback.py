"""Feedback on tasks (seed 000 五.7): the assignee is reminded of a task and answers with a suggestion
linked to it, which goes to the task's assigner and is listed on the task's record."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from dashboard.core.scope import Scope
from dashboard.core.user import User
from dashboard.metrics import plans
from dashboard.writes import reminders as rw
from dashboard.writes.suggestions import answer_suggestion, send_suggestion
from dashboard.writes.validation import Invalid
from db.engine import get_engine
from tests.builders import add_plan, base, exec_
from tests.test_app import assert_clean, open_page, use_database  # noqa: F401

NOW = datetime(2026, 9, 10, 2, 0, tzinfo=timezone.utc)
ASSIGNER = User("hq", "head", "H-HQ", "总部主管", "HQ")
HEAD = User("east", "head", "H-EAST", "华东主管", "EAST")
AGENT = User("agent1", "agent", "S1", "张伟", "EAST-1")
OTHER_AGENT = User("agent2", "agent", "S2", "李娜", "EAST-1")
SOUTH_AGENT = User("agent3", "agent", "S3", "陈静", "SOUTH")


def setup(conn):
    """T1 for S1 assigned by H-HQ (not S1's superior H-EAST); T-DEPT for EAST-1 (no assigner); T-SOUTH for S3; P1 a plan of S1."""
    base(conn)
    for no, name, department, role in (("H-EAST", "华东主管", "EAST", "head"), ("S2", "李娜", "EAST-1", "agent"),
                                       ("S3", "陈静", "SOUTH", "agent"), ("H-HQ", "总部主管", "HQ", "head")):
        exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT :n, :m, id, :r "
                    "FROM departments WHERE code = :d", n=no, m=name, d=department, r=role)
    add_plan(conn, "T1", date(2026, 9, 1), date(2026, 9, 30), 30, 20, kind="task")
    add_plan(conn, "T-DEPT", date(2026, 9, 1), date(2026, 9, 30), 30, 20, kind="task")
    add_plan(conn, "T-SOUTH", date(2026, 9, 1), date(2026, 9, 30), 30, 20, department="SOUTH", kind="task")
    for plan, staff in (("T1", "S1"), ("T-SOUTH", "S3")):
        exec_(conn, "UPDATE plans SET staff_id = (SELECT id FROM staff WHERE staff_no = :s), assigned_by_staff_id = "
                    "(SELECT id FROM staff WHERE staff_no = :a) WHERE plan_no = :p",
              s=staff, p=plan, a="H-HQ")


def count(conn) -> int:
    return conn.execute(sa.text("SELECT count(*) FROM suggestions")).scalar()


def open_kinds(conn, staff_no):
    return sorted(tuple(r) for r in conn.execute(sa.text(
        "SELECT r.kind, r.ref FROM reminders r JOIN staff s ON s.id = r.staff_id "
        "WHERE s.staff_no = :s AND r.resolved_at IS NULL"), {"s": staff_no}))


def test_the_assignee_of_a_task_is_reminded_of_it(conn):
    setup(conn)
    rw.refresh(conn, NOW)
    assert ("task_assigned", "T1") in open_kinds(conn, "S1")
    assert ("task_assigned", "T1") not in open_kinds(conn, "S2") + open_kinds(conn, "H-EAST")


def test_the_assignee_links_feedback_which_goes_to_the_assigner(conn):
    setup(conn)
    number = send_suggestion(conn, AGENT, subject="客户名单不全", body="**请补充** 名单", plan_no="T1")
    to, plan = conn.execute(sa.text("SELECT t.staff_no, p.plan_no FROM suggestions g JOIN staff t ON t.id = g.to_staff_id "
                                    "JOIN plans p ON p.id = g.plan_id WHERE g.id = :i"), {"i": number}).one()
    assert (to, plan) == ("H-HQ", "T1")
    feedback = plans.task_feedback(conn, Scope("EAST"), "T1")
    assert list(feedback["body"]) == ["**请补充** 名单"] and list(feedback["from_name"]) == ["张伟"]
    # the assigner is told, until the feedback is answered
    exec_(conn, "UPDATE suggestions SET created_at = :t", t=NOW.replace(hour=1))
    rw.refresh(conn, NOW)
    assert ("task_feedback", str(number)) in open_kinds(conn, "H-HQ")
    assert open_kinds(conn, "H-EAST") == []
    answer_suggestion(conn, ASSIGNER, suggestion_id=number, answer="明天补充")
    rw.refresh(conn, NOW)
    assert ("task_feedback", str(number)) not in open_kinds(conn, "H-HQ")


def test_a_department_task_takes_feedback_from_its_members_and_goes_to_the_superior(conn):
    setup(conn)   # T-DEPT is EAST-1's, with no assigner: the writer's superior receives it
    send_suggestion(conn, OTHER_AGENT, subject="人手不足", body="需要支援", plan_no="T-DEPT")
    assert conn.execute(sa.text("SELECT t.staff_no FROM suggestions g JOIN staff t ON t.id = g.to_staff_id")
                        ).scalar() == "H-EAST"


def test_only_the_assignee_may_link_and_bad_input_writes_nothing(conn):
    setup(conn)
    with pytest.raises(Invalid) as invalid:
        send_suggestion(conn, OTHER_AGENT, subject="建议", body="内容", plan_no="T1")
    assert invalid.value.errors == {"plan_no": ("err_task_assignee_only", {})}
    with pytest.raises(Invalid) as invalid:   # one message per field, all at once
        send_suggestion(conn, HEAD, subject="", body="", plan_no="T1")
    assert set(invalid.value.errors) == {"subject", "body", "plan_no"}
    assert count(conn) == 0


def test_a_task_outside_the_scope_reads_like_none(conn):
    setup(conn)
    with pytest.raises(Invalid) as outside:
        send_suggestion(conn, AGENT, subject="建议", body="内容", plan_no="T-SOUTH")
    with pytest.raises(Invalid) as missing:
        send_suggestion(conn, AGENT, subject="建议", body="内容", plan_no="T-NONE")
    assert outside.value.errors["plan_no"][0] == missing.value.errors["plan_no"][0] == "err_unknown"
    assert count(conn) == 0
    send_suggestion(conn, SOUTH_AGENT, subject="反馈", body="华南的反馈", plan_no="T-SOUTH")
    assert plans.task_feedback(conn, Scope("EAST"), "T-SOUTH").empty
    assert plans.task_feedback(conn, Scope("EAST"), "T-SOUTH").equals(plans.task_feedback(conn, Scope("EAST"), "T-NONE"))
    assert len(plans.task_feedback(conn, Scope.company(), "T-SOUTH")) == 1


def test_feedback_is_shown_on_the_task_record_in_both_languages(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    with get_engine().begin() as conn:
        plan_no, staff_no, department, name = conn.execute(sa.text(
            "SELECT p.plan_no, s.staff_no, d.code, s.name FROM plans p JOIN staff s ON s.id = p.staff_id "
            "JOIN departments d ON d.id = s.department_id WHERE p.kind = 'task' AND p.assigned_by_staff_id IS NOT NULL "
            "AND p.assigned_by_staff_id <> p.staff_id AND p.end_date >= current_date ORDER BY p.id LIMIT 1")).one()
        send_suggestion(conn, User("x", "agent", staff_no, name, department), subject="名单不全",
                        body="**请补充** <b>名单</b>", plan_no=plan_no)
    for lang, heading in (("zh", "任务反馈"), ("en", "Feedback on this task")):
        at = open_page("tasks", lang, user="manager", plan=plan_no)
        assert_clean(at)
        assert heading in [m.value.strip("*") for m in at.markdown]
        shown = [x.value for x in at.text if "名单不全" in x.value]
        assert shown and name in shown[0] and "**请补充** <b>名单</b>" in shown[0]


def test_the_agent_sends_feedback_on_their_task_from_the_suggestions_page(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    from tests.test_app import signed_in
    agent = signed_in("agent")
    with get_engine().begin() as conn:   # a task of the demo agent's, assigned by someone
        plan_no = conn.execute(sa.text(
            "UPDATE plans SET staff_id = (SELECT id FROM staff WHERE staff_no = :s), assigned_by_staff_id = "
            "(SELECT min(id) FROM staff WHERE role = 'manager') WHERE id = (SELECT min(id) FROM plans WHERE kind = 'task' "
            "AND end_date >= current_date + 7 AND department_id = (SELECT department_id FROM staff WHERE staff_no = :s)) "
            "RETURNING plan_no"), {"s": agent.staff_no}).scalar()   # in the agent's department: in their scope
        others = list(conn.execute(sa.text(
            "SELECT p.plan_no FROM plans p JOIN staff s ON s.id = p.staff_id WHERE p.kind = 'task' "
            "AND s.staff_no <> :s"), {"s": agent.staff_no}).scalars())   # tasks named to someone else
    assert others
    at = open_page("suggestions", "en", user="agent")
    assert_clean(at)
    options = at.selectbox(key="suggestion_plan").options
    assert plan_no in options and not set(options) & set(others)
    at.selectbox(key="suggestion_plan").set_value(plan_no)
    at.text_input(key="suggestion_subject").input("List incomplete")
    at.text_area(key="suggestion_body").input("Please add the missing customers")
    at.button[0].click().run()
    assert_clean(at)
    with get_engine().connect() as conn:
        assert conn.execute(sa.text(
            "SELECT p.plan_no, t.role FROM suggestions g JOIN plans p ON p.id = g.plan_id JOIN staff t ON t.id = g.to_staff_id "
            "WHERE g.subject = 'List incomplete'")).one() == (plan_no, "manager")
