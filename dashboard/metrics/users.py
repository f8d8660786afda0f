"""Accounts as the user admin page lists them (用户管理, managers only).

A department's accounts are those whose staff record lies in the scope; accounts without a
staff record (managers, hr) belong to the company and are listed when the scope is the company.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.metrics.sql import SCOPE_CTE, frame, scoped
from dashboard.sessions import IDLE


def accounts(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Every account in `scope`: role, staff record, department, status, last sign-in, open sessions."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT u.username, u.role, s.staff_no, s.name AS staff_name, d.code AS department_code, u.active,
           u.must_change_password, u.last_sign_in,
           (SELECT count(*) FROM auth_sessions a WHERE a.user_id = u.id AND a.revoked_at IS NULL
              AND a.last_used_at > clock_timestamp() - CAST(:idle AS interval)) AS live_sessions
    FROM users u LEFT JOIN staff s ON s.id = u.staff_id LEFT JOIN departments d ON d.id = s.department_id
    WHERE CAST(:department AS text) IS NULL OR s.department_id IN (SELECT id FROM scope)
    ORDER BY u.username"""
    return frame(conn, sql, {"idle": f"{int(IDLE.total_seconds())} seconds"} | scoped(scope))
