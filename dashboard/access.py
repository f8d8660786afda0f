"""Department scope (数据权限): what a role may read.

A manager reads everything; a department head reads their department and its
sub-departments; an agent reads their department's dashboards. Every page, download and
write resolves the requested department through `allowed_department`, so editing the URL,
query parameters or session state cannot widen a user's scope.
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from db.users import User


class AccessDenied(PermissionError):
    pass


def subtree(conn, code: str) -> list[str]:
    rows = conn.execute(sa.text("""
        WITH RECURSIVE t(id, code) AS (
            SELECT id, code FROM departments WHERE code = :c
            UNION SELECT d.id, d.code FROM departments d JOIN t ON d.parent_id = t.id)
        SELECT code FROM t ORDER BY code"""), {"c": code})
    return [r[0] for r in rows]


def allowed_department(conn, user: User, requested: str | None) -> str | None:
    """The department a user may read for `requested` (None: everything they may see)."""
    if user.role == "manager":
        return requested
    home = user.department_code
    if home is None:
        raise AccessDenied("your account has no department; ask a manager")
    if requested is None or requested == home:
        return home
    if requested in subtree(conn, home):
        return requested
    raise AccessDenied(f"department: '{requested}' is outside your department {home}")


def department_options(conn, user: User, tree: pd.DataFrame) -> pd.DataFrame:
    """The department filter's choices: the whole tree, or the user's subtree."""
    if user.role == "manager":
        return tree
    allowed = set(subtree(conn, user.department_code or ""))
    return tree[tree["code"].isin(allowed)].reset_index(drop=True)


# The department a record belongs to, for the reads of one record and its history.
_RECORD_DEPARTMENT = {
    "complaints": "SELECT cu.department_id FROM complaints c JOIN customers cu ON cu.id = c.customer_id "
                  "WHERE c.complaint_no = :k",
    "retention_cases": "SELECT cu.department_id FROM retention_cases r JOIN customers cu ON cu.id = r.customer_id "
                       "WHERE r.case_no = :k",
    "plans": "SELECT department_id FROM plans WHERE plan_no = :k",
    "customers": "SELECT department_id FROM customers WHERE code = :k",
    "work_logs": "SELECT department_id FROM work_logs WHERE id::text = :k",
}


def record_visible(conn, user: User, table: str, key: str) -> bool:
    """Whether `user` may read the record `key` of `table` (and its history).

    A record outside the user's department subtree is treated like one that does not exist:
    callers show nothing, so record numbers cannot be probed. Suggestions are read by their
    sender and addressee; the rules (settings) and accounts by managers.
    """
    if user.role == "manager":
        return True
    if table == "suggestions":
        return bool(conn.execute(sa.text("""
            SELECT 1 FROM suggestions g JOIN staff f ON f.id = g.from_staff_id JOIN staff t ON t.id = g.to_staff_id
            WHERE g.id::text = :k AND :s IN (f.staff_no, t.staff_no)"""), {"k": key, "s": user.staff_no}).scalar())
    if table not in _RECORD_DEPARTMENT or user.department_code is None:
        return False
    department_id = conn.execute(sa.text(_RECORD_DEPARTMENT[table]), {"k": key}).scalar()
    if department_id is None:
        return False
    return bool(conn.execute(sa.text("""
        WITH RECURSIVE t(id) AS (SELECT id FROM departments WHERE code = :home
                                 UNION SELECT d.id FROM departments d JOIN t ON d.parent_id = t.id)
        SELECT 1 FROM t WHERE id = :d"""), {"home": user.department_code, "d": department_id}).scalar())


def user_scope(conn, user: User) -> str | None:
    """The department subtree a user may read at most (None: a manager, everything)."""
    return allowed_department(conn, user, None)
