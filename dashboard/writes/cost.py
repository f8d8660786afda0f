"""Writes of service cost (服务成本): budgets (proposed by heads, approved by managers, adjusted
with their history) and cost entries (the settlement: 费用结算).

- A manager's budget is approved as saved; changing an approved budget is an adjustment.
- A head proposes budgets for their department and its sub-departments: a new budget waits as
  'proposed'; a change of an approved one waits in `proposed_amount` while the approved amount
  keeps counting. A manager approves or rejects either. Only approved budgets count.
- Every change adds a row to `budget_adjustments` (who, when, what, before, after) and an audit
  entry; `original_amount` keeps the first approved amount.
- A cost entry is never edited: a correction is an entry with a negative amount.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from dashboard.core import vocabulary
from dashboard.core.periods import Period, PeriodError
from dashboard.core.scope import AccessDenied, resolve
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import (
    Errors,
    check_version,
    choice,
    code,
    decimal_value,
    department_in_scope,
    in_range,
    limited,
    next_number,
    optional_text,
    required,
    require_role,
    staff_in_scope,
)


def named_period(errors: Errors, field: str, text) -> Period | None:
    """A budget's period: a year `2026`, quarter `2026-Q2`, month `2026-05` or ISO week `2026-W21`."""
    if text is None or not str(text).strip():
        errors.add(field, "err_required")
        return None
    try:
        period = Period.parse(str(text))
    except PeriodError:
        errors.add(field, "err_named_period", value=str(text))
        return None
    if period.kind == "custom":
        errors.add(field, "err_named_period", value=str(text))
        return None
    in_range(errors, field, period.start)
    in_range(errors, field, period.end)
    return period


def budget_key(department_code: str, period: str, category: str) -> str:
    """The key a budget's audit entries carry: department/period/category."""
    return f"{department_code}/{period}/{category}"


def _adjustment(conn, budget_id: int, user: User | str, action: str, before, after, note=None) -> None:
    conn.execute(sa.text("""INSERT INTO budget_adjustments (budget_id, actor, action, amount_before, amount_after, note)
                            VALUES (:b, :actor, :action, :before, :after, :note)"""),
                 {"b": budget_id, "actor": user.username if isinstance(user, User) else user, "action": action,
                  "before": before, "after": after, "note": optional_text(note)})


def _locked_budget(conn, department_id: int, period: Period, category: str) -> dict | None:
    row = conn.execute(sa.text("""SELECT * FROM service_budgets WHERE department_id = :d AND period_start = :s
                                  AND period_end = :e AND category = :c FOR UPDATE"""),
                       {"d": department_id, "s": period.start, "e": period.end, "c": category}).mappings().first()
    return dict(row) if row else None


def save_budget(conn, user: User, *, department_code: str, period: str, category: str, amount,
                note: str | None = None, version: int | None = None) -> str:
    """Set a budget: a manager's is approved as saved, a head's is proposed. Returns its key.

    `version`: the version of the budget the user opened (None: a new one); a budget changed by
    someone else since is refused as a conflict."""
    require_role(user, "manager", "head")
    errors = Errors()
    department_id = department_in_scope(conn, errors, user, department_code)
    named = named_period(errors, "period", period)
    choice(errors, "category", category, vocabulary.COST_CATEGORY.codes)
    value = decimal_value(errors, "amount", amount)
    limited(errors, "note", note)
    errors.raise_any()
    key = budget_key(department_code, named.label, category)
    before = _locked_budget(conn, department_id, named, category)
    if before is not None and version is not None:
        check_version(conn, "service_budgets", key, before, version)
    manager = user.role == "manager"
    now = datetime.now().astimezone()
    if before is None:
        after = conn.execute(sa.text("""
            INSERT INTO service_budgets (department_id, period, period_start, period_end, category, amount, status,
                original_amount, note, proposed_by, proposed_at, decided_by, decided_at)
            VALUES (:d, :p, :s, :e, :c, :a, :status, :original, :note, :who, :now, :decider, :decided) RETURNING *"""),
            {"d": department_id, "p": named.label, "s": named.start, "e": named.end, "c": category, "a": value,
             "status": "approved" if manager else "proposed", "original": value if manager else None,
             "note": optional_text(note), "who": user.username, "now": now,
             "decider": user.username if manager else None, "decided": now if manager else None}).mappings().one()
        _adjustment(conn, after["id"], user, "adjust" if manager else "propose", None, value, note)
        audit(conn, user, "create", "service_budgets", key, after=after)
        return key
    note_value = optional_text(note) if optional_text(note) is not None else before["note"]
    if before["status"] == "approved":
        if manager:
            if value == before["amount"] and before["proposed_amount"] is None and note_value == before["note"]:
                return key  # nothing changes
            after = conn.execute(sa.text("""
                UPDATE service_budgets SET amount = :a, proposed_amount = NULL, note = :note, decided_by = :who,
                       decided_at = :now, version = version + 1 WHERE id = :id RETURNING *"""),
                {"a": value, "note": note_value, "who": user.username, "now": now, "id": before["id"]}).mappings().one()
            if value != before["amount"]:
                _adjustment(conn, before["id"], user, "adjust", before["amount"], value, note)
        else:
            if value == before["amount"] and before["proposed_amount"] is None:
                return key
            after = conn.execute(sa.text("""
                UPDATE service_budgets SET proposed_amount = :a, note = :note, proposed_by = :who, proposed_at = :now,
                       version = version + 1 WHERE id = :id RETURNING *"""),
                {"a": None if value == before["amount"] else value, "note": note_value, "who": user.username,
                 "now": now, "id": before["id"]}).mappings().one()
            _adjustment(conn, before["id"], user, "propose", before["amount"], value, note)
    else:  # proposed or rejected: a manager's save approves it, a head's proposes it again
        after = conn.execute(sa.text("""
            UPDATE service_budgets SET amount = :a, status = :status, original_amount = :original, note = :note,
                   proposed_by = CASE WHEN :manager THEN proposed_by ELSE :who END,
                   proposed_at = CASE WHEN :manager THEN proposed_at ELSE :now END,
                   decided_by = CASE WHEN :manager THEN :who END, decided_at = CASE WHEN :manager THEN :now END,
                   version = version + 1 WHERE id = :id RETURNING *"""),
            {"a": value, "status": "approved" if manager else "proposed", "original": value if manager else None,
             "note": note_value, "who": user.username, "now": now, "manager": manager,
             "id": before["id"]}).mappings().one()
        _adjustment(conn, before["id"], user, "approve" if manager else "propose",
                    None if manager else before["amount"], value, note)
    audit(conn, user, "update", "service_budgets", key, before, after)
    return key


def decide_budget(conn, user: User, *, budget_id: int, version: int, approve: bool, note: str | None = None) -> str:
    """A manager approves or rejects a proposed budget or a proposed change of one."""
    require_role(user, "manager")
    errors = Errors()
    limited(errors, "note", note)
    before = conn.execute(sa.text("""SELECT b.*, d.code AS department_code FROM service_budgets b
                                     JOIN departments d ON d.id = b.department_id WHERE b.id = :i FOR UPDATE OF b"""),
                          {"i": budget_id}).mappings().first()
    if before is None or not (before["status"] == "proposed" or before["proposed_amount"] is not None):
        errors.add("budget", "err_nothing_to_decide")
    errors.raise_any()
    before = dict(before)
    key = budget_key(before.pop("department_code"), before["period"], before["category"])
    check_version(conn, "service_budgets", key, before, version)
    now = datetime.now().astimezone()
    if before["status"] == "proposed":
        after = conn.execute(sa.text("""
            UPDATE service_budgets SET status = :status, original_amount = CASE WHEN :ok THEN amount END,
                   decided_by = :who, decided_at = :now, version = version + 1 WHERE id = :id RETURNING *"""),
            {"status": "approved" if approve else "rejected", "ok": approve, "who": user.username, "now": now,
             "id": budget_id}).mappings().one()
        _adjustment(conn, budget_id, user, "approve" if approve else "reject", None, before["amount"], note)
    else:
        after = conn.execute(sa.text("""
            UPDATE service_budgets SET amount = CASE WHEN :ok THEN proposed_amount ELSE amount END,
                   proposed_amount = NULL, decided_by = :who, decided_at = :now, version = version + 1
            WHERE id = :id RETURNING *"""),
            {"ok": approve, "who": user.username, "now": now, "id": budget_id}).mappings().one()
        _adjustment(conn, budget_id, user, "approve" if approve else "reject", before["amount"],
                    before["proposed_amount"], note)
    audit(conn, user, "approve" if approve else "reject", "service_budgets", key, before, after)
    return key


def _linked(conn, errors: Errors, user: User, field: str, sql: str, number) -> int | None:
    """A plan, task or case the user may see; one outside the scope reads as one that does not exist."""
    number = optional_text(number)
    if number is None:
        return None
    code(errors, field, number)
    found = conn.execute(sa.text(sql), {"n": number}).first()
    if found is None:
        errors.add(field, "err_unknown", value=number)
        return None
    try:
        if not resolve(conn, user).contains(conn, found[1]):
            raise AccessDenied(number)
    except AccessDenied:
        errors.add(field, "err_unknown", value=number)
        return None
    return found[0]


def add_cost_entry(conn, user: User, *, spent_on: date, department_code: str, category: str, amount,
                   staff_no: str | None = None, plan_no: str | None = None, case_no: str | None = None,
                   description: str | None = None, purpose: str | None = None) -> str:
    """Record one cost entry (a correction: a negative amount). Returns its number."""
    require_role(user, "manager", "head", "agent")
    errors = Errors()
    in_range(errors, "spent_on", required(errors, "spent_on", spent_on))
    department_id = department_in_scope(conn, errors, user, department_code)
    choice(errors, "category", category, vocabulary.COST_CATEGORY.codes)
    value = decimal_value(errors, "amount", amount, minimum=None)
    if value is not None and value == 0:
        errors.add("amount", "err_not_zero")
    if value is not None and abs(value) >= Decimal("1e12"):
        errors.add("amount", "err_amount")
    staff_id = staff_in_scope(conn, errors, user, staff_no) if optional_text(staff_no) else None
    plan_id = _linked(conn, errors, user, "plan_no", """SELECT p.id, d.code FROM plans p
                      JOIN departments d ON d.id = p.department_id WHERE p.plan_no = :n""", plan_no)
    case_id = _linked(conn, errors, user, "case_no", """SELECT r.id, d.code FROM retention_cases r
                      JOIN customers c ON c.id = r.customer_id JOIN departments d ON d.id = c.department_id
                      WHERE r.case_no = :n""", case_no)
    if optional_text(plan_no) and optional_text(case_no):
        errors.add("case_no", "err_one_link")
    limited(errors, "description", description)
    limited(errors, "purpose", purpose)
    errors.raise_any()
    entry_no = next_number(conn, "cost_entries", "entry_no", "E")
    row = conn.execute(sa.text("""
        INSERT INTO cost_entries (entry_no, entry_date, department_id, staff_id, category, amount, plan_id,
                                  retention_case_id, note, purpose, created_by)
        VALUES (:no, :d, :dep, :staff, :c, :a, :plan, :case, :note, :purpose, :who) RETURNING *"""),
        {"no": entry_no, "d": spent_on, "dep": department_id, "staff": staff_id, "c": category, "a": value,
         "plan": plan_id, "case": case_id, "note": optional_text(description), "purpose": optional_text(purpose),
         "who": user.username}).mappings().one()
    audit(conn, user, "create", "cost_entries", entry_no, after=row)
    return entry_no

