"""Service cost (服务成本): budget against actual per department and category, pro-rated by days.

The budget of department d, category c over a range R is Σ amount × days(b ∩ R) / days(b) over
d's approved budget rows b of c, exact, rounded to the cent once at the end. A budget row covers
a named period, so days(b) is one of 7, 28-31, 90-92, 365 or 366 (a CHECK says so); all of them
divide DAY_LCM, and each row's share is the exact integer amount × 100 × days(b ∩ R) ×
(DAY_LCM / days(b)) in units of 1 / DAY_LCM cent. Sums of those are exact, and the cent is
taken once, half away from zero, by integer division (`cents`). `actual` is the sum of d's cost
entries of c dated in R. Rows are not rolled up: a department's row holds its own budgets and
entries, never its sub-departments'; `ALL` rows sum the rows shown.
"""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core import vocabulary
from dashboard.core.scope import Scope
from dashboard.metrics.sql import SCOPE_CTE, frame, scoped

# every length a named period can have, in days
PERIOD_DAYS = (7, 28, 29, 30, 31, 90, 91, 92, 365, 366)
DAY_LCM = math.lcm(*PERIOD_DAYS)
CATEGORY_ORDER = "array_position(ARRAY[" + ", ".join(f"'{c}'" for c in vocabulary.COST_CATEGORY.codes) + "], {})"


def share(b: str, start: str, end: str) -> str:
    """Budget row `b`'s exact share of [start, end] in 1 / DAY_LCM cent (an integer; 0 when apart)."""
    return (f"({b}.amount * 100 * greatest(least({b}.period_end, {end}) - greatest({b}.period_start, {start}) + 1, 0)"
            f" * ({DAY_LCM}::bigint / ({b}.period_end - {b}.period_start + 1)))")


def cents(numerator: str) -> str:
    """An exact sum of shares as an amount, rounded to the cent half away from zero, once."""
    n = f"coalesce({numerator}, 0)"
    return f"round(sign({n}) * div(abs({n}) * 2 + {DAY_LCM}, {2 * DAY_LCM}) / 100.0, 2)"


def usage(actual: str, budget: str) -> str:
    """actual / budget, 4 places, empty when the budget is 0."""
    return f"round(({actual}) / nullif({budget}, 0), 4)"


def service_cost(conn: Connection, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Budget, actual, variance and usage per department and category over [start, end].

    One row per department and category with an approved budget overlapping the range or a
    cost entry in it, then `ALL` per category and `ALL`/`ALL` (the exact sums, rounded once).
    """
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    budgeted AS (
        SELECT b.department_id, b.category, sum({share('b', 'CAST(:start AS date)', 'CAST(:end AS date)')}) AS n
        FROM service_budgets b JOIN scope ON scope.id = b.department_id
        WHERE b.status = 'approved' AND b.period_start <= :end AND b.period_end >= :start
        GROUP BY b.department_id, b.category
    ),
    spent AS (
        SELECT e.department_id, e.category, sum(e.amount) AS actual
        FROM cost_entries e JOIN scope ON scope.id = e.department_id
        WHERE e.entry_date BETWEEN :start AND :end
        GROUP BY e.department_id, e.category
    ),
    cells AS (
        SELECT department_id, category, coalesce(b.n, 0) AS n, coalesce(s.actual, 0.00) AS actual
        FROM budgeted b FULL JOIN spent s USING (department_id, category)
    ),
    grouped AS (
        SELECT CASE WHEN grouping(d.code) = 1 THEN 'ALL' ELSE d.code END AS department_code,
               CASE WHEN grouping(d.code) = 1 THEN NULL ELSE min(d.name) END AS department_name,
               CASE WHEN grouping(c.category) = 1 THEN 'ALL' ELSE c.category END AS category,
               {cents('sum(c.n)')} AS budget, coalesce(sum(c.actual), 0.00) AS actual,
               grouping(d.code) AS all_departments, grouping(c.category) AS all_categories
        FROM cells c JOIN departments d ON d.id = c.department_id
        GROUP BY GROUPING SETS ((d.code, c.category), (c.category), ())
    )
    SELECT department_code, department_name, category, budget, actual, actual - budget AS variance,
           {usage('actual', 'budget')} AS budget_usage
    FROM grouped
    ORDER BY all_departments, department_code, all_categories, {CATEGORY_ORDER.format('category')}"""
    return frame(conn, sql, {"start": start, "end": end} | scoped(scope))


def cost_trend(conn: Connection, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Per calendar month of [start, end] (cut to the range): budget, actual, variance and usage
    over every department in scope and every category."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    months AS (
        SELECT greatest(m::date, CAST(:start AS date)) AS first,
               least((m + interval '1 month - 1 day')::date, CAST(:end AS date)) AS last, m::date AS month
        FROM generate_series(date_trunc('month', CAST(:start AS date)), CAST(:end AS date), interval '1 month') m
    ),
    budgeted AS (
        SELECT m.month, sum({share('b', 'm.first', 'm.last')}) AS n
        FROM months m JOIN service_budgets b ON b.period_start <= m.last AND b.period_end >= m.first
        JOIN scope ON scope.id = b.department_id
        WHERE b.status = 'approved'
        GROUP BY m.month
    ),
    spent AS (
        SELECT date_trunc('month', e.entry_date)::date AS month, sum(e.amount) AS actual
        FROM cost_entries e JOIN scope ON scope.id = e.department_id
        WHERE e.entry_date BETWEEN :start AND :end
        GROUP BY 1
    ),
    cells AS (
        SELECT m.month, {cents('b.n')} AS budget, coalesce(s.actual, 0.00) AS actual
        FROM months m LEFT JOIN budgeted b USING (month) LEFT JOIN spent s USING (month)
        WHERE b.n IS NOT NULL OR s.actual IS NOT NULL
    )
    SELECT month, budget, actual, actual - budget AS variance, {usage('actual', 'budget')} AS budget_usage
    FROM cells ORDER BY month"""
    return frame(conn, sql, {"start": start, "end": end} | scoped(scope))


ENTRY_COLUMNS = """e.entry_no, e.entry_date, d.code AS department_code, d.name AS department_name, e.category,
           e.amount, s.staff_no, s.name AS staff_name, p.plan_no, p.kind AS plan_kind, r.case_no,
           e.note AS description, e.purpose"""


def cost_entries(conn: Connection, scope: Scope, start: date, end: date, department: str | None = None,
                 category: str | None = None, largest: int | None = None) -> pd.DataFrame:
    """The cost entries dated in [start, end] in scope, newest first; with `department` and
    `category` only that cell's (the department's own, as its row counts them); `largest`: the
    largest that many by amount instead.

    A linked plan or case outside the scope is not named (it reads as no link)."""
    where = ["e.entry_date BETWEEN :start AND :end"]
    if department is not None:
        where.append("d.code = :cell_department")
    if category is not None:
        where.append("e.category = :category")
    order = "e.amount DESC, e.entry_date DESC, e.entry_no" if largest else "e.entry_date DESC, e.entry_no DESC"
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT {ENTRY_COLUMNS}
    FROM cost_entries e JOIN scope ON scope.id = e.department_id
    JOIN departments d ON d.id = e.department_id
    LEFT JOIN staff s ON s.id = e.staff_id
    LEFT JOIN plans p ON p.id = e.plan_id AND p.department_id IN (SELECT id FROM scope)
    LEFT JOIN retention_cases r ON r.id = e.retention_case_id
         AND r.customer_id IN (SELECT cu.id FROM customers cu JOIN scope ON scope.id = cu.department_id)
    WHERE {' AND '.join(where)}
    ORDER BY {order}
    {'LIMIT :largest' if largest else ''}"""
    return frame(conn, sql, {"start": start, "end": end, "cell_department": department, "category": category,
                             "largest": largest} | scoped(scope))


def cost_links(conn: Connection, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """The cost entries of [start, end] per linked plan, task or retention case, beside that
    record's own figures: a plan's planned cost and the cost recorded with its progress, a case's
    cost. These stay in their own figures; `actual` counts the entries only."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    entries AS (
        SELECT e.* FROM cost_entries e JOIN scope ON scope.id = e.department_id
        WHERE e.entry_date BETWEEN :start AND :end AND (e.plan_id IS NOT NULL OR e.retention_case_id IS NOT NULL)
    ),
    by_plan AS (
        SELECT p.kind AS link_kind, p.plan_no AS link_no, d.code AS department_code, p.content AS subject,
               count(*) AS entries, sum(e.amount) AS entry_cost, p.planned_cost AS own_planned_cost,
               (SELECT coalesce(sum(pp.cost), 0.00) FROM plan_progress pp WHERE pp.plan_id = p.id) AS own_recorded_cost
        FROM entries e JOIN plans p ON p.id = e.plan_id JOIN scope ON scope.id = p.department_id
        JOIN departments d ON d.id = p.department_id
        GROUP BY p.id, d.code
    ),
    by_case AS (
        SELECT 'case' AS link_kind, r.case_no AS link_no, d.code AS department_code, cu.name AS subject,
               count(*) AS entries, sum(e.amount) AS entry_cost, NULL::numeric AS own_planned_cost,
               r.cost AS own_recorded_cost
        FROM entries e JOIN retention_cases r ON r.id = e.retention_case_id
        JOIN customers cu ON cu.id = r.customer_id JOIN scope ON scope.id = cu.department_id
        JOIN departments d ON d.id = cu.department_id
        GROUP BY r.id, d.code, cu.name
    )
    SELECT * FROM by_plan UNION ALL SELECT * FROM by_case
    ORDER BY entry_cost DESC, link_no"""
    return frame(conn, sql, {"start": start, "end": end} | scoped(scope))


BUDGET_COLUMNS = """b.id, d.code AS department_code, d.name AS department_name, b.period, b.period_start, b.period_end,
           b.category, b.status, b.amount, b.original_amount, b.proposed_amount, b.note, b.proposed_by,
           b.proposed_at, b.decided_by, b.decided_at, b.version"""


def budgets(conn: Connection, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Every budget row in scope overlapping [start, end], whatever its state: the current and
    the original amount, a change waiting for approval, and its share of the range."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT {BUDGET_COLUMNS},
           CASE WHEN b.status = 'approved' THEN {cents(share('b', 'CAST(:start AS date)', 'CAST(:end AS date)'))} END
               AS in_range
    FROM service_budgets b JOIN scope ON scope.id = b.department_id JOIN departments d ON d.id = b.department_id
    WHERE b.period_start <= :end AND b.period_end >= :start
    ORDER BY d.code, b.period_start, b.period_end DESC, {CATEGORY_ORDER.format('b.category')}"""
    return frame(conn, sql, {"start": start, "end": end} | scoped(scope))


def budget_proposals(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Budgets waiting for a manager: new proposals and proposed changes of approved budgets."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT {BUDGET_COLUMNS}
    FROM service_budgets b JOIN scope ON scope.id = b.department_id JOIN departments d ON d.id = b.department_id
    WHERE b.status = 'proposed' OR b.proposed_amount IS NOT NULL
    ORDER BY b.proposed_at, d.code, b.period_start"""
    return frame(conn, sql, scoped(scope))


def budget_history(conn: Connection, scope: Scope, department_code: str, period: str, category: str) -> pd.DataFrame:
    """Every change of one budget, oldest first: who, when, what, before and after (nothing when
    the department is outside the scope, as for a budget that does not exist)."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT a.at, a.actor, a.action, a.amount_before, a.amount_after, a.note
    FROM budget_adjustments a JOIN service_budgets b ON b.id = a.budget_id
    JOIN departments d ON d.id = b.department_id JOIN scope ON scope.id = d.id
    WHERE d.code = :code AND b.period = :period AND b.category = :category
    ORDER BY a.at, a.id"""
    return frame(conn, sql, {"code": department_code, "period": period, "category": category} | scoped(scope))


def total(table: pd.DataFrame) -> pd.DataFrame:
    """The `ALL`/`ALL` row of a service_cost table (every department and category in scope)."""
    return table[(table["department_code"] == "ALL") & (table["category"] == "ALL")]


def category_totals(table: pd.DataFrame) -> pd.DataFrame:
    """The `ALL` rows of a service_cost table, one per category, then `ALL`/`ALL`."""
    return table[table["department_code"] == "ALL"].reset_index(drop=True)
