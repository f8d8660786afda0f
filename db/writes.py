"""Validated writes (录入): plain values in, one transaction, audit before/after, or a clear error.

Every function takes the connection (inside a transaction), the acting user and plain values.
Invalid input raises `Invalid` with one message per field (an i18n key and its parameters),
and nothing is written. Updates carry the version the user saw; when someone else saved in
between, `Conflict` names who and when, and nothing is written (optimistic locking).
Text is stored verbatim.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from dashboard.access import AccessDenied, allowed_department
from db import limits
from db.users import User

PRIORITIES = ("urgent", "high", "normal", "low")
PLAN_TYPES = ("visit", "activity", "service", "publicity", "discount")
HORIZONS = ("year", "quarter", "month", "week")
METHODS = ("interview", "phone", "sms", "letter", "email")
REASONS = ("price", "service", "quality", "competitor", "relocation", "other")
INTENTS = ("churned", "at_risk")
RETENTION_METHODS = ("promotion", "service_improvement", "visit", "discount", "other")
RESULTS = ("retained", "lost", "pending")
SOURCES = ("phone", "visit", "email", "wechat", "web", "other")
SERVICE_TYPES = ("consultation", "after_sales", "complaint", "visit", "other")


class Invalid(ValueError):
    """field -> (message key, parameters). The message stands next to the field."""

    def __init__(self, errors: dict[str, tuple[str, dict]]):
        self.errors = errors
        super().__init__("; ".join(f"{f}: {k} {p}" for f, (k, p) in errors.items()))


@dataclass
class Conflict(Exception):
    """Someone else saved the record after the user loaded it."""
    table: str
    key: str
    changed_by: str
    changed_at: datetime | None

    def __str__(self):
        return f"{self.table} {self.key} was changed by {self.changed_by} at {self.changed_at}"


class Errors:
    def __init__(self):
        self.found: dict[str, tuple[str, dict]] = {}

    def add(self, field: str, key: str, **params) -> None:
        self.found.setdefault(field, (key, params))

    def raise_any(self) -> None:
        if self.found:
            raise Invalid(self.found)


# -- helpers --------------------------------------------------------------------------------

def _text(value) -> str | None:
    if value is None:
        return None
    value = str(value)
    return value if value.strip() else None


def _limited(errors: Errors, field: str, value, limit: int = limits.LONG_TEXT):
    """Text within its length limit (limits.SHORT_TEXT for a line, LONG_TEXT for a description)."""
    if isinstance(value, str) and "\x00" in value:  # Postgres text cannot hold it
        errors.add(field, "err_nul")
    elif isinstance(value, str) and len(value) > limit:
        errors.add(field, "err_too_long", length=f"{len(value):,}", limit=f"{limit:,}")
    return value


def _in_range(errors: Errors, field: str, value):
    """A date, or a timestamp's local date, within limits.DATE_MIN .. DATE_MAX."""
    if isinstance(value, (date, datetime)) and limits.date_problem(value):
        errors.add(field, "err_date_range", low=limits.DATE_MIN.isoformat(), high=limits.DATE_MAX.isoformat())
    return value


def _code(errors: Errors, field: str, value):
    """A code typed by the user: refused when it could be read as a spreadsheet formula."""
    if isinstance(value, str) and value.startswith(limits.FORMULA_STARTS):
        errors.add(field, "err_code_formula")
    elif isinstance(value, str):
        _limited(errors, field, value, limits.SHORT_TEXT)
    return value


def _amount(errors: Errors, field: str, value, minimum: Decimal | None = Decimal("0")) -> Decimal | None:
    if value is None or value == "":
        errors.add(field, "err_required")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors.add(field, "err_amount")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors.add(field, "err_amount")
        return None
    if minimum is not None and amount < minimum:
        errors.add(field, "err_not_negative")
    return amount


def _count(errors: Errors, field: str, value, minimum: int = 0) -> int | None:
    if value is None or value == "":
        errors.add(field, "err_required")
        return None
    try:
        number = int(value) if isinstance(value, int) or (isinstance(value, float) and value.is_integer()) \
            else int(str(value).strip())
    except ValueError:
        errors.add(field, "err_whole_number")
        return None
    if number < minimum:
        errors.add(field, "err_at_least", minimum=minimum)
    return number


def _choice(errors: Errors, field: str, value, allowed: tuple[str, ...], required: bool = True):
    if value in (None, ""):
        if required:
            errors.add(field, "err_required")
        return None
    if value not in allowed:
        errors.add(field, "err_choice", allowed=", ".join(allowed))
    return value


def _required(errors: Errors, field: str, value):
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(field, "err_required")
    return value


def _id(conn, sql: str, value) -> int | None:
    return conn.execute(sa.text(sql), {"v": value}).scalar() if value not in (None, "") else None


def _json(row) -> dict | None:
    if row is None:
        return None
    return json.loads(json.dumps(dict(row), default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o)))


def audit(conn, actor: User | str, action: str, table: str, key: str, before=None, after=None) -> None:
    conn.execute(sa.text("""INSERT INTO audit_log (actor, action, table_name, record_key, before, after)
                            VALUES (:actor, :action, :table, :key, CAST(:before AS jsonb), CAST(:after AS jsonb))"""),
                 {"actor": actor.username if isinstance(actor, User) else actor, "action": action, "table": table,
                  "key": key, "before": json.dumps(_json(before)) if before is not None else None,
                  "after": json.dumps(_json(after)) if after is not None else None})


def latest_change(conn) -> tuple:
    """What audit_log holds lately: a form write, a CSV import and a new account each add an entry.

    The app compares it between runs to drop figures cached before a write made elsewhere
    (another server process, `python -m dashboard import`). An id is taken at insert, not at
    commit, so a write that commits after a later one shows no new newest id; the count of the
    last thousand ids still grows when it lands.
    """
    return tuple(conn.execute(sa.text(
        "SELECT max(id), count(*) FROM audit_log WHERE id > (SELECT max(id) - 1000 FROM audit_log)")).one())


def _row(conn, table: str, key_column: str, key) -> dict | None:
    row = conn.execute(sa.text(f"SELECT * FROM {table} WHERE {key_column} = :k FOR UPDATE"), {"k": key}).mappings().first()
    return dict(row) if row else None


def _check_version(conn, table: str, key: str, row: dict, version: int) -> None:
    if row["version"] != version:
        last = conn.execute(sa.text("""SELECT actor, at FROM audit_log WHERE table_name = :t AND record_key = :k
                                       ORDER BY at DESC, id DESC LIMIT 1"""), {"t": table, "k": key}).first()
        raise Conflict(table, key, last[0] if last else "?", last[1] if last else None)


# Numbers the forms give new records, as wide as the demo's and the usual imports' (T00000001, P0000001, R000001).
NUMBER_DIGITS = {"complaints": 8, "plans": 7, "retention_cases": 6}


def _next_no(conn, table: str, column: str, prefix: str) -> str:
    """The next free number of `table`: the highest of this width, plus one.

    A transaction-scoped lock per table keeps two saves at the same moment from taking the
    same number (the second waits for the first to commit).
    """
    digits = NUMBER_DIGITS[table]
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": f"next_no:{table}"})
    last = conn.execute(sa.text(f"SELECT max({column}) FROM {table} WHERE {column} LIKE :p AND length({column}) = :n"),
                        {"p": f"{prefix}%", "n": len(prefix) + digits}).scalar()
    number = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{number:0{digits}d}"


def _department_in_scope(conn, errors: Errors, user: User, code: str | None, field: str = "department_code") -> int | None:
    if not code:
        errors.add(field, "err_required")
        return None
    dep_id = _id(conn, "SELECT id FROM departments WHERE code = :v", code)
    if dep_id is None:
        errors.add(field, "err_unknown", value=code)
        return None
    try:
        allowed_department(conn, user, code)
    except AccessDenied:
        errors.add(field, "err_out_of_scope", value=code)
    return dep_id


def _staff_in_scope(conn, errors: Errors, user: User, staff_no: str, field: str = "staff_no") -> int | None:
    """A staff member the user may assign work to: within the user's department subtree."""
    found = conn.execute(sa.text("SELECT s.id, d.code FROM staff s JOIN departments d ON d.id = s.department_id "
                                 "WHERE s.staff_no = :s"), {"s": staff_no}).first()
    if found is None:
        errors.add(field, "err_unknown", value=staff_no)
        return None
    try:
        allowed_department(conn, user, found[1])
    except AccessDenied:
        errors.add(field, "err_out_of_scope", value=staff_no)
    return found[0]


def _customer_in_scope(conn, errors: Errors, user: User, code: str | None) -> int | None:
    if not code:
        errors.add("customer_code", "err_required")
        return None
    if code.startswith(limits.FORMULA_STARTS):
        errors.add("customer_code", "err_code_formula")
        return None
    row = conn.execute(sa.text("""SELECT c.id, d.code FROM customers c JOIN departments d ON d.id = c.department_id
                                  WHERE c.code = :c"""), {"c": code}).first()
    if row is None:
        errors.add("customer_code", "err_unknown", value=code)
        return None
    try:
        allowed_department(conn, user, row[1])
    except AccessDenied:
        errors.add("customer_code", "err_out_of_scope", value=code)
    return row[0]


def _customer_record(conn, errors: Errors, user: User, table: str, key_column: str, key) -> dict:
    """A record that belongs to a customer, locked for update; refused when unknown or out of scope."""
    before = _row(conn, table, key_column, key)
    if before is None:
        errors.add(key_column, "err_unknown", value=key)
        errors.raise_any()
    code = conn.execute(sa.text("SELECT code FROM customers WHERE id = :i"), {"i": before["customer_id"]}).scalar()
    _customer_in_scope(conn, errors, user, code)
    return before


def _require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise AccessDenied(f"a {user.role} may not do this")


# -- plans and tasks -------------------------------------------------------------------------

def save_plan(conn, user: User, *, kind: str, type: str, horizon: str, start_date: date, end_date: date,
              department_code: str, staff_no: str | None, planned_count, minimum_count, planned_cost,
              content: str | None = None, purpose: str | None = None, method: str | None = None) -> str:
    """Create a plan (for oneself or one's department) or assign a task (heads and managers)."""
    errors = Errors()
    _choice(errors, "kind", kind, ("plan", "task"))
    if kind == "task" and user.role == "agent":
        errors.add("kind", "err_tasks_by_heads")
    _choice(errors, "type", type, PLAN_TYPES)
    _choice(errors, "horizon", horizon, HORIZONS)
    _in_range(errors, "start_date", _required(errors, "start_date", start_date))
    _in_range(errors, "end_date", _required(errors, "end_date", end_date))
    _limited(errors, "content", content)
    _limited(errors, "purpose", purpose)
    if start_date and end_date and start_date > end_date:
        errors.add("end_date", "err_end_before_start")
    dep_id = _department_in_scope(conn, errors, user, department_code)
    staff_id = _staff_in_scope(conn, errors, user, staff_no) if staff_no else None
    if user.role == "agent" and staff_no != user.staff_no:
        errors.add("staff_no", "err_own_plans_only")
    planned = _count(errors, "planned_count", planned_count, minimum=1)
    minimum = _count(errors, "minimum_count", minimum_count)
    if planned is not None and minimum is not None and minimum > planned:
        errors.add("minimum_count", "err_minimum_above_planned")
    cost = _amount(errors, "planned_cost", planned_cost)
    if type == "visit":
        _choice(errors, "method", method, METHODS)
    elif method:
        _choice(errors, "method", method, METHODS)
    errors.raise_any()
    assigner = _id(conn, "SELECT id FROM staff WHERE staff_no = :v", user.staff_no) if kind == "task" else None
    plan_no = _next_no(conn, "plans", "plan_no", "P")
    row = conn.execute(sa.text("""
        INSERT INTO plans (plan_no, kind, type, horizon, start_date, end_date, department_id, staff_id,
                           assigned_by_staff_id, planned_count, minimum_count, planned_cost, content, purpose, method)
        VALUES (:no, :kind, :type, :horizon, :s, :e, :dep, :staff, :by, :pc, :mc, :cost, :content, :purpose, :method)
        RETURNING *"""), {"no": plan_no, "kind": kind, "type": type, "horizon": horizon, "s": start_date,
                          "e": end_date, "dep": dep_id, "staff": staff_id, "by": assigner, "pc": planned,
                          "mc": minimum, "cost": cost, "content": _text(content), "purpose": _text(purpose),
                          "method": method or None}).mappings().one()
    audit(conn, user, "create", "plans", plan_no, after=row)
    return plan_no


def _plan_in_scope(conn, errors: Errors, user: User, plan_no: str) -> dict | None:
    plan = conn.execute(sa.text("""SELECT p.*, d.code AS department_code, s.staff_no FROM plans p
                                   JOIN departments d ON d.id = p.department_id LEFT JOIN staff s ON s.id = p.staff_id
                                   WHERE p.plan_no = :p"""), {"p": plan_no}).mappings().first()
    if plan is None:
        errors.add("plan_no", "err_unknown", value=plan_no)
        return None
    try:
        allowed_department(conn, user, plan["department_code"])
    except AccessDenied:
        errors.add("plan_no", "err_out_of_scope", value=plan_no)
    if user.role == "agent" and plan["staff_no"] not in (None, user.staff_no):
        errors.add("plan_no", "err_own_plans_only")
    return dict(plan)


def record_progress(conn, user: User, *, plan_no: str, recorded_on: date, completed_count, cost,
                    success_count=None, note: str | None = None) -> None:
    """Add a progress record (one per plan and day)."""
    errors = Errors()
    plan = _plan_in_scope(conn, errors, user, plan_no)
    _in_range(errors, "recorded_on", _required(errors, "recorded_on", recorded_on))
    _limited(errors, "note", note)
    completed = _count(errors, "completed_count", completed_count)
    amount = _amount(errors, "cost", cost)
    success = None
    if success_count not in (None, ""):
        success = _count(errors, "success_count", success_count)
        if success is not None and completed is not None and success > completed:
            errors.add("success_count", "err_success_above_completed")
    if plan and recorded_on and conn.execute(sa.text(
            "SELECT 1 FROM plan_progress WHERE plan_id = :p AND recorded_on = :d"),
            {"p": plan["id"], "d": recorded_on}).scalar():
        errors.add("recorded_on", "err_progress_exists", value=str(recorded_on))
    errors.raise_any()
    recorder = _id(conn, "SELECT id FROM staff WHERE staff_no = :v", user.staff_no)
    row = conn.execute(sa.text("""
        INSERT INTO plan_progress (plan_id, recorded_on, completed_count, success_count, cost, note, recorded_by)
        VALUES (:p, :d, :c, :s, :cost, :note, :by) RETURNING *"""),
        {"p": plan["id"], "d": recorded_on, "c": completed, "s": success, "cost": amount, "note": _text(note),
         "by": recorder}).mappings().one()
    audit(conn, user, "progress", "plans", plan_no, after=row)


EDITABLE_TASK_FIELDS = ("staff_no", "end_date", "planned_count", "minimum_count", "planned_cost", "content")


def bulk_update_plans(conn, user: User, rows: list[dict]) -> int:
    """Save edited open tasks: every row is validated first; all are written or none.

    Each row: plan_no, version and the editable fields. Raises Invalid with fields named
    `row N: field` (N counts from 1), or Conflict for the first row someone else changed.
    """
    _require_role(user, "manager", "head")
    errors = Errors()
    prepared = []
    for index, row in enumerate(rows, start=1):
        row_errors = Errors()
        plan = _plan_in_scope(conn, row_errors, user, row.get("plan_no"))
        staff_id = None
        if row.get("staff_no"):
            staff_id = _staff_in_scope(conn, row_errors, user, row["staff_no"])
        planned = _count(row_errors, "planned_count", row.get("planned_count"), minimum=1)
        minimum = _count(row_errors, "minimum_count", row.get("minimum_count"))
        if planned is not None and minimum is not None and minimum > planned:
            row_errors.add("minimum_count", "err_minimum_above_planned")
        cost = _amount(row_errors, "planned_cost", row.get("planned_cost"))
        end = _in_range(row_errors, "end_date", row.get("end_date"))
        _limited(row_errors, "content", row.get("content"))
        if plan and end and end < plan["start_date"]:
            row_errors.add("end_date", "err_end_before_start")
        for field, message in row_errors.found.items():
            errors.found[f"row {index}: {field}"] = message
        prepared.append((plan, staff_id, planned, minimum, cost, end, row))
    errors.raise_any()
    for plan, staff_id, planned, minimum, cost, end, row in prepared:
        before = _row(conn, "plans", "plan_no", plan["plan_no"])
        _check_version(conn, "plans", plan["plan_no"], before, int(row["version"]))
        after = conn.execute(sa.text("""
            UPDATE plans SET staff_id = :staff, end_date = :end, planned_count = :pc, minimum_count = :mc,
                   planned_cost = :cost, content = :content, version = version + 1
            WHERE id = :id RETURNING *"""), {"staff": staff_id, "end": end or before["end_date"], "pc": planned,
                                             "mc": minimum, "cost": cost, "content": _text(row.get("content")),
                                             "id": before["id"]}).mappings().one()
        audit(conn, user, "update", "plans", plan["plan_no"], before, after)
    return len(prepared)


# -- complaints -------------------------------------------------------------------------------

def register_complaint(conn, user: User, *, customer_code: str, received_at: datetime, priority: str,
                       content: str, channel: str | None = None, category: str | None = None,
                       handler_staff_no: str | None = None) -> str:
    errors = Errors()
    customer_id = _customer_in_scope(conn, errors, user, customer_code)
    if received_at is None:
        errors.add("received_at", "err_required")
    elif received_at.tzinfo is None:
        errors.add("received_at", "err_timezone")
    else:
        _in_range(errors, "received_at", received_at)
    _choice(errors, "priority", priority, PRIORITIES)
    _limited(errors, "content", _required(errors, "content", content))
    _limited(errors, "channel", channel, limits.SHORT_TEXT)
    _limited(errors, "category", category, limits.SHORT_TEXT)
    handler = None
    if handler_staff_no:
        handler = _id(conn, "SELECT id FROM staff WHERE staff_no = :v", handler_staff_no)
        if handler is None:
            errors.add("handler_staff_no", "err_unknown", value=handler_staff_no)
    errors.raise_any()
    complaint_no = _next_no(conn, "complaints", "complaint_no", "T")
    row = conn.execute(sa.text("""
        INSERT INTO complaints (complaint_no, customer_id, received_at, priority, content, channel, category,
                                handler_staff_id)
        VALUES (:no, :c, :r, :p, :content, :channel, :category, :h) RETURNING *"""),
        {"no": complaint_no, "c": customer_id, "r": received_at, "p": priority, "content": content,
         "channel": _text(channel), "category": _text(category), "h": handler}).mappings().one()
    audit(conn, user, "create", "complaints", complaint_no, after=row)
    return complaint_no


def update_complaint(conn, user: User, *, complaint_no: str, version: int, first_response_at: datetime | None,
                     resolved_at: datetime | None, resolution: str | None, satisfaction: int | None,
                     callback_at: datetime | None) -> None:
    """Record first response, resolution, satisfaction and callback (timestamps with offset)."""
    errors = Errors()
    before = _customer_record(conn, errors, user, "complaints", "complaint_no", complaint_no)
    received = before["received_at"]
    for field, value in (("first_response_at", first_response_at), ("resolved_at", resolved_at),
                         ("callback_at", callback_at)):
        if value is not None and value.tzinfo is None:
            errors.add(field, "err_timezone")
        elif value is not None and value < received:
            errors.add(field, "err_before_received")
        else:
            _in_range(errors, field, value)
    _limited(errors, "resolution", resolution)
    if callback_at is not None and resolved_at is None:
        errors.add("callback_at", "err_callback_needs_resolution")
    elif callback_at is not None and resolved_at is not None and callback_at < resolved_at:
        errors.add("callback_at", "err_callback_before_resolution")
    if satisfaction not in (None, "") and int(satisfaction) not in range(1, 6):
        errors.add("satisfaction", "err_choice", allowed="1-5")
    if satisfaction not in (None, "") and resolved_at is None:
        errors.add("satisfaction", "err_rating_needs_resolution")
    errors.raise_any()
    _check_version(conn, "complaints", complaint_no, before, version)
    after = conn.execute(sa.text("""
        UPDATE complaints SET first_response_at = :fr, resolved_at = :res, resolution = :resolution,
               satisfaction = :sat, callback_at = :cb, version = version + 1
        WHERE id = :id RETURNING *"""), {"fr": first_response_at, "res": resolved_at, "resolution": _text(resolution),
                                         "sat": int(satisfaction) if satisfaction not in (None, "") else None,
                                         "cb": callback_at, "id": before["id"]}).mappings().one()
    audit(conn, user, "update", "complaints", complaint_no, before, after)


# -- retention ---------------------------------------------------------------------------------

def open_retention_case(conn, user: User, *, customer_code: str, reason: str, intent: str, method: str,
                        started_on: date, cost=0, note: str | None = None) -> str:
    errors = Errors()
    customer_id = _customer_in_scope(conn, errors, user, customer_code)
    _choice(errors, "reason", reason, REASONS)
    _choice(errors, "intent", intent, INTENTS)
    _choice(errors, "method", method, RETENTION_METHODS)
    _in_range(errors, "started_on", _required(errors, "started_on", started_on))
    _limited(errors, "note", note)
    amount = _amount(errors, "cost", cost)
    if customer_id and conn.execute(sa.text(
            "SELECT 1 FROM retention_cases WHERE customer_id = :c AND result = 'pending'"), {"c": customer_id}).scalar():
        errors.add("customer_code", "err_case_open", value=customer_code)
    errors.raise_any()
    case_no = _next_no(conn, "retention_cases", "case_no", "R")
    staff_id = _id(conn, "SELECT id FROM staff WHERE staff_no = :v", user.staff_no)
    row = conn.execute(sa.text("""
        INSERT INTO retention_cases (case_no, customer_id, reason, intent, method, started_on, cost, result, staff_id, note)
        VALUES (:no, :c, :reason, :intent, :method, :s, :cost, 'pending', :staff, :note) RETURNING *"""),
        {"no": case_no, "c": customer_id, "reason": reason, "intent": intent, "method": method, "s": started_on,
         "cost": amount, "staff": staff_id, "note": _text(note)}).mappings().one()
    audit(conn, user, "create", "retention_cases", case_no, after=row)
    return case_no


def close_retention_case(conn, user: User, *, case_no: str, version: int, result: str, closed_on: date | None,
                         cost, note: str | None = None) -> None:
    errors = Errors()
    before = _customer_record(conn, errors, user, "retention_cases", "case_no", case_no)
    _choice(errors, "result", result, RESULTS)
    if result in ("retained", "lost") and closed_on is None:
        errors.add("closed_on", "err_required")
    if closed_on is not None and closed_on < before["started_on"]:
        errors.add("closed_on", "err_before_start")
    _in_range(errors, "closed_on", closed_on)
    _limited(errors, "note", note)
    amount = _amount(errors, "cost", cost)
    errors.raise_any()
    _check_version(conn, "retention_cases", case_no, before, version)
    after = conn.execute(sa.text("""
        UPDATE retention_cases SET result = :r, closed_on = :c, cost = :cost, note = coalesce(:note, note),
               version = version + 1 WHERE id = :id RETURNING *"""),
        {"r": result, "c": closed_on if result != "pending" else None, "cost": amount, "note": _text(note),
         "id": before["id"]}).mappings().one()
    audit(conn, user, "update", "retention_cases", case_no, before, after)


# -- customer logs and suggestions ------------------------------------------------------------------

def add_work_log(conn, user: User, *, customer_code: str | None, logged_at: datetime, source: str,
                 service_type: str, content: str | None, handling: str | None, satisfaction=None) -> int:
    errors = Errors()
    if user.staff_no is None:
        raise AccessDenied("work logs need a staff record")
    customer_id = _customer_in_scope(conn, errors, user, customer_code) if customer_code else None
    if logged_at is None:
        errors.add("logged_at", "err_required")
    elif logged_at.tzinfo is None:
        errors.add("logged_at", "err_timezone")
    else:
        _in_range(errors, "logged_at", logged_at)
    _choice(errors, "source", source, SOURCES)
    _choice(errors, "service_type", service_type, SERVICE_TYPES)
    _limited(errors, "content", _required(errors, "content", content))
    _limited(errors, "handling", handling)
    if satisfaction not in (None, "") and int(satisfaction) not in range(1, 6):
        errors.add("satisfaction", "err_choice", allowed="1-5")
    errors.raise_any()
    staff = conn.execute(sa.text("SELECT id, department_id FROM staff WHERE staff_no = :s"), {"s": user.staff_no}).one()
    row = conn.execute(sa.text("""
        INSERT INTO work_logs (department_id, staff_id, customer_id, logged_at, source, service_type, content,
                               handling, satisfaction)
        VALUES (:d, :s, :c, :t, :source, :type, :content, :handling, :sat) RETURNING *"""),
        {"d": staff[1], "s": staff[0], "c": customer_id, "t": logged_at, "source": source, "type": service_type,
         "content": content, "handling": _text(handling),
         "sat": int(satisfaction) if satisfaction not in (None, "") else None}).mappings().one()
    audit(conn, user, "create", "work_logs", str(row["id"]), after=row)
    return row["id"]


def superior_of(conn, staff_no: str) -> str | None:
    """The head of the staff member's department, or of its parent for a head; else a manager."""
    return conn.execute(sa.text("""
        WITH RECURSIVE me AS (SELECT s.id, s.department_id, s.role FROM staff s WHERE s.staff_no = :s),
        up(id, parent_id, depth) AS (
            SELECT d.id, d.parent_id, 0 FROM departments d JOIN me ON d.id = me.department_id
            UNION ALL SELECT d.id, d.parent_id, up.depth + 1 FROM departments d JOIN up ON d.id = up.parent_id)
        SELECT h.staff_no FROM up JOIN staff h ON h.department_id = up.id AND h.role IN ('head', 'manager')
        WHERE h.id <> (SELECT id FROM me)
        ORDER BY up.depth, h.role = 'manager', h.staff_no LIMIT 1"""), {"s": staff_no}).scalar()


def send_suggestion(conn, user: User, *, subject: str, body: str, plan_no: str | None = None) -> int:
    errors = Errors()
    if user.staff_no is None:
        raise AccessDenied("suggestions need a staff record")
    _limited(errors, "subject", _required(errors, "subject", subject), limits.SHORT_TEXT)
    _limited(errors, "body", _required(errors, "body", body))
    plan = _plan_in_scope(conn, errors, user, plan_no) if plan_no else None
    superior = superior_of(conn, user.staff_no)
    if superior is None:
        errors.add("subject", "err_no_superior")
    errors.raise_any()
    row = conn.execute(sa.text("""
        INSERT INTO suggestions (from_staff_id, to_staff_id, plan_id, subject, body)
        SELECT f.id, t.id, :plan, :subject, :body FROM staff f, staff t WHERE f.staff_no = :f AND t.staff_no = :t
        RETURNING *"""), {"plan": plan["id"] if plan else None, "subject": subject, "body": body,
                         "f": user.staff_no, "t": superior}).mappings().one()
    audit(conn, user, "create", "suggestions", str(row["id"]), after=row)
    return row["id"]


def answer_suggestion(conn, user: User, *, suggestion_id: int, answer: str) -> None:
    errors = Errors()
    _limited(errors, "answer", _required(errors, "answer", answer))
    before = _row(conn, "suggestions", "id", suggestion_id)
    if before is None:
        errors.add("answer", "err_unknown", value=str(suggestion_id))
    errors.raise_any()
    addressee = conn.execute(sa.text("SELECT staff_no FROM staff WHERE id = :i"), {"i": before["to_staff_id"]}).scalar()
    if addressee != user.staff_no and user.role != "manager":
        raise AccessDenied("only the addressee answers a suggestion")
    after = conn.execute(sa.text("UPDATE suggestions SET answer = :a, answered_at = clock_timestamp() WHERE id = :i "
                                 "RETURNING *"), {"a": answer, "i": suggestion_id}).mappings().one()
    audit(conn, user, "answer", "suggestions", str(suggestion_id), before, after)


# -- settings (managers) -------------------------------------------------------------------------------

def save_settings(conn, user: User, *, sla: dict[str, tuple], tiers: list[tuple], fluctuation_threshold,
                  value_band_high, value_band_low, abc_method: str) -> None:
    """SLA hours per priority {priority: (resolution, response)}, tiers [(name, rank, min_amount)], rules."""
    _require_role(user, "manager")
    errors = Errors()
    for priority, (resolution, response) in sla.items():
        if priority not in PRIORITIES:
            errors.add(f"sla.{priority}", "err_choice", allowed=", ".join(PRIORITIES))
            continue
        for part, value in (("resolution", resolution), ("response", response)):
            hours = _amount(errors, f"sla.{priority}.{part}", value)
            if hours is not None and hours <= 0:
                errors.add(f"sla.{priority}.{part}", "err_positive")
    names, ranks, amounts = set(), set(), set()
    if not tiers:
        errors.add("tiers", "err_required")
    for index, (name, rank, minimum) in enumerate(tiers, start=1):
        field = f"tiers.{index}"
        if not _text(name) or name == "none":
            errors.add(field, "err_tier_name")
        amount = _amount(errors, field, minimum)
        if amount is not None and amount <= 0:
            errors.add(field, "err_positive")
        if name in names or rank in ranks or amount in amounts:
            errors.add(field, "err_tier_duplicate")
        names.add(name), ranks.add(rank), amounts.add(amount)
    threshold = _amount(errors, "fluctuation_threshold", fluctuation_threshold)
    if threshold is not None and not Decimal("0") < threshold < Decimal("1"):
        errors.add("fluctuation_threshold", "err_between", low="0", high="1")
    high = _amount(errors, "value_band_high", value_band_high)
    low = _amount(errors, "value_band_low", value_band_low)
    if high is not None and low is not None and not Decimal("0") < low < Decimal("1") < high:
        errors.add("value_band_high", "err_band")
    _choice(errors, "abc_method", abc_method, ("count", "value"))
    errors.raise_any()
    before = {"sla": [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM sla_policies ORDER BY priority"))],
              "tiers": [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM tier_rules ORDER BY rank"))],
              "settings": {r[0]: r[1] for r in conn.execute(sa.text("SELECT key, value FROM settings"))}}
    for priority, (resolution, response) in sla.items():
        conn.execute(sa.text("UPDATE sla_policies SET resolution_hours = :a, response_hours = :b WHERE priority = :p"),
                     {"a": Decimal(str(resolution)), "b": Decimal(str(response)), "p": priority})
    conn.execute(sa.text("DELETE FROM tier_rules"))
    for name, rank, minimum in tiers:
        conn.execute(sa.text("INSERT INTO tier_rules VALUES (:n, :r, :m)"),
                     {"n": name, "r": int(rank), "m": Decimal(str(minimum))})
    for key, value in (("fluctuation_threshold", threshold), ("value_band_high", high), ("value_band_low", low),
                       ("abc_method", abc_method)):
        conn.execute(sa.text("INSERT INTO settings VALUES (:k, CAST(:v AS jsonb)) "
                             "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"),
                     {"k": key, "v": str(value) if isinstance(value, Decimal) else json.dumps(value)})
    after = {"sla": sla, "tiers": tiers, "fluctuation_threshold": str(threshold), "value_band_high": str(high),
             "value_band_low": str(low), "abc_method": abc_method}
    audit(conn, user, "update", "settings", "rules", before, after)


def history(conn, user: User, table: str, key: str):
    """The audit trail of one record, newest first (who, when, what, before, after).

    Empty when the record is outside the user's scope, as for a record that does not exist.
    """
    from dashboard.access import record_visible

    if not record_visible(conn, user, table, key):
        return []
    return conn.execute(sa.text("""SELECT at, actor, action, before, after FROM audit_log
                                   WHERE table_name = :t AND record_key = :k ORDER BY at DESC, id DESC"""),
                        {"t": table, "k": key}).mappings().all()
