"""What a head's import may touch: records of the head's department and its sub-departments only.

A row belongs to a department through one of its columns (OWNER): the department it names, or the
customer, staff member or plan it names. A reference to a record outside the subtree reads like one
that does not exist; a key already used outside the subtree is refused (keys are unique company-wide,
so the row could only move that record in). Files that hold company rules (tiers, sla, settings,
calls and any file not listed here) are a manager's import only.
"""
from __future__ import annotations

import sqlalchemy as sa

# file -> (what the column names, the column) through which a row belongs to a department
OWNER: dict[str, tuple[str, str]] = {
    "staff.csv": ("department", "department_code"), "customers.csv": ("department", "department_code"),
    "orders.csv": ("customer", "customer_code"), "complaints.csv": ("customer", "customer_code"),
    "plans.csv": ("department", "department_code"), "plan_progress.csv": ("plan", "plan_no"),
    "retention_cases.csv": ("customer", "customer_code"),
    # round 2
    "staff_training.csv": ("staff member", "staff_no"), "staff_history.csv": ("staff member", "staff_no"),
    "work_logs.csv": ("staff member", "staff_no"), "service_budgets.csv": ("department", "department_code"),
    "cost_entries.csv": ("department", "department_code"), "surveys.csv": ("customer", "customer_code"),
    "evaluations.csv": ("staff member", "evaluatee_staff_no"),
}

# file -> SQL listing (key, department code) of the records already in the database
EXISTING: dict[str, str] = {
    "staff.csv": "SELECT s.staff_no, d.code FROM staff s JOIN departments d ON d.id = s.department_id",
    "customers.csv": "SELECT c.code, d.code FROM customers c JOIN departments d ON d.id = c.department_id",
    "orders.csv": "SELECT o.order_no, d.code FROM orders o JOIN customers c ON c.id = o.customer_id "
                  "JOIN departments d ON d.id = c.department_id",
    "complaints.csv": "SELECT x.complaint_no, d.code FROM complaints x JOIN customers c ON c.id = x.customer_id "
                      "JOIN departments d ON d.id = c.department_id",
    "plans.csv": "SELECT p.plan_no, d.code FROM plans p JOIN departments d ON d.id = p.department_id",
    "retention_cases.csv": "SELECT r.case_no, d.code FROM retention_cases r JOIN customers c ON c.id = r.customer_id "
                           "JOIN departments d ON d.id = c.department_id",
    "cost_entries.csv": "SELECT e.entry_no, d.code FROM cost_entries e JOIN departments d ON d.id = e.department_id",
}

# what a column names -> SQL listing (code, department code) of those records
_OF = {"department": "SELECT code, code FROM departments",
       "customer": "SELECT c.code, d.code FROM customers c JOIN departments d ON d.id = c.department_id",
       "staff member": "SELECT s.staff_no, d.code FROM staff s JOIN departments d ON d.id = s.department_id",
       "plan": "SELECT p.plan_no, d.code FROM plans p JOIN departments d ON d.id = p.department_id"}
_FILE_OF = {"department": ("departments.csv", "code", None), "customer": ("customers.csv", "code", "department_code"),
            "staff member": ("staff.csv", "staff_no", "department_code"), "plan": ("plans.csv", "plan_no", "department_code")}
OUTSIDE = "is already used by a record outside your departments"


def _subtree(conn, root: str) -> set[str]:
    from dashboard.core.scope import subtree

    return set(subtree(conn, root))


def check_scope(conn, files: dict, root: str, problems: list[str]) -> None:
    """List each row of `files` that would touch a record outside department `root`'s subtree."""
    inside = _subtree(conn, root)
    if "departments.csv" in files:
        inside |= _departments(conn, files["departments.csv"], root, inside, problems)
    for name, spec in files.items():
        if name == "departments.csv":
            continue
        if name not in OWNER:
            problems.append(f"{name}:1: -: only a manager may import {name}")
            continue
        what, column = OWNER[name]
        allowed = _allowed(conn, files, what, inside)
        key = spec.key[0]
        if spec.staged is not None:
            _staged(conn, spec, column, what, allowed, key, name, inside, problems)
            continue
        existing = _existing(conn, name, [row.get(key) for _, row in spec.rows if row.get(key) is not None])
        for line, row in spec.rows:
            value = row.get(column)
            if value is not None and value not in allowed:
                problems.append(f"{name}:{line}: {column}: {what} '{value}' does not exist")
            if row.get(key) in existing and existing[row[key]] not in inside:
                problems.append(f"{name}:{line}: {key}: '{row[key]}' {OUTSIDE}")


def _existing(conn, name: str, keys: list) -> dict:
    """key -> department code of the records of `keys` already in the database (only those asked for)."""
    if name not in EXISTING or not keys:
        return {}
    return dict(conn.execute(sa.text(f"SELECT k, d FROM ({EXISTING[name]}) e(k, d) WHERE k = ANY(:keys)"),
                             {"keys": keys}).fetchall())


def _allowed(conn, files: dict, what: str, inside: set[str]) -> set[str]:
    """The codes of `what` inside the subtree: in the database (unless a file moves them) and in the files."""
    file_name, key, department = _FILE_OF[what]
    where = dict(conn.execute(sa.text(_OF[what])).fetchall())
    found = {code for code, dep in where.items() if dep in inside}
    if what == "department":
        return found | inside
    if file_name in files:
        for _, row in files[file_name].rows:
            if row.get(key) is None:
                continue
            if row[key] in where and where[row[key]] not in inside:
                continue  # refused on its own row: it cannot be moved in
            if row.get(department) in inside:
                found.add(row[key])
            else:
                found.discard(row[key])
    return found


def _departments(conn, spec, root: str, inside: set[str], problems: list[str]) -> set[str]:
    """Departments rows: new ones below the subtree, existing ones inside it; the root keeps its place."""
    current = {code: parent for code, parent in conn.execute(sa.text(
        "SELECT d.code, p.code FROM departments d LEFT JOIN departments p ON p.id = d.parent_id"))}
    added: set[str] = set()
    rows = [(line, row) for line, row in spec.rows if row.get("code")]
    grew = True
    while grew:  # a new department may sit below another new one
        grew = False
        for _, row in rows:
            if row["code"] not in current and row["code"] not in added and row.get("parent_code") in inside | added:
                added.add(row["code"])
                grew = True
    for line, row in rows:
        code, parent = row["code"], row.get("parent_code")
        if code in current and code not in inside:
            problems.append(f"departments.csv:{line}: code: '{code}' {OUTSIDE}")
        elif code == root:
            if parent != current.get(root):
                problems.append(f"departments.csv:{line}: parent_code: your own department's place "
                                f"is changed by a manager")
        elif code not in added and parent not in inside | added:
            problems.append(f"departments.csv:{line}: parent_code: department '{parent or ''}' does not exist")
    return added


def _staged(conn, spec, column, what, allowed, key, name, inside, problems) -> None:
    from dashboard.imports.staged import _trimmed

    rows = conn.execute(sa.text(
        f"SELECT line, {_trimmed(column)}, {_trimmed(key)} FROM {spec.table} ORDER BY line")).fetchall()
    existing = _existing(conn, name, [r[2] for r in rows if r[2] is not None])
    for line, value, key_value in rows:
        if value is not None and value not in allowed:
            problems.append(f"{name}:{line}: {column}: {what} '{value}' does not exist")
        if key_value in existing and existing[key_value] not in inside:
            problems.append(f"{name}:{line}: {key}: '{key_value}' {OUTSIDE}")
