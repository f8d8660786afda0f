"""Callbacks (回访) for every customer: the due list per owner, the share called back on schedule, gifts.

- Each customer is called back every `callback_months_<class>` months (settings, default A 1, B 3,
  C 12) by its ABC class as of D, graded as the grading page grades for the same department
  filter (among the customers in scope, so nothing outside the scope shapes what is shown); the
  reminders, made for the company, use the company-wide class. A customer without a purchase in
  the 365 days ending D is C.
- A callback counts when its result is not `unreachable`. The next one is due that many months
  after the latest callback on or before D; for a customer never called back, that many months
  after it became a customer (`created_on`), or on D when that is unknown.
- A survey answer of 0-6 (NPS) or 1-2 (CSAT) makes a callback due within 7 days of the survey,
  done by any callback on or after the survey date.
- A customer is on schedule as of D when its next callback is due on or after D;
  `on_schedule_rate = on_schedule / customers`, per owner, per department (not rolled up) and ALL.
- A gift's delivery is to be confirmed within 3 days of sending; unconfirmed later is overdue.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.metrics import grading
from dashboard.metrics.sql import SCOPE_CTE, frame, rate, scoped

DUE_AHEAD_DAYS = 7       # the due list shows what falls due within a week
GIFT_CONFIRM_DAYS = 3
DETRACTOR_DAYS = 7

# After grading's `final` (each customer's class as of :d): the viewer's scope and every customer's
# next scheduled callback.
_LIVE_GRADING = grading._GRADING.replace(":department", ":grading_department")
_SCHEDULE_TAIL = (",\n" + SCOPE_CTE.replace("scope(id)", "viewer(id)").replace("JOIN scope s", "JOIN viewer s") + f""",
months AS (
    SELECT coalesce((SELECT (value #>> '{{}}')::int FROM settings WHERE key = 'callback_months_a'), 1) AS a,
           coalesce((SELECT (value #>> '{{}}')::int FROM settings WHERE key = 'callback_months_b'), 3) AS b,
           coalesce((SELECT (value #>> '{{}}')::int FROM settings WHERE key = 'callback_months_c'), 12) AS c
),
last_callback AS (
    SELECT customer_id, max(called_on) AS last_on FROM customer_callbacks
    WHERE result <> 'unreachable' AND called_on <= :d GROUP BY customer_id
),
schedule AS (
    SELECT cu.id AS customer_id, cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code,
           cu.owner_staff_id, coalesce(f.abc_class, 'C') AS abc_class, l.last_on,
           CASE WHEN coalesce(l.last_on, cu.created_on) IS NULL THEN CAST(:d AS date)
                ELSE (coalesce(l.last_on, cu.created_on) + make_interval(months =>
                      CASE coalesce(f.abc_class, 'C') WHEN 'A' THEN m.a WHEN 'B' THEN m.b ELSE m.c END))::date
           END AS due_on
    FROM customers cu
    JOIN viewer ON viewer.id = cu.department_id
    JOIN departments d ON d.id = cu.department_id
    CROSS JOIN months m
    LEFT JOIN final f ON f.customer_id = cu.id
    LEFT JOIN last_callback l ON l.customer_id = cu.id
)""")

# Detractors: the latest dissatisfied survey of each customer in scope not followed by a callback.
_DETRACTORS = SCOPE_CTE + f""",
latest AS (
    SELECT s.customer_id, max(s.surveyed_on) AS surveyed_on
    FROM satisfaction_surveys s
    WHERE (s.nps <= 6 OR s.csat <= 2) AND s.surveyed_on <= :d
    GROUP BY s.customer_id
),
detractors AS (
    SELECT cu.id AS customer_id, cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code,
           cu.owner_staff_id, l.surveyed_on, l.surveyed_on + {DETRACTOR_DAYS} AS due_on
    FROM latest l
    JOIN customers cu ON cu.id = l.customer_id
    JOIN scope ON scope.id = cu.department_id
    JOIN departments d ON d.id = cu.department_id
    WHERE NOT EXISTS (SELECT 1 FROM customer_callbacks k WHERE k.customer_id = l.customer_id
                      AND k.result <> 'unreachable' AND k.called_on >= l.surveyed_on AND k.called_on <= :d)
)"""


def schedule_sql(conn: Connection, scope: Scope, as_of: date) -> tuple[str, dict]:
    """The SQL up to the CTE `schedule` and its parameters. The classes come from the stored graded
    population of the scope as of `as_of` (snapshots.py) when it is stored or can be, else they are
    graded live from the running totals: the schedule then costs one read of the stored classes,
    not a grading of every customer per figure."""
    head, params = grading._head(conn, scope, as_of, live=_LIVE_GRADING)
    if not head.lstrip().startswith("WITH RECURSIVE"):  # the viewer's scope CTE recurses
        head = head.replace("WITH ", "WITH RECURSIVE ", 1)
    return head + _SCHEDULE_TAIL, params | {"d": as_of, "grading_department": scope.department,
                                            "abc_method": None} | scoped(scope)


# The detractors after the schedule in one statement: the viewer's scope is `viewer` there.
_DETRACTORS_AFTER_SCHEDULE = _DETRACTORS[len(SCOPE_CTE):].replace("JOIN scope ON scope.id", "JOIN viewer ON viewer.id")
assert "scope" not in _DETRACTORS_AFTER_SCHEDULE.replace("viewer", "")


def callback_due(conn: Connection, scope: Scope, as_of: date, staff_no: str | None = None,
                 limit: int | None = None) -> pd.DataFrame:
    """Customers whose callback is overdue or due within a week of `as_of`, and detractors not yet
    called back, by due date and customer (a detractor before a scheduled callback of the same day).

    `limit` keeps the first rows; every row carries `due_count` and `detractor_count`, the counts of
    the whole list.
    """
    schedule, params = schedule_sql(conn, scope, as_of)
    due_cols = """customer_code, customer_name, department_code, st.staff_no AS owner_staff_no,
                  st.name AS owner_name"""
    sql = schedule + _DETRACTORS_AFTER_SCHEDULE + f""",
    due AS (
        SELECT 'detractor' AS reason, {due_cols}, CAST(NULL AS text) AS abc_class, NULL::date AS last_callback_on,
               surveyed_on, due_on, greatest(CAST(:d AS date) - due_on, 0) AS days_overdue, 0 AS kind_order
        FROM detractors LEFT JOIN staff st ON st.id = detractors.owner_staff_id
        WHERE (CAST(:staff_no AS text) IS NULL OR st.staff_no = :staff_no)
        UNION ALL
        SELECT 'schedule', {due_cols}, abc_class, last_on, NULL::date, due_on,
               greatest(CAST(:d AS date) - due_on, 0), 1
        FROM schedule LEFT JOIN staff st ON st.id = schedule.owner_staff_id
        WHERE due_on <= CAST(:d AS date) + {DUE_AHEAD_DAYS}
          AND (CAST(:staff_no AS text) IS NULL OR st.staff_no = :staff_no)
    )
    SELECT reason, customer_code, customer_name, department_code, owner_staff_no, owner_name, abc_class,
           last_callback_on, surveyed_on, due_on, days_overdue,
           count(*) OVER () AS due_count, count(*) FILTER (WHERE reason = 'detractor') OVER () AS detractor_count
    FROM due
    -- codes in code-point order, as Python sorts them
    ORDER BY due_on, customer_code COLLATE "C", kind_order
    LIMIT :limit"""
    return frame(conn, sql, params | {"staff_no": staff_no, "limit": limit})


def callback_rates(conn: Connection, scope: Scope, as_of: date) -> pd.DataFrame:
    """Customers on schedule as of `as_of` per owner (with the owner's department), per department, and ALL."""
    schedule, params = schedule_sql(conn, scope, as_of)
    sql = schedule + f"""
    SELECT CASE WHEN grouping(s.department_code) = 1 THEN 'ALL' ELSE s.department_code END AS department_code,
           st.staff_no, st.name AS staff_name,
           count(*) AS customers,
           count(*) FILTER (WHERE s.due_on >= CAST(:d AS date)) AS on_schedule,
           count(*) FILTER (WHERE s.due_on < CAST(:d AS date)) AS overdue,
           {rate("count(*) FILTER (WHERE s.due_on >= CAST(:d AS date))", "count(*)")} AS on_schedule_rate
    FROM schedule s LEFT JOIN staff st ON st.id = s.owner_staff_id
    GROUP BY GROUPING SETS ((s.department_code, st.staff_no, st.name), (s.department_code), ())
    HAVING grouping(st.staff_no) = 1 OR st.staff_no IS NOT NULL
    ORDER BY grouping(s.department_code), s.department_code, grouping(st.staff_no) DESC, st.staff_no"""
    return frame(conn, sql, params)


def gifts(conn: Connection, scope: Scope, as_of: date, staff_no: str | None = None,
          open_only: bool = True) -> pd.DataFrame:
    """Gifts sent by `as_of` (open_only: not confirmed by then), with the day their delivery is to be confirmed."""
    sql = "WITH RECURSIVE " + SCOPE_CTE + f"""
    SELECT g.id AS gift_id, cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code,
           g.item, g.sent_on, g.sent_on + {GIFT_CONFIRM_DAYS} AS confirm_by,
           CASE WHEN g.confirmed_on <= :d THEN g.confirmed_on END AS confirmed_on,
           (g.confirmed_on IS NULL OR g.confirmed_on > :d) AND CAST(:d AS date) > g.sent_on + {GIFT_CONFIRM_DAYS}
               AS overdue,
           st.staff_no, st.name AS staff_name, g.note
    FROM customer_gifts g
    JOIN customers cu ON cu.id = g.customer_id
    JOIN scope ON scope.id = cu.department_id
    JOIN departments d ON d.id = cu.department_id
    LEFT JOIN staff st ON st.id = coalesce(g.staff_id, cu.owner_staff_id)
    WHERE g.sent_on <= :d
      AND (NOT :open_only OR g.confirmed_on IS NULL OR g.confirmed_on > :d)
      AND (CAST(:staff_no AS text) IS NULL OR st.staff_no = :staff_no)
    ORDER BY g.sent_on, g.id"""
    return frame(conn, sql, {"d": as_of, "staff_no": staff_no, "open_only": open_only} | scoped(scope))


def customer_callbacks(conn: Connection, scope: Scope, start: date, end: date,
                       limit: int | None = None) -> pd.DataFrame:
    """The callbacks recorded on [start, end], newest first; `limit` keeps the first rows, each with
    `total`, the count of all."""
    sql = "WITH RECURSIVE " + SCOPE_CTE + """
    SELECT k.called_on, cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code,
           k.method, k.result, st.staff_no, st.name AS staff_name, k.note, count(*) OVER () AS total
    FROM customer_callbacks k
    JOIN customers cu ON cu.id = k.customer_id
    JOIN scope ON scope.id = cu.department_id
    JOIN departments d ON d.id = cu.department_id
    LEFT JOIN staff st ON st.id = k.staff_id
    WHERE k.called_on BETWEEN :s AND :e
    ORDER BY k.called_on DESC, k.id DESC
    LIMIT :limit"""
    return frame(conn, sql, {"s": start, "e": end, "limit": limit} | scoped(scope))


def callback_months(conn: Connection, scope: Scope) -> pd.DataFrame:
    """One row: the callback frequency in months of classes A, B and C (settings)."""
    return frame(conn, """
    SELECT coalesce((SELECT (value #>> '{}')::int FROM settings WHERE key = 'callback_months_a'), 1) AS a,
           coalesce((SELECT (value #>> '{}')::int FROM settings WHERE key = 'callback_months_b'), 3) AS b,
           coalesce((SELECT (value #>> '{}')::int FROM settings WHERE key = 'callback_months_c'), 12) AS c""", {})
