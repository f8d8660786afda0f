"""Archives (档案): departments, staff profiles, the customer file and the customer log.

Every read takes the reader's Scope: a department, staff member, customer or log entry outside
it reads exactly like one that does not exist. The staff reads also take the reader (`viewer`):
an agent reads their own profile only, and personal data (birth date, personal notes) is
returned only to the person, their superiors and managers (`PERSONAL_VISIBLE`).
"""
from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.core.user import User
from dashboard.metrics import grading, tiers
from dashboard.metrics.sql import SCOPE_CTE, frame, scoped


def _viewer(viewer: User) -> dict:
    return {"v_role": viewer.role, "v_staff": viewer.staff_no, "v_dept": viewer.department_code}


# The staff rows a viewer may open: an agent their own record, everyone else the scope's staff.
_STAFF_VISIBLE = "(CAST(:v_role AS text) <> 'agent' OR st.staff_no = :v_staff)"

# Whether the viewer sees the personal data of staff `st` (department `d`): the person, a
# manager, or a superior: a head whose subtree holds the department, and who is above the
# person (another head of the same department is a colleague, not a superior).
PERSONAL_VISIBLE = """(
    CAST(:v_role AS text) = 'manager' OR st.staff_no = :v_staff OR (
        CAST(:v_role AS text) = 'head' AND EXISTS (
            WITH RECURSIVE sub(id) AS (
                SELECT id FROM departments WHERE code = :v_dept
                UNION SELECT x.id FROM departments x JOIN sub ON x.parent_id = sub.id)
            SELECT 1 FROM sub WHERE sub.id = st.department_id)
        AND (st.role = 'agent' OR d.code <> :v_dept)))"""


# -- departments ------------------------------------------------------------------------

def departments_overview(conn: Connection, scope: Scope) -> pd.DataFrame:
    """The department tree in order: code, name, work scope, parent, head, staff and customers, active."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    tree AS (
        SELECT id, 0 AS depth, ARRAY[code] AS path FROM departments WHERE parent_id IS NULL
        UNION ALL
        SELECT d.id, t.depth + 1, t.path || d.code FROM departments d JOIN tree t ON d.parent_id = t.id
    )
    SELECT d.code, d.name, tree.depth, d.scope AS work_scope, p.code AS parent_code, h.staff_no AS head_staff_no,
           h.name AS head_name,
           (SELECT count(*) FROM staff s WHERE s.department_id = d.id
                AND (s.left_on IS NULL OR s.left_on >= current_date)) AS staff_count,
           (SELECT count(*) FROM customers c WHERE c.department_id = d.id) AS customer_count,
           d.active, d.version
    FROM departments d JOIN tree ON tree.id = d.id JOIN scope ON scope.id = d.id
    LEFT JOIN departments p ON p.id = d.parent_id LEFT JOIN staff h ON h.id = d.head_staff_id
    ORDER BY tree.path"""
    return frame(conn, sql, scoped(scope))


def deactivation_effect(conn: Connection, scope: Scope, code: str) -> pd.DataFrame:
    """What deactivating department `code` does: its active staff and customers, active sub-departments
    (which must go first) and the parent they move to by default. Empty outside `scope`."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT d.code, p.code AS parent_code,
           (SELECT count(*) FROM staff s WHERE s.department_id = d.id
                AND (s.left_on IS NULL OR s.left_on >= current_date)) AS staff_count,
           (SELECT count(*) FROM customers c WHERE c.department_id = d.id) AS customer_count,
           (SELECT count(*) FROM departments x WHERE x.parent_id = d.id AND x.active) AS active_children
    FROM departments d JOIN scope ON scope.id = d.id LEFT JOIN departments p ON p.id = d.parent_id
    WHERE d.code = :code"""
    return frame(conn, sql, scoped(scope) | {"code": code})


# -- staff ------------------------------------------------------------------------------

def staff_directory(conn: Connection, scope: Scope, viewer: User, search: str | None = None,
                    department: str | None = None, role: str | None = None, active: bool | None = None,
                    as_of: date | None = None, limit: int = 500) -> pd.DataFrame:
    """Staff of the scope (an agent: themselves) matching `search` in number, name, e-mail or phone.

    `department` narrows to that department's subtree (within `scope`); `active`: still employed
    on `as_of` (no leaving date, or one on or after it: left_on is the last working day)."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    narrowed(id) AS (
        SELECT id FROM departments WHERE CAST(:narrow AS text) IS NULL OR code = :narrow
        UNION SELECT x.id FROM departments x JOIN narrowed n ON x.parent_id = n.id
    )
    SELECT st.staff_no, st.name, d.code AS department_code, d.name AS department_name, st.role, st.title,
           st.phone, st.email, st.hired_on, st.left_on,
           (st.left_on IS NULL OR st.left_on >= CAST(:as_of AS date)) AS active
    FROM staff st JOIN scope ON scope.id = st.department_id JOIN narrowed ON narrowed.id = st.department_id
    JOIN departments d ON d.id = st.department_id
    WHERE {_STAFF_VISIBLE}
      AND (CAST(:search AS text) IS NULL OR st.staff_no ILIKE '%' || :search || '%' OR st.name ILIKE '%' || :search || '%'
           OR st.email ILIKE '%' || :search || '%' OR st.phone ILIKE '%' || :search || '%')
      AND (CAST(:role AS text) IS NULL OR st.role = :role)
      AND (CAST(:active AS boolean) IS NULL
           OR (st.left_on IS NULL OR st.left_on >= CAST(:as_of AS date)) = CAST(:active AS boolean))
    ORDER BY st.staff_no LIMIT :limit"""
    return frame(conn, sql, scoped(scope) | _viewer(viewer) | {
        "search": search or None, "narrow": department, "role": role, "active": active,
        "as_of": as_of or date.today(), "limit": limit})


def staff_profile(conn: Connection, scope: Scope, viewer: User, staff_no: str) -> pd.DataFrame:
    """One staff record; birth_date and personal_notes are empty unless `personal_visible`.

    Empty outside the scope (or another person's record for an agent)."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT st.staff_no, st.name, d.code AS department_code, d.name AS department_name, st.role, st.title,
           st.gender, st.email, st.phone, st.address, st.hired_on, st.left_on,
           {PERSONAL_VISIBLE} AS personal_visible,
           CASE WHEN {PERSONAL_VISIBLE} THEN st.birth_date END AS birth_date,
           CASE WHEN {PERSONAL_VISIBLE} THEN st.personal_notes END AS personal_notes,
           st.version
    FROM staff st JOIN scope ON scope.id = st.department_id JOIN departments d ON d.id = st.department_id
    WHERE st.staff_no = :staff_no AND {_STAFF_VISIBLE}"""
    return frame(conn, sql, scoped(scope) | _viewer(viewer) | {"staff_no": staff_no})


_ONE_STAFF = f"""
    WITH RECURSIVE {SCOPE_CTE},
    one AS (SELECT st.id FROM staff st JOIN scope ON scope.id = st.department_id
            WHERE st.staff_no = :staff_no AND {_STAFF_VISIBLE})"""


def staff_training(conn: Connection, scope: Scope, viewer: User, staff_no: str) -> pd.DataFrame:
    """The training records of one staff member, newest first."""
    sql = _ONE_STAFF + """
    SELECT t.id, t.course, t.trained_on, t.hours, t.result FROM staff_training t JOIN one ON one.id = t.staff_id
    ORDER BY t.trained_on DESC, t.course"""
    return frame(conn, sql, scoped(scope) | _viewer(viewer) | {"staff_no": staff_no})


def staff_history(conn: Connection, scope: Scope, viewer: User, staff_no: str) -> pd.DataFrame:
    """Work history: posts inside the company (department, role) and earlier employers, newest first."""
    sql = _ONE_STAFF + """
    SELECT h.id, h.started_on, h.ended_on, h.employer, d.code AS department_code, d.name AS department_name,
           h.role, h.title
    FROM staff_work_history h JOIN one ON one.id = h.staff_id LEFT JOIN departments d ON d.id = h.department_id
    ORDER BY h.started_on DESC"""
    return frame(conn, sql, scoped(scope) | _viewer(viewer) | {"staff_no": staff_no})


def staff_customers(conn: Connection, scope: Scope, viewer: User, staff_no: str, as_of: date) -> pd.DataFrame:
    """The customers a staff member owns (within the scope), with the tier at `as_of` (trailing 365
    days) and the RFM segment among the scope's population, as the grading page shows them."""
    sql = _ONE_STAFF + """,
    owned AS (SELECT cu.id, cu.code, cu.name FROM customers cu JOIN one ON one.id = cu.owner_staff_id
              JOIN scope ON scope.id = cu.department_id)
    SELECT o.code AS customer_code, o.name AS customer_name, v.volume, coalesce(tr.name, 'none') AS tier
    FROM owned o
    CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS volume FROM orders
                        WHERE customer_id = o.id AND order_date BETWEEN CAST(:d AS date) - 364 AND :d) v
    LEFT JOIN LATERAL (SELECT name FROM tier_rules WHERE min_amount <= v.volume AND v.volume > 0
                       ORDER BY rank LIMIT 1) tr ON true
    ORDER BY v.volume DESC, o.code"""
    owned = frame(conn, sql, scoped(scope) | _viewer(viewer) | {"staff_no": staff_no, "d": as_of})
    if owned.empty:
        return owned.assign(rfm_segment=pd.Series(dtype=object))
    segments = grading.segments_of(conn, scope, as_of, list(owned["customer_code"]))
    return owned.merge(segments[["customer_code", "rfm_segment"]], on="customer_code", how="left")


def staff_open_work(conn: Connection, scope: Scope, viewer: User, staff_no: str, as_of: date) -> pd.DataFrame:
    """The plans and tasks of a staff member still running on `as_of` (not ended before it)."""
    sql = _ONE_STAFF + """
    SELECT p.plan_no, p.kind, p.type, p.start_date, p.end_date, p.planned_count, p.minimum_count,
           coalesce((SELECT sum(completed_count) FROM plan_progress g WHERE g.plan_id = p.id), 0) AS actual_count,
           p.content
    FROM plans p JOIN one ON one.id = p.staff_id JOIN scope ON scope.id = p.department_id
    WHERE p.end_date >= :d ORDER BY p.end_date, p.plan_no"""
    return frame(conn, sql, scoped(scope) | _viewer(viewer) | {"staff_no": staff_no, "d": as_of})


# -- customers --------------------------------------------------------------------------

def customer_search(conn: Connection, scope: Scope, search: str | None, limit: int = 50) -> pd.DataFrame:
    """Customers of the scope matching `search` in code, name, contact name or a phone number."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code, st.name AS owner_name,
           cu.contact_name, cu.contact_phone
    FROM customers cu JOIN scope ON scope.id = cu.department_id JOIN departments d ON d.id = cu.department_id
    LEFT JOIN staff st ON st.id = cu.owner_staff_id
    WHERE CAST(:search AS text) IS NULL OR cu.code ILIKE :like OR cu.name ILIKE :like OR cu.contact_name ILIKE :like
          OR cu.contact_phone ILIKE :like OR cu.company_phone ILIKE :like
    ORDER BY cu.code = :search DESC, cu.code LIMIT :limit"""
    text = (search or "").strip() or None
    like = None if text is None else "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return frame(conn, sql, scoped(scope) | {"search": text, "like": like, "limit": limit})


def customer_profile(conn: Connection, scope: Scope, code: str, as_of: date) -> pd.DataFrame:
    """One customer's record with its owner, department and tier at `as_of`; empty outside the scope."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code, d.name AS department_name,
           st.staff_no AS owner_staff_no, st.name AS owner_name, cu.industry, cu.region, cu.created_on,
           cu.address, cu.company_phone, cu.contact_name, cu.contact_title, cu.contact_phone, cu.contact_email,
           cu.contact_gender, cu.contact_birthday, cu.best_contact_time, v.volume, coalesce(tr.name, 'none') AS tier,
           cu.version
    FROM customers cu JOIN scope ON scope.id = cu.department_id JOIN departments d ON d.id = cu.department_id
    LEFT JOIN staff st ON st.id = cu.owner_staff_id
    CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS volume FROM orders
                        WHERE customer_id = cu.id AND order_date BETWEEN CAST(:d AS date) - 364 AND :d) v
    LEFT JOIN LATERAL (SELECT name FROM tier_rules WHERE min_amount <= v.volume AND v.volume > 0
                       ORDER BY rank LIMIT 1) tr ON true
    WHERE cu.code = :code"""
    profile = frame(conn, sql, scoped(scope) | {"code": code, "d": as_of})
    if profile.empty:
        return profile.assign(rfm_segment=pd.Series(dtype=object))
    segment = grading.segments_of(conn, scope, as_of, [code])
    return profile.assign(rfm_segment=segment["rfm_segment"].iloc[0] if len(segment) else None)


def customer_owners(conn: Connection, scope: Scope, code: str) -> pd.DataFrame:
    """Who owned the customer when, newest first; empty outside the scope."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT st.staff_no, st.name AS staff_name, h.started_on, h.ended_on
    FROM customers cu JOIN scope ON scope.id = cu.department_id
    JOIN customer_owner_history h ON h.customer_id = cu.id JOIN staff st ON st.id = h.staff_id
    WHERE cu.code = :code ORDER BY h.started_on DESC, h.id DESC"""
    return frame(conn, sql, scoped(scope) | {"code": code})


# The kinds of event on a customer's timeline, in the order they are told apart.
TIMELINE_KINDS = ("orders", "complaint", "complaint_resolved", "callback", "log", "retention", "retention_closed",
                  "survey", "owner", "tier")


def customer_timeline(conn: Connection, scope: Scope, code: str, as_of: date, months: int = 24) -> pd.DataFrame:
    """Every event of one customer, newest first: orders per month, complaints (received, resolved,
    called back), customer-log entries, retention cases (opened, closed), surveys, owner changes,
    and tier changes at month ends over the last `months` months. Empty outside the scope.

    Columns: day (the local date), at (ISO text of the moment, or the date), kind, ref (the
    record's number), staff_name, detail (the record's own text, shown as plain text), amount.
    """
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    c AS (SELECT cu.id FROM customers cu JOIN scope ON scope.id = cu.department_id WHERE cu.code = :code),
    ev AS (
        SELECT date_trunc('month', o.order_date)::date AS day, 'orders' AS kind,
               to_char(date_trunc('month', o.order_date), 'YYYY-MM') AS ref, NULL::integer AS staff_id,
               count(*)::text AS detail, sum(o.amount) AS amount, 0 AS seq
        FROM orders o JOIN c ON c.id = o.customer_id GROUP BY 1, 3
        UNION ALL
        SELECT (k.received_at AT TIME ZONE :tz)::date, 'complaint', k.complaint_no, k.handler_staff_id, k.content, NULL, 1
        FROM complaints k JOIN c ON c.id = k.customer_id
        UNION ALL
        SELECT (k.resolved_at AT TIME ZONE :tz)::date, 'complaint_resolved', k.complaint_no, k.handler_staff_id,
               k.resolution, NULL, 2
        FROM complaints k JOIN c ON c.id = k.customer_id WHERE k.resolved_at IS NOT NULL
        UNION ALL
        SELECT (k.callback_at AT TIME ZONE :tz)::date, 'callback', k.complaint_no, k.handler_staff_id,
               CASE WHEN k.satisfaction IS NOT NULL THEN k.satisfaction::text || '/5' END, NULL, 3
        FROM complaints k JOIN c ON c.id = k.customer_id WHERE k.callback_at IS NOT NULL
        UNION ALL
        SELECT (w.logged_at AT TIME ZONE :tz)::date, 'log', w.log_no, w.staff_id,
               concat_ws(' · ', w.category, w.content), NULL, 4
        FROM work_logs w JOIN c ON c.id = w.customer_id
        UNION ALL
        SELECT r.started_on, 'retention', r.case_no, r.staff_id, concat_ws(' · ', r.reason, r.note), r.cost, 5
        FROM retention_cases r JOIN c ON c.id = r.customer_id
        UNION ALL
        SELECT r.closed_on, 'retention_closed', r.case_no, r.staff_id, r.result, NULL, 6
        FROM retention_cases r JOIN c ON c.id = r.customer_id WHERE r.closed_on IS NOT NULL
        UNION ALL
        SELECT s.surveyed_on, 'survey', s.id::text, s.staff_id,
               concat_ws(' · ', 'CSAT ' || s.csat, 'NPS ' || s.nps, s.comment), NULL, 7
        FROM satisfaction_surveys s JOIN c ON c.id = s.customer_id
        UNION ALL
        SELECT h.started_on, 'owner', NULL, h.staff_id, NULL, NULL, 8
        FROM customer_owner_history h JOIN c ON c.id = h.customer_id
    )
    SELECT ev.day, ev.kind, ev.ref, st.name AS staff_name, ev.detail, ev.amount
    FROM ev LEFT JOIN staff st ON st.id = ev.staff_id
    WHERE ev.day <= :d
    ORDER BY ev.day DESC, ev.seq DESC, ev.ref DESC"""
    from db.engine import app_timezone

    events = frame(conn, sql, scoped(scope) | {"code": code, "d": as_of, "tz": str(app_timezone())})
    ends = _month_ends(as_of, months)
    history = tiers.tier_history(conn, scope, code, ends)
    changes = []
    for before, after in zip(history.itertuples(), list(history.itertuples())[1:]):
        if before.tier != after.tier:
            changes.append({"day": after.end_date, "kind": "tier", "ref": None, "staff_name": None,
                            "detail": f"{before.tier} → {after.tier}", "amount": after.volume})
    if changes:
        events = pd.concat([events, pd.DataFrame(changes)], ignore_index=True)
        events = events.sort_values("day", ascending=False, kind="stable").reset_index(drop=True)
    return events


def _month_ends(as_of: date, months: int) -> list[date]:
    """The last day of each of the `months` months before `as_of`'s month, then `as_of` itself."""
    ends, year, month = [], as_of.year, as_of.month
    for _ in range(months):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        ends.append(date.fromordinal(nxt.toordinal() - 1))
    return sorted(ends) + [as_of]


# -- the customer log -------------------------------------------------------------------

# A log entry belongs to its customer's department, or to the writer's when it has no customer.
_LOG_DEPARTMENT = "coalesce(cu.department_id, w.department_id)"


def customer_log(conn: Connection, scope: Scope, start: date, end: date, customer: str | None = None,
                 staff: str | None = None, category: str | None = None, source: str | None = None,
                 service_type: str | None = None, text: str | None = None, limit: int | None = 500) -> pd.DataFrame:
    """Customer-log entries whose event falls in start..end (local dates), newest first, filtered by
    customer code, staff number, category, source and service type; `text` searched in content,
    handling and summary (every word must occur). The export view `customer_log` is these rows."""
    words = [w for w in (text or "").split() if w]
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT w.log_no, w.logged_at, cu.code AS customer_code, cu.name AS customer_name, st.staff_no,
           st.name AS staff_name, w.source, w.service_type, w.category, w.content, w.handling, w.summary,
           w.satisfaction, w.recorded_at
    FROM work_logs w LEFT JOIN customers cu ON cu.id = w.customer_id JOIN staff st ON st.id = w.staff_id
    JOIN scope ON scope.id = {_LOG_DEPARTMENT}
    WHERE w.logged_at >= CAST(:start AS date)::timestamp AT TIME ZONE :tz
      AND w.logged_at < (CAST(:end AS date) + 1)::timestamp AT TIME ZONE :tz
      AND (CAST(:customer AS text) IS NULL OR cu.code = :customer)
      AND (CAST(:staff AS text) IS NULL OR st.staff_no = :staff)
      AND (CAST(:category AS text) IS NULL OR w.category = :category)
      AND (CAST(:source AS text) IS NULL OR w.source = :source)
      AND (CAST(:service_type AS text) IS NULL OR w.service_type = :service_type)
      AND NOT EXISTS (SELECT 1 FROM unnest(CAST(:words AS text[])) q(word)
                      WHERE concat_ws(' ', w.content, w.handling, w.summary, w.category) NOT ILIKE
                            '%' || replace(replace(replace(q.word, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')
    ORDER BY w.logged_at DESC, w.log_no DESC LIMIT :limit"""
    from db.engine import app_timezone

    return frame(conn, sql, scoped(scope) | {
        "start": start, "end": end, "tz": str(app_timezone()), "customer": customer or None, "staff": staff or None,
        "category": category or None, "source": source or None, "service_type": service_type or None,
        "words": words, "limit": limit})


def log_categories(conn: Connection, scope: Scope) -> pd.DataFrame:
    """The categories in use in the scope's log, for the filter and the form's suggestions."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT DISTINCT w.category FROM work_logs w LEFT JOIN customers cu ON cu.id = w.customer_id
    JOIN scope ON scope.id = {_LOG_DEPARTMENT} WHERE w.category IS NOT NULL ORDER BY 1"""
    return frame(conn, sql, scoped(scope))


# -- timeliness of records (seed 003) --------------------------------------------------------

# A customer file needs its contact's name and phone within 3 days of the first order; a log
# entry is recorded within 24 hours of the event (imported entries are not judged: when they
# were first written is not known).
FILE_DAYS = 3
LOG_HOURS = 24


def incomplete_files(conn: Connection, scope: Scope, as_of: date) -> pd.DataFrame:
    """Customers of the scope still missing the contact's name or phone on `as_of`, more than 3 days
    after their first order (first order on D: due by the end of D + 3; listed from D + 4)."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT cu.code AS customer_code, cu.name AS customer_name, d.code AS department_code, st.name AS owner_name,
           f.first_order_on, CAST(:d AS date) - f.first_order_on - {FILE_DAYS} AS days_overdue,
           concat_ws(', ', CASE WHEN nullif(btrim(cu.contact_name), '') IS NULL THEN 'contact_name' END,
                     CASE WHEN nullif(btrim(cu.contact_phone), '') IS NULL THEN 'contact_phone' END) AS missing
    FROM customers cu JOIN scope ON scope.id = cu.department_id JOIN departments d ON d.id = cu.department_id
    LEFT JOIN staff st ON st.id = cu.owner_staff_id
    CROSS JOIN LATERAL (SELECT min(o.order_date) AS first_order_on FROM orders o WHERE o.customer_id = cu.id) f
    WHERE (nullif(btrim(cu.contact_name), '') IS NULL OR nullif(btrim(cu.contact_phone), '') IS NULL)
      AND f.first_order_on < CAST(:d AS date) - {FILE_DAYS}
    ORDER BY days_overdue DESC, cu.code"""
    return frame(conn, sql, scoped(scope) | {"d": as_of})


def late_log_entries(conn: Connection, scope: Scope, start: date, end: date) -> pd.DataFrame:
    """Log entries of events in start..end recorded more than 24 hours after the event (exactly 24
    hours is on time), latest recorded first; imported entries are not judged."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT w.log_no, w.logged_at, w.recorded_at,
           round(CAST(extract(epoch FROM w.recorded_at - w.logged_at) / 3600 AS numeric), 2) AS hours_after,
           cu.name AS customer_name, st.name AS staff_name, w.content
    FROM work_logs w LEFT JOIN customers cu ON cu.id = w.customer_id JOIN staff st ON st.id = w.staff_id
    JOIN scope ON scope.id = {_LOG_DEPARTMENT}
    WHERE NOT w.imported AND w.recorded_at > w.logged_at + interval '{LOG_HOURS} hours'
      AND w.logged_at >= CAST(:start AS date)::timestamp AT TIME ZONE :tz
      AND w.logged_at < (CAST(:end AS date) + 1)::timestamp AT TIME ZONE :tz
    ORDER BY w.recorded_at - w.logged_at DESC, w.log_no"""
    from db.engine import app_timezone

    return frame(conn, sql, scoped(scope) | {"start": start, "end": end, "tz": str(app_timezone())})


def timeliness_counts(conn: Connection, scope: Scope, start: date, end: date, as_of: date) -> pd.DataFrame:
    """One row: incomplete customer files on `as_of`, log entries judged in start..end and how many were late."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT count(*) FILTER (WHERE NOT w.imported) AS entries_judged,
           count(*) FILTER (WHERE NOT w.imported AND w.recorded_at > w.logged_at + interval '{LOG_HOURS} hours')
               AS entries_late
    FROM work_logs w LEFT JOIN customers cu ON cu.id = w.customer_id JOIN scope ON scope.id = {_LOG_DEPARTMENT}
    WHERE w.logged_at >= CAST(:start AS date)::timestamp AT TIME ZONE :tz
      AND w.logged_at < (CAST(:end AS date) + 1)::timestamp AT TIME ZONE :tz"""
    from db.engine import app_timezone

    counts = frame(conn, sql, scoped(scope) | {"start": start, "end": end, "tz": str(app_timezone())})
    return counts.assign(files_incomplete=len(incomplete_files(conn, scope, as_of)))
