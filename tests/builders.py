"""Small, explicit data for metric tests: a department tree, staff, customers and records."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    """A timestamp in the company time zone (Asia/Shanghai)."""
    return datetime(*args, tzinfo=SHANGHAI)


def exec_(conn, sql: str, **params):
    return conn.execute(sa.text(sql), params)


def base(conn) -> None:
    """HQ > EAST > EAST-1, HQ > SOUTH; one agent; customers C1 (EAST-1), C2 (SOUTH), C3 (EAST)."""
    exec_(conn, "INSERT INTO departments (code, name) VALUES ('HQ', '总部')")
    exec_(conn, "INSERT INTO departments (code, name, parent_id) SELECT 'EAST', '华东', id FROM departments WHERE code='HQ'")
    exec_(conn, "INSERT INTO departments (code, name, parent_id) SELECT 'SOUTH', '华南', id FROM departments WHERE code='HQ'")
    exec_(conn, "INSERT INTO departments (code, name, parent_id) SELECT 'EAST-1', '华东一组', id FROM departments WHERE code='EAST'")
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'S1', '张伟', id, 'agent' FROM departments WHERE code='EAST-1'")
    for code, dept in (("C1", "EAST-1"), ("C2", "SOUTH"), ("C3", "EAST")):
        add_customer(conn, code, dept)


def add_customer(conn, code: str, department: str) -> None:
    exec_(conn, "INSERT INTO customers (code, name, department_id) SELECT :c, :n, id FROM departments WHERE code = :d",
          c=code, n=f"{code} 有限公司", d=department)


def add_order(conn, no: str, customer: str, day: date, amount) -> None:
    exec_(conn, "INSERT INTO orders (order_no, customer_id, order_date, amount) "
                "SELECT :no, id, :day, :amount FROM customers WHERE code = :c",
          no=no, c=customer, day=day, amount=amount)


def add_complaint(conn, no: str, customer: str, received: datetime, priority: str = "normal",
                  resolved: datetime | None = None, callback: datetime | None = None,
                  satisfaction: int | None = None) -> None:
    exec_(conn, "INSERT INTO complaints (complaint_no, customer_id, received_at, priority, content, resolved_at, "
                "callback_at, satisfaction) SELECT :no, id, :r, :p, '内容', :res, :cb, :sat FROM customers WHERE code = :c",
          no=no, c=customer, r=received, p=priority, res=resolved, cb=callback, sat=satisfaction)


def add_plan(conn, no: str, start: date, end: date, planned: int, minimum: int, planned_cost="1000.00",
             department: str = "EAST-1", type_: str = "visit", kind: str = "plan") -> None:
    exec_(conn, "INSERT INTO plans (plan_no, kind, type, horizon, start_date, end_date, department_id, planned_count, "
                "minimum_count, planned_cost) SELECT :no, :k, :t, 'month', :s, :e, id, :pc, :mc, :cost "
                "FROM departments WHERE code = :d",
          no=no, k=kind, t=type_, s=start, e=end, pc=planned, mc=minimum, cost=planned_cost, d=department)


def add_progress(conn, plan: str, day: date, completed: int, cost="0.00", success: int | None = None) -> None:
    exec_(conn, "INSERT INTO plan_progress (plan_id, recorded_on, completed_count, cost, success_count) "
                "SELECT id, :d, :c, :cost, :s FROM plans WHERE plan_no = :p",
          p=plan, d=day, c=completed, cost=cost, s=success)


def add_case(conn, no: str, customer: str, started: date, result: str, cost, reason: str = "price",
             method: str = "visit", closed: date | None = None) -> None:
    exec_(conn, "INSERT INTO retention_cases (case_no, customer_id, reason, intent, method, started_on, cost, result, "
                "closed_on) SELECT :no, id, :reason, 'at_risk', :method, :s, :cost, :res, :closed FROM customers WHERE code = :c",
          no=no, c=customer, reason=reason, method=method, s=started, cost=cost, res=result, closed=closed)
