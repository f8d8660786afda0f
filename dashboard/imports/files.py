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


def specs() -> list[FileSpec]:
    """The files in dependency order."""
    return [
        FileSpec("departments.csv", {"code": (True, code), "name": (True, text), "parent_code": (False, code),
                                     "scope": (False, long_text)}, ("code",)),
        FileSpec("staff.csv", {"staff_no": (True, code), "name": (True, text), "department_code": (True, code),
                               "role": (True, one_of(*v.STAFF_ROLE.codes)), "email": (False, text),
                               "phone": (False, text), "hired_on": (False, a_date)}, ("staff_no",)),
        FileSpec("customers.csv", {"code": (True, code), "name": (True, text), "department_code": (True, code),
                                   "owner_staff_no": (False, code), "industry": (False, text),
                                   "region": (False, text), "created_on": (False, a_date),
                                   "contact_name": (False, text), "contact_phone": (False, text),
                                   "contact_email": (False, text)}, ("code",)),
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
    "staff.csv": ("staff_no text, name text, department_code text, role text, email text, phone text, hired_on date", """
        INSERT INTO staff (staff_no, name, department_id, role, email, phone, hired_on)
        SELECT s.staff_no, s.name, d.id, s.role, s.email, s.phone, s.hired_on FROM s JOIN departments d ON d.code = s.department_code
        ON CONFLICT (staff_no) DO UPDATE SET name = EXCLUDED.name, department_id = EXCLUDED.department_id,
            role = EXCLUDED.role, email = EXCLUDED.email, phone = EXCLUDED.phone, hired_on = EXCLUDED.hired_on,
            version = staff.version + 1
        WHERE (staff.name, staff.department_id, staff.role, staff.email, staff.phone, staff.hired_on)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.department_id, EXCLUDED.role, EXCLUDED.email, EXCLUDED.phone, EXCLUDED.hired_on);"""),
    "customers.csv": ("code text, name text, department_code text, owner_staff_no text, industry text, region text, "
                      "created_on date, contact_name text, contact_phone text, contact_email text", """
        INSERT INTO customers (code, name, department_id, owner_staff_id, industry, region, created_on,
                               contact_name, contact_phone, contact_email)
        SELECT s.code, s.name, d.id, st.id, s.industry, s.region, s.created_on, s.contact_name, s.contact_phone, s.contact_email
        FROM s JOIN departments d ON d.code = s.department_code LEFT JOIN staff st ON st.staff_no = s.owner_staff_no
        ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, department_id = EXCLUDED.department_id,
            owner_staff_id = EXCLUDED.owner_staff_id, industry = EXCLUDED.industry, region = EXCLUDED.region,
            created_on = EXCLUDED.created_on, contact_name = EXCLUDED.contact_name,
            contact_phone = EXCLUDED.contact_phone, contact_email = EXCLUDED.contact_email, version = customers.version + 1
        WHERE (customers.name, customers.department_id, customers.owner_staff_id, customers.industry, customers.region,
               customers.created_on, customers.contact_name, customers.contact_phone, customers.contact_email)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.department_id, EXCLUDED.owner_staff_id, EXCLUDED.industry,
               EXCLUDED.region, EXCLUDED.created_on, EXCLUDED.contact_name, EXCLUDED.contact_phone, EXCLUDED.contact_email);
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
        ON CONFLICT (plan_id, recorded_on) DO UPDATE SET completed_count = EXCLUDED.completed_count,
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
}
