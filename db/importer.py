"""CSV import (interfaces.md): all or nothing, every problem listed, idempotent.

Phase 1 reads and validates every row of every file (types, enums, required and unknown
columns, duplicate keys, references to rows in the files or already in the database, the
rules of metrics.md). If anything is wrong, nothing is written and every problem is returned
as `file:line: column: message`. Phase 2 loads each file into a temporary table with COPY
and upserts by natural key inside one transaction, touching only rows that differ, so a
re-import of the same files changes nothing.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from db import import_sql, limits
from db.engine import app_timezone


class ImportFailed(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class BadValue(ValueError):
    pass


# -- value parsers -----------------------------------------------------------------------

def _checked(problem: str | None, v):
    if problem:
        raise BadValue(problem)
    return v


def text(v: str) -> str:
    """A name, subject or category: a line of text."""
    return _checked(limits.length_problem(v, limits.SHORT_TEXT), v)


def long_text(v: str) -> str:
    """A content, resolution or note."""
    return _checked(limits.length_problem(v, limits.LONG_TEXT), v)


def code(v: str) -> str:
    """An identifier (a code or number of a record, or a reference to one)."""
    return _checked(limits.code_problem(v), v)


def a_date(v: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise BadValue(f"'{v}' is not a date YYYY-MM-DD")
    try:
        value = date.fromisoformat(v)
    except ValueError:
        raise BadValue(f"'{v}' is not a valid date") from None
    return _checked(limits.date_problem(value), value)


def timestamp(v: str) -> datetime:
    try:
        value = datetime.fromisoformat(v)
    except ValueError:
        raise BadValue(f"'{v}' is not an ISO 8601 timestamp") from None
    value = value if value.tzinfo else value.replace(tzinfo=app_timezone())
    return _checked(limits.date_problem(value.astimezone(app_timezone())), value)


def amount(v: str) -> Decimal:
    if not re.fullmatch(r"-?\d{1,12}(\.\d{1,2})?", v):
        raise BadValue(f"'{v}' is not an amount with up to 2 decimal places")
    return Decimal(v)


def non_negative_amount(v: str) -> Decimal:
    value = amount(v)
    if value < 0:
        raise BadValue(f"'{v}' must not be negative")
    return value


def count(v: str) -> int:
    if not re.fullmatch(r"\d{1,9}", v):
        raise BadValue(f"'{v}' is not a whole number >= 0")
    return int(v)


def positive_hours(v: str) -> Decimal:
    value = non_negative_amount(v)
    if value <= 0:
        raise BadValue(f"'{v}' must be more than 0")
    return value


def one_of(*allowed: str) -> Callable[[str], str]:
    def parse(v: str) -> str:
        if v not in allowed:
            raise BadValue(f"'{v}' is not one of {', '.join(allowed)}")
        return v
    return parse


def score(low: int, high: int) -> Callable[[str], int]:
    def parse(v: str) -> int:
        if not re.fullmatch(r"\d{1,2}", v) or not low <= int(v) <= high:
            raise BadValue(f"'{v}' is not a whole number {low}-{high}")
        return int(v)
    return parse


PRIORITIES = ("urgent", "high", "normal", "low")


@dataclass
class FileSpec:
    name: str
    columns: dict[str, tuple[bool, Callable]]  # column -> (required, parser)
    key: tuple[str, ...]
    rows: list[tuple[int, dict]] = field(default_factory=list)
    staged: list[str] | None = None  # the header, when the rows sit in temp table raw_<name> instead
    staged_count: int = 0

    @property
    def table(self) -> str:
        return "raw_" + self.name.removesuffix(".csv")


def specs() -> list[FileSpec]:
    """The files in dependency order."""
    return [
        FileSpec("departments.csv", {"code": (True, code), "name": (True, text), "parent_code": (False, code),
                                     "scope": (False, long_text)}, ("code",)),
        FileSpec("staff.csv", {"staff_no": (True, code), "name": (True, text), "department_code": (True, code),
                               "role": (True, one_of("manager", "head", "agent")), "email": (False, text),
                               "phone": (False, text), "hired_on": (False, a_date)}, ("staff_no",)),
        FileSpec("customers.csv", {"code": (True, code), "name": (True, text), "department_code": (True, code),
                                   "owner_staff_no": (False, code), "industry": (False, text),
                                   "region": (False, text), "created_on": (False, a_date),
                                   "contact_name": (False, text), "contact_phone": (False, text),
                                   "contact_email": (False, text)}, ("code",)),
        FileSpec("tiers.csv", {"name": (True, text), "rank": (True, count), "min_amount": (True, amount)}, ("name",)),
        FileSpec("sla.csv", {"priority": (True, one_of(*PRIORITIES)), "resolution_hours": (True, positive_hours),
                             "response_hours": (False, positive_hours)}, ("priority",)),
        FileSpec("orders.csv", {"order_no": (True, code), "customer_code": (True, code),
                                "order_date": (True, a_date), "amount": (True, amount),
                                "category": (False, text)}, ("order_no",)),
        FileSpec("complaints.csv", {
            "complaint_no": (True, code), "customer_code": (True, code), "received_at": (True, timestamp),
            "priority": (True, one_of(*PRIORITIES)), "content": (True, long_text), "channel": (False, text),
            "category": (False, text), "handler_staff_no": (False, code), "first_response_at": (False, timestamp),
            "resolved_at": (False, timestamp), "resolution": (False, long_text), "satisfaction": (False, score(1, 5)),
            "callback_at": (False, timestamp)}, ("complaint_no",)),
        FileSpec("plans.csv", {
            "plan_no": (True, code), "kind": (True, one_of("plan", "task")),
            "type": (True, one_of("visit", "activity", "service", "publicity", "discount")),
            "horizon": (True, one_of("year", "quarter", "month", "week")), "start_date": (True, a_date),
            "end_date": (True, a_date), "department_code": (True, code), "staff_no": (False, code),
            "planned_count": (True, count), "minimum_count": (True, count), "planned_cost": (True, non_negative_amount),
            "content": (False, long_text), "purpose": (False, long_text),
            "method": (False, one_of("interview", "phone", "sms", "letter", "email")),
            "assigned_by_staff_no": (False, code)}, ("plan_no",)),
        FileSpec("plan_progress.csv", {
            "plan_no": (True, code), "recorded_on": (True, a_date), "completed_count": (True, count),
            "cost": (True, non_negative_amount), "success_count": (False, count), "note": (False, long_text)},
            ("plan_no", "recorded_on")),
        FileSpec("retention_cases.csv", {
            "case_no": (True, code), "customer_code": (True, code),
            "reason": (True, one_of("price", "service", "quality", "competitor", "relocation", "other")),
            "intent": (True, one_of("churned", "at_risk")),
            "method": (True, one_of("promotion", "service_improvement", "visit", "discount", "other")),
            "started_on": (True, a_date), "cost": (True, non_negative_amount),
            "result": (True, one_of("retained", "lost", "pending")), "closed_on": (False, a_date),
            "staff_no": (False, code), "note": (False, long_text)}, ("case_no",)),
    ]


# -- phase 1: read and validate --------------------------------------------------------

def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _decode(path: Path, spec: FileSpec, problems: list[str]) -> str | None:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        problems.append(f"{spec.name}:{line}: -: not valid UTF-8 (byte {e.start})")
        return None


def _check_header(content: str, spec: FileSpec, problems: list[str]) -> list[str] | None:
    """The header's columns, or None (with the problems listed) when it cannot be used."""
    try:
        header = next(csv.reader(io.StringIO(content, newline="")))
    except StopIteration:
        problems.append(f"{spec.name}:1: -: the file is empty (a header row is required)")
        return None
    header = [h.strip() for h in header]
    bad_header = False
    for col in header:
        if col not in spec.columns:
            problems.append(f"{spec.name}:1: {col}: unknown column")
            bad_header = True
    for col in {c for c in header if header.count(c) > 1}:
        problems.append(f"{spec.name}:1: {col}: column appears more than once")
        bad_header = True
    for col, (required, _) in spec.columns.items():
        if required and col not in header:
            problems.append(f"{spec.name}:1: {col}: required column is missing")
            bad_header = True
    return None if bad_header else header


def read_file(path: Path, spec: FileSpec, problems: list[str], show_progress: bool, content: str | None = None,
              header: list[str] | None = None) -> None:
    if content is None:
        content = _decode(path, spec, problems)
        if content is None:
            return
        header = _check_header(content, spec, problems)
    if header is None:
        return
    reader = csv.reader(io.StringIO(content, newline=""))
    next(reader)
    seen: dict[tuple, int] = {}
    line = 1
    for record in reader:
        line_start = line + 1
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(f"{spec.name}:{line_start}: -: has {len(record)} fields, the header has {len(header)}")
            continue
        row: dict = {}
        for col, cell in zip(header, record):
            required, parse = spec.columns[col]
            if "\x00" in cell:  # Postgres text cannot hold it
                problems.append(f"{spec.name}:{line_start}: {col}: contains a NUL character (\\x00)")
                row[col] = None
                continue
            cell = cell.strip()
            if cell == "":
                if required:
                    problems.append(f"{spec.name}:{line_start}: {col}: required value is empty")
                row[col] = None
                continue
            try:
                row[col] = parse(cell)
            except BadValue as e:
                problems.append(f"{spec.name}:{line_start}: {col}: {e}")
                row[col] = None
        key = tuple(row.get(k) for k in spec.key)
        if None not in key:
            if key in seen:
                problems.append(f"{spec.name}:{line_start}: {spec.key[0]}: duplicate key "
                                f"{'/'.join(map(str, key))} (first on line {seen[key]})")
            else:
                seen[key] = line_start
        spec.rows.append((line_start, row))
        if show_progress and len(spec.rows) % 200_000 == 0:
            _progress(f"  {spec.name}: {len(spec.rows):,} rows read")


def _existing(conn, sql: str) -> set:
    return {r[0] for r in conn.execute(sa.text(sql))}


def check_references(conn, files: dict[str, FileSpec], problems: list[str]) -> None:
    """Rows must refer to rows in the files or already in the database; rules of metrics.md."""
    def keys(name: str, column: str) -> set:
        return {row[column] for _, row in files[name].rows if row.get(column)} if name in files else set()

    departments = keys("departments.csv", "code") | _existing(conn, "SELECT code FROM departments")
    staff = keys("staff.csv", "staff_no") | _existing(conn, "SELECT staff_no FROM staff")
    customers = keys("customers.csv", "code") | _existing(conn, "SELECT code FROM customers")
    plans_known = keys("plans.csv", "plan_no") | _existing(conn, "SELECT plan_no FROM plans")

    in_files = {"customer": keys("customers.csv", "code"), "staff member": keys("staff.csv", "staff_no"),
                "department": keys("departments.csv", "code"), "plan": keys("plans.csv", "plan_no")}

    def ref(name: str, column: str, known: set, what: str):
        if name not in files:
            return
        if files[name].staged is not None:
            problems.extend(import_sql.reference_problems(conn, files[name], column, what, in_files[what]))
            return
        for line, row in files[name].rows:
            value = row.get(column)
            if value is not None and value not in known:
                problems.append(f"{name}:{line}: {column}: {what} '{value}' does not exist")

    ref("departments.csv", "parent_code", departments, "department")
    ref("staff.csv", "department_code", departments, "department")
    ref("customers.csv", "department_code", departments, "department")
    ref("customers.csv", "owner_staff_no", staff, "staff member")
    ref("orders.csv", "customer_code", customers, "customer")
    ref("complaints.csv", "customer_code", customers, "customer")
    ref("complaints.csv", "handler_staff_no", staff, "staff member")
    ref("plans.csv", "department_code", departments, "department")
    ref("plans.csv", "staff_no", staff, "staff member")
    ref("plans.csv", "assigned_by_staff_no", staff, "staff member")
    ref("plan_progress.csv", "plan_no", plans_known, "plan")
    ref("retention_cases.csv", "customer_code", customers, "customer")
    ref("retention_cases.csv", "staff_no", staff, "staff member")

    if "departments.csv" in files:
        parents = {r[0]: r[1] for r in conn.execute(sa.text(
            "SELECT d.code, p.code FROM departments d LEFT JOIN departments p ON p.id = d.parent_id"))}
        for _, row in files["departments.csv"].rows:
            if row.get("code"):
                parents[row["code"]] = row.get("parent_code")
        for line, row in files["departments.csv"].rows:
            code, seen = row.get("code"), set()
            node = code
            while node is not None and node not in seen:
                seen.add(node)
                node = parents.get(node)
            if node is not None and node == code:
                problems.append(f"departments.csv:{line}: parent_code: department '{code}' would be its own ancestor")

    for line, row in files.get("plans.csv", FileSpec("", {}, ())).rows:
        if row.get("planned_count") is not None and row["planned_count"] <= 0:
            problems.append(f"plans.csv:{line}: planned_count: must be more than 0")
        if None not in (row.get("minimum_count"), row.get("planned_count")) and row["minimum_count"] > row["planned_count"]:
            problems.append(f"plans.csv:{line}: minimum_count: {row['minimum_count']} is more than planned_count "
                            f"{row['planned_count']}")
        if None not in (row.get("start_date"), row.get("end_date")) and row["start_date"] > row["end_date"]:
            problems.append(f"plans.csv:{line}: end_date: {row['end_date']} is before start_date {row['start_date']}")

    for line, row in files.get("plan_progress.csv", FileSpec("", {}, ())).rows:
        if None not in (row.get("success_count"), row.get("completed_count")) and row["success_count"] > row["completed_count"]:
            problems.append(f"plan_progress.csv:{line}: success_count: {row['success_count']} is more than "
                            f"completed_count {row['completed_count']}")

    for line, row in files.get("complaints.csv", FileSpec("", {}, ())).rows:
        received = row.get("received_at")
        for column in ("first_response_at", "resolved_at"):
            if received and row.get(column) and row[column] < received:
                problems.append(f"complaints.csv:{line}: {column}: {row[column].isoformat()} is before received_at")
        if row.get("callback_at"):
            if not row.get("resolved_at"):
                problems.append(f"complaints.csv:{line}: callback_at: a callback needs resolved_at")
            elif row["callback_at"] < row["resolved_at"]:
                problems.append(f"complaints.csv:{line}: callback_at: {row['callback_at'].isoformat()} is before resolved_at")

    for line, row in files.get("retention_cases.csv", FileSpec("", {}, ())).rows:
        if row.get("closed_on") and row.get("started_on") and row["closed_on"] < row["started_on"]:
            problems.append(f"retention_cases.csv:{line}: closed_on: {row['closed_on']} is before started_on")

    if "tiers.csv" in files:
        rows = files["tiers.csv"].rows
        for column in ("rank", "min_amount"):
            first: dict = {}
            for line, row in rows:
                v = row.get(column)
                if v is None:
                    continue
                if v in first:
                    problems.append(f"tiers.csv:{line}: {column}: {v} is also on line {first[v]}")
                first.setdefault(v, line)
        for line, row in rows:
            if row.get("rank") is not None and row["rank"] < 1:
                problems.append(f"tiers.csv:{line}: rank: must be 1 or more")
            if row.get("min_amount") is not None and row["min_amount"] <= 0:
                problems.append(f"tiers.csv:{line}: min_amount: must be more than 0")
            if row.get("name") == "none":
                problems.append(f"tiers.csv:{line}: name: 'none' is reserved for customers without a tier")
        if not rows:
            problems.append("tiers.csv:1: -: the tier table would be empty")


# -- phase 2: write -------------------------------------------------------------------

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
}


def _copy_rows(dbapi_conn, table: str, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for _, row in rows:
        writer.writerow([
            "" if (v := row.get(c)) is None else (v.isoformat() if isinstance(v, (date, datetime)) else v)
            for c in columns
        ])
    buffer.seek(0)
    with dbapi_conn.cursor() as cur:
        cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)


def import_directory(engine: Engine, directory: Path, actor: str = "import",
                     show_progress: bool = False) -> dict[str, int]:
    """Import the CSV files in `directory`. Returns rows written per file; raises ImportFailed."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ImportFailed([f"{directory}: not a directory"])
    known = {spec.name: spec for spec in specs()}
    problems: list[str] = []
    for path in sorted(directory.glob("*.csv")):
        if path.name not in known:
            problems.append(f"{path.name}:1: -: unknown file (expected one of {', '.join(known)})")
    files: dict[str, FileSpec] = {}
    with engine.begin() as conn:
        for spec in specs():
            path = directory / spec.name
            if not path.exists():
                continue
            if show_progress:
                _progress(f"reading {spec.name}")
            files[spec.name] = spec
            content = _decode(path, spec, problems)
            header = _check_header(content, spec, problems) if content is not None else None
            if header is None:
                continue
            if not (spec.name in import_sql.SQL_CHECKED and import_sql.stage(conn, spec, content, header, problems)):
                read_file(path, spec, problems, show_progress, content, header)
        if not files and not problems:
            raise ImportFailed([f"{directory}: no CSV files to import (expected {', '.join(known)})"])
        check_references(conn, files, problems)
        if problems:
            raise ImportFailed(problems)
        dbapi = conn.connection.dbapi_connection
        changed: dict[str, int] = {}
        for name in [spec.name for spec in specs() if spec.name in files]:  # in dependency order
            spec = files[name]
            if show_progress:
                _progress(f"writing {spec.name} ({spec.staged_count or len(spec.rows):,} rows)")
            columns_sql, upsert_sql = WRITES[spec.name]
            conn.execute(sa.text("DROP TABLE IF EXISTS s"))
            if spec.staged is not None:
                conn.execute(sa.text(f"CREATE TEMP TABLE s ON COMMIT DROP AS {import_sql.typed_select(spec, columns_sql)}"))
            else:
                conn.execute(sa.text(f"CREATE TEMP TABLE s ({columns_sql}) ON COMMIT DROP"))
                columns = [c.split()[0] for c in columns_sql.split(", ")]
                _copy_rows(dbapi, "s", columns, spec.rows)
            conn.execute(sa.text("ANALYZE s"))
            with dbapi.cursor() as cur:
                for statement in filter(str.strip, upsert_sql.split(";")):
                    cur.execute(statement)
                    changed[spec.name] = changed.get(spec.name, 0) + max(cur.rowcount, 0)
        if not any(changed.values()):
            return {name: 0 for name in files}
        conn.execute(sa.text(
            "INSERT INTO audit_log (actor, action, table_name, record_key, after) "
            "VALUES (:actor, 'import', 'import', :dir, CAST(:summary AS jsonb))"),
            {"actor": actor, "dir": str(directory),
             "summary": json.dumps(changed)})
    return changed
