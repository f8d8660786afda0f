"""Reading one's reminders: the open ones (not resolved, not dismissed), newest first, and the unread count.

A reminder is its person's own: nobody reads another's. It names its record (a complaint, a plan,
a customer, a suggestion, a 360 rating to give, a department's budget); a reminder whose record lies outside the reader's scope now (a customer
moved to another department) is not shown, like the record itself.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.metrics.sql import SCOPE_CTE, frame, scoped

# The records named by their key alone: a rating to give (`cycle/evaluatee staff_no`) and a
# department's budget overrun (`department code/category@month`). Never a score.
RECORD_JOINS = """
    LEFT JOIN staff rx ON r.kind = 'rating_requested' AND rx.staff_no = substring(r.ref from position('/' in r.ref) + 1)
    LEFT JOIN departments bd ON r.kind = 'budget_overrun' AND bd.code = substring(r.ref from '^(.*)/[^/]*$')"""
RECORD_DETAIL = """CASE r.kind
               WHEN 'rating_requested' THEN split_part(r.ref, '/', 1) || ' · ' || rx.name || ' (' || rx.staff_no || ')'
               WHEN 'budget_overrun' THEN bd.name || ' (' || bd.code || ') · ' || substring(r.ref from '@([^@]*)$')
           END AS record_detail,
           CASE WHEN r.kind = 'budget_overrun' THEN substring(r.ref from '/([^/@]*)@[^/]*$') END AS category"""

_OPEN = f"""
WITH RECURSIVE {SCOPE_CTE},
mine AS (
    SELECT r.*, cu.code AS customer_code, cu.name AS customer_name, c.complaint_no, p.plan_no,
           coalesce(cu.department_id, p.department_id, bd.id) AS record_department_id, {RECORD_DETAIL}
    FROM reminders r
    JOIN staff s ON s.id = r.staff_id
    LEFT JOIN customers cu ON cu.id = r.customer_id
    LEFT JOIN complaints c ON c.id = r.complaint_id
    LEFT JOIN plans p ON p.id = r.plan_id{RECORD_JOINS}
    WHERE s.staff_no = :staff_no AND r.kind IS NOT NULL AND r.resolved_at IS NULL AND r.dismissed_at IS NULL
),
visible AS (
    SELECT * FROM mine
    WHERE record_department_id IS NULL OR record_department_id IN (SELECT id FROM scope)
)"""


def my_reminders(conn: Connection, scope: Scope, staff_no: str | None) -> pd.DataFrame:
    """The open reminders of `staff_no` (none for an account without a staff record)."""
    sql = _OPEN + """
    SELECT id AS reminder_id, kind, ref,
           coalesce(complaint_no, plan_no, customer_name || ' (' || customer_code || ')', record_detail, '#' || ref)
               AS record, category, customer_code, complaint_no, plan_no, due_at, created_at,
           read_at IS NOT NULL AS read
    FROM visible ORDER BY read_at IS NOT NULL, due_at, id"""
    return frame(conn, sql, {"staff_no": staff_no} | scoped(scope))


def unread_count(conn: Connection, scope: Scope, staff_no: str | None) -> pd.DataFrame:
    sql = _OPEN + " SELECT count(*) FILTER (WHERE read_at IS NULL) AS unread, count(*) AS open FROM visible"
    return frame(conn, sql, {"staff_no": staff_no} | scoped(scope))
