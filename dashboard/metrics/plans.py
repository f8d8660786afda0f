"""Plan and task tracking (计划跟踪): actuals as of D, expected pace, status, cost; open work.

Plans (made by staff or a department for itself) and tasks (assigned by a superior) are
tracked the same way; a plan belongs to its department.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.metrics.sql import SCOPE_CTE, frame, rate, scoped

_PLANS = f"""
    WITH RECURSIVE {SCOPE_CTE},
    base AS (
        SELECT p.*, d.code AS department_code, st.staff_no, st.name AS staff_name,
               coalesce(pr.actual_count, 0) AS actual_count, coalesce(pr.success_count, 0) AS success_count,
               coalesce(pr.actual_cost, 0.00) AS actual_cost,
               (p.end_date - p.start_date + 1) AS days_total,
               greatest(0, least(CAST(:d AS date) - p.start_date + 1, p.end_date - p.start_date + 1))
                   AS days_elapsed
        FROM plans p
        JOIN scope ON scope.id = p.department_id
        JOIN departments d ON d.id = p.department_id
        LEFT JOIN staff st ON st.id = p.staff_id
        CROSS JOIN LATERAL (
            SELECT sum(completed_count) AS actual_count, sum(coalesce(success_count, 0)) AS success_count,
                   sum(cost) AS actual_cost
            FROM plan_progress WHERE plan_id = p.id AND recorded_on <= :d
        ) pr
        WHERE (CAST(:staff_no AS text) IS NULL OR st.staff_no = :staff_no)
          AND (CAST(:plan_no AS text) IS NULL OR p.plan_no = :plan_no)
          AND (CAST(:overlap_start AS date) IS NULL OR p.end_date >= :overlap_start)
          AND (CAST(:overlap_end AS date) IS NULL OR p.start_date <= :overlap_end)
    ),
    tracked AS (
    SELECT plan_no, kind, type, horizon, department_code, staff_no, staff_name, start_date, end_date,
           planned_count, minimum_count, actual_count,
           round(planned_count * days_elapsed::numeric / days_total, 2) AS expected_count,
           {rate('actual_count', 'planned_count')} AS completion_rate,
           CASE WHEN CAST(:d AS date) < start_date THEN 'not_started'
                WHEN actual_count >= planned_count THEN 'achieved'
                WHEN CAST(:d AS date) >= end_date THEN
                     CASE WHEN actual_count >= minimum_count THEN 'met_minimum' ELSE 'below_minimum' END
                WHEN actual_count * days_total < minimum_count * days_elapsed THEN 'behind'
                WHEN actual_count * days_total < planned_count * days_elapsed THEN 'at_risk'
                ELSE 'on_track' END AS status,
           planned_cost, actual_cost, actual_cost - planned_cost AS cost_variance,
           {rate('actual_cost', 'planned_cost')} AS cost_usage,
           round(actual_cost / nullif(actual_count, 0), 2) AS cost_per_unit,
           CASE WHEN type = 'service' THEN success_count END AS success_count,
           CASE WHEN type = 'service' THEN {rate('success_count', 'actual_count')} END
               AS success_rate,
           content, purpose, method
    FROM base
    )"""


def _plan_params(scope: Scope, as_of, staff_no, start, end, plan_no: str | None = None) -> dict:
    return {"d": as_of, "staff_no": staff_no, "overlap_start": start, "overlap_end": end,
            "plan_no": plan_no} | scoped(scope)


def tracked_plan(conn: Connection, scope: Scope, as_of: date, plan_no: str) -> pd.DataFrame:
    """One plan or task as `plans` tracks it as of `as_of` (with purpose, method and successes); empty outside `scope`."""
    return frame(conn, _PLANS + " SELECT * FROM tracked", _plan_params(scope, as_of, None, None, None, plan_no))


def plans(conn: Connection, scope: Scope, as_of: date, staff_no: str | None = None,
          start: date | None = None, end: date | None = None, statuses: tuple[str, ...] | None = None,
          limit: int | None = None) -> pd.DataFrame:
    """Every plan and task with actuals as of `as_of`, expected pace, status and cost.

    `start`/`end` keep only plans whose dates overlap that range; `statuses` keeps those statuses,
    least complete first, and `limit` the first rows.
    """
    order = "completion_rate, plan_no" if statuses else "plan_no"
    return frame(conn, _PLANS + f""" SELECT * FROM tracked
        WHERE CAST(:statuses AS text[]) IS NULL OR status = ANY(:statuses) ORDER BY {order} LIMIT :limit""",
                  _plan_params(scope, as_of, staff_no, start, end)
                  | {"statuses": list(statuses) if statuses else None, "limit": limit})


def plan_status_counts(conn: Connection, scope: Scope, as_of: date, staff_no: str | None = None,
                       start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Plans and tasks per status as of `as_of` (same rules as `plans`)."""
    return frame(conn, _PLANS + " SELECT status, count(*) AS plans FROM tracked GROUP BY status ORDER BY status",
                  _plan_params(scope, as_of, staff_no, start, end))


def plan_completion(conn: Connection, scope: Scope, as_of: date, by: str = "department") -> pd.DataFrame:
    """Planned vs actual counts and cost, grouped by department or by type, as of `as_of`."""
    column = {"department": "d.code", "type": "p.type"}.get(by)
    if column is None:
        raise ValueError(f"by: '{by}' is not department or type")
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    progress AS (
        SELECT plan_id, sum(completed_count) AS actual_count, sum(cost) AS actual_cost
        FROM plan_progress WHERE recorded_on <= :d GROUP BY plan_id
    )
    SELECT {column} AS key, count(*) AS plans,
           sum(p.planned_count) AS planned_count, coalesce(sum(pr.actual_count), 0) AS actual_count,
           {rate('coalesce(sum(pr.actual_count), 0)', 'sum(p.planned_count)')} AS completion_rate,
           sum(p.planned_cost) AS planned_cost, coalesce(sum(pr.actual_cost), 0.00) AS actual_cost
    FROM plans p
    JOIN scope ON scope.id = p.department_id
    JOIN departments d ON d.id = p.department_id
    LEFT JOIN progress pr ON pr.plan_id = p.id
    GROUP BY 1 ORDER BY 1"""
    return frame(conn, sql, {"d": as_of} | scoped(scope))


def plan_totals(conn: Connection, scope: Scope, as_of: date, staff_no: str | None = None,
                start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """One row over the plans of `plans(...)`: count, planned and actual counts and cost, completion, behind."""
    sql = _PLANS + f"""
    SELECT count(*) AS plans, coalesce(sum(planned_count), 0) AS planned_count,
           coalesce(sum(actual_count), 0) AS actual_count,
           {rate('sum(actual_count)', 'sum(planned_count)')} AS completion_rate,
           coalesce(sum(planned_cost), 0.00) AS planned_cost, coalesce(sum(actual_cost), 0.00) AS actual_cost,
           count(*) FILTER (WHERE status = 'behind') AS behind,
           count(*) FILTER (WHERE status = 'below_minimum') AS below_minimum
    FROM tracked"""
    return frame(conn, sql, _plan_params(scope, as_of, staff_no, start, end))


def open_plans(conn: Connection, scope: Scope, as_of: date, staff_no: str | None = None) -> pd.DataFrame:
    """Plans and tasks not yet over on `as_of` (or over but not achieved within 30 days), with status."""
    sql = _PLANS + """
    SELECT * FROM tracked
    WHERE status IN ('not_started', 'on_track', 'at_risk', 'behind')
       OR (status = 'below_minimum' AND end_date >= CAST(:d AS date) - 30)
    ORDER BY end_date, plan_no"""
    # Every status kept here ends after `as_of` - 30 days, so only those plans need their progress summed.
    return frame(conn, sql, _plan_params(scope, as_of, staff_no, as_of - timedelta(days=30), None))


def per_status(counts: pd.DataFrame) -> dict[str, int]:
    """plan_status_counts as {status: plans} (a status without plans is absent)."""
    return dict(zip(counts["status"], counts["plans"]))


def plan_record(conn: Connection, scope: Scope, plan_no: str) -> pd.DataFrame:
    """One plan or task as stored (for its edit form): values, version, who made and who assigned it.

    Empty when the plan is outside `scope`, as for one that does not exist.
    """
    sql = f"""WITH RECURSIVE {SCOPE_CTE}
        SELECT p.plan_no, p.kind, p.type, p.horizon, d.code AS department_code, st.staff_no, st.name AS staff_name,
               p.start_date, p.end_date, p.planned_count, p.minimum_count, p.planned_cost, p.content, p.purpose,
               p.method, mk.staff_no AS created_by_staff_no, mk.name AS created_by_name,
               ab.staff_no AS assigned_by_staff_no, ab.name AS assigned_by_name, p.version
        FROM plans p JOIN scope ON scope.id = p.department_id JOIN departments d ON d.id = p.department_id
        LEFT JOIN staff st ON st.id = p.staff_id LEFT JOIN staff mk ON mk.id = p.created_by_staff_id
        LEFT JOIN staff ab ON ab.id = p.assigned_by_staff_id
        WHERE p.plan_no = :p"""
    return frame(conn, sql, {"p": plan_no} | scoped(scope))


def task_feedback(conn: Connection, scope: Scope, plan_no: str) -> pd.DataFrame:
    """The suggestions linked to one plan or task (its assignees' feedback), oldest first: who, when, to whom.

    Empty when the plan is outside `scope`, as for one that does not exist.
    """
    sql = f"""WITH RECURSIVE {SCOPE_CTE}
        SELECT g.id, f.name AS from_name, t.name AS to_name, g.created_at, g.subject, g.body, g.answer, g.answered_at
        FROM plans p JOIN scope ON scope.id = p.department_id JOIN suggestions g ON g.plan_id = p.id
        JOIN staff f ON f.id = g.from_staff_id JOIN staff t ON t.id = g.to_staff_id
        WHERE p.plan_no = :p ORDER BY g.created_at, g.id"""
    return frame(conn, sql, {"p": plan_no} | scoped(scope))


def progress_entries(conn: Connection, scope: Scope, plan_no: str) -> pd.DataFrame:
    """The progress of one plan, entries and their corrections, by date (each correction under its entry).

    `entry` is `entry` or `correction`; a correction's counts and cost are signed differences and
    `reason` says why; `net_*` on an entry is what it counts after its corrections (0 when withdrawn).
    Empty when the plan is outside `scope`.
    """
    sql = f"""WITH RECURSIVE {SCOPE_CTE},
        rows AS (
            SELECT pr.*, coalesce(pr.corrects_id, pr.id) AS entry_id FROM plan_progress pr
            JOIN plans p ON p.id = pr.plan_id JOIN scope ON scope.id = p.department_id
            WHERE p.plan_no = :p)
        SELECT r.recorded_on, CASE WHEN r.corrects_id IS NULL THEN 'entry' ELSE 'correction' END AS entry,
               r.completed_count, r.success_count, r.cost,
               CASE WHEN r.corrects_id IS NULL THEN sum(r.completed_count) OVER w END AS net_completed,
               CASE WHEN r.corrects_id IS NULL AND count(r.success_count) OVER w > 0
                    THEN sum(coalesce(r.success_count, 0)) OVER w END AS net_success,
               CASE WHEN r.corrects_id IS NULL THEN sum(r.cost) OVER w END AS net_cost,
               CASE WHEN r.corrects_id IS NULL THEN count(*) OVER w - 1 END AS corrections,
               coalesce(r.reason, r.note) AS note, s.name AS recorded_by, r.entered_at
        FROM rows r LEFT JOIN staff s ON s.id = r.recorded_by
        WINDOW w AS (PARTITION BY r.entry_id)
        ORDER BY r.recorded_on, r.entry_id, r.corrects_id NULLS FIRST, r.id"""
    return frame(conn, sql, {"p": plan_no} | scoped(scope))
