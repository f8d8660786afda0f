"""Writes of plans and tasks (计划与任务): create or assign, record progress, bulk edit open tasks."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from dashboard.core import vocabulary
from dashboard.core.scope import AccessDenied, resolve
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import (
    Errors,
    check_version,
    choice,
    decimal_value,
    department_in_scope,
    in_range,
    limited,
    locked_row,
    lookup_id,
    next_number,
    optional_text,
    require_role,
    required,
    staff_in_scope,
    whole_number,
)


def save_plan(conn, user: User, *, kind: str, type: str, horizon: str, start_date: date, end_date: date,
              department_code: str, staff_no: str | None, planned_count, minimum_count, planned_cost,
              content: str | None = None, purpose: str | None = None, method: str | None = None) -> str:
    """Create a plan (for oneself or one's department) or assign a task (heads and managers)."""
    errors = Errors()
    choice(errors, "kind", kind, vocabulary.PLAN_KIND.codes)
    if kind == "task" and user.role == "agent":
        errors.add("kind", "err_tasks_by_heads")
    choice(errors, "type", type, vocabulary.PLAN_TYPE.codes)
    choice(errors, "horizon", horizon, vocabulary.HORIZON.codes)
    in_range(errors, "start_date", required(errors, "start_date", start_date))
    in_range(errors, "end_date", required(errors, "end_date", end_date))
    limited(errors, "content", content)
    limited(errors, "purpose", purpose)
    if start_date and end_date and start_date > end_date:
        errors.add("end_date", "err_end_before_start")
    dep_id = department_in_scope(conn, errors, user, department_code)
    staff_id = staff_in_scope(conn, errors, user, staff_no) if staff_no else None
    if user.role == "agent" and staff_no != user.staff_no:
        errors.add("staff_no", "err_own_plans_only")
    planned = whole_number(errors, "planned_count", planned_count, minimum=1)
    minimum = whole_number(errors, "minimum_count", minimum_count)
    if planned is not None and minimum is not None and minimum > planned:
        errors.add("minimum_count", "err_minimum_above_planned")
    cost = decimal_value(errors, "planned_cost", planned_cost)
    if type == "visit":
        choice(errors, "method", method, vocabulary.PLAN_METHOD.codes)
    elif method:
        choice(errors, "method", method, vocabulary.PLAN_METHOD.codes)
    errors.raise_any()
    assigner = lookup_id(conn, "SELECT id FROM staff WHERE staff_no = :v", user.staff_no) if kind == "task" else None
    plan_no = next_number(conn, "plans", "plan_no", "P")
    row = conn.execute(sa.text("""
        INSERT INTO plans (plan_no, kind, type, horizon, start_date, end_date, department_id, staff_id,
                           assigned_by_staff_id, planned_count, minimum_count, planned_cost, content, purpose, method)
        VALUES (:no, :kind, :type, :horizon, :s, :e, :dep, :staff, :by, :pc, :mc, :cost, :content, :purpose, :method)
        RETURNING *"""), {"no": plan_no, "kind": kind, "type": type, "horizon": horizon, "s": start_date,
                          "e": end_date, "dep": dep_id, "staff": staff_id, "by": assigner, "pc": planned,
                          "mc": minimum, "cost": cost, "content": optional_text(content), "purpose": optional_text(purpose),
                          "method": method or None}).mappings().one()
    audit(conn, user, "create", "plans", plan_no, after=row)
    return plan_no


def plan_in_scope(conn, errors: Errors, user: User, plan_no: str) -> dict | None:
    plan = conn.execute(sa.text("""SELECT p.*, d.code AS department_code, s.staff_no FROM plans p
                                   JOIN departments d ON d.id = p.department_id LEFT JOIN staff s ON s.id = p.staff_id
                                   WHERE p.plan_no = :p"""), {"p": plan_no}).mappings().first()
    if plan is None:
        errors.add("plan_no", "err_unknown", value=plan_no)
        return None
    try:
        resolve(conn, user, plan["department_code"])
    except AccessDenied:
        errors.add("plan_no", "err_out_of_scope", value=plan_no)
    if user.role == "agent" and plan["staff_no"] not in (None, user.staff_no):
        errors.add("plan_no", "err_own_plans_only")
    return dict(plan)


def record_progress(conn, user: User, *, plan_no: str, recorded_on: date, completed_count, cost,
                    success_count=None, note: str | None = None) -> None:
    """Add a progress record (one per plan and day)."""
    errors = Errors()
    plan = plan_in_scope(conn, errors, user, plan_no)
    in_range(errors, "recorded_on", required(errors, "recorded_on", recorded_on))
    limited(errors, "note", note)
    completed = whole_number(errors, "completed_count", completed_count)
    amount = decimal_value(errors, "cost", cost)
    success = None
    if success_count not in (None, ""):
        success = whole_number(errors, "success_count", success_count)
        if success is not None and completed is not None and success > completed:
            errors.add("success_count", "err_success_above_completed")
    if plan and recorded_on and conn.execute(sa.text(
            "SELECT 1 FROM plan_progress WHERE plan_id = :p AND recorded_on = :d"),
            {"p": plan["id"], "d": recorded_on}).scalar():
        errors.add("recorded_on", "err_progress_exists", value=str(recorded_on))
    errors.raise_any()
    recorder = lookup_id(conn, "SELECT id FROM staff WHERE staff_no = :v", user.staff_no)
    row = conn.execute(sa.text("""
        INSERT INTO plan_progress (plan_id, recorded_on, completed_count, success_count, cost, note, recorded_by)
        VALUES (:p, :d, :c, :s, :cost, :note, :by) RETURNING *"""),
        {"p": plan["id"], "d": recorded_on, "c": completed, "s": success, "cost": amount, "note": optional_text(note),
         "by": recorder}).mappings().one()
    audit(conn, user, "progress", "plans", plan_no, after=row)


EDITABLE_TASK_FIELDS = ("staff_no", "end_date", "planned_count", "minimum_count", "planned_cost", "content")


def bulk_update_plans(conn, user: User, rows: list[dict]) -> int:
    """Save edited open tasks: every row is validated first; all are written or none.

    Each row: plan_no, version and the editable fields. Raises Invalid with fields named
    `row N: field` (N counts from 1), or Conflict for the first row someone else changed.
    """
    require_role(user, "manager", "head")
    errors = Errors()
    prepared = []
    for index, row in enumerate(rows, start=1):
        row_errors = Errors()
        plan = plan_in_scope(conn, row_errors, user, row.get("plan_no"))
        staff_id = None
        if row.get("staff_no"):
            staff_id = staff_in_scope(conn, row_errors, user, row["staff_no"])
        planned = whole_number(row_errors, "planned_count", row.get("planned_count"), minimum=1)
        minimum = whole_number(row_errors, "minimum_count", row.get("minimum_count"))
        if planned is not None and minimum is not None and minimum > planned:
            row_errors.add("minimum_count", "err_minimum_above_planned")
        cost = decimal_value(row_errors, "planned_cost", row.get("planned_cost"))
        end = in_range(row_errors, "end_date", row.get("end_date"))
        limited(row_errors, "content", row.get("content"))
        if plan and end and end < plan["start_date"]:
            row_errors.add("end_date", "err_end_before_start")
        for field, message in row_errors.found.items():
            errors.found[f"row {index}: {field}"] = message
        prepared.append((plan, staff_id, planned, minimum, cost, end, row))
    errors.raise_any()
    for plan, staff_id, planned, minimum, cost, end, row in prepared:
        before = locked_row(conn, "plans", "plan_no", plan["plan_no"])
        check_version(conn, "plans", plan["plan_no"], before, int(row["version"]))
        after = conn.execute(sa.text("""
            UPDATE plans SET staff_id = :staff, end_date = :end, planned_count = :pc, minimum_count = :mc,
                   planned_cost = :cost, content = :content, version = version + 1
            WHERE id = :id RETURNING *"""), {"staff": staff_id, "end": end or before["end_date"], "pc": planned,
                                             "mc": minimum, "cost": cost, "content": optional_text(row.get("content")),
                                             "id": before["id"]}).mappings().one()
        audit(conn, user, "update", "plans", plan["plan_no"], before, after)
    return len(prepared)
