"""Service quality per staff member and department (服务质量), metrics.md "Service quality per staff
and department": complaints, callbacks, satisfaction, plan and task completion, service and
retention success, surveys (CSAT, NPS), each with its base.

Attribution: a complaint counts for its handler (department row: its customer's department); a
plan, task or service progress for the plan's staff member (department row: the plan's
department); a retention case for its staff member (department row: its customer's
department); a survey for its staff member, else the customer's owner now (department row: the
customer's department). A staff row holds all of the person's own work; a department row only
the department's own records (not rolled up); `ALL` sums the department rows kept.
"""
from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.periods import Period, end_of_day, start_of_day
from dashboard.core.scope import Scope
from dashboard.metrics.sql import SCOPE_CTE, frame, rate, scoped
from db.engine import app_timezone

# The documented columns of the `quality` view (interfaces.md), in order.
QUALITY_COLUMNS = ("department_code", "staff_no", "complaints", "achievement_rate", "callback_on_time_rate",
                   "mean_satisfaction", "plan_completion", "service_success_rate", "retention_success_rate",
                   "surveys", "csat", "nps")
# The figures that are rates (fractions; a change of one is in points).
RATES = ("achievement_rate", "callback_on_time_rate", "plan_completion", "service_success_rate",
         "retention_success_rate", "nps")
# The bases beside them, for a rate shown with its base ("88.9% · 27 of 28").
BASES = ("met", "decided", "callbacks_on_time", "resolved", "rated", "actual_count", "planned_count",
         "success_count", "completed_count", "retained", "cases_decided", "cases", "csat_answers", "nps_answers",
         "promoters", "detractors")


def _params(scope: Scope, start: date, end: date, as_of: date | None) -> dict:
    tz = app_timezone()
    as_of = as_of or end
    return {"start": start, "end": end, "as_of": as_of,
            "from_ts": start_of_day(start, tz), "to_ts": start_of_day(end + timedelta(days=1), tz),
            "t": end_of_day(as_of, tz)} | scoped(scope)


# One row per record that feeds a figure, with the staff member it counts for (`staff_id`), the
# department by the department rule (`dept_id`) and its contribution to each numerator and base.
# A record is read when either its staff member or its department is in scope; the final select
# keeps the staff rows of staff in scope and the department rows of departments in scope.
_FACTS = f"""
WITH RECURSIVE {SCOPE_CTE},
scope_staff AS MATERIALIZED (SELECT st.id FROM staff st JOIN scope ON scope.id = st.department_id),
cohort AS (
    SELECT c.id, c.handler_staff_id AS staff_id, cu.department_id AS dept_id,
           c.received_at + s.resolution_hours * interval '1 hour' AS deadline,
           CASE WHEN c.resolved_at <= :t THEN c.resolved_at END AS resolved_at,
           CASE WHEN c.resolved_at <= :t AND c.callback_at <= :t THEN c.callback_at END AS callback_at,
           CASE WHEN c.resolved_at <= :t THEN c.satisfaction END AS satisfaction
    FROM complaints c
    JOIN sla_policies s ON s.priority = c.priority
    JOIN customers cu ON cu.id = c.customer_id
    WHERE c.received_at >= :from_ts AND c.received_at < :to_ts AND c.received_at <= :t
      AND (cu.department_id IN (SELECT id FROM scope) OR c.handler_staff_id IN (SELECT id FROM scope_staff))
),
complaint_facts AS (
    SELECT staff_id, dept_id, 1 AS complaints,
           (resolved_at IS NOT NULL AND resolved_at <= deadline)::int AS met,
           (resolved_at IS NOT NULL OR deadline < :t)::int AS decided,
           coalesce(callback_at - resolved_at <= interval '7 days', false)::int AS callbacks_on_time,
           (resolved_at IS NOT NULL)::int AS resolved,
           satisfaction AS satisfaction_sum, (satisfaction IS NOT NULL)::int AS rated
    FROM cohort
),
plan_facts AS (
    SELECT p.staff_id, p.department_id AS dept_id, p.planned_count,
           coalesce((SELECT sum(pr.completed_count) FROM plan_progress pr
                     WHERE pr.plan_id = p.id AND pr.recorded_on <= :as_of), 0) AS actual_count
    FROM plans p
    WHERE p.end_date BETWEEN :start AND :end
      AND (p.department_id IN (SELECT id FROM scope) OR p.staff_id IN (SELECT id FROM scope_staff))
),
service_facts AS (
    SELECT p.staff_id, p.department_id AS dept_id, pr.completed_count, coalesce(pr.success_count, 0) AS success_count
    FROM plan_progress pr JOIN plans p ON p.id = pr.plan_id
    WHERE p.type = 'service' AND pr.recorded_on BETWEEN :start AND :end AND pr.recorded_on <= :as_of
      AND (p.department_id IN (SELECT id FROM scope) OR p.staff_id IN (SELECT id FROM scope_staff))
),
case_facts AS (
    SELECT r.staff_id, cu.department_id AS dept_id,
           CASE WHEN r.closed_on <= :as_of THEN r.result ELSE 'pending' END AS result
    FROM retention_cases r JOIN customers cu ON cu.id = r.customer_id
    WHERE r.started_on BETWEEN :start AND :end AND r.started_on <= :as_of
      AND (cu.department_id IN (SELECT id FROM scope) OR r.staff_id IN (SELECT id FROM scope_staff))
),
survey_facts AS (
    SELECT coalesce(sv.staff_id, cu.owner_staff_id) AS staff_id, cu.department_id AS dept_id, sv.csat, sv.nps
    FROM satisfaction_surveys sv JOIN customers cu ON cu.id = sv.customer_id
    WHERE sv.surveyed_on BETWEEN :start AND :end AND sv.surveyed_on <= :as_of
      AND (cu.department_id IN (SELECT id FROM scope)
           OR coalesce(sv.staff_id, cu.owner_staff_id) IN (SELECT id FROM scope_staff))
),
facts AS (
    SELECT staff_id, dept_id, complaints, met, decided, callbacks_on_time, resolved, satisfaction_sum, rated,
           0 AS planned_count, 0 AS actual_count, 0 AS completed_count, 0 AS success_count,
           0 AS retained, 0 AS cases_decided, 0 AS cases,
           0 AS surveys, NULL::int AS csat, NULL::int AS nps
    FROM complaint_facts
    UNION ALL
    SELECT staff_id, dept_id, 0, 0, 0, 0, 0, NULL, 0, planned_count, actual_count, 0, 0, 0, 0, 0, 0, NULL, NULL
    FROM plan_facts
    UNION ALL
    SELECT staff_id, dept_id, 0, 0, 0, 0, 0, NULL, 0, 0, 0, completed_count, success_count, 0, 0, 0, 0, NULL, NULL
    FROM service_facts
    UNION ALL
    SELECT staff_id, dept_id, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, (result = 'retained')::int,
           (result IN ('retained', 'lost'))::int, 1, 0, NULL, NULL
    FROM case_facts
    UNION ALL
    SELECT staff_id, dept_id, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 1, csat, nps
    FROM survey_facts
    UNION ALL  -- nothing: so that ALL has a row when nothing is in scope (department -1, dropped below)
    SELECT NULL, -1, 0, 0, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, NULL, NULL
),
grouped AS (
    SELECT CASE WHEN grouping(f.staff_id) = 0 THEN 'staff' WHEN grouping(f.dept_id) = 0 THEN 'department'
                ELSE 'all' END AS level,
           f.staff_id, f.dept_id, f.dept_in_scope,
           sum(complaints) AS complaints, sum(met) AS met, sum(decided) AS decided,
           sum(callbacks_on_time) AS callbacks_on_time, sum(resolved) AS resolved,
           sum(satisfaction_sum) AS satisfaction_sum, sum(rated) AS rated,
           sum(planned_count) AS planned_count, sum(actual_count) AS actual_count,
           sum(completed_count) AS completed_count, sum(success_count) AS success_count,
           sum(retained) AS retained, sum(cases_decided) AS cases_decided, sum(cases) AS cases,
           sum(surveys) AS surveys, sum(csat) AS csat_sum, count(csat) AS csat_answers, count(nps) AS nps_answers,
           count(*) FILTER (WHERE nps >= 9) AS promoters, count(*) FILTER (WHERE nps <= 6) AS detractors
    FROM (SELECT facts.*, (facts.dept_id = -1 OR facts.dept_id IN (SELECT id FROM scope)) AS dept_in_scope
          FROM facts) f
    GROUP BY GROUPING SETS ((f.staff_id), (f.dept_id, f.dept_in_scope), (f.dept_in_scope))
)"""

_FIGURES = f"""
    {rate('g.met', 'g.decided')} AS achievement_rate,
    {rate('g.callbacks_on_time', 'g.resolved')} AS callback_on_time_rate,
    round(g.satisfaction_sum::numeric / nullif(g.rated, 0), 2) AS mean_satisfaction,
    {rate('g.actual_count', 'g.planned_count')} AS plan_completion,
    {rate('g.success_count', 'g.completed_count')} AS service_success_rate,
    {rate('g.retained', 'g.cases_decided')} AS retention_success_rate,
    g.surveys::int AS surveys,
    round(g.csat_sum::numeric / nullif(g.csat_answers, 0), 2) AS csat,
    {rate('g.promoters - g.detractors', 'g.nps_answers')} AS nps"""

_BASES = ", ".join(f"g.{b}::int AS {b}" for b in BASES)


def quality(conn: Connection, scope: Scope, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """Staff rows (with their department), department rows (`staff_no` empty) and `ALL`, as of `as_of`.

    Columns: the `quality` view's, the staff member's name, each figure's base (BASES) and
    `level` (staff, department, all). Staff rows come first (by department and number), then
    the departments, then `ALL`.
    """
    sql = _FACTS + f"""
    SELECT g.level, CASE WHEN g.level = 'all' THEN 'ALL' ELSE d.code END AS department_code,
           st.staff_no, st.name AS staff_name, g.complaints::int AS complaints, {_FIGURES}, {_BASES}
    FROM grouped g
    LEFT JOIN staff st ON g.level = 'staff' AND st.id = g.staff_id
    LEFT JOIN departments d ON d.id = CASE WHEN g.level = 'staff' THEN st.department_id ELSE g.dept_id END
    WHERE (g.level = 'staff' AND g.staff_id IS NOT NULL AND st.id IN (SELECT id FROM scope_staff))
       OR (g.level = 'department' AND g.dept_in_scope AND g.dept_id <> -1)
       OR (g.level = 'all' AND g.dept_in_scope)
    ORDER BY CASE g.level WHEN 'staff' THEN 0 WHEN 'department' THEN 1 ELSE 2 END, d.code, st.staff_no"""
    return frame(conn, sql, _params(scope, start, end, as_of))


def quality_totals(conn: Connection, scope: Scope, start: date, end: date, as_of: date | None = None) -> pd.DataFrame:
    """The `ALL` row of `quality` alone (the overview card, the weekly slide)."""
    table = quality(conn, scope, start, end, as_of)
    return table[table["level"] == "all"].reset_index(drop=True)


def quality_records(conn: Connection, scope: Scope, staff_no: str, start: date, end: date,
                    as_of: date | None = None) -> pd.DataFrame:
    """A staff row's drill-down: the complaints, plans, cases and surveys that count for the staff
    member in the range, only those whose department is inside `scope` (others read as absent).

    Columns: kind (complaint, plan, retention_case, survey), record_no, customer_code, day, detail.
    """
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    who AS (SELECT id FROM staff WHERE staff_no = :staff_no)
    SELECT 'complaint' AS kind, c.complaint_no AS record_no, cu.code AS customer_code,
           (c.received_at AT TIME ZONE :tz)::date AS day,
           CASE WHEN c.resolved_at <= :t THEN
                CASE WHEN c.resolved_at <= c.received_at + s.resolution_hours * interval '1 hour' THEN 'met'
                     ELSE 'breached' END
                WHEN c.received_at + s.resolution_hours * interval '1 hour' < :t THEN 'breached'
                ELSE 'pending' END AS detail
    FROM complaints c JOIN sla_policies s ON s.priority = c.priority JOIN customers cu ON cu.id = c.customer_id
    WHERE c.handler_staff_id = (SELECT id FROM who) AND cu.department_id IN (SELECT id FROM scope)
      AND c.received_at >= :from_ts AND c.received_at < :to_ts AND c.received_at <= :t
    UNION ALL
    SELECT 'plan', p.plan_no, NULL, p.end_date, p.kind
    FROM plans p WHERE p.staff_id = (SELECT id FROM who) AND p.department_id IN (SELECT id FROM scope)
      AND p.end_date BETWEEN :start AND :end
    UNION ALL
    SELECT 'retention_case', r.case_no, cu.code, r.started_on,
           CASE WHEN r.closed_on <= :as_of THEN r.result ELSE 'pending' END
    FROM retention_cases r JOIN customers cu ON cu.id = r.customer_id
    WHERE r.staff_id = (SELECT id FROM who) AND cu.department_id IN (SELECT id FROM scope)
      AND r.started_on BETWEEN :start AND :end AND r.started_on <= :as_of
    UNION ALL
    SELECT 'survey', sv.survey_no, cu.code, sv.surveyed_on,
           concat_ws(' · ', 'CSAT ' || sv.csat, 'NPS ' || sv.nps)
    FROM satisfaction_surveys sv JOIN customers cu ON cu.id = sv.customer_id
    WHERE coalesce(sv.staff_id, cu.owner_staff_id) = (SELECT id FROM who) AND cu.department_id IN (SELECT id FROM scope)
      AND sv.surveyed_on BETWEEN :start AND :end AND sv.surveyed_on <= :as_of
    ORDER BY 1, 4, 2"""
    return frame(conn, sql, _params(scope, start, end, as_of) | {"staff_no": staff_no, "tz": str(app_timezone())})


def survey_coverage(conn: Connection, scope: Scope, quarter: Period, as_of: date, limit: int | None = 500) -> pd.DataFrame:
    """The quarterly survey (seed 003): the customers in scope not yet surveyed in `quarter` by
    `as_of` (due), the longest unsurveyed first, with the quarter's counts on every row.

    Columns: customer_code, customer_name, department_code, owner_staff_no, owner_name,
    last_surveyed_on, customers, surveyed, due.
    """
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    latest AS (
        SELECT cu.id, max(sv.surveyed_on) FILTER (WHERE sv.surveyed_on <= :as_of) AS last_surveyed_on
        FROM customers cu JOIN scope ON scope.id = cu.department_id
        LEFT JOIN satisfaction_surveys sv ON sv.customer_id = cu.id
        GROUP BY cu.id
    ),
    counted AS (
        SELECT l.*, count(*) OVER () AS customers,
               count(*) FILTER (WHERE l.last_surveyed_on >= :start) OVER () AS surveyed
        FROM latest l
    )
    SELECT cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code,
           st.staff_no AS owner_staff_no, st.name AS owner_name, c.last_surveyed_on,
           c.customers, c.surveyed, c.customers - c.surveyed AS due
    FROM counted c JOIN customers cu ON cu.id = c.id JOIN departments d ON d.id = cu.department_id
    LEFT JOIN staff st ON st.id = cu.owner_staff_id
    WHERE c.last_surveyed_on IS NULL OR c.last_surveyed_on < :start
    ORDER BY c.last_surveyed_on NULLS FIRST, cu.code
    LIMIT :limit"""
    return frame(conn, sql, {"start": quarter.start, "as_of": as_of, "limit": limit} | scoped(scope))


def survey_counts(conn: Connection, scope: Scope, quarter: Period, as_of: date) -> pd.DataFrame:
    """One row: customers in scope, surveyed in `quarter` by `as_of`, and due."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT count(*) AS customers,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM satisfaction_surveys sv WHERE sv.customer_id = cu.id
                                           AND sv.surveyed_on BETWEEN :start AND :as_of)) AS surveyed
    FROM customers cu JOIN scope ON scope.id = cu.department_id"""
    table = frame(conn, sql, {"start": quarter.start, "as_of": as_of} | scoped(scope))
    return table.assign(due=table["customers"] - table["surveyed"])
