"""Reminders: each kind for the right person and only for them, once, gone when resolved; e-mail once
through a real SMTP server on localhost; the remind and settings commands; settings.csv."""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from dashboard.core.scope import Scope
from dashboard.core.user import User
from dashboard.metrics import reminders as rm
from dashboard.writes import reminders as rw
from tests.builders import add_complaint, add_order, add_plan, add_progress, base, exec_, local

NOW = local(2026, 9, 28, 12, 0)       # a Monday


def people(conn):
    base(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role, email) "
                "SELECT 'H1', '王主管', id, 'head', 'h1@example.com' FROM departments WHERE code = 'EAST-1'")
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role, email) "
                "SELECT 'S2', '李娜', id, 'agent', 's2@example.com' FROM departments WHERE code = 'SOUTH'")
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) "
                "SELECT 'H2', '赵主管', id, 'head' FROM departments WHERE code = 'SOUTH'")
    exec_(conn, "UPDATE staff SET email = 's1@example.com' WHERE staff_no = 'S1'")
    exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S1'), "
                "created_on = '2026-09-20' WHERE code = 'C1'")
    exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S2'), "
                "created_on = '2026-09-20' WHERE code = 'C2'")


def handled_by(conn, complaint, staff):
    exec_(conn, "UPDATE complaints SET handler_staff_id = (SELECT id FROM staff WHERE staff_no = :s) "
                "WHERE complaint_no = :c", s=staff, c=complaint)


def open_kinds(conn, staff_no, scope=None):
    frame = rm.my_reminders(conn, Scope(scope), staff_no)
    return sorted(zip(frame["kind"], frame["ref"]))


def user(staff_no, role="agent", department="EAST-1"):
    return User(staff_no.lower(), role, staff_no, staff_no, department)


def test_complaint_reminders_go_to_the_handler_or_the_heads_once_and_go_when_resolved(conn):
    people(conn)
    # urgent, 4 h: 75 % of the SLA (3 h) has passed, 1 h left
    add_complaint(conn, "SOON", "C1", NOW - timedelta(hours=3), "urgent")
    handled_by(conn, "SOON", "S1")
    add_complaint(conn, "EARLY", "C1", NOW - timedelta(hours=2, minutes=59), "urgent")
    handled_by(conn, "EARLY", "S1")
    # no handler, overdue: the heads of the customer's department (SOUTH: H2), nobody else
    add_complaint(conn, "LATE", "C2", NOW - timedelta(hours=5), "urgent")
    first = rw.refresh(conn, NOW)
    assert open_kinds(conn, "S1") == [("complaint_due_soon", "SOON")]
    assert open_kinds(conn, "H2") == [("complaint_overdue", "LATE")]
    assert open_kinds(conn, "H1") == [] and open_kinds(conn, "S2") == []
    # the same conditions on the next run: nothing new
    again = rw.refresh(conn, NOW + timedelta(seconds=30))
    assert again["made"] == 0 and first["made"] == 2
    assert exec_(conn, "SELECT count(*) FROM reminders").scalar() == 2
    # SOON passes its deadline: due-soon goes, overdue comes; LATE resolved: its reminder goes,
    # and its callback is due for the heads
    exec_(conn, "UPDATE complaints SET resolved_at = :t WHERE complaint_no = 'LATE'", t=NOW + timedelta(minutes=30))
    later = NOW + timedelta(hours=1, minutes=1)
    rw.refresh(conn, later)
    assert open_kinds(conn, "S1") == [("complaint_due_soon", "EARLY"), ("complaint_overdue", "SOON")]
    assert open_kinds(conn, "H2") == [("complaint_callback", "LATE")]
    exec_(conn, "UPDATE complaints SET callback_at = :t WHERE complaint_no = 'LATE'", t=later)
    rw.refresh(conn, later)
    assert open_kinds(conn, "H2") == []


def test_one_persons_complaint_reminders_are_those_of_everyones_refresh(conn):
    """A refresh for one person (the pages') reads only their complaints and the handler-less ones,
    and makes for them what a refresh for everyone (the remind command) makes."""
    people(conn)
    add_complaint(conn, "SOON", "C1", NOW - timedelta(hours=3), "urgent")
    handled_by(conn, "SOON", "S1")
    add_complaint(conn, "OTHER", "C2", NOW - timedelta(hours=5), "urgent")
    handled_by(conn, "OTHER", "S2")
    add_complaint(conn, "LATE", "C2", NOW - timedelta(hours=5), "urgent")              # no handler: H2
    add_complaint(conn, "CALL", "C2", NOW - timedelta(days=9), "normal", resolved=NOW - timedelta(days=8))
    staff = dict(exec_(conn, "SELECT staff_no, id FROM staff").all())
    for staff_no in ("S1", "S2", "H2", "H1"):
        rw.refresh(conn, NOW, staff[staff_no])
    alone = {s: open_kinds(conn, s) for s in ("S1", "S2", "H2", "H1")}
    assert alone["S1"] == [("complaint_due_soon", "SOON")] and alone["S2"] == [("complaint_overdue", "OTHER")]
    assert alone["H2"] == [("complaint_callback", "CALL"), ("complaint_overdue", "LATE")] and alone["H1"] == []
    exec_(conn, "DELETE FROM reminders")
    rw.refresh(conn, NOW)
    assert {s: open_kinds(conn, s) for s in ("S1", "S2", "H2", "H1")} == alone


def test_complaint_callbacks_have_no_30_day_cut_off(conn):
    people(conn)
    add_complaint(conn, "OLD", "C1", NOW - timedelta(days=90), "normal", resolved=NOW - timedelta(days=80))
    handled_by(conn, "OLD", "S1")
    rw.refresh(conn, NOW)
    assert open_kinds(conn, "S1") == [("complaint_callback", "OLD")]
    from dashboard.metrics.complaints import complaints_waiting
    assert list(complaints_waiting(conn, Scope(None), NOW.date())["complaint_no"]) == ["OLD"]


def test_tasks_and_plans_behind(conn):
    people(conn)
    # a task for the department EAST-1 (no staff member): everyone in it; a plan of S1 behind pace
    add_plan(conn, "T1", date(2026, 9, 1), date(2026, 9, 30), 30, 30, kind="task")
    add_plan(conn, "P1", date(2026, 9, 1), date(2026, 9, 30), 30, 30)
    exec_(conn, "UPDATE plans SET staff_id = (SELECT id FROM staff WHERE staff_no = 'S1') WHERE plan_no = 'P1'")
    add_progress(conn, "T1", date(2026, 9, 2), 27)    # 27 of 30 on day 28 of 30: behind too (for the heads)
    rw.refresh(conn, NOW)
    s1, h1 = open_kinds(conn, "S1"), open_kinds(conn, "H1")
    assert ("task_assigned", "T1") in s1 and ("task_assigned", "T1") in h1
    assert ("plan_behind", "P1") in s1 and ("plan_behind", "P1") not in h1   # P1 has a staff member
    assert open_kinds(conn, "S2") == []
    add_progress(conn, "T1", date(2026, 9, 3), 3)     # achieved: the task reminder goes
    add_progress(conn, "P1", date(2026, 9, 3), 30)
    rw.refresh(conn, NOW)
    assert open_kinds(conn, "S1") == [] and open_kinds(conn, "H1") == []


def test_customer_reminders_go_to_the_owner(conn):
    people(conn)
    # C1 bought in August and not in September (like for like: 1-28 Aug against 1-28 Sep): stopped
    add_order(conn, "O1", "C1", date(2026, 8, 10), "5000.00")
    # a dissatisfied survey of C2 (NPS 5): its owner S2 calls back
    exec_(conn, "INSERT INTO satisfaction_surveys (customer_id, department_id, surveyed_on, nps) "
                "SELECT id, department_id, '2026-09-25', 5 FROM customers WHERE code = 'C2'")
    # a gift to C2 sent 4 days ago, not confirmed
    exec_(conn, "INSERT INTO customer_gifts (customer_id, sent_on, item) SELECT id, '2026-09-24', '月饼' "
                "FROM customers WHERE code = 'C2'")
    rw.refresh(conn, NOW)
    assert ("customer_stopped", "C1@2026-09") in open_kinds(conn, "S1")
    s2 = open_kinds(conn, "S2")
    assert ("detractor_callback", "C2@2026-09-25") in s2 and ("gift_unconfirmed", "1") in s2
    assert not any(kind in ("detractor_callback", "gift_unconfirmed") for kind, _ in open_kinds(conn, "S1"))
    from dashboard.writes.callbacks import confirm_gift, record_callback
    record_callback(conn, user("S2", department="SOUTH"), customer_code="C2", called_on=NOW.date(), method="phone",
                    result="unreachable", note=None, today=NOW.date())
    rw.refresh(conn, NOW)
    assert ("detractor_callback", "C2@2026-09-25") in open_kinds(conn, "S2")      # unreachable is no callback
    record_callback(conn, user("S2", department="SOUTH"), customer_code="C2", called_on=NOW.date(), method="phone",
                    result="satisfied", note="已致歉", today=NOW.date())
    confirm_gift(conn, user("S2", department="SOUTH"), gift_id=1, confirmed_on=NOW.date(), today=NOW.date())
    rw.refresh(conn, NOW)
    assert not any(k in ("detractor_callback", "gift_unconfirmed") for k, _ in open_kinds(conn, "S2"))


def test_read_dismiss_and_only_ones_own(conn):
    people(conn)
    add_complaint(conn, "LATE", "C1", NOW - timedelta(hours=5), "urgent")
    handled_by(conn, "LATE", "S1")
    rw.refresh(conn, NOW)
    reminder = int(rm.my_reminders(conn, Scope(None), "S1")["reminder_id"][0])
    assert rm.unread_count(conn, Scope(None), "S1").loc[0, "unread"] == 1
    assert rw.mark_read(conn, user("S2", department="SOUTH"), [reminder], NOW) == 0    # not S2's
    assert rw.dismiss(conn, user("S2", department="SOUTH"), reminder, NOW) is False
    assert rw.mark_read(conn, user("S1"), [reminder], NOW) == 1
    assert rm.unread_count(conn, Scope(None), "S1").loc[0, "unread"] == 0
    assert rw.dismiss(conn, user("S1"), reminder, NOW)
    rw.refresh(conn, NOW + timedelta(minutes=5))
    assert open_kinds(conn, "S1") == []            # the condition holds, but it stays dismissed
    # a reminder whose customer is outside the reader's scope reads like none
    exec_(conn, "UPDATE reminders SET dismissed_at = NULL")
    assert open_kinds(conn, "S1", scope="EAST-1") == [("complaint_overdue", "LATE")]
    assert open_kinds(conn, "S1", scope="SOUTH") == []


def test_suggestion_answered_tells_who_asked(conn):
    people(conn)
    exec_(conn, "INSERT INTO suggestions (from_staff_id, to_staff_id, subject, body, answer, answered_at) "
                "SELECT a.id, b.id, '建议', '内容', '好的', :t FROM staff a, staff b "
                "WHERE a.staff_no = 'S1' AND b.staff_no = 'H1'", t=NOW - timedelta(days=1))
    rw.refresh(conn, NOW)
    assert open_kinds(conn, "S1") == [("suggestion_answered", "1")] and open_kinds(conn, "H1") == []
    rw.refresh(conn, NOW + timedelta(days=14))
    assert open_kinds(conn, "S1") == []


@pytest.fixture
def smtp_server():
    """A real SMTP server on localhost (aiosmtpd) that keeps what it receives."""
    from aiosmtpd.controller import Controller

    class Keep:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    import socket

    with socket.socket() as probe:           # a free port (the controller checks its port by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_email_is_off_by_default_and_sent_once_when_on(conn, smtp_server):
    from dashboard.mail import send_reminders

    handler, port = smtp_server
    people(conn)
    add_complaint(conn, "LATE", "C1", NOW - timedelta(hours=5), "urgent")
    handled_by(conn, "LATE", "S1")
    rw.refresh(conn, NOW)
    assert send_reminders(conn, NOW) == 0 and handler.messages == []
    exec_(conn, "INSERT INTO settings VALUES ('email_reminders', '\"on\"'), ('smtp_host', CAST(:h AS jsonb)), "
                "('smtp_sender', '\"service@example.com\"')", h=f'"127.0.0.1:{port}"')
    assert send_reminders(conn, NOW) == 1
    assert send_reminders(conn, NOW + timedelta(minutes=10)) == 0          # once, not twice
    rw.refresh(conn, NOW + timedelta(minutes=10))
    assert send_reminders(conn, NOW + timedelta(minutes=10)) == 0
    assert len(handler.messages) == 1
    recipients, content = handler.messages[0]
    assert recipients == ["s1@example.com"] and "LATE" in content


def test_remind_command_makes_and_sends(engine, database_url, smtp_server, monkeypatch, capsys):
    from dashboard.cli import main

    handler, port = smtp_server
    monkeypatch.setenv("DATABASE_URL", database_url)
    with engine.begin() as conn:
        people(conn)
        add_complaint(conn, "LATE", "C2", NOW - timedelta(hours=5), "urgent")
        handled_by(conn, "LATE", "S2")
        exec_(conn, "INSERT INTO settings VALUES ('email_reminders', '\"on\"'), ('smtp_host', CAST(:h AS jsonb)), "
                    "('smtp_sender', '\"service@example.com\"')", h=f'"127.0.0.1:{port}"')
    assert main(["remind", "--now", NOW.isoformat()]) == 0
    assert "1 new" in capsys.readouterr().out
    assert main(["remind", "--now", (NOW + timedelta(minutes=5)).isoformat()]) == 0
    assert "0 new" in capsys.readouterr().out
    assert [r for r, _ in handler.messages] == [["s2@example.com"]]
    assert main(["remind", "--now", "yesterday"]) == 1


def test_settings_command_lists_and_settings_csv_imports(engine, database_url, monkeypatch, capsys, tmp_path):
    from dashboard.cli import main
    from dashboard.core.settings import SETTINGS

    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["settings"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "key,value" and {line.split(",")[0] for line in out[1:]} == set(SETTINGS)
    assert "sla_clock,calendar" in out and "callback_months_a,1" in out
    assert not any("password" in line.lower() for line in out)
    (tmp_path / "settings.csv").write_text("key,value\nsla_clock,business\ncallback_months_b,2\n", encoding="utf-8")
    assert main(["import", str(tmp_path)]) == 0
    capsys.readouterr()
    main(["settings"])
    out = capsys.readouterr().out.splitlines()
    assert "sla_clock,business" in out and "callback_months_b,2" in out
    # a bad value or an unknown key: nothing written, each named by its line
    (tmp_path / "settings.csv").write_text("key,value\nsla_clock,calendar\nbusiness_hours,18:00-09:00\nsmtp_password,x\n",
                                           encoding="utf-8")
    assert main(["import", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "settings.csv:3: value:" in err and "settings.csv:4: key: 'smtp_password' is not a setting" in err
    main(["settings"])
    assert "sla_clock,business" in capsys.readouterr().out.splitlines()


def test_the_settings_listing_imports_back_unchanged(engine, database_url, monkeypatch, capsys, tmp_path):
    from dashboard.cli import main

    monkeypatch.setenv("DATABASE_URL", database_url)
    with engine.begin() as conn:   # the weights as the settings registry knows them (0001 stored older keys)
        exec_(conn, "DELETE FROM settings WHERE key = 'evaluation_weights'")
    main(["settings"])
    listing = capsys.readouterr().out
    (tmp_path / "settings.csv").write_text(listing, encoding="utf-8")
    assert main(["import", str(tmp_path)]) == 0
    capsys.readouterr()
    main(["settings"])
    assert capsys.readouterr().out == listing


def test_tier_changes_drops_and_scheduled_callbacks_tell_the_owner(conn):
    people(conn)
    exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S1'), "
                "created_on = '2026-08-01' WHERE code = 'C3'")
    # C1: Gold in the 365 days to 28 Aug (the same day of the month before), Silver in those to 28 Sep
    add_order(conn, "T1", "C1", date(2025, 9, 10), "150000.00")
    add_order(conn, "T2", "C1", date(2026, 1, 5), "30000.00")
    # C2: a tier before, none now (lost) — S2's customer
    add_order(conn, "L1", "C2", date(2025, 9, 10), "5000.00")
    # C3: 1,000 in 1-28 Aug, 500 in 1-28 Sep: a drop of 50 % (threshold 30 %)
    add_order(conn, "D1", "C3", date(2026, 8, 10), "1000.00")
    add_order(conn, "D2", "C3", date(2026, 9, 10), "500.00")
    for key in ("callback_months_a", "callback_months_b", "callback_months_c"):
        exec_(conn, "INSERT INTO settings VALUES (:k, '1')", k=key)
    rw.refresh(conn, NOW)
    s1, s2 = open_kinds(conn, "S1"), open_kinds(conn, "S2")
    assert ("tier_down", "C1@2026-09") in s1 and ("customer_drop", "C3@2026-09") in s1
    assert ("customer_callback", "C3@2026-09-01") in s1       # created 1 Aug, monthly: due 1 Sep
    assert ("tier_lost", "C2@2026-09") in s2 and not any(r.startswith("C2@") for _, r in s1)
    assert not any(r.startswith(("C1@", "C3@")) for _, r in s2)
    from dashboard.writes.callbacks import record_callback
    record_callback(conn, user("S1", "head", "EAST"), customer_code="C3", called_on=NOW.date(), method="visit",
                    result="neutral",
                    note=None, today=NOW.date())
    rw.refresh(conn, NOW)
    assert ("customer_callback", "C3@2026-09-01") not in open_kinds(conn, "S1")


def rating_cycle(conn, cycle, *staff_nos, closed=False):
    exec_(conn, "INSERT INTO evaluation_cycles (cycle, opened_by, opened_at, closed_at, closed_by) "
                "VALUES (:c, 'hr1', :o, :x, :b)", c=cycle, o=NOW - timedelta(days=3),
          x=NOW - timedelta(days=1) if closed else None, b="hr1" if closed else None)
    exec_(conn, "INSERT INTO evaluation_participants (cycle_id, staff_id) SELECT c.id, s.id "
                "FROM evaluation_cycles c, staff s WHERE c.cycle = :c AND s.staff_no = ANY(:s)", c=cycle, s=list(staff_nos))


def test_a_360_rating_is_requested_of_each_rater_until_given_or_the_cycle_closes(conn):
    people(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) "
                "SELECT 'S3', '陈静', id, 'agent' FROM departments WHERE code = 'EAST-1'")
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role, left_on) "
                "SELECT 'S9', '离职者', id, 'agent', '2026-09-15' FROM departments WHERE code = 'EAST'")
    # EAST-1: the head H1, agents S1 and S3 (peers); S2 in SOUTH is a participant nobody here rates;
    # S9 (EAST, rating only themselves) has left: not reminded
    rating_cycle(conn, "2026-Q3", "H1", "S1", "S3", "S2", "S9")
    rating_cycle(conn, "2026-Q2", "H1", "S1", closed=True)      # a closed cycle asks nothing
    rw.refresh(conn, NOW)
    assert open_kinds(conn, "S1") == [("rating_requested", "2026-Q3/H1"), ("rating_requested", "2026-Q3/S1"),
                                      ("rating_requested", "2026-Q3/S3")]
    assert open_kinds(conn, "H1") == [("rating_requested", "2026-Q3/H1"), ("rating_requested", "2026-Q3/S1"),
                                      ("rating_requested", "2026-Q3/S3")]
    assert open_kinds(conn, "S2") == [("rating_requested", "2026-Q3/S2")]      # self only
    assert open_kinds(conn, "H2") == [] and open_kinds(conn, "S9") == []       # not a participant; left
    mine = rm.my_reminders(conn, Scope(None), "S1")
    assert "2026-Q3 · 王主管 (H1)" in set(mine["record"])
    assert not any(c in mine.columns for c in ("scores", "score"))
    # S1 rates H1: that reminder goes, for S1 only; the scores appear nowhere in the reminders
    from dashboard.core.settings import EVALUATION_DIMENSIONS
    from dashboard.writes.evaluation import close_cycle, submit_rating
    submit_rating(conn, user("S1"), cycle="2026-Q3", evaluatee_staff_no="H1",
                  scores={d: 87 for d in EVALUATION_DIMENSIONS})
    rw.refresh(conn, NOW)
    assert ("rating_requested", "2026-Q3/H1") not in open_kinds(conn, "S1")
    assert ("rating_requested", "2026-Q3/H1") in open_kinds(conn, "H1")
    assert not exec_(conn, "SELECT count(*) FROM reminders WHERE ref LIKE '%87%' OR body LIKE '%87%'").scalar()
    again = rw.refresh(conn, NOW + timedelta(minutes=5))
    assert again["made"] == 0
    # the cycle closes: every request goes
    close_cycle(conn, User("hr1", "hr", None, "人事", None), cycle="2026-Q3", version=1)
    rw.refresh(conn, NOW)
    assert all(open_kinds(conn, s) == [] for s in ("S1", "H1", "S2", "S3"))


def budget(conn, department, period, category, amount, status="approved"):
    from dashboard.core.periods import Period
    p = Period.parse(period)
    exec_(conn, """INSERT INTO service_budgets (department_id, period, period_start, period_end, category, amount,
                   status, original_amount) SELECT id, :p, :s, :e, :c, :a, :st, :a FROM departments WHERE code = :d""",
          d=department, p=p.label, s=p.start, e=p.end, c=category, a=amount, st=status)


def cost_entry(conn, no, day, department, category, amount):
    exec_(conn, """INSERT INTO cost_entries (entry_no, entry_date, department_id, category, amount)
                   SELECT :no, :d, id, :c, :a FROM departments WHERE code = :dep""",
          no=no, d=day, dep=department, c=category, a=amount)


def test_a_budget_overrun_of_the_month_to_date_tells_the_heads_and_the_managers(conn):
    people(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) "
                "SELECT 'M1', '孙经理', id, 'manager' FROM departments WHERE code = 'HQ'")
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role, left_on) "
                "SELECT 'M0', '前经理', id, 'manager', '2026-08-31' FROM departments WHERE code = 'HQ'")
    # EAST-1 people: 3,000 for September, pro-rated to 1-28 Sep: 2,800.00; spent 2,800.00: not over
    budget(conn, "EAST-1", "2026-09", "people", "3000.00")
    cost_entry(conn, "E1", date(2026, 9, 3), "EAST-1", "people", "2800.00")
    cost_entry(conn, "E2", date(2026, 9, 29), "EAST-1", "people", "500.00")     # after today: not yet
    # EAST-1 equipment: a proposed budget does not count, only the approved 300 a month (280.00 to date)
    budget(conn, "EAST-1", "2026-09", "equipment", "300.00")
    budget(conn, "EAST-1", "2026-Q3", "equipment", "9000.00", status="proposed")
    cost_entry(conn, "E3", date(2026, 9, 28), "EAST-1", "equipment", "280.01")
    # SOUTH funds over, and a cost without any budget (no budget to exceed)
    budget(conn, "SOUTH", "2026", "funds", "3650.00")                           # 10.00 a day: 280.00 to date
    cost_entry(conn, "E4", date(2026, 9, 1), "SOUTH", "funds", "300.00")
    cost_entry(conn, "E5", date(2026, 9, 1), "SOUTH", "people", "50.00")
    rw.refresh(conn, NOW)
    assert open_kinds(conn, "H1") == [("budget_overrun", "EAST-1/equipment@2026-09")]
    assert open_kinds(conn, "H2") == [("budget_overrun", "SOUTH/funds@2026-09")]
    assert open_kinds(conn, "M1") == [("budget_overrun", "EAST-1/equipment@2026-09"),
                                      ("budget_overrun", "SOUTH/funds@2026-09")]
    assert open_kinds(conn, "S1") == [] and open_kinds(conn, "S2") == [] and open_kinds(conn, "M0") == []
    mine = rm.my_reminders(conn, Scope(None), "H1")
    assert list(mine["record"]) == ["华东一组 (EAST-1) · 2026-09"] and list(mine["category"]) == ["equipment"]
    # scope: the manager reading within SOUTH sees SOUTH's only
    assert open_kinds(conn, "M1", scope="SOUTH") == [("budget_overrun", "SOUTH/funds@2026-09")]
    assert rw.refresh(conn, NOW + timedelta(minutes=5))["made"] == 0
    # the head's proposed change is approved: the budget covers the cost, the reminder goes
    exec_(conn, "UPDATE service_budgets SET amount = '400.00' WHERE category = 'equipment' AND period = '2026-09'")
    rw.refresh(conn, NOW)
    assert open_kinds(conn, "H1") == [] and ("budget_overrun", "EAST-1/equipment@2026-09") not in open_kinds(conn, "M1")
    # a new month is a new occurrence: October's overrun is its own reminder, September's goes
    october = local(2026, 10, 2, 9, 0)
    cost_entry(conn, "E6", date(2026, 10, 1), "SOUTH", "funds", "25.00")       # 20.00 for 1-2 Oct
    rw.refresh(conn, october)
    assert open_kinds(conn, "H2") == [("budget_overrun", "SOUTH/funds@2026-10")]


def test_the_new_kinds_are_named_in_the_email(conn, smtp_server):
    from dashboard.mail import send_reminders

    handler, port = smtp_server
    people(conn)
    exec_(conn, "UPDATE staff SET email = 'h2@example.com' WHERE staff_no = 'H2'")
    budget(conn, "SOUTH", "2026-09", "funds", "100.00")
    cost_entry(conn, "E1", date(2026, 9, 2), "SOUTH", "funds", "150.00")
    rating_cycle(conn, "2026-Q3", "H2")
    rw.refresh(conn, NOW)
    exec_(conn, "INSERT INTO settings VALUES ('email_reminders', '\"on\"'), ('smtp_host', CAST(:h AS jsonb)), "
                "('smtp_sender', '\"service@example.com\"')", h=f'"127.0.0.1:{port}"')
    assert send_reminders(conn, NOW) == 1
    import email
    from email import policy
    message = email.message_from_string(handler.messages[0][1], policy=policy.default)
    body = message.get_body(("plain",)).get_content()
    assert "预算超支 / budget overrun: 华南 (SOUTH) · 2026-09 · 资金 / funds" in body
    assert "待完成360评价 / 360 rating requested: 2026-Q3 · 赵主管 (H2)" in body


def test_budget_overruns_are_the_service_cost_pages_cells_over_budget(conn):
    from dashboard.metrics import cost

    people(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) "
                "SELECT 'M1', '孙经理', id, 'manager' FROM departments WHERE code = 'HQ'")
    # yearly, quarterly and supplementary rows adding up, a week straddling the month's start
    for department, period, category, amount in (("EAST-1", "2026", "people", "36500.00"),
                                                 ("EAST-1", "2026-Q3", "people", "920.00"),
                                                 ("EAST", "2026-W39", "funds", "70.00"),
                                                 ("SOUTH", "2026-09", "equipment", "0.00"),
                                                 ("HQ", "2026-Q3", "funds", "9200.00")):
        budget(conn, department, period, category, amount)
    for no, (day, department, category, amount) in enumerate(((3, "EAST-1", "people", "2900.00"),
                                                              (28, "EAST-1", "people", "0.01"),
                                                              (22, "EAST", "funds", "70.01"),
                                                              (5, "SOUTH", "equipment", "0.01"),
                                                              (9, "HQ", "funds", "2800.00"))):
        cost_entry(conn, f"E{no}", date(2026, 9, day), department, category, amount)
    rw.refresh(conn, NOW)
    table = cost.service_cost(conn, Scope(None), date(2026, 9, 1), NOW.date())
    cells = table[(table["department_code"] != "ALL") & (table["category"] != "ALL")]
    over = {f"{r.department_code}/{r.category}@2026-09" for r in cells.itertuples() if r.actual > r.budget}
    # EAST-1 people: 100 a day + 10 a day (the quarter's supplement) for 28 days = 3,080.00 ≥ 2,900.01;
    # EAST's week 21-27 Sep: 70.01 > 70.00; SOUTH's approved 0.00: 0.01 is over; HQ: 2,800.00 of 2,800.00
    assert over == {"EAST/funds@2026-09", "SOUTH/equipment@2026-09"}
    assert {ref for _, ref in open_kinds(conn, "M1")} == over
