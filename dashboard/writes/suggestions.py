"""Writes of suggestions (建议): staff write to their superior, who answers.

A suggestion may be linked to a plan or task. Linked to a task it is the assignee's written
feedback on it (seed 000 五.7): only the task's assignee, or a member of the department a task is
assigned to, may link to it; it goes to whoever assigned the task (else to the superior, as any
suggestion). A plan or task outside the writer's scope reads as one that does not exist.
"""
from __future__ import annotations

import sqlalchemy as sa

from dashboard.core import limits
from dashboard.core.scope import AccessDenied
from dashboard.core.user import User
from dashboard.metrics.records import superior_of
from dashboard.writes.audit import audit
from dashboard.core.scope import resolve
from dashboard.writes.validation import Errors, limited, locked_row, required


def send_suggestion(conn, user: User, *, subject: str, body: str, plan_no: str | None = None) -> int:
    errors = Errors()
    if user.staff_no is None:
        raise AccessDenied("suggestions need a staff record")
    limited(errors, "subject", required(errors, "subject", subject), limits.SHORT_TEXT)
    limited(errors, "body", required(errors, "body", body))
    plan = _linked_plan(conn, errors, user, plan_no) if plan_no else None
    to = plan["assigned_by_staff_no"] if plan and plan["kind"] == "task" else None
    if to is None or to == user.staff_no:
        to = superior_of(conn, user.staff_no)
    if to is None:
        errors.add("subject", "err_no_superior")
    errors.raise_any()
    row = conn.execute(sa.text("""
        INSERT INTO suggestions (from_staff_id, to_staff_id, plan_id, subject, body)
        SELECT f.id, t.id, :plan, :subject, :body FROM staff f, staff t WHERE f.staff_no = :f AND t.staff_no = :t
        RETURNING *"""), {"plan": plan["id"] if plan else None, "subject": subject, "body": body,
                         "f": user.staff_no, "t": to}).mappings().one()
    audit(conn, user, "create", "suggestions", str(row["id"]), after=row)
    return row["id"]


def _linked_plan(conn, errors: Errors, user: User, plan_no: str) -> dict | None:
    """The plan or task a suggestion is linked to, if the user may link to it (else an error on plan_no)."""
    plan = conn.execute(sa.text("""
        SELECT p.id, p.kind, d.code AS department_code, s.staff_no, ab.staff_no AS assigned_by_staff_no
        FROM plans p JOIN departments d ON d.id = p.department_id LEFT JOIN staff s ON s.id = p.staff_id
        LEFT JOIN staff ab ON ab.id = p.assigned_by_staff_id WHERE p.plan_no = :p"""), {"p": plan_no}).mappings().first()
    if plan is not None:
        try:
            resolve(conn, user, plan["department_code"])
        except AccessDenied:
            plan = None          # outside the scope: read as one that does not exist
    if plan is None:
        errors.add("plan_no", "err_unknown", value=plan_no)
        return None
    if not may_link(user, plan["kind"], plan["staff_no"], plan["department_code"]):
        errors.add("plan_no", "err_task_assignee_only" if plan["kind"] == "task" else "err_own_plans_only")
    return dict(plan)


def may_link(user: User, kind: str, staff_no: str | None, department_code: str) -> bool:
    """Whether the user may link a suggestion to a plan in their scope (its kind, assignee, department).

    A task: its assignee, or any member of the department it is assigned to when no one is named.
    A plan: anyone in scope, an agent only to their own or to their department's.
    """
    if kind == "task":
        return staff_no == user.staff_no or (staff_no is None and department_code == user.department_code)
    return user.role != "agent" or staff_no in (None, user.staff_no)


def answer_suggestion(conn, user: User, *, suggestion_id: int, answer: str) -> None:
    errors = Errors()
    limited(errors, "answer", required(errors, "answer", answer))
    before = locked_row(conn, "suggestions", "id", suggestion_id)
    if before is None:
        errors.add("answer", "err_unknown", value=str(suggestion_id))
    errors.raise_any()
    addressee = conn.execute(sa.text("SELECT staff_no FROM staff WHERE id = :i"), {"i": before["to_staff_id"]}).scalar()
    if addressee != user.staff_no and user.role != "manager":
        raise AccessDenied("only the addressee answers a suggestion")
    after = conn.execute(sa.text("UPDATE suggestions SET answer = :a, answered_at = clock_timestamp() WHERE id = :i "
                                 "RETURNING *"), {"a": answer, "i": suggestion_id}).mappings().one()
    audit(conn, user, "answer", "suggestions", str(suggestion_id), before, after)
