"""Reminders (提醒): made by SQL from the records' current state, one per person, kind and record.

How they are made, and why: `refresh` works out in the database every condition that should be
reminded of now (the kinds below) and
- inserts a reminder for each condition that has none (the unique key person + kind + record
  makes a second run that finds the same condition change nothing: no duplicates, no second e-mail);
- marks `resolved_at` on each open reminder whose condition no longer holds (it goes from the lists);
- reopens a resolved reminder whose condition holds again (a plan behind once more).
A dismissed reminder stays dismissed for that record. Conditions that recur carry their occurrence
in the record key (a customer's callback due on a date, a drop in a month), so the next occurrence
is a new reminder.

Making them from state rather than on each write means no write can forget one, an import makes
them as the form does, and a condition that arises by the passing of time (a deadline approaching,
a plan falling behind) is found at all: the pages make them for the signed-in person (at most every
few minutes), and `python -m dashboard remind` makes them for everyone, for cron.

Kinds and who is told: a task for a person (or every member of its department); a plan or task
behind pace (its staff member, else the department's heads); a complaint at `reminder_sla_share`
of its SLA, and one overdue (its handler, else the heads of the customer's department); a
complaint's callback (the same); a customer's scheduled callback or a dissatisfied survey answer,
a gift's delivery not confirmed in 3 days, a customer flagged drop or stopped in the month to date,
downgraded or losing its tier (the customer's owner); a suggestion answered in the last 14 days
(the one who made it), and feedback on a task until it is answered (its
addressee: the task's assigner, else the writer's superior); a 360 rating requested in an open evaluation cycle (the rater, until the
rating is given or the cycle closes: record `cycle/evaluatee`, never a score); a budget overrun in
the running month (the department's heads and the managers: record `department/category@month`).
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.metrics import callbacks, clock, cost, evaluation, fluctuation, plans, tiers
from dashboard.core.user import User
from db.engine import app_timezone

ANSWERED_DAYS = 14

_WANTED = """CREATE TEMP TABLE IF NOT EXISTS wanted_reminders (
    staff_id integer, kind text, ref text, due_at timestamptz, plan_id integer, complaint_id bigint,
    customer_id integer) ON COMMIT DROP"""

_INSERT = "INSERT INTO wanted_reminders (staff_id, kind, ref, due_at, plan_id, complaint_id, customer_id) "

# active staff, and the heads of each department
_PEOPLE = """
    active AS (SELECT id, department_id, role FROM staff WHERE left_on IS NULL OR left_on > CAST(:today AS date)),
    heads AS (SELECT id, department_id FROM active WHERE role = 'head')"""


def _end_of(day_sql: str) -> str:
    """The end of a local day (23:59:59.999999 in APP_TZ), as `as of D` is."""
    return f"((({day_sql} + 1)::timestamp - interval '1 microsecond') AT TIME ZONE :tz)"


def _plan_kinds(conn, today: date, params: dict) -> None:
    sql, plan_params = plans._PLANS, plans._plan_params(Scope(None), today, None, None, None)
    conn.execute(sa.text(sql + f""",
    {_PEOPLE},
    tracked_ids AS (SELECT p.id, p.plan_no, p.kind, p.staff_id, p.department_id, p.end_date, t.status
                    FROM tracked t JOIN plans p ON p.plan_no = t.plan_no)
    {_INSERT}
    SELECT coalesce(p.staff_id, m.id), 'task_assigned', p.plan_no, {_end_of('p.end_date')}, p.id, NULL::bigint, NULL::integer
    FROM tracked_ids p LEFT JOIN active m ON p.staff_id IS NULL AND m.department_id = p.department_id
    WHERE p.kind = 'task' AND p.end_date >= CAST(:today AS date)
      AND p.status NOT IN ('achieved', 'met_minimum', 'below_minimum')
      AND coalesce(p.staff_id, m.id) IS NOT NULL
    UNION ALL
    SELECT coalesce(p.staff_id, h.id), 'plan_behind', p.plan_no, {_end_of('p.end_date')}, p.id, NULL::bigint, NULL::integer
    FROM tracked_ids p LEFT JOIN heads h ON p.staff_id IS NULL AND h.department_id = p.department_id
    WHERE p.status = 'behind' AND coalesce(p.staff_id, h.id) IS NOT NULL"""), plan_params | params)


def _complaint_kinds(conn, params: dict, staff_id: int | None) -> None:
    now_clock = clock.read_clock(conn)
    joins, due = clock.deadline(now_clock, "c.received_at", "s.resolution_hours", "due", "s.resolution_span")
    # For one person: only the complaints they handle, or that have no handler (the heads'), are
    # read, not the 300,000 callbacks due at 2 M complaints (refresh keeps only that person's anyway)
    mine = "AND (CAST(:staff AS integer) IS NULL OR c.handler_staff_id = :staff OR c.handler_staff_id IS NULL)"
    conn.execute(sa.text(f"""
    WITH {_PEOPLE},
    open_due AS (
        SELECT c.id, c.complaint_no, c.customer_id, c.handler_staff_id, c.received_at, {due} AS deadline
        FROM complaints c JOIN {clock.POLICIES} s ON s.priority = c.priority{joins}
        WHERE c.resolved_at IS NULL AND c.received_at <= :now {mine}
    ),
    conditions AS (
        SELECT o.*, CASE WHEN o.deadline < :now THEN 'complaint_overdue' ELSE 'complaint_due_soon' END AS kind
        FROM open_due o
        WHERE o.deadline < :now OR :now >= o.received_at + (o.deadline - o.received_at) * :share
        UNION ALL
        SELECT c.id, c.complaint_no, c.customer_id, c.handler_staff_id, c.received_at,
               c.resolved_at + interval '7 days', 'complaint_callback'
        FROM complaints c WHERE c.resolved_at IS NOT NULL AND c.callback_at IS NULL AND c.resolved_at <= :now {mine}
    )
    {_INSERT}
    SELECT coalesce(k.handler_staff_id, h.id), k.kind, k.complaint_no, k.deadline, NULL::integer, k.id, k.customer_id
    FROM conditions k
    JOIN customers cu ON cu.id = k.customer_id
    LEFT JOIN heads h ON k.handler_staff_id IS NULL AND h.department_id = cu.department_id
    WHERE coalesce(k.handler_staff_id, h.id) IS NOT NULL
      AND (CAST(:staff AS integer) IS NULL OR coalesce(k.handler_staff_id, h.id) = :staff)"""),
        params | now_clock.params() | {"staff": staff_id})


def _customer_kinds(conn, today: date, params: dict) -> None:
    schedule_head, schedule = callbacks.schedule_sql(conn, Scope(None), today)
    conn.execute(sa.text(schedule_head + f"""
    {_INSERT}
    SELECT owner_staff_id, 'customer_callback', customer_code || '@' || due_on, {_end_of('due_on')}, NULL::integer, NULL::bigint,
           customer_id
    FROM schedule WHERE owner_staff_id IS NOT NULL AND due_on <= CAST(:d AS date)"""), schedule | params)
    conn.execute(sa.text("WITH RECURSIVE " + callbacks._DETRACTORS + f"""
    {_INSERT}
    SELECT owner_staff_id, 'detractor_callback', customer_code || '@' || surveyed_on, {_end_of('due_on')},
           NULL::integer, NULL::bigint, customer_id
    FROM detractors WHERE owner_staff_id IS NOT NULL"""), schedule | params)
    conn.execute(sa.text(f"""
    {_INSERT}
    SELECT coalesce(g.staff_id, cu.owner_staff_id), 'gift_unconfirmed', g.id::text,
           {_end_of(f'(g.sent_on + {callbacks.GIFT_CONFIRM_DAYS})')}, NULL::integer, NULL::bigint, g.customer_id
    FROM customer_gifts g JOIN customers cu ON cu.id = g.customer_id
    WHERE g.confirmed_on IS NULL AND CAST(:today AS date) > g.sent_on + {callbacks.GIFT_CONFIRM_DAYS}
      AND coalesce(g.staff_id, cu.owner_staff_id) IS NOT NULL"""), params)
    month = Period.parse(today.strftime("%Y-%m"))
    sql, flag_params = fluctuation.fluctuation_sql(Scope(None), month, today, named=False, conn=conn)
    conn.execute(sa.text(f"""
    {_INSERT}
    SELECT cu.owner_staff_id, 'customer_' || f.flag, cu.code || '@' || :month, :now, NULL::integer, NULL::bigint, cu.id
    FROM ({sql}) f JOIN customers cu ON cu.id = f.customer_id
    WHERE f.flag IN ('drop', 'stopped') AND cu.owner_staff_id IS NOT NULL"""),
        flag_params | params | {"month": month.label})
    tier_head, tier_params = tiers._tiers_head(conn, Scope(None), month, today)  # the stored windows when it can
    conn.execute(sa.text(tier_head + f"""
    {_INSERT}
    SELECT cu.owner_staff_id, CASE c.change WHEN 'downgrade' THEN 'tier_down' ELSE 'tier_lost' END,
           cu.code || '@' || :month, :now, NULL::integer, NULL::bigint, cu.id
    FROM changes c JOIN customers cu ON cu.id = c.customer_id
    WHERE c.change IN ('downgrade', 'lost') AND cu.owner_staff_id IS NOT NULL"""),
        tier_params | params | {"month": month.label})


def _suggestion_kinds(conn, params: dict) -> None:
    conn.execute(sa.text(f"""
    {_INSERT}
    SELECT from_staff_id, 'suggestion_answered', id::text, answered_at, plan_id, NULL::bigint, NULL::integer
    FROM suggestions WHERE answered_at IS NOT NULL AND answered_at <= :now
      AND answered_at > CAST(:now AS timestamptz) - interval '{ANSWERED_DAYS} days'
    UNION ALL
    SELECT g.to_staff_id, 'task_feedback', g.id::text, g.created_at, g.plan_id, NULL::bigint, NULL::integer
    FROM suggestions g JOIN plans p ON p.id = g.plan_id
    WHERE p.kind = 'task' AND g.answered_at IS NULL AND g.created_at <= :now"""), params)


def _rating_kinds(conn, params: dict) -> None:
    """A participant's rating due in an open cycle: whom they rate follows the organisation among the
    cycle's participants (metrics/evaluation.py), until the rating is given or the cycle closes."""
    from dashboard.writes.evaluation import cycle_period

    open_cycles = conn.execute(sa.text(
        "SELECT cycle, opened_at FROM evaluation_cycles WHERE closed_at IS NULL ORDER BY cycle")).all()
    for name, opened_at in open_cycles:
        try:   # due by the end of the cycle's own period, or the day it was opened if that is later
            end = max(cycle_period(name).end, opened_at.astimezone(app_timezone()).date())
        except ValueError:
            end = opened_at.astimezone(app_timezone()).date()
        conn.execute(sa.text(evaluation._PAIRS + f""",
        {_PEOPLE}
        {_INSERT}
        SELECT p.evaluator_id, 'rating_requested', CAST(:cycle AS text) || '/' || x.staff_no,
               {_end_of('CAST(:cycle_end AS date)')}, NULL::integer, NULL::bigint, NULL::integer
        FROM pairs p JOIN people x ON x.id = p.evaluatee_id JOIN active a ON a.id = p.evaluator_id
        WHERE p.relation IS NOT NULL AND (CAST(:staff AS integer) IS NULL OR p.evaluator_id = :staff)
          AND NOT EXISTS (SELECT 1 FROM evaluations_360 e WHERE e.period = :cycle
                          AND e.evaluator_staff_id = p.evaluator_id AND e.evaluatee_staff_id = p.evaluatee_id)"""),
            params | {"cycle": name, "cycle_end": end, "department": None})


def _cost_kinds(conn, today: date, params: dict) -> None:
    """A department's actual cost of a category above its approved budget pro-rated to the month to
    date (metrics/cost.py, the Service cost page's cut of a running month), once per month."""
    month = Period.parse(today.strftime("%Y-%m"))
    first = "CAST(:month_start AS date)"
    conn.execute(sa.text(f"""
    WITH {_PEOPLE},
    managers AS (SELECT id FROM active WHERE role = 'manager'),
    budgeted AS (
        SELECT b.department_id, b.category, sum({cost.share('b', first, 'CAST(:today AS date)')}) AS n
        FROM service_budgets b
        WHERE b.status = 'approved' AND b.period_start <= CAST(:today AS date) AND b.period_end >= {first}
        GROUP BY b.department_id, b.category
    ),
    spent AS (
        SELECT e.department_id, e.category, sum(e.amount) AS actual
        FROM cost_entries e WHERE e.entry_date BETWEEN {first} AND CAST(:today AS date)
        GROUP BY e.department_id, e.category
    ),
    overrun AS (
        SELECT d.id AS department_id, d.code || '/' || b.category || '@' || :month AS ref
        FROM budgeted b JOIN spent s USING (department_id, category) JOIN departments d ON d.id = b.department_id
        WHERE s.actual > {cost.cents('b.n')}
    )
    {_INSERT}
    SELECT t.staff_id, 'budget_overrun', o.ref, {_end_of('CAST(:month_end AS date)')}, NULL::integer, NULL::bigint,
           NULL::integer
    FROM overrun o
    JOIN LATERAL (SELECT h.id AS staff_id FROM heads h WHERE h.department_id = o.department_id
                  UNION ALL SELECT m.id FROM managers m) t ON true"""),
        params | {"month": month.label, "month_start": month.start, "month_end": month.end})


def refresh(conn, now: datetime, staff_id: int | None = None) -> dict[str, int]:
    """Make the reminders due at `now` and resolve those whose condition ended; for one person or everyone.

    Returns the counts of reminders made, reopened and resolved.
    """
    tz = app_timezone()
    today = now.astimezone(tz).date()
    share = conn.execute(sa.text("SELECT (value #>> '{}')::numeric FROM settings WHERE key = 'reminder_sla_share'")
                         ).scalar()
    params = {"now": now, "today": today, "tz": tz.key, "share": share if share is not None else 0.75}
    conn.execute(sa.text(_WANTED))
    conn.execute(sa.text("TRUNCATE wanted_reminders"))
    _plan_kinds(conn, today, params)
    _complaint_kinds(conn, params, staff_id)
    _customer_kinds(conn, today, params)
    _suggestion_kinds(conn, params)
    _rating_kinds(conn, params | {"staff": staff_id})
    _cost_kinds(conn, today, params)
    who = {"staff": staff_id}
    made = conn.execute(sa.text("""
        WITH upsert AS (
            INSERT INTO reminders AS r (staff_id, kind, ref, due_at, plan_id, complaint_id, customer_id, created_at)
            SELECT DISTINCT ON (staff_id, kind, ref) staff_id, kind, ref, due_at, plan_id, complaint_id, customer_id, :now
            FROM wanted_reminders
            WHERE CAST(:staff AS integer) IS NULL OR staff_id = :staff
            ORDER BY staff_id, kind, ref, due_at
            ON CONFLICT (staff_id, kind, ref) WHERE kind IS NOT NULL
            DO UPDATE SET resolved_at = NULL, due_at = EXCLUDED.due_at
            WHERE r.resolved_at IS NOT NULL OR r.due_at IS DISTINCT FROM EXCLUDED.due_at
            RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upsert"""),
        params | who).one()
    resolved = conn.execute(sa.text("""
        UPDATE reminders r SET resolved_at = :now
        WHERE r.kind IS NOT NULL AND r.resolved_at IS NULL
          AND (CAST(:staff AS integer) IS NULL OR r.staff_id = :staff)
          AND NOT EXISTS (SELECT 1 FROM wanted_reminders w
                          WHERE w.staff_id = r.staff_id AND w.kind = r.kind AND w.ref = r.ref)"""),
        params | who).rowcount
    conn.execute(sa.text("DROP TABLE wanted_reminders"))
    return {"made": made[0], "updated": made[1], "resolved": resolved}


def _own(conn, user: User, reminder_id: int) -> int | None:
    """The reminder's id when it is the user's own (anyone else's reads as one that does not exist)."""
    return conn.execute(sa.text("""SELECT r.id FROM reminders r JOIN staff s ON s.id = r.staff_id
                                   WHERE r.id = :i AND s.staff_no = :s"""),
                        {"i": reminder_id, "s": user.staff_no}).scalar()


def mark_read(conn, user: User, reminder_ids: list[int], now: datetime) -> int:
    """Mark the user's own reminders read; others' are ignored. Returns how many changed."""
    ids = [i for i in reminder_ids if _own(conn, user, i)]
    if not ids:
        return 0
    return conn.execute(sa.text("UPDATE reminders SET read_at = :now WHERE id = ANY(:ids) AND read_at IS NULL"),
                        {"now": now, "ids": ids}).rowcount


def dismiss(conn, user: User, reminder_id: int, now: datetime) -> bool:
    """Dismiss one of the user's own reminders (it stays dismissed for this record)."""
    if not _own(conn, user, reminder_id):
        return False
    conn.execute(sa.text("UPDATE reminders SET dismissed_at = :now, read_at = coalesce(read_at, :now) WHERE id = :i"),
                 {"now": now, "i": reminder_id})
    return True
