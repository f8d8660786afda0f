"""The import's checks across rows and files: references, and the rules of metrics.md.

Rows must refer to rows in the files or already in the database; the constraints the
database would refuse (minimum above planned, cycles, ...) are named by file and line first.
"""
from __future__ import annotations

import sqlalchemy as sa

from dashboard.imports import staged
from dashboard.imports.files import FileSpec


# Each column that names a record of another file (or of the database): file, column, what it names.
REFERENCES = [
    ("departments.csv", "parent_code", "department"), ("staff.csv", "department_code", "department"),
    ("customers.csv", "department_code", "department"), ("customers.csv", "owner_staff_no", "staff member"),
    ("orders.csv", "customer_code", "customer"), ("complaints.csv", "customer_code", "customer"),
    ("complaints.csv", "handler_staff_no", "staff member"), ("plans.csv", "department_code", "department"),
    ("plans.csv", "staff_no", "staff member"), ("plans.csv", "assigned_by_staff_no", "staff member"),
    ("plan_progress.csv", "plan_no", "plan"), ("retention_cases.csv", "customer_code", "customer"),
    ("retention_cases.csv", "staff_no", "staff member"),
    ("service_budgets.csv", "department_code", "department"), ("cost_entries.csv", "department_code", "department"),
    ("cost_entries.csv", "staff_no", "staff member"), ("cost_entries.csv", "plan_no", "plan"),
    ("cost_entries.csv", "case_no", "retention case"),
    ("surveys.csv", "customer_code", "customer"), ("surveys.csv", "staff_no", "staff member"),
    ("evaluations.csv", "evaluator_staff_no", "staff member"), ("evaluations.csv", "evaluatee_staff_no", "staff member"),
    ("staff_training.csv", "staff_no", "staff member"), ("staff_history.csv", "staff_no", "staff member"),
    ("staff_history.csv", "department_code", "department"), ("work_logs.csv", "staff_no", "staff member"),
    ("work_logs.csv", "customer_code", "customer"),
    ("calls.csv", "staff_no", "staff member"), ("calls.csv", "customer_code", "customer"),
]


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
    cases_known = keys("retention_cases.csv", "case_no") | _existing(conn, "SELECT case_no FROM retention_cases")

    in_files = {"customer": keys("customers.csv", "code"), "staff member": keys("staff.csv", "staff_no"),
                "department": keys("departments.csv", "code"), "plan": keys("plans.csv", "plan_no"),
                "retention case": keys("retention_cases.csv", "case_no")}

    def ref(name: str, column: str, known: set, what: str):
        if name not in files:
            return
        if files[name].staged is not None:
            if column not in files[name].staged:  # an optional column the file leaves out
                return
            problems.extend(staged.reference_problems(conn, files[name], column, what, in_files[what]))
            return
        for line, row in files[name].rows:
            value = row.get(column)
            if value is not None and value not in known:
                problems.append(f"{name}:{line}: {column}: {what} '{value}' does not exist")

    known = {"department": departments, "staff member": staff, "customer": customers, "plan": plans_known,
             "retention case": cases_known}
    for name, column, what in REFERENCES:
        ref(name, column, known[what], what)

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

    for line, row in files.get("surveys.csv", FileSpec("", {}, ())).rows:
        if row.get("csat") is None and row.get("nps") is None:
            problems.append(f"surveys.csv:{line}: csat: a survey needs csat (1-5) or nps (0-10)")

    # a rating's scores never appear in a message (they are confidential); only who rated whom
    for line, row in files.get("evaluations.csv", FileSpec("", {}, ())).rows:
        evaluator, evaluatee, relation = row.get("evaluator_staff_no"), row.get("evaluatee_staff_no"), row.get("relation")
        if evaluator and evaluatee and relation and (relation == "self") != (evaluator == evaluatee):
            problems.append(f"evaluations.csv:{line}: relation: 'self' is for a staff member rating themselves, "
                            "and only then")

    for line, row in files.get("staff_history.csv", FileSpec("", {}, ())).rows:
        if row.get("ended_on") and row.get("started_on") and row["ended_on"] < row["started_on"]:
            problems.append(f"staff_history.csv:{line}: ended_on: {row['ended_on']} is before started_on")
        if row.get("employer") and row.get("department_code"):
            problems.append(f"staff_history.csv:{line}: employer: a post at another employer has no department_code")

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

    check_settings(files, problems)
    check_cost(files, problems)
    check_calls(conn, files, problems)


def check_settings(files: dict[str, FileSpec], problems: list[str]) -> None:
    """settings.csv: known keys, once each, with values their rule accepts; the value is kept as its JSON."""
    import json

    from dashboard.core.settings import SETTINGS, BadSetting

    seen: dict[str, int] = {}
    for line, row in files.get("settings.csv", FileSpec("", {}, ())).rows:
        key = row.get("key")
        if key is None:
            continue
        if key not in SETTINGS:
            problems.append(f"settings.csv:{line}: key: '{key}' is not a setting (expected one of {', '.join(SETTINGS)})")
            continue
        if key in seen:
            problems.append(f"settings.csv:{line}: key: '{key}' is also on line {seen[key]}")
            continue
        seen[key] = line
        try:
            row["value"] = json.dumps(SETTINGS[key].read(row.get("value") or ""), ensure_ascii=False)
        except BadSetting as e:
            problems.append(f"settings.csv:{line}: value: {e}")


def check_cost(files: dict[str, FileSpec], problems: list[str]) -> None:
    """Service cost: a budget row names its period's dates (for the upsert); an entry of 0 records nothing."""
    for _, row in files.get("service_budgets.csv", FileSpec("", {}, ())).rows:
        period = row.get("period")
        row["period_start"], row["period_end"] = (period.start, period.end) if period is not None else (None, None)
    for line, row in files.get("cost_entries.csv", FileSpec("", {}, ())).rows:
        if row.get("amount") is not None and row["amount"] == 0:
            problems.append(f"cost_entries.csv:{line}: amount: 0 records nothing (a correction is negative)")


# a call's times in order: (column, the column it may not precede)
CALL_ORDER = (("answered_at", "started_at"), ("ended_at", "started_at"), ("ended_at", "answered_at"))


def check_calls(conn, files: dict[str, FileSpec], problems: list[str]) -> None:
    """calls.csv: a call is answered after it starts, and ends after it starts and after it is answered."""
    spec = files.get("calls.csv")
    if spec is None:
        return
    if spec.staged is not None:
        problems.extend(staged.order_problems(conn, spec, CALL_ORDER))
        return
    for line, row in spec.rows:
        for later, earlier in CALL_ORDER:
            if row.get(later) and row.get(earlier) and row[later] < row[earlier]:
                problems.append(f"calls.csv:{line}: {later}: is before {earlier}")
