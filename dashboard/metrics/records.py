"""Plain reads of records: the department tree, staff and customer lists, one complaint, rules.

Not figures: the lists pickers and forms offer, and one record by its number. Each read of
department data takes the reader's Scope; outside it a record reads like one that does not exist.
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.metrics.sql import SCOPE_CTE, frame, scoped


def department_tree(conn: Connection, scope: Scope) -> pd.DataFrame:
    """The departments of `scope` in tree order with their depth in the whole tree, for the filters."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    tree AS (
        SELECT id, code, name, parent_id, 0 AS depth, ARRAY[code] AS path FROM departments WHERE parent_id IS NULL
        UNION ALL
        SELECT d.id, d.code, d.name, d.parent_id, t.depth + 1, t.path || d.code
        FROM departments d JOIN tree t ON d.parent_id = t.id
    )
    SELECT tree.code, tree.name, tree.depth FROM tree JOIN scope ON scope.id = tree.id ORDER BY tree.path"""
    return frame(conn, sql, scoped(scope))


def staff_list(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Staff of the department and its sub-departments, for the staff filter."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT st.staff_no, st.name, d.code AS department_code, st.role
    FROM staff st JOIN scope ON scope.id = st.department_id JOIN departments d ON d.id = st.department_id
    ORDER BY st.staff_no"""
    return frame(conn, sql, scoped(scope))


def customer_list(conn: Connection, scope: Scope, search: str | None = None,
                  limit: int = 200) -> pd.DataFrame:
    """Customers in scope matching `search` in code or name (for pickers)."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT cu.code, cu.name FROM customers cu JOIN scope ON scope.id = cu.department_id
    WHERE CAST(:search AS text) IS NULL OR cu.code ILIKE '%' || :search || '%' OR cu.name ILIKE '%' || :search || '%'
    ORDER BY cu.code LIMIT :limit"""
    return frame(conn, sql, {"search": search, "limit": limit} | scoped(scope))


def settings(conn: Connection) -> pd.DataFrame:
    """The rule settings (key, value) as stored, e.g. abc_method, fluctuation_threshold."""
    return frame(conn, "SELECT key, value FROM settings ORDER BY key", {})


def complaint_record(conn: Connection, scope: Scope, complaint_no: str) -> pd.DataFrame:
    """One complaint as stored, with its version for an optimistic save; empty outside `department`.

    `scope` is the reader's whole scope. A complaint outside it reads exactly like one that does
    not exist, so numbers cannot be probed.
    """
    sql = f"""WITH RECURSIVE {SCOPE_CTE}
             SELECT c.complaint_no, cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code,
                    c.received_at, c.priority, c.content, c.first_response_at, c.resolved_at, c.resolution,
                    c.satisfaction, c.callback_at, c.version
             FROM complaints c JOIN customers cu ON cu.id = c.customer_id JOIN departments d ON d.id = cu.department_id
             JOIN scope ON scope.id = cu.department_id
             WHERE c.complaint_no = :no"""
    return frame(conn, sql, {"no": complaint_no} | scoped(scope))


def suggestions_for(conn: Connection, staff_no: str) -> pd.DataFrame:
    """Suggestions sent by or to a staff member, newest first.

    A personal read: the pages ask for the signed-in person's own staff number only.
    """
    sql = """SELECT g.id, f.staff_no AS from_staff_no, f.name AS from_name, t.staff_no AS to_staff_no,
                    t.name AS to_name, p.plan_no, g.subject, g.body, g.created_at, g.answer, g.answered_at
             FROM suggestions g JOIN staff f ON f.id = g.from_staff_id JOIN staff t ON t.id = g.to_staff_id
             LEFT JOIN plans p ON p.id = g.plan_id
             WHERE f.staff_no = :s OR t.staff_no = :s ORDER BY g.created_at DESC, g.id DESC"""
    return frame(conn, sql, {"s": staff_no})


def rules(conn: Connection) -> pd.DataFrame:
    """SLA policies and tier rules in one frame (kind, key, a, b) for the settings form."""
    sql = """SELECT 'sla' AS kind, priority AS key, resolution_hours AS a, response_hours AS b FROM sla_policies
             UNION ALL SELECT 'tier', name, rank, min_amount FROM tier_rules ORDER BY 1, 3"""
    return frame(conn, sql, {})


def plan_versions(conn: Connection, scope: Scope, plan_nos: list[str]) -> pd.DataFrame:
    """The stored version of each plan in `scope`, for optimistic saves from the bulk editor."""
    sql = f"""WITH RECURSIVE {SCOPE_CTE}
              SELECT p.plan_no, p.version FROM plans p JOIN scope ON scope.id = p.department_id
              WHERE p.plan_no = ANY(:p) ORDER BY p.plan_no"""
    return frame(conn, sql, {"p": list(plan_nos)} | scoped(scope))


def superior_of(conn: Connection, staff_no: str) -> str | None:
    """The head of the staff member's department, or of its parent for a head; else a manager."""
    return conn.execute(sa.text("""
        WITH RECURSIVE me AS (SELECT s.id, s.department_id, s.role FROM staff s WHERE s.staff_no = :s),
        up(id, parent_id, depth) AS (
            SELECT d.id, d.parent_id, 0 FROM departments d JOIN me ON d.id = me.department_id
            UNION ALL SELECT d.id, d.parent_id, up.depth + 1 FROM departments d JOIN up ON d.id = up.parent_id)
        SELECT h.staff_no FROM up JOIN staff h ON h.department_id = up.id AND h.role IN ('head', 'manager')
        WHERE h.id <> (SELECT id FROM me)
        ORDER BY up.depth, h.role = 'manager', h.staff_no LIMIT 1"""), {"s": staff_no}).scalar()
