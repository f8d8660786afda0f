"""Callbacks for every customer: due by ABC class, on-schedule rates per owner and department, gifts, the writes."""
from datetime import date

import pytest

from dashboard.core.scope import Scope
from dashboard.core.user import User
from dashboard.metrics import callbacks as cb
from dashboard.writes.callbacks import confirm_gift, record_callback, record_gift
from dashboard.writes.validation import Invalid
from tests.builders import add_customer, add_order, base, exec_

D = date(2026, 9, 28)


def setup(conn):
    base(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) "
                "SELECT 'S2', '李娜', id, 'agent' FROM departments WHERE code = 'SOUTH'")
    for code, dept in (("C4", "EAST-1"), ("C5", "EAST-1")):
        add_customer(conn, code, dept)
    exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S1'), "
                "created_on = '2026-01-01' WHERE code IN ('C1', 'C3', 'C4', 'C5')")
    exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S2'), "
                "created_on = '2026-09-01' WHERE code = 'C2'")
    # three graded by count: C1 the top 20 % (A), C4 and C5 up to 90 % (B); C2 and C3 bought nothing (C)
    add_order(conn, "O1", "C1", date(2026, 9, 1), "9000.00")
    add_order(conn, "O2", "C4", date(2026, 9, 1), "500.00")
    add_order(conn, "O3", "C5", date(2026, 9, 1), "100.00")


def callback(conn, customer, day, result="satisfied"):
    exec_(conn, "INSERT INTO customer_callbacks (customer_id, called_on, method, result) "
                "SELECT id, :d, 'phone', :r FROM customers WHERE code = :c", d=day, r=result, c=customer)


def test_due_dates_follow_the_abc_class_and_the_latest_callback(conn):
    setup(conn)
    callback(conn, "C1", date(2026, 8, 28))          # A, monthly: due 28 Sep, today, on schedule
    callback(conn, "C4", date(2026, 6, 27))          # B, quarterly: due 27 Sep, overdue by 1 day
    callback(conn, "C4", date(2026, 9, 1), "unreachable")   # not a callback
    callback(conn, "C5", date(2026, 9, 27))          # B: due 27 Dec, not on the list
    due = cb.callback_due(conn, Scope(None), D)
    rows = {r.customer_code: (r.abc_class, str(r.due_on), r.days_overdue) for r in due.itertuples()}
    # C3 never called, created 1 Jan 2026, C: due 1 Jan 2027; C2 created 1 Sep, C: 1 Sep 2027
    assert rows == {"C1": ("A", "2026-09-28", 0), "C4": ("B", "2026-09-27", 1)}
    exec_(conn, "INSERT INTO settings VALUES ('callback_months_c', '6')")
    assert set(cb.callback_due(conn, Scope(None), date(2026, 12, 28))["customer_code"]) >= {"C3"}
    # a department filter grades among its own customers (as the grading page does) and keeps its rows
    assert cb.callback_due(conn, Scope("SOUTH"), D).empty
    assert set(cb.callback_due(conn, Scope("EAST-1"), D)["customer_code"]) == {"C1", "C4"}
    assert list(cb.callback_due(conn, Scope(None), D, staff_no="S2")["customer_code"]) == []
    # the page's first rows by due date, each with the count of the whole list
    first = cb.callback_due(conn, Scope(None), D, limit=1)
    assert list(first["customer_code"]) == ["C3"] and int(first["due_count"].iloc[0]) == 3  # C: every 6 months now
    assert int(first["detractor_count"].iloc[0]) == 0


def test_on_schedule_rates_per_owner_department_and_all(conn):
    setup(conn)
    callback(conn, "C1", date(2026, 8, 28))
    callback(conn, "C4", date(2026, 6, 27))
    rates = cb.callback_rates(conn, Scope(None), D)
    table = {(r.department_code, r.staff_no if isinstance(r.staff_no, str) else None): (r.customers, r.on_schedule, r.overdue, float(r.on_schedule_rate))
             for r in rates.itertuples()}
    # C1 on schedule; C4 overdue; C5 (B) never called since 1 Jan: due 1 Apr, overdue
    assert table[("EAST-1", "S1")] == (3, 1, 2, 0.3333)
    assert table[("EAST-1", None)] == (3, 1, 2, 0.3333)
    assert table[("EAST", "S1")] == (1, 1, 0, 1.0)           # C3 (C): due 1 Jan 2027
    assert table[("ALL", None)] == (5, 3, 2, 0.6)


def test_detractors_and_gifts(conn):
    setup(conn)
    exec_(conn, "INSERT INTO satisfaction_surveys (customer_id, department_id, surveyed_on, nps, csat) "
                "SELECT id, department_id, '2026-09-20', 6, NULL FROM customers WHERE code = 'C2'")
    exec_(conn, "INSERT INTO satisfaction_surveys (customer_id, department_id, surveyed_on, nps) "
                "SELECT id, department_id, '2026-09-20', 7 FROM customers WHERE code = 'C3'")   # passive: no callback
    due = cb.callback_due(conn, Scope(None), D)
    detractors = due[due["reason"] == "detractor"]
    assert list(detractors["customer_code"]) == ["C2"] and str(detractors["due_on"].iloc[0]) == "2026-09-27"
    assert set(due["detractor_count"]) == {1} and set(due["due_count"]) == {len(due)}
    agent = User("s2", "agent", "S2", "李娜", "SOUTH")
    gift = record_gift(conn, agent, customer_code="C2", sent_on=date(2026, 9, 25), item="月饼礼盒", note=None, today=D)
    assert bool(cb.gifts(conn, Scope(None), D)["overdue"].iloc[0]) is False       # 25 Sep + 3 = 28 Sep
    assert bool(cb.gifts(conn, Scope(None), date(2026, 9, 29))["overdue"].iloc[0]) is True
    with pytest.raises(Invalid) as refused:
        confirm_gift(conn, agent, gift_id=gift, confirmed_on=date(2026, 9, 24), today=D)
    assert "confirmed_on" in refused.value.errors
    confirm_gift(conn, agent, gift_id=gift, confirmed_on=D, today=D)
    assert cb.gifts(conn, Scope(None), D).empty


def test_recording_a_callback_checks_every_field_and_the_scope(conn):
    setup(conn)
    agent = User("s2", "agent", "S2", "李娜", "SOUTH")
    with pytest.raises(Invalid) as refused:
        record_callback(conn, agent, customer_code="C1", called_on=date(2026, 9, 29), method="fax", result="ok",
                        note="x\x00", today=D)
    assert set(refused.value.errors) == {"customer_code", "called_on", "method", "result", "note"}
    assert exec_(conn, "SELECT count(*) FROM customer_callbacks").scalar() == 0
    record_callback(conn, agent, customer_code="C2", called_on=D, method="wechat", result="satisfied",
                    note="**不是** Markdown", today=D)
    rows = cb.customer_callbacks(conn, Scope("SOUTH"), D, D)
    assert list(rows["note"]) == ["**不是** Markdown"] and cb.customer_callbacks(conn, Scope("EAST"), D, D).empty
    assert exec_(conn, "SELECT count(*) FROM audit_log WHERE table_name = 'customer_callbacks'").scalar() == 1


def test_export_views_write_the_documented_columns(conn):
    from dashboard import exports

    setup(conn)
    callback(conn, "C4", date(2026, 6, 27))
    due = exports.export_frame(conn, exports.VIEWS["callbacks_due"], Scope(None), as_of=D)
    assert list(due.columns) == list(exports.CALLBACKS_DUE.columns) and "C4" in set(due["customer_code"])
    rates = exports.export_frame(conn, exports.VIEWS["callback_rates"], Scope("SOUTH"), as_of=D)
    assert list(rates["department_code"]) == ["SOUTH", "SOUTH", "ALL"]
    assert exports.render(rates, "csv").splitlines()[0] == ",".join(exports.CALLBACK_RATES.columns)
