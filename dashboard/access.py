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
