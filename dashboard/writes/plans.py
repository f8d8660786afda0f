"""Writes of plans and tasks (计划与任务): create or assign, edit, record and correct progress, bulk edit open tasks."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from dashboard.core import vocabulary
from dashboard.core.scope import AccessDenied, resolve
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import (
    Errors,
    Conflict,
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
    planned, minimum, cost = _plan_figures(errors, user, staff_no, planned_count, minimum_count, planned_cost)
    if type == "visit":
        choice(errors, "method", method, vocabulary.PLAN_METHOD.codes)
    elif method:
        choice(errors, "method", method, vocabulary.PLAN_METHOD.codes)
    errors.raise_any()
    creator = lookup_id(conn, "SELECT id FROM staff WHERE staff_no = :v", user.staff_no)
    assigner = creator if kind == "task" else None
    plan_no = next_number(conn, "plans", "plan_no", "P")
    row = conn.execute(sa.text("""
        INSERT INTO plans (plan_no, kind, type, horizon, start_date, end_date, department_id, staff_id,
                           assigned_by_staff_id, created_by_staff_id, planned_count, minimum_count, planned_cost,
                           content, purpose, method)
        VALUES (:no, :kind, :type, :horizon, :s, :e, :dep, :staff, :by, :creator, :pc, :mc, :cost, :content, :purpose,
                :method)
        RETURNING *"""), {"no": plan_no, "kind": kind, "type": type, "horizon": horizon, "s": start_date,
                          "e": end_date, "dep": dep_id, "staff": staff_id, "by": assigner, "creator": creator, "pc": planned,
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
            "SELECT 1 FROM plan_progress WHERE plan_id = :p AND recorded_on = :d AND corrects_id IS NULL"),
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


def may_edit(user: User, created_by_staff_no: str | None, assigned_by_staff_no: str | None) -> bool:
    """The creator or the assigner of a plan or task may edit it; a plan that records neither
    (imported, or made before creators were kept) may be edited by a manager or a head in scope."""
    makers = {created_by_staff_no, assigned_by_staff_no} - {None, ""}
    if makers:
        return user.staff_no is not None and user.staff_no in makers
    return user.role in ("manager", "head")


def update_plan(conn, user: User, *, plan_no: str, version, staff_no: str | None, start_date: date, end_date: date,
                planned_count, minimum_count, planned_cost, content: str | None = None, purpose: str | None = None,
                method: str | None = None) -> str:
    """Edit a plan or task (its creator or assigner): counts, cost, dates, content, purpose, method, assignee.

    The constraints of metrics.md hold as when it was created; a version someone else saved in
    between raises Conflict; nothing is written on any error.
    """
    errors = Errors()
    plan = plan_in_scope(conn, errors, user, plan_no)
    makers = conn.execute(sa.text("""SELECT mk.staff_no, ab.staff_no FROM plans p
        LEFT JOIN staff mk ON mk.id = p.created_by_staff_id LEFT JOIN staff ab ON ab.id = p.assigned_by_staff_id
        WHERE p.plan_no = :p"""), {"p": plan_no}).one() if plan else None
    if plan and not errors.found and not may_edit(user, *makers):
        errors.add("plan_no", "err_not_plan_maker")
    in_range(errors, "start_date", required(errors, "start_date", start_date))
    in_range(errors, "end_date", required(errors, "end_date", end_date))
    if start_date and end_date and start_date > end_date:
        errors.add("end_date", "err_end_before_start")
    limited(errors, "content", content)
    limited(errors, "purpose", purpose)
    limited(errors, "method", method)
    staff_id = staff_in_scope(conn, errors, user, staff_no) if staff_no else None
    planned, minimum, cost = _plan_figures(errors, user, staff_no, planned_count, minimum_count, planned_cost)
    method = optional_text(method)
    # a method the form offers, or the free text the plan already holds (interfaces.md: free text)
    if plan and method != plan.get("method") and (method or plan["type"] == "visit"):
        choice(errors, "method", method, vocabulary.PLAN_METHOD.codes)
    errors.raise_any()
    before = locked_row(conn, "plans", "plan_no", plan_no)
    check_version(conn, "plans", plan_no, before, int(version))
    after = conn.execute(sa.text("""
        UPDATE plans SET staff_id = :staff, start_date = :s, end_date = :e, planned_count = :pc, minimum_count = :mc,
               planned_cost = :cost, content = :content, purpose = :purpose, method = :method, version = version + 1
        WHERE id = :id RETURNING *"""), {"staff": staff_id, "s": start_date, "e": end_date, "pc": planned,
                                         "mc": minimum, "cost": cost, "content": optional_text(content),
                                         "purpose": optional_text(purpose), "method": method,
                                         "id": before["id"]}).mappings().one()
    audit(conn, user, "update", "plans", plan_no, before, after)
    return plan_no


def correct_progress(conn, user: User, *, plan_no: str, recorded_on: date, completed_count, cost,
                     success_count=None, reason: str | None = None, corrections_seen: int | None = None) -> None:
    """Correct (or, with zeros, withdraw) the progress entry of a plan on a day.

    Nothing is overwritten: a correcting entry of its own is added, dated the day it corrects,
    holding the signed difference between what the entry and its earlier corrections say and
    the values given here, with who entered it and why. `corrections_seen` (how many corrections
    the user saw) guards against a correction someone else added in between.
    """
    errors = Errors()
    plan = plan_in_scope(conn, errors, user, plan_no)
    required(errors, "recorded_on", recorded_on)
    if not optional_text(reason):
        errors.add("reason", "err_required")
    limited(errors, "reason", reason)
    completed = whole_number(errors, "completed_count", completed_count)
    amount = decimal_value(errors, "cost", cost)
    success = None
    if success_count not in (None, ""):
        success = whole_number(errors, "success_count", success_count)
        if success is not None and completed is not None and success > completed:
            errors.add("success_count", "err_success_above_completed")
    entry = None
    if plan and recorded_on and not errors.found.get("plan_no"):
        # the entry is locked first, so two corrections of it at once take turns
        conn.execute(sa.text("""SELECT id FROM plan_progress WHERE plan_id = :p AND recorded_on = :d
                                AND corrects_id IS NULL FOR UPDATE"""), {"p": plan["id"], "d": recorded_on})
        entry = conn.execute(sa.text("""
            SELECT e.id, e.completed_count + coalesce(sum(c.completed_count), 0) AS completed,
                   coalesce(e.success_count, 0) + coalesce(sum(c.success_count), 0) AS success,
                   e.success_count IS NULL AND bool_and(c.success_count IS NULL) IS NOT FALSE AS no_success,
                   e.cost + coalesce(sum(c.cost), 0) AS cost, count(c.id) AS corrections
            FROM plan_progress e LEFT JOIN plan_progress c ON c.corrects_id = e.id
            WHERE e.plan_id = :p AND e.recorded_on = :d AND e.corrects_id IS NULL
            GROUP BY e.id"""), {"p": plan["id"], "d": recorded_on}).mappings().first()
        if entry is None:
            errors.add("recorded_on", "err_no_progress_on", value=str(recorded_on))
    errors.raise_any()
    if corrections_seen is not None and int(corrections_seen) != entry["corrections"]:
        last = conn.execute(sa.text("""SELECT actor, at FROM audit_log WHERE table_name = 'plans' AND record_key = :k
                                       ORDER BY at DESC, id DESC LIMIT 1"""), {"k": plan_no}).first()
        raise Conflict("plans", plan_no, last[0] if last else "?", last[1] if last else None)
    delta_success = None
    if success is not None or not entry["no_success"]:
        delta_success = (success or 0) - int(entry["success"])
    delta = (completed - int(entry["completed"]), delta_success, amount - entry["cost"])
    if delta[0] == 0 and not delta[1] and delta[2] == 0:
        errors.add("completed_count", "err_no_change")
        errors.raise_any()
    recorder = lookup_id(conn, "SELECT id FROM staff WHERE staff_no = :v", user.staff_no)
    row = conn.execute(sa.text("""
        INSERT INTO plan_progress (plan_id, recorded_on, completed_count, success_count, cost, corrects_id, reason,
                                   recorded_by)
        VALUES (:p, :d, :c, :s, :cost, :e, :reason, :by) RETURNING *"""),
        {"p": plan["id"], "d": recorded_on, "c": delta[0], "s": delta[1], "cost": delta[2], "e": entry["id"],
         "reason": optional_text(reason), "by": recorder}).mappings().one()
    audit(conn, user, "correct_progress", "plans", plan_no, before=dict(entry), after=row)


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


def _plan_figures(errors: Errors, user: User, staff_no, planned_count, minimum_count, planned_cost):
    """The checks a plan's assignee and figures pass at creation and at every edit: an agent's own
    plans only, a whole planned count of at least 1, a minimum not above it, a decimal cost."""
    if user.role == "agent" and staff_no != user.staff_no:
        errors.add("staff_no", "err_own_plans_only")
    planned = whole_number(errors, "planned_count", planned_count, minimum=1)
    minimum = whole_number(errors, "minimum_count", minimum_count)
    if planned is not None and minimum is not None and minimum > planned:
        errors.add("minimum_count", "err_minimum_above_planned")
    return planned, minimum, decimal_value(errors, "planned_cost", planned_cost)
