"""Writes of the evaluation (业绩考核): cycles and participants, 360 ratings, skill assessments,
scorecard appeals and their answers.

A manager or an hr account runs cycles (hr changes only these tables: core/scope.py); each
participant rates whom the cycle's organisation says they rate (metrics/evaluation.py). A rating's
scores are never written to the audit trail, only that it was given: who rated whom, with which
relation, in which cycle, so the subordinates' ratings cannot be read back from any history.
"""
from __future__ import annotations

import re
from datetime import date, datetime

import sqlalchemy as sa

from dashboard.core import vocabulary
from dashboard.core.periods import Period
from dashboard.core.scope import AccessDenied
from dashboard.core.settings import EVALUATION_DIMENSIONS
from dashboard.core.user import User
from dashboard.metrics.evaluation import cycle_state, relation_between
from dashboard.writes.audit import audit
from dashboard.writes.validation import (
    Errors,
    check_version,
    choice,
    in_range,
    limited,
    locked_row,
    optional_text,
    require_role,
    required,
    staff_in_scope,
)

CYCLE_PATTERN = re.compile(r"\d{4}(-Q[1-4]|-H[12])?")
# A scorecard period: a cycle, or a month (seed 004 publishes monthly).
SCORECARD_PERIOD = re.compile(r"\d{4}(-Q[1-4]|-H[12]|-(0[1-9]|1[0-2]))?")
APPEAL_DAYS = 7
RUNS_CYCLES = ("manager", "hr")


def cycle_period(cycle: str) -> Period:
    """The dates of a cycle or scorecard period (2026-Q2, 2026-H1, 2026, 2026-05)."""
    if m := re.fullmatch(r"(\d{4})-H([12])", cycle):
        year, half = int(m[1]), int(m[2])
        return Period.custom(date(year, 1 if half == 1 else 7, 1), date(year, 6, 30) if half == 1 else date(year, 12, 31))
    return Period.parse(cycle)


def _cycle_text(errors: Errors, cycle: str | None, pattern=CYCLE_PATTERN) -> str | None:
    if not cycle or not pattern.fullmatch(cycle.strip()):
        errors.add("cycle", "err_cycle")
        return None
    return cycle.strip()


def open_cycle(conn, user: User, *, cycle: str) -> None:
    """Open a cycle (2026-Q2, 2026-H1, 2026): ratings may be given until it is closed."""
    require_role(user, *RUNS_CYCLES)
    errors = Errors()
    name = _cycle_text(errors, cycle)
    if name and cycle_state(conn, name) != "none":
        errors.add("cycle", "err_cycle_exists", value=name)
    errors.raise_any()
    row = conn.execute(sa.text("INSERT INTO evaluation_cycles (cycle, opened_by) VALUES (:c, :u) RETURNING *"),
                       {"c": name, "u": user.username}).mappings().one()
    audit(conn, user, "create", "evaluation_cycles", name, after=row)


def close_cycle(conn, user: User, *, cycle: str, version: int) -> None:
    """Close an open cycle: its results are published (to those whose scope holds the evaluatee)."""
    require_role(user, *RUNS_CYCLES)
    errors = Errors()
    before = locked_row(conn, "evaluation_cycles", "cycle", cycle)
    if before is None or before["closed_at"] is not None:
        errors.add("cycle", "err_cycle_not_open", value=cycle)
    errors.raise_any()
    check_version(conn, "evaluation_cycles", cycle, before, version)
    after = conn.execute(sa.text("""UPDATE evaluation_cycles SET closed_at = now(), closed_by = :u, version = version + 1
                                    WHERE id = :id RETURNING *"""), {"u": user.username, "id": before["id"]}).mappings().one()
    audit(conn, user, "close", "evaluation_cycles", cycle, before, after)


def set_participants(conn, user: User, *, cycle: str, staff_nos: list[str]) -> None:
    """The cycle's participants become exactly `staff_nos` (while it is open). Ratings already given stay."""
    require_role(user, *RUNS_CYCLES)
    errors = Errors()
    row = conn.execute(sa.text("SELECT id, closed_at FROM evaluation_cycles WHERE cycle = :c FOR UPDATE"),
                       {"c": cycle}).first()
    if row is None or row[1] is not None:
        errors.add("cycle", "err_cycle_not_open", value=cycle)
    ids = [staff_in_scope(conn, errors, user, s, "participants") for s in dict.fromkeys(staff_nos)]
    errors.raise_any()
    before = sorted(r[0] for r in conn.execute(sa.text(
        "SELECT st.staff_no FROM evaluation_participants ep JOIN staff st ON st.id = ep.staff_id WHERE ep.cycle_id = :c"),
        {"c": row[0]}))
    conn.execute(sa.text("DELETE FROM evaluation_participants WHERE cycle_id = :c AND NOT (staff_id = ANY(:ids))"),
                 {"c": row[0], "ids": ids})
    conn.execute(sa.text("""INSERT INTO evaluation_participants (cycle_id, staff_id) SELECT :c, unnest(CAST(:ids AS int[]))
                            ON CONFLICT DO NOTHING"""), {"c": row[0], "ids": ids})
    audit(conn, user, "update", "evaluation_participants", cycle, {"participants": before},
          {"participants": sorted(dict.fromkeys(staff_nos))})


def submit_rating(conn, user: User, *, cycle: str, evaluatee_staff_no: str, scores: dict) -> None:
    """The signed-in participant rates `evaluatee_staff_no` in an open cycle (again: replaces theirs).

    The relation comes from the organisation (superior, peer, subordinate, self); each dimension
    of setting `evaluation_weights` is a whole number 0-100. The audit entry says who rated whom,
    never the scores.
    """
    if user.staff_no is None:
        raise AccessDenied("a rating needs a staff record")
    errors = Errors()
    if cycle_state(conn, cycle) != "open":
        errors.add("cycle", "err_cycle_not_open", value=cycle)
        errors.raise_any()
    relation = relation_between(conn, cycle, user.staff_no, evaluatee_staff_no)
    if relation is None:
        errors.add("evaluatee_staff_no", "err_not_to_rate", value=evaluatee_staff_no)
    values = {}
    for dimension in EVALUATION_DIMENSIONS:
        value = scores.get(dimension)
        if value in (None, ""):
            errors.add(dimension, "err_required")
            continue
        try:
            number = int(str(value).strip()) if not isinstance(value, (int, float)) or float(value).is_integer() else None
        except ValueError:
            number = None
        if number is None or not 0 <= number <= 100:
            errors.add(dimension, "err_between", low=0, high=100)  # the value is not repeated
        else:
            values[dimension] = number
    errors.raise_any()
    ids = conn.execute(sa.text("SELECT (SELECT id FROM staff WHERE staff_no = :e), (SELECT id FROM staff WHERE staff_no = :x)"),
                       {"e": user.staff_no, "x": evaluatee_staff_no}).one()
    import json

    conn.execute(sa.text("""
        INSERT INTO evaluations_360 (period, evaluator_staff_id, evaluatee_staff_id, relation, scores)
        VALUES (:c, :e, :x, :r, CAST(:s AS jsonb))
        ON CONFLICT (period, evaluator_staff_id, evaluatee_staff_id)
        DO UPDATE SET scores = EXCLUDED.scores, relation = EXCLUDED.relation, created_at = now()"""),
        {"c": cycle, "e": ids[0], "x": ids[1], "r": relation, "s": json.dumps(values)})
    audit(conn, user, "rate", "evaluations_360", f"{cycle}/{user.staff_no}/{evaluatee_staff_no}",
          after={"cycle": cycle, "evaluator": user.staff_no, "evaluatee": evaluatee_staff_no, "relation": relation})


def record_assessment(conn, user: User, *, staff_no: str, period: str, kind: str, score, assessed_on: date,
                      note: str | None = None) -> None:
    """A skill assessment (书面测试、情景测试、服务回访、日常观察) of a staff member for a scorecard period.

    A head records them for their people, a manager or hr for anyone; again for the same kind
    and period replaces the score (the audit keeps both).
    """
    require_role(user, "manager", "head", "hr")
    errors = Errors()
    staff_id = staff_in_scope(conn, errors, user, staff_no)
    name = _cycle_text(errors, period, SCORECARD_PERIOD)
    choice(errors, "kind", kind, vocabulary.SKILL_ASSESSMENT.codes)
    in_range(errors, "assessed_on", required(errors, "assessed_on", assessed_on))
    limited(errors, "note", note)
    try:
        value = float(score)
        if not 0 <= value <= 100 or round(value, 2) != value:
            raise ValueError
    except (TypeError, ValueError):
        errors.add("score", "err_between", low=0, high=100)
    errors.raise_any()
    before = conn.execute(sa.text("SELECT * FROM skill_assessments WHERE staff_id = :s AND period = :p AND kind = :k"),
                          {"s": staff_id, "p": name, "k": kind}).mappings().first()
    after = conn.execute(sa.text("""
        INSERT INTO skill_assessments (staff_id, period, kind, score, assessed_on, note, recorded_by)
        VALUES (:s, :p, :k, :v, :d, :n, :u)
        ON CONFLICT (staff_id, period, kind) DO UPDATE SET score = EXCLUDED.score, assessed_on = EXCLUDED.assessed_on,
            note = EXCLUDED.note, recorded_by = EXCLUDED.recorded_by, version = skill_assessments.version + 1
        RETURNING *"""), {"s": staff_id, "p": name, "k": kind, "v": str(score), "d": assessed_on,
                          "n": optional_text(note), "u": user.username}).mappings().one()
    audit(conn, user, "update" if before else "create", "skill_assessments", f"{staff_no}/{name}/{kind}", before, after)


def appeal_scorecard(conn, user: User, *, period: str, reason: str, today: date) -> None:
    """The signed-in person appeals their scorecard of `period`, within a week of the period's end."""
    if user.staff_no is None:
        raise AccessDenied("an appeal needs a staff record")
    errors = Errors()
    name = _cycle_text(errors, period, SCORECARD_PERIOD)
    limited(errors, "reason", required(errors, "reason", reason))
    if name:
        end = cycle_period(name).end
        if today <= end:
            errors.add("period", "err_appeal_too_early", value=end.isoformat())
        elif (today - end).days > APPEAL_DAYS:
            errors.add("period", "err_appeal_too_late", days=APPEAL_DAYS)
        elif conn.execute(sa.text("""SELECT 1 FROM scorecard_appeals a JOIN staff st ON st.id = a.staff_id
                                     WHERE st.staff_no = :s AND a.period = :p"""), {"s": user.staff_no, "p": name}).first():
            errors.add("period", "err_appeal_exists", value=name)
    errors.raise_any()
    row = conn.execute(sa.text("""INSERT INTO scorecard_appeals (staff_id, period, reason)
                                  SELECT id, :p, :r FROM staff WHERE staff_no = :s RETURNING *"""),
                       {"p": name, "r": reason, "s": user.staff_no}).mappings().one()
    audit(conn, user, "create", "scorecard_appeals", f"{user.staff_no}/{name}", after=row)


def answer_appeal(conn, user: User, *, staff_no: str, period: str, answer: str) -> None:
    """A manager, hr, or the person's head answers an appeal (once; the answer is kept with it)."""
    require_role(user, "manager", "head", "hr")
    errors = Errors()
    staff_in_scope(conn, errors, user, staff_no)
    limited(errors, "answer", required(errors, "answer", answer))
    before = conn.execute(sa.text("""SELECT a.* FROM scorecard_appeals a JOIN staff st ON st.id = a.staff_id
                                     WHERE st.staff_no = :s AND a.period = :p FOR UPDATE OF a"""),
                          {"s": staff_no, "p": period}).mappings().first()
    if before is None:
        errors.add("period", "err_unknown", value=f"{staff_no} {period}")
    elif before["answer"] is not None:
        errors.add("answer", "err_appeal_answered")
    errors.raise_any()
    if staff_no == user.staff_no:
        raise AccessDenied("nobody answers their own appeal")
    after = conn.execute(sa.text("""UPDATE scorecard_appeals SET answer = :a, answered_by = :u, answered_at = :now
                                    WHERE id = :id RETURNING *"""),
                         {"a": answer, "u": user.username, "now": datetime.now().astimezone(), "id": before["id"]}
                         ).mappings().one()
    audit(conn, user, "answer", "scorecard_appeals", f"{staff_no}/{period}", before, after)
