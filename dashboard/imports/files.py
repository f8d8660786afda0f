"""The import files (interfaces.md): each one's columns and parsers, natural key, and upsert.

The files come in dependency order. Each upsert reads the file's rows from a temporary table
`s` and touches only the rows that differ, so a re-import of the same files changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from dashboard.core import vocabulary as v
from dashboard.core.settings import EVALUATION_DIMENSIONS
from dashboard.imports.parsers import (
    a_date,
    amount,
    birth_date,
    code,
    confidential_score,
    count,
    cycle_name,
    long_text,
    named_or_text,
    named_period,
    non_negative_amount,
    one_of,
    positive_hours,
    score,
    text,
    timestamp,
    training_hours,
)


@dataclass
class FileSpec:
    name: str
    columns: dict[str, tuple[bool, Callable]]  # column -> (required, parser)
    key: tuple[str, ...]
    rows: list[tuple[int, dict]] = field(default_factory=list)
    staged: list[str] | None = None  # the header, when the rows sit in temp table raw_<name> instead
    staged_count: int = 0
    # Chinese sheet name and column headers (column -> accepted headers) beyond those of imports/names.py
    sheet_zh: str = ""
    headers_zh: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""  # where the rows came from, as problems name it: orders.csv, orders.xlsx, BOOK.xlsx:订单

    @property
    def table(self) -> str:
        return "raw_" + self.name.removesuffix(".csv")


CALL_DIRECTION = one_of(v.CALL_DIRECTION)


def specs() -> list[FileSpec]:
    """The files in dependency order."""
    return [
        FileSpec("departments.csv", {"code": (True, code), "name": (True, text), "parent_code": (False, code),
                                     "scope": (False, long_text)}, ("code",)),
        FileSpec("staff.csv", {"staff_no": (True, code), "name": (True, text), "department_code": (True, code),
                               "role": (True, one_of(*v.STAFF_ROLE.codes)), "email": (False, text),
                               "phone": (False, text), "hired_on": (False, a_date),
                               # round 2: the staff archive's columns
                               "title": (False, text), "gender": (False, one_of(*v.GENDER.codes)),
                               "birth_date": (False, birth_date), "address": (False, text), "left_on": (False, a_date),
                               "personal_notes": (False, long_text)}, ("staff_no",)),
        FileSpec("customers.csv", {"code": (True, code), "name": (True, text), "department_code": (True, code),
                                   "owner_staff_no": (False, code), "industry": (False, text),
                                   "region": (False, text), "created_on": (False, a_date),
                                   "contact_name": (False, text), "contact_phone": (False, text),
                                   "contact_email": (False, text),
                                   # round 2: seed 003's customer record
                                   "address": (False, text), "company_phone": (False, text),
                                   "contact_title": (False, text), "contact_gender": (False, one_of(*v.GENDER.codes)),
                                   "contact_birthday": (False, birth_date), "best_contact_time": (False, text)}, ("code",)),
        FileSpec("tiers.csv", {"name": (True, text), "rank": (True, count), "min_amount": (True, amount)}, ("name",)),
        FileSpec("sla.csv", {"priority": (True, one_of(*v.PRIORITY.codes)), "resolution_hours": (True, positive_hours),
                             "response_hours": (False, positive_hours)}, ("priority",)),
        FileSpec("orders.csv", {"order_no": (True, code), "customer_code": (True, code),
                                "order_date": (True, a_date), "amount": (True, amount),
                                "category": (False, text)}, ("order_no",)),
        FileSpec("complaints.csv", {
            "complaint_no": (True, code), "customer_code": (True, code), "received_at": (True, timestamp),
            "priority": (True, one_of(*v.PRIORITY.codes)), "content": (True, long_text), "channel": (False, text),
            "category": (False, text), "handler_staff_no": (False, code), "first_response_at": (False, timestamp),
            "resolved_at": (False, timestamp), "resolution": (False, long_text), "satisfaction": (False, score(1, 5)),
            "callback_at": (False, timestamp)}, ("complaint_no",)),
        FileSpec("plans.csv", {
            "plan_no": (True, code), "kind": (True, one_of(*v.PLAN_KIND.codes)),
            "type": (True, one_of(*v.PLAN_TYPE.codes)),
            "horizon": (True, one_of(*v.HORIZON.codes)), "start_date": (True, a_date),
            "end_date": (True, a_date), "department_code": (True, code), "staff_no": (False, code),
            "planned_count": (True, count), "minimum_count": (True, count), "planned_cost": (True, non_negative_amount),
            "content": (False, long_text), "purpose": (False, long_text),
            "method": (False, named_or_text(v.PLAN_METHOD)),
            "assigned_by_staff_no": (False, code)}, ("plan_no",)),
        FileSpec("plan_progress.csv", {
            "plan_no": (True, code), "recorded_on": (True, a_date), "completed_count": (True, count),
            "cost": (True, non_negative_amount), "success_count": (False, count), "note": (False, long_text)},
            ("plan_no", "recorded_on")),
        FileSpec("retention_cases.csv", {
            "case_no": (True, code), "customer_code": (True, code),
            "reason": (True, one_of(*v.RETENTION_REASON.codes)),
            "intent": (True, one_of(*v.RETENTION_INTENT.codes)),
            "method": (True, one_of(*v.RETENTION_METHOD.codes)),
            "started_on": (True, a_date), "cost": (True, non_negative_amount),
            "result": (True, one_of(*v.RETENTION_RESULT.codes)), "closed_on": (False, a_date),
            "staff_no": (False, code), "note": (False, long_text)}, ("case_no",)),
        # one rule a row (dashboard/core/settings.py); each value is read by its key's rule in checks.py (an
        # empty value is one only the text settings accept: the SMTP server, sender and user, unset)
        FileSpec("settings.csv", {"key": (True, text), "value": (False, long_text)}, ("key",)),
        FileSpec("service_budgets.csv", {
            "department_code": (True, code), "period": (True, named_period), "category": (True, one_of(v.COST_CATEGORY)),
            "amount": (True, non_negative_amount), "note": (False, long_text)}, ("department_code", "period", "category")),
        FileSpec("cost_entries.csv", {
            "entry_no": (True, code), "spent_on": (True, a_date), "department_code": (True, code),
            "category": (True, one_of(v.COST_CATEGORY)), "amount": (True, amount), "staff_no": (False, code),
            "plan_no": (False, code), "case_no": (False, code), "description": (False, long_text),
            "purpose": (False, long_text)}, ("entry_no",)),
        FileSpec("surveys.csv", {
            "survey_no": (True, code), "customer_code": (True, code), "surveyed_on": (True, a_date),
            "staff_no": (False, code), "csat": (False, score(1, 5)), "nps": (False, score(0, 10)),
            "comment": (False, long_text)}, ("survey_no",)),
        FileSpec("evaluations.csv", {
            "cycle": (True, cycle_name), "evaluator_staff_no": (True, code), "evaluatee_staff_no": (True, code),
            "relation": (True, one_of(v.EVALUATION_RELATION))}
            | {dimension: (True, confidential_score) for dimension in EVALUATION_DIMENSIONS},
            ("cycle", "evaluator_staff_no", "evaluatee_staff_no")),
        # round 2: the archives (staff training and work history, the customer log)
        FileSpec("staff_training.csv", {"staff_no": (True, code), "course": (True, text), "trained_on": (True, a_date),
                                        "hours": (False, training_hours), "result": (False, text)},
                 ("staff_no", "course", "trained_on")),
        FileSpec("staff_history.csv", {"staff_no": (True, code), "started_on": (True, a_date), "ended_on": (False, a_date),
                                       "department_code": (False, code), "role": (False, one_of(*v.STAFF_ROLE.codes)),
                                       "title": (False, text), "employer": (False, text)}, ("staff_no", "started_on")),
        FileSpec("work_logs.csv", {
            "log_no": (True, code), "logged_at": (True, timestamp), "staff_no": (True, code),
            "customer_code": (False, code), "source": (True, one_of(*v.LOG_SOURCE.codes)),
            "service_type": (True, one_of(*v.SERVICE_TYPE.codes)), "category": (False, text),
            "content": (True, long_text), "handling": (False, long_text), "summary": (False, long_text),
            "satisfaction": (False, score(1, 5))}, ("log_no",)),
        # round 2: the phone system's call records (metrics.md "Contact centre"); a manager's import
        FileSpec("calls.csv", {
            "call_id": (True, code), "direction": (True, CALL_DIRECTION), "started_at": (True, timestamp),
            "answered_at": (False, timestamp), "ended_at": (True, timestamp), "wrap_up_seconds": (False, count),
            "queue": (False, text), "staff_no": (False, code), "customer_code": (False, code),
            "caller": (False, text)}, ("call_id",)),
    ]


# (staging columns with types, upsert SQL reading from the staging table `s`)
WRITES: dict[str, tuple[str, str]] = {
    "departments.csv": ("code text, name text, parent_code text, scope text", """
        INSERT INTO departments (code, name, scope) SELECT code, name, scope FROM s
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, scope = EXCLUDED.scope
        WHERE (departments.name, departments.scope) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.scope);
        UPDATE departments d SET parent_id = NULL FROM s
        WHERE d.code = s.code AND d.parent_id IS DISTINCT FROM (SELECT id FROM departments WHERE code = s.parent_code);
        UPDATE departments d SET parent_id = p.id FROM s JOIN departments p ON p.code = s.parent_code
        WHERE d.code = s.code AND d.parent_id IS NULL;"""),
    # the round-2 columns (title .. personal_notes, and the customer record's) keep the stored value
    # when a file leaves them out or empty: a round-1 spreadsheet does not wipe what the forms hold
    "staff.csv": ("staff_no text, name text, department_code text, role text, email text, phone text, hired_on date, "
                  "title text, gender text, birth_date date, address text, left_on date, personal_notes text", """
        INSERT INTO staff (staff_no, name, department_id, role, email, phone, hired_on, title, gender, birth_date,
                           address, left_on, personal_notes)
        SELECT s.staff_no, s.name, d.id, s.role, s.email, s.phone, s.hired_on, s.title, s.gender, s.birth_date,
               s.address, s.left_on, s.personal_notes FROM s JOIN departments d ON d.code = s.department_code
        ON CONFLICT (staff_no) DO UPDATE SET name = EXCLUDED.name, department_id = EXCLUDED.department_id,
            role = EXCLUDED.role, email = EXCLUDED.email, phone = EXCLUDED.phone, hired_on = EXCLUDED.hired_on,
            title = coalesce(EXCLUDED.title, staff.title), gender = coalesce(EXCLUDED.gender, staff.gender),
            birth_date = coalesce(EXCLUDED.birth_date, staff.birth_date),
            address = coalesce(EXCLUDED.address, staff.address), left_on = coalesce(EXCLUDED.left_on, staff.left_on),
            personal_notes = coalesce(EXCLUDED.personal_notes, staff.personal_notes),
            version = staff.version + 1
        WHERE (staff.name, staff.department_id, staff.role, staff.email, staff.phone, staff.hired_on, staff.title,
               staff.gender, staff.birth_date, staff.address, staff.left_on, staff.personal_notes)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.department_id, EXCLUDED.role, EXCLUDED.email, EXCLUDED.phone,
               EXCLUDED.hired_on, coalesce(EXCLUDED.title, staff.title), coalesce(EXCLUDED.gender, staff.gender),
               coalesce(EXCLUDED.birth_date, staff.birth_date), coalesce(EXCLUDED.address, staff.address),
               coalesce(EXCLUDED.left_on, staff.left_on), coalesce(EXCLUDED.personal_notes, staff.personal_notes));"""),
    "customers.csv": ("code text, name text, department_code text, owner_staff_no text, industry text, region text, "
                      "created_on date, contact_name text, contact_phone text, contact_email text, address text, "
                      "company_phone text, contact_title text, contact_gender text, contact_birthday date, "
                      "best_contact_time text", """
        INSERT INTO customers (code, name, department_id, owner_staff_id, industry, region, created_on,
                               contact_name, contact_phone, contact_email, address, company_phone, contact_title,
                               contact_gender, contact_birthday, best_contact_time)
        SELECT s.code, s.name, d.id, st.id, s.industry, s.region, s.created_on, s.contact_name, s.contact_phone,
               s.contact_email, s.address, s.company_phone, s.contact_title, s.contact_gender, s.contact_birthday,
               s.best_contact_time
        FROM s JOIN departments d ON d.code = s.department_code LEFT JOIN staff st ON st.staff_no = s.owner_staff_no
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, department_id = EXCLUDED.department_id,
            owner_staff_id = EXCLUDED.owner_staff_id, industry = EXCLUDED.industry, region = EXCLUDED.region,
            created_on = EXCLUDED.created_on, contact_name = EXCLUDED.contact_name,
            contact_phone = EXCLUDED.contact_phone, contact_email = EXCLUDED.contact_email,
            address = coalesce(EXCLUDED.address, customers.address),
            company_phone = coalesce(EXCLUDED.company_phone, customers.company_phone),
            contact_title = coalesce(EXCLUDED.contact_title, customers.contact_title),
            contact_gender = coalesce(EXCLUDED.contact_gender, customers.contact_gender),
            contact_birthday = coalesce(EXCLUDED.contact_birthday, customers.contact_birthday),
            best_contact_time = coalesce(EXCLUDED.best_contact_time, customers.best_contact_time),
            version = customers.version + 1
        WHERE (customers.name, customers.department_id, customers.owner_staff_id, customers.industry, customers.region,
               customers.created_on, customers.contact_name, customers.contact_phone, customers.contact_email,
               customers.address, customers.company_phone, customers.contact_title, customers.contact_gender,
               customers.contact_birthday, customers.best_contact_time)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.department_id, EXCLUDED.owner_staff_id, EXCLUDED.industry,
               EXCLUDED.region, EXCLUDED.created_on, EXCLUDED.contact_name, EXCLUDED.contact_phone, EXCLUDED.contact_email,
               coalesce(EXCLUDED.address, customers.address), coalesce(EXCLUDED.company_phone, customers.company_phone),
               coalesce(EXCLUDED.contact_title, customers.contact_title),
               coalesce(EXCLUDED.contact_gender, customers.contact_gender),
               coalesce(EXCLUDED.contact_birthday, customers.contact_birthday),
               coalesce(EXCLUDED.best_contact_time, customers.best_contact_time));
        -- keep the history of owners: close the running entry and open a new one when the owner changed
        UPDATE customer_owner_history h SET ended_on = current_date
        FROM customers c WHERE h.customer_id = c.id AND h.ended_on IS NULL AND h.staff_id IS DISTINCT FROM c.owner_staff_id;
        INSERT INTO customer_owner_history (customer_id, staff_id, started_on)
        SELECT c.id, c.owner_staff_id, coalesce(c.created_on, current_date) FROM customers c
        WHERE c.owner_staff_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM customer_owner_history h WHERE h.customer_id = c.id AND h.ended_on IS NULL);"""),
    "tiers.csv": ("name text, rank integer, min_amount numeric", """
        DELETE FROM tier_rules WHERE EXISTS (
            SELECT name, rank, min_amount FROM tier_rules EXCEPT SELECT name, rank, min_amount FROM s
            UNION ALL
            SELECT name, rank, min_amount FROM s EXCEPT SELECT name, rank, min_amount FROM tier_rules);
        INSERT INTO tier_rules (name, rank, min_amount) SELECT name, rank, min_amount FROM s
        WHERE NOT EXISTS (SELECT 1 FROM tier_rules);"""),
    "sla.csv": ("priority text, resolution_hours numeric, response_hours numeric", """
        UPDATE sla_policies p SET resolution_hours = s.resolution_hours,
            response_hours = coalesce(s.response_hours, p.response_hours)
        FROM s WHERE p.priority = s.priority
          AND (p.resolution_hours, p.response_hours) IS DISTINCT FROM (s.resolution_hours, coalesce(s.response_hours, p.response_hours));"""),
    "orders.csv": ("order_no text, customer_code text, order_date date, amount numeric, category text", """
        INSERT INTO orders (order_no, customer_id, order_date, amount, category)
        SELECT s.order_no, c.id, s.order_date, s.amount, s.category FROM s JOIN customers c ON c.code = s.customer_code
        ON CONFLICT (order_no) DO UPDATE SET customer_id = EXCLUDED.customer_id, order_date = EXCLUDED.order_date,
            amount = EXCLUDED.amount, category = EXCLUDED.category
        WHERE (orders.customer_id, orders.order_date, orders.amount, orders.category)
            IS DISTINCT FROM (EXCLUDED.customer_id, EXCLUDED.order_date, EXCLUDED.amount, EXCLUDED.category);"""),
    "complaints.csv": ("complaint_no text, customer_code text, received_at timestamptz, priority text, content text, "
                       "channel text, category text, handler_staff_no text, first_response_at timestamptz, "
                       "resolved_at timestamptz, resolution text, satisfaction smallint, callback_at timestamptz", """
        INSERT INTO complaints (complaint_no, customer_id, received_at, priority, content, channel, category,
            handler_staff_id, first_response_at, resolved_at, resolution, satisfaction, callback_at)
        SELECT s.complaint_no, c.id, s.received_at, s.priority, s.content, s.channel, s.category, st.id,
               s.first_response_at, s.resolved_at, s.resolution, s.satisfaction, s.callback_at
        FROM s JOIN customers c ON c.code = s.customer_code LEFT JOIN staff st ON st.staff_no = s.handler_staff_no
        ON CONFLICT (complaint_no) DO UPDATE SET customer_id = EXCLUDED.customer_id, received_at = EXCLUDED.received_at,
            priority = EXCLUDED.priority, content = EXCLUDED.content, channel = EXCLUDED.channel,
            category = EXCLUDED.category, handler_staff_id = EXCLUDED.handler_staff_id,
            first_response_at = EXCLUDED.first_response_at, resolved_at = EXCLUDED.resolved_at,
            resolution = EXCLUDED.resolution, satisfaction = EXCLUDED.satisfaction, callback_at = EXCLUDED.callback_at,
            version = complaints.version + 1
        WHERE (complaints.customer_id, complaints.received_at, complaints.priority, complaints.content, complaints.channel,
               complaints.category, complaints.handler_staff_id, complaints.first_response_at, complaints.resolved_at,
               complaints.resolution, complaints.satisfaction, complaints.callback_at)
            IS DISTINCT FROM (EXCLUDED.customer_id, EXCLUDED.received_at, EXCLUDED.priority, EXCLUDED.content,
               EXCLUDED.channel, EXCLUDED.category, EXCLUDED.handler_staff_id, EXCLUDED.first_response_at,
               EXCLUDED.resolved_at, EXCLUDED.resolution, EXCLUDED.satisfaction, EXCLUDED.callback_at);"""),
    "plans.csv": ("plan_no text, kind text, type text, horizon text, start_date date, end_date date, department_code text, "
                  "staff_no text, planned_count integer, minimum_count integer, planned_cost numeric, content text, "
                  "purpose text, method text, assigned_by_staff_no text", """
        INSERT INTO plans (plan_no, kind, type, horizon, start_date, end_date, department_id, staff_id, planned_count,
            minimum_count, planned_cost, content, purpose, method, assigned_by_staff_id)
        SELECT s.plan_no, s.kind, s.type, s.horizon, s.start_date, s.end_date, d.id, st.id, s.planned_count,
               s.minimum_count, s.planned_cost, s.content, s.purpose, s.method, ab.id
        FROM s JOIN departments d ON d.code = s.department_code
        LEFT JOIN staff st ON st.staff_no = s.staff_no LEFT JOIN staff ab ON ab.staff_no = s.assigned_by_staff_no
        ON CONFLICT (plan_no) DO UPDATE SET kind = EXCLUDED.kind, type = EXCLUDED.type, horizon = EXCLUDED.horizon,
            start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date, department_id = EXCLUDED.department_id,
            staff_id = EXCLUDED.staff_id, planned_count = EXCLUDED.planned_count, minimum_count = EXCLUDED.minimum_count,
            planned_cost = EXCLUDED.planned_cost, content = EXCLUDED.content, purpose = EXCLUDED.purpose,
            method = EXCLUDED.method, assigned_by_staff_id = EXCLUDED.assigned_by_staff_id, version = plans.version + 1
        WHERE (plans.kind, plans.type, plans.horizon, plans.start_date, plans.end_date, plans.department_id, plans.staff_id,
               plans.planned_count, plans.minimum_count, plans.planned_cost, plans.content, plans.purpose, plans.method,
               plans.assigned_by_staff_id)
            IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.type, EXCLUDED.horizon, EXCLUDED.start_date, EXCLUDED.end_date,
               EXCLUDED.department_id, EXCLUDED.staff_id, EXCLUDED.planned_count, EXCLUDED.minimum_count,
               EXCLUDED.planned_cost, EXCLUDED.content, EXCLUDED.purpose, EXCLUDED.method, EXCLUDED.assigned_by_staff_id);"""),
    "plan_progress.csv": ("plan_no text, recorded_on date, completed_count integer, cost numeric, success_count integer, "
                          "note text", """
        INSERT INTO plan_progress (plan_id, recorded_on, completed_count, cost, success_count, note)
        SELECT p.id, s.recorded_on, s.completed_count, s.cost, s.success_count, s.note FROM s JOIN plans p ON p.plan_no = s.plan_no
        ON CONFLICT (plan_id, recorded_on) WHERE corrects_id IS NULL DO UPDATE SET completed_count = EXCLUDED.completed_count,
            cost = EXCLUDED.cost, success_count = EXCLUDED.success_count, note = EXCLUDED.note
        WHERE (plan_progress.completed_count, plan_progress.cost, plan_progress.success_count, plan_progress.note)
            IS DISTINCT FROM (EXCLUDED.completed_count, EXCLUDED.cost, EXCLUDED.success_count, EXCLUDED.note);"""),
    "retention_cases.csv": ("case_no text, customer_code text, reason text, intent text, method text, started_on date, "
                            "cost numeric, result text, closed_on date, staff_no text, note text", """
        INSERT INTO retention_cases (case_no, customer_id, reason, intent, method, started_on, cost, result, closed_on,
            staff_id, note)
        SELECT s.case_no, c.id, s.reason, s.intent, s.method, s.started_on, s.cost, s.result, s.closed_on, st.id, s.note
        FROM s JOIN customers c ON c.code = s.customer_code LEFT JOIN staff st ON st.staff_no = s.staff_no
        ON CONFLICT (case_no) DO UPDATE SET customer_id = EXCLUDED.customer_id, reason = EXCLUDED.reason,
            intent = EXCLUDED.intent, method = EXCLUDED.method, started_on = EXCLUDED.started_on, cost = EXCLUDED.cost,
            result = EXCLUDED.result, closed_on = EXCLUDED.closed_on, staff_id = EXCLUDED.staff_id, note = EXCLUDED.note,
            version = retention_cases.version + 1
        WHERE (retention_cases.customer_id, retention_cases.reason, retention_cases.intent, retention_cases.method,
               retention_cases.started_on, retention_cases.cost, retention_cases.result, retention_cases.closed_on,
               retention_cases.staff_id, retention_cases.note)
            IS DISTINCT FROM (EXCLUDED.customer_id, EXCLUDED.reason, EXCLUDED.intent, EXCLUDED.method,
               EXCLUDED.started_on, EXCLUDED.cost, EXCLUDED.result, EXCLUDED.closed_on, EXCLUDED.staff_id, EXCLUDED.note);"""),
    "settings.csv": ("key text, value text", """
        INSERT INTO settings (key, value) SELECT key, CAST(value AS jsonb) FROM s
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value WHERE settings.value IS DISTINCT FROM EXCLUDED.value;"""),
    # A budget already there with another amount is adjusted: its history keeps the amount before and after.
    # Imported budgets are approved. The actor is the import's (set by dashboard/imports for the transaction).
    "service_budgets.csv": ("department_code text, period text, period_start date, period_end date, category text, "
                            "amount numeric, note text", """
        INSERT INTO budget_adjustments (budget_id, actor, action, amount_before, amount_after, note)
        SELECT b.id, coalesce(nullif(current_setting('dashboard.actor', true), ''), 'import'), 'import', b.amount,
               s.amount, s.note
        FROM s JOIN departments d ON d.code = s.department_code
        JOIN service_budgets b ON b.department_id = d.id AND b.period_start = s.period_start
             AND b.period_end = s.period_end AND b.category = s.category
        WHERE b.amount <> s.amount OR b.status <> 'approved' OR b.proposed_amount IS NOT NULL;
        WITH up AS (
            INSERT INTO service_budgets (department_id, period, period_start, period_end, category, amount, status,
                original_amount, note, decided_by, decided_at)
            SELECT d.id, s.period, s.period_start, s.period_end, s.category, s.amount, 'approved', s.amount, s.note,
                   coalesce(nullif(current_setting('dashboard.actor', true), ''), 'import'), now()
            FROM s JOIN departments d ON d.code = s.department_code
            ON CONFLICT (department_id, period_start, period_end, category) DO UPDATE SET amount = EXCLUDED.amount,
                status = 'approved', original_amount = coalesce(service_budgets.original_amount, EXCLUDED.amount),
                proposed_amount = NULL, note = EXCLUDED.note, decided_by = EXCLUDED.decided_by,
                decided_at = EXCLUDED.decided_at, version = service_budgets.version + 1
            WHERE (service_budgets.amount, service_budgets.status, service_budgets.proposed_amount, service_budgets.note)
                IS DISTINCT FROM (EXCLUDED.amount, 'approved', NULL::numeric, EXCLUDED.note)
            RETURNING id, amount, note, (xmax = 0) AS inserted)
        INSERT INTO budget_adjustments (budget_id, actor, action, amount_before, amount_after, note)
        SELECT id, coalesce(nullif(current_setting('dashboard.actor', true), ''), 'import'), 'import', NULL, amount, note
        FROM up WHERE inserted;"""),
    "cost_entries.csv": ("entry_no text, spent_on date, department_code text, category text, amount numeric, "
                         "staff_no text, plan_no text, case_no text, description text, purpose text", """
        INSERT INTO cost_entries (entry_no, entry_date, department_id, staff_id, category, amount, plan_id,
            retention_case_id, note, purpose, created_by)
        SELECT s.entry_no, s.spent_on, d.id, st.id, s.category, s.amount, p.id, r.id, s.description, s.purpose,
               coalesce(nullif(current_setting('dashboard.actor', true), ''), 'import')
        FROM s JOIN departments d ON d.code = s.department_code LEFT JOIN staff st ON st.staff_no = s.staff_no
        LEFT JOIN plans p ON p.plan_no = s.plan_no LEFT JOIN retention_cases r ON r.case_no = s.case_no
        ON CONFLICT (entry_no) DO UPDATE SET entry_date = EXCLUDED.entry_date, department_id = EXCLUDED.department_id,
            staff_id = EXCLUDED.staff_id, category = EXCLUDED.category, amount = EXCLUDED.amount,
            plan_id = EXCLUDED.plan_id, retention_case_id = EXCLUDED.retention_case_id, note = EXCLUDED.note,
            purpose = EXCLUDED.purpose
        WHERE (cost_entries.entry_date, cost_entries.department_id, cost_entries.staff_id, cost_entries.category,
               cost_entries.amount, cost_entries.plan_id, cost_entries.retention_case_id, cost_entries.note,
               cost_entries.purpose)
            IS DISTINCT FROM (EXCLUDED.entry_date, EXCLUDED.department_id, EXCLUDED.staff_id, EXCLUDED.category,
               EXCLUDED.amount, EXCLUDED.plan_id, EXCLUDED.retention_case_id, EXCLUDED.note, EXCLUDED.purpose);"""),
    "surveys.csv": ("survey_no text, customer_code text, surveyed_on date, staff_no text, csat smallint, nps smallint, "
                    "comment text", """
        INSERT INTO satisfaction_surveys (survey_no, customer_id, staff_id, department_id, surveyed_on, csat, nps, comment)
        SELECT s.survey_no, c.id, st.id, c.department_id, s.surveyed_on, s.csat, s.nps, s.comment
        FROM s JOIN customers c ON c.code = s.customer_code LEFT JOIN staff st ON st.staff_no = s.staff_no
        ON CONFLICT (survey_no) DO UPDATE SET customer_id = EXCLUDED.customer_id, staff_id = EXCLUDED.staff_id,
            department_id = EXCLUDED.department_id, surveyed_on = EXCLUDED.surveyed_on, csat = EXCLUDED.csat,
            nps = EXCLUDED.nps, comment = EXCLUDED.comment
        WHERE (satisfaction_surveys.customer_id, satisfaction_surveys.staff_id, satisfaction_surveys.department_id,
               satisfaction_surveys.surveyed_on, satisfaction_surveys.csat, satisfaction_surveys.nps,
               satisfaction_surveys.comment)
            IS DISTINCT FROM (EXCLUDED.customer_id, EXCLUDED.staff_id, EXCLUDED.department_id, EXCLUDED.surveyed_on,
               EXCLUDED.csat, EXCLUDED.nps, EXCLUDED.comment);"""),
    # the dimensions' columns become the rating's scores (jsonb); the audit entry of an import counts rows only
    "evaluations.csv": ("cycle text, evaluator_staff_no text, evaluatee_staff_no text, relation text, "
                        + ", ".join(f"{d} smallint" for d in EVALUATION_DIMENSIONS), f"""
        INSERT INTO evaluations_360 (period, evaluator_staff_id, evaluatee_staff_id, relation, scores)
        SELECT s.cycle, ev.id, ee.id, s.relation,
               jsonb_build_object({", ".join(f"'{d}', s.{d}" for d in EVALUATION_DIMENSIONS)})
        FROM s JOIN staff ev ON ev.staff_no = s.evaluator_staff_no JOIN staff ee ON ee.staff_no = s.evaluatee_staff_no
        ON CONFLICT (period, evaluator_staff_id, evaluatee_staff_id) DO UPDATE SET relation = EXCLUDED.relation,
            scores = EXCLUDED.scores
        WHERE (evaluations_360.relation, evaluations_360.scores) IS DISTINCT FROM (EXCLUDED.relation, EXCLUDED.scores);"""),
    "staff_training.csv": ("staff_no text, course text, trained_on date, hours numeric, result text", """
        INSERT INTO staff_training (staff_id, course, trained_on, hours, result)
        SELECT st.id, s.course, s.trained_on, s.hours, s.result FROM s JOIN staff st ON st.staff_no = s.staff_no
        ON CONFLICT (staff_id, course, trained_on) DO UPDATE SET hours = EXCLUDED.hours, result = EXCLUDED.result
        WHERE (staff_training.hours, staff_training.result) IS DISTINCT FROM (EXCLUDED.hours, EXCLUDED.result);"""),
    "staff_history.csv": ("staff_no text, started_on date, ended_on date, department_code text, role text, title text, "
                          "employer text", """
        INSERT INTO staff_work_history (staff_id, started_on, ended_on, department_id, role, title, employer)
        SELECT st.id, s.started_on, s.ended_on, d.id, s.role, s.title, s.employer
        FROM s JOIN staff st ON st.staff_no = s.staff_no LEFT JOIN departments d ON d.code = s.department_code
        ON CONFLICT (staff_id, started_on) DO UPDATE SET ended_on = EXCLUDED.ended_on,
            department_id = EXCLUDED.department_id, role = EXCLUDED.role, title = EXCLUDED.title,
            employer = EXCLUDED.employer
        WHERE (staff_work_history.ended_on, staff_work_history.department_id, staff_work_history.role,
               staff_work_history.title, staff_work_history.employer)
            IS DISTINCT FROM (EXCLUDED.ended_on, EXCLUDED.department_id, EXCLUDED.role, EXCLUDED.title, EXCLUDED.employer);"""),
    # an imported entry belongs to its customer's department (else its writer's) and is not judged
    # for the 24-hour rule (imported): when it was first written is not known
    "work_logs.csv": ("log_no text, logged_at timestamptz, staff_no text, customer_code text, source text, "
                      "service_type text, category text, content text, handling text, summary text, satisfaction smallint", """
        INSERT INTO work_logs (log_no, department_id, staff_id, customer_id, logged_at, source, service_type, category,
                               content, handling, summary, satisfaction, imported)
        SELECT s.log_no, coalesce(cu.department_id, st.department_id), st.id, cu.id, s.logged_at, s.source,
               s.service_type, s.category, s.content, s.handling, s.summary, s.satisfaction, true
        FROM s JOIN staff st ON st.staff_no = s.staff_no LEFT JOIN customers cu ON cu.code = s.customer_code
        ON CONFLICT (log_no) DO UPDATE SET department_id = EXCLUDED.department_id, staff_id = EXCLUDED.staff_id,
            customer_id = EXCLUDED.customer_id, logged_at = EXCLUDED.logged_at, source = EXCLUDED.source,
            service_type = EXCLUDED.service_type, category = EXCLUDED.category, content = EXCLUDED.content,
            handling = EXCLUDED.handling, summary = EXCLUDED.summary, satisfaction = EXCLUDED.satisfaction
        WHERE (work_logs.department_id, work_logs.staff_id, work_logs.customer_id, work_logs.logged_at, work_logs.source,
               work_logs.service_type, work_logs.category, work_logs.content, work_logs.handling, work_logs.summary,
               work_logs.satisfaction)
            IS DISTINCT FROM (EXCLUDED.department_id, EXCLUDED.staff_id, EXCLUDED.customer_id, EXCLUDED.logged_at,
               EXCLUDED.source, EXCLUDED.service_type, EXCLUDED.category, EXCLUDED.content, EXCLUDED.handling,
               EXCLUDED.summary, EXCLUDED.satisfaction);"""),
    # a call belongs to its customer's department, else its staff member's, else to no department
    # (managers only); a re-import of the same call changes nothing
    "calls.csv": ("call_id text, direction text, started_at timestamptz, answered_at timestamptz, "
                  "ended_at timestamptz, wrap_up_seconds integer, queue text, staff_no text, customer_code text, "
                  "caller text", """
        INSERT INTO calls (call_id, direction, started_at, answered_at, ended_at, wrap_up_seconds, queue, staff_id,
                           customer_id, caller, department_id)
        SELECT s.call_id, s.direction, s.started_at, s.answered_at, s.ended_at, s.wrap_up_seconds, s.queue, st.id,
               cu.id, s.caller, coalesce(cu.department_id, st.department_id)
        FROM s LEFT JOIN staff st ON st.staff_no = s.staff_no LEFT JOIN customers cu ON cu.code = s.customer_code
        ON CONFLICT (call_id) DO UPDATE SET direction = EXCLUDED.direction, started_at = EXCLUDED.started_at,
            answered_at = EXCLUDED.answered_at, ended_at = EXCLUDED.ended_at,
            wrap_up_seconds = EXCLUDED.wrap_up_seconds, queue = EXCLUDED.queue, staff_id = EXCLUDED.staff_id,
            customer_id = EXCLUDED.customer_id, caller = EXCLUDED.caller, department_id = EXCLUDED.department_id
        WHERE (calls.direction, calls.started_at, calls.answered_at, calls.ended_at, calls.wrap_up_seconds,
               calls.queue, calls.staff_id, calls.customer_id, calls.caller, calls.department_id)
            IS DISTINCT FROM (EXCLUDED.direction, EXCLUDED.started_at, EXCLUDED.answered_at, EXCLUDED.ended_at,
               EXCLUDED.wrap_up_seconds, EXCLUDED.queue, EXCLUDED.staff_id, EXCLUDED.customer_id, EXCLUDED.caller,
               EXCLUDED.department_id);"""),
}
