"""Evaluation (业绩考核): 360 reviews per cycle, only ever as means per relation.

metrics.md "Evaluation": a rating's score is the weighted mean of its dimensions (setting
`evaluation_weights`); per evaluatee and cycle, the mean per relation, the subordinates' only
with at least three subordinate raters, and `score` the relation means weighted by
`evaluation_relation_weights` (missing or hidden relations' weights spread over the others).
While a cycle opened in the app is open, no mean or score leaves this module: `evaluation`
refuses (CycleOpen) and the progress shows only who has rated. A cycle known only from
imported ratings is closed.

No function here returns a single rating: the one individual rating a person sees is their
own, given, through `my_ratings` (never its scores of others about them).
"""
from __future__ import annotations

import json

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.core.settings import SETTINGS
from dashboard.metrics.sql import SCOPE_CTE, frame, scoped

MIN_SUBORDINATE_RATERS = 3
EVALUATION_COLUMNS = ("staff_no", "department_code", "score", "superior_mean", "peer_mean", "subordinate_mean",
                      "self_score", "raters")


class CycleOpen(ValueError):
    """The cycle is still open: its means and scores are shown to no one until it closes."""

    def __init__(self, cycle: str):
        self.cycle = cycle
        super().__init__(f"cycle: '{cycle}' is still open; its results are published when it closes")


def _weights(key: str) -> str:
    """A CTE body: the weights of setting `key` (stored, else default) as (name, weight) rows."""
    default = json.dumps(SETTINGS[key].default)
    return (f"SELECT w.name, w.weight::numeric AS weight FROM jsonb_each_text(coalesce("
            f"(SELECT value FROM settings WHERE key = '{key}'), CAST('{default}' AS jsonb))) w(name, weight)")


def cycle_state(conn: Connection, cycle: str) -> str:
    """'open' (opened in the app, not closed), 'closed', or 'none' (no cycle and no rating)."""
    row = conn.execute(_text("SELECT closed_at IS NULL FROM evaluation_cycles WHERE cycle = :c"), {"c": cycle}).first()
    if row is not None:
        return "open" if row[0] else "closed"
    rated = conn.execute(_text("SELECT 1 FROM evaluations_360 WHERE period = :c LIMIT 1"), {"c": cycle}).first()
    return "closed" if rated else "none"


def _text(sql: str):
    import sqlalchemy as sa

    return sa.text(sql)


# Each rating of the cycle with its score (never returned as such: only aggregated below).
_RATED = f"""
WITH RECURSIVE {SCOPE_CTE},
dimension_weights AS ({_weights('evaluation_weights')}),
relation_weights AS ({_weights('evaluation_relation_weights')}),
rated AS (
    SELECT e.evaluatee_staff_id, e.relation,
           sum(s.value::numeric * w.weight) / nullif(sum(w.weight), 0) AS score  -- dimensions without a weight add nothing
    FROM evaluations_360 e
    JOIN staff st ON st.id = e.evaluatee_staff_id JOIN scope ON scope.id = st.department_id
    -- a rating on none of the dimensions still counts as a rater (its score is empty)
    LEFT JOIN LATERAL jsonb_each_text(e.scores) s(dimension, value) ON true
    LEFT JOIN dimension_weights w ON w.name = s.dimension
    WHERE e.period = :cycle AND (CAST(:staff_no AS text) IS NULL OR st.staff_no = :staff_no)
    GROUP BY e.id, e.evaluatee_staff_id, e.relation
),
per_relation AS (
    SELECT evaluatee_staff_id, relation, count(*) AS raters,
           CASE WHEN relation <> 'subordinate' OR count(*) >= :min_subordinates THEN avg(score) END AS mean
    FROM rated GROUP BY evaluatee_staff_id, relation
)"""


def evaluation(conn: Connection, scope: Scope, cycle: str) -> pd.DataFrame:
    """One row per evaluatee in scope with a rating in `cycle` (the `evaluation` view), plus name.

    Raises CycleOpen while the cycle is open. `raters` counts every rating received; the
    subordinates' mean is empty below three subordinate raters and then carries no weight.
    """
    if cycle_state(conn, cycle) == "open":
        raise CycleOpen(cycle)
    sql = _RATED + """
    SELECT st.staff_no, st.name AS staff_name, d.code AS department_code,
           round(sum(p.mean * rw.weight) FILTER (WHERE p.mean IS NOT NULL)
                 / nullif(sum(rw.weight) FILTER (WHERE p.mean IS NOT NULL), 0), 2) AS score,
           round(max(p.mean) FILTER (WHERE p.relation = 'superior'), 2) AS superior_mean,
           round(max(p.mean) FILTER (WHERE p.relation = 'peer'), 2) AS peer_mean,
           round(max(p.mean) FILTER (WHERE p.relation = 'subordinate'), 2) AS subordinate_mean,
           round(max(p.mean) FILTER (WHERE p.relation = 'self'), 2) AS self_score,
           sum(p.raters)::int AS raters,
           coalesce(sum(p.raters) FILTER (WHERE p.relation = 'subordinate'), 0)::int AS subordinate_raters
    FROM per_relation p
    JOIN staff st ON st.id = p.evaluatee_staff_id JOIN departments d ON d.id = st.department_id
    LEFT JOIN relation_weights rw ON rw.name = p.relation
    GROUP BY st.staff_no, st.name, d.code
    ORDER BY score DESC NULLS LAST, st.staff_no"""
    return frame(conn, sql, {"cycle": cycle, "staff_no": None, "min_subordinates": MIN_SUBORDINATE_RATERS}
                 | scoped(scope))


def evaluation_360(conn: Connection, scope: Scope, staff_no: str, period: str) -> pd.DataFrame:
    """One staff member's review for cycle `period`: per relation, raters and mean score (0-100).

    The subordinates' mean is empty unless at least three subordinates rated; every mean is
    empty while the cycle is open (the raters still count). A staff member outside `scope`
    reads like one nobody rated.
    """
    hidden = cycle_state(conn, period) == "open"
    sql = _RATED + """
    SELECT r.relation, coalesce(p.raters, 0)::int AS raters,
           CASE WHEN NOT :hidden THEN round(p.mean, 2) END AS mean_score
    FROM (VALUES ('superior', 1), ('peer', 2), ('subordinate', 3), ('self', 4)) r(relation, position)
    LEFT JOIN per_relation p ON p.relation = r.relation
    ORDER BY r.position"""
    return frame(conn, sql, {"cycle": period, "staff_no": staff_no, "hidden": hidden,
                             "min_subordinates": MIN_SUBORDINATE_RATERS} | scoped(scope))


# Who rates whom among a cycle's participants: the evaluator's relation to the evaluatee.
# superior: the evaluatee works in the evaluator's department or below it, and the evaluator's role
# ranks above theirs (or is the same head or manager role in a department above); subordinate:
# the other way round; peer: the same role in
# the same department (heads and managers: the same parent department); self.
# `pairs` holds only the pairs with a relation, each found through its own join (a person's subtree,
# a department, a parent): pairing every participant with every other grew with their square
# (250,000 pairs at 500 participants, 25 M at 5,000). Where two rules would hold, the first listed wins.
_PAIRS = f"""
WITH RECURSIVE {SCOPE_CTE},
ancestry(department_id, ancestor_id) AS (
    SELECT id, id FROM departments
    UNION ALL
    SELECT a.department_id, d.parent_id FROM ancestry a JOIN departments d ON d.id = a.ancestor_id
    WHERE d.parent_id IS NOT NULL
),
people AS MATERIALIZED (
    SELECT st.id, st.staff_no, st.name, st.department_id, d.parent_id, d.code AS department_code,
           CASE st.role WHEN 'manager' THEN 3 WHEN 'head' THEN 2 ELSE 1 END AS rank, st.role
    FROM evaluation_participants ep JOIN evaluation_cycles c ON c.id = ep.cycle_id
    JOIN staff st ON st.id = ep.staff_id JOIN departments d ON d.id = st.department_id
    WHERE c.cycle = :cycle
),
above AS (  -- e over x: x in e's department or below it, e ranking above x (or a head/manager above)
    SELECT e.id AS upper_id, x.id AS lower_id
    FROM people e JOIN ancestry a ON a.ancestor_id = e.department_id
    JOIN people x ON x.department_id = a.department_id
    WHERE e.rank > 1 AND e.id <> x.id
      AND (e.rank > x.rank OR (e.rank = x.rank AND e.department_id <> x.department_id))
),
candidates AS (
    SELECT id AS evaluator_id, id AS evaluatee_id, 1 AS precedence, 'self' AS relation FROM people
    UNION ALL SELECT upper_id, lower_id, 2, 'superior' FROM above
    UNION ALL SELECT lower_id, upper_id, 3, 'subordinate' FROM above
    UNION ALL
    SELECT e.id, x.id, 4, 'peer' FROM people e JOIN people x ON x.role = e.role AND x.department_id = e.department_id
    WHERE e.id <> x.id
    UNION ALL
    SELECT e.id, x.id, 4, 'peer' FROM people e
    JOIN people x ON x.role = e.role AND coalesce(x.parent_id, 0) = coalesce(e.parent_id, 0)
                 AND x.parent_id IS NOT DISTINCT FROM e.parent_id
    WHERE e.rank > 1 AND e.id <> x.id AND x.department_id <> e.department_id
),
pairs AS (
    SELECT DISTINCT ON (evaluator_id, evaluatee_id) evaluator_id, evaluatee_id, relation
    FROM candidates ORDER BY evaluator_id, evaluatee_id, precedence
)"""


def to_rate(conn: Connection, cycle: str, staff_no: str) -> pd.DataFrame:
    """Whom `staff_no` rates in `cycle` (a participant): evaluatee, relation, whether rated yet.

    Their own ratings' scores, given by them, come back so the form can show what they gave.
    """
    sql = _PAIRS + """
    SELECT x.staff_no AS evaluatee_staff_no, x.name AS evaluatee_name, x.department_code, p.relation,
           e.scores IS NOT NULL AS rated, e.scores
    FROM pairs p JOIN people ev ON ev.id = p.evaluator_id JOIN people x ON x.id = p.evaluatee_id
    LEFT JOIN evaluations_360 e ON e.period = :cycle AND e.evaluator_staff_id = p.evaluator_id
                                AND e.evaluatee_staff_id = p.evaluatee_id
    WHERE ev.staff_no = :staff_no AND p.relation IS NOT NULL
    ORDER BY array_position(ARRAY['self', 'superior', 'peer', 'subordinate'], p.relation), x.staff_no"""
    return frame(conn, sql, {"cycle": cycle, "staff_no": staff_no, "department": None})


def relation_between(conn: Connection, cycle: str, evaluator_no: str, evaluatee_no: str) -> str | None:
    """The evaluator's relation to the evaluatee among the cycle's participants (None: they do not rate)."""
    table = to_rate(conn, cycle, evaluator_no)
    found = table[table["evaluatee_staff_no"] == evaluatee_no]
    return None if found.empty else found["relation"].iloc[0]


def cycle_progress(conn: Connection, scope: Scope, cycle: str) -> pd.DataFrame:
    """Who has rated in `cycle`: per participant in scope, the ratings due and given (never a score).

    Columns: staff_no, staff_name, department_code, due, given, done.
    """
    sql = _PAIRS + """
    SELECT ev.staff_no, ev.name AS staff_name, ev.department_code,
           count(*) FILTER (WHERE p.relation IS NOT NULL)::int AS due,
           count(e.id) FILTER (WHERE p.relation IS NOT NULL)::int AS given
    FROM people ev JOIN pairs p ON p.evaluator_id = ev.id
    LEFT JOIN evaluations_360 e ON e.period = :cycle AND e.evaluator_staff_id = p.evaluator_id
                                AND e.evaluatee_staff_id = p.evaluatee_id
    WHERE ev.department_id IN (SELECT id FROM scope)
    GROUP BY ev.staff_no, ev.name, ev.department_code
    ORDER BY ev.department_code, ev.staff_no"""
    table = frame(conn, sql, {"cycle": cycle} | scoped(scope))
    return table.assign(done=table["given"] >= table["due"])


def cycles(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Every cycle (opened in the app, or named by imported ratings), newest first: state,
    participants and ratings in scope (counts only)."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    -- cycles opened in the app are the company's; one known only from ratings shows where its evaluatees are
    named AS (SELECT cycle FROM evaluation_cycles
              UNION SELECT DISTINCT e.period FROM evaluations_360 e JOIN staff st ON st.id = e.evaluatee_staff_id
                    WHERE st.department_id IN (SELECT id FROM scope))
    SELECT n.cycle, CASE WHEN c.id IS NOT NULL AND c.closed_at IS NULL THEN 'open' ELSE 'closed' END AS state,
           c.opened_at, c.opened_by, c.closed_at, c.closed_by, coalesce(c.version, 0) AS version,
           (SELECT count(*) FROM evaluation_participants ep JOIN staff st ON st.id = ep.staff_id
            WHERE ep.cycle_id = c.id AND st.department_id IN (SELECT id FROM scope))::int AS participants,
           (SELECT count(*) FROM evaluations_360 e JOIN staff st ON st.id = e.evaluatee_staff_id
            WHERE e.period = n.cycle AND st.department_id IN (SELECT id FROM scope))::int AS ratings
    FROM named n LEFT JOIN evaluation_cycles c ON c.cycle = n.cycle
    ORDER BY n.cycle DESC"""
    return frame(conn, sql, scoped(scope))


def participants(conn: Connection, scope: Scope, cycle: str) -> pd.DataFrame:
    """The cycle's participants in scope: staff_no, name, department, role."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT st.staff_no, st.name AS staff_name, d.code AS department_code, st.role
    FROM evaluation_participants ep JOIN evaluation_cycles c ON c.id = ep.cycle_id
    JOIN staff st ON st.id = ep.staff_id JOIN scope ON scope.id = st.department_id
    JOIN departments d ON d.id = st.department_id
    WHERE c.cycle = :cycle ORDER BY d.code, st.staff_no"""
    return frame(conn, sql, {"cycle": cycle} | scoped(scope))


def assessments(conn: Connection, scope: Scope, period: str) -> pd.DataFrame:
    """Skill assessments of `period` of the staff in scope: staff_no, name, department, kind, score."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT st.staff_no, st.name AS staff_name, d.code AS department_code, a.kind, a.score, a.assessed_on,
           a.recorded_by
    FROM skill_assessments a JOIN staff st ON st.id = a.staff_id JOIN scope ON scope.id = st.department_id
    JOIN departments d ON d.id = st.department_id
    WHERE a.period = :period ORDER BY d.code, st.staff_no, a.kind"""
    return frame(conn, sql, {"period": period} | scoped(scope))


def appeals(conn: Connection, scope: Scope, staff_no: str | None = None) -> pd.DataFrame:
    """Scorecard appeals of the staff in scope (or of one person), newest first, with their answers."""
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT st.staff_no, st.name AS staff_name, d.code AS department_code, a.period, a.reason, a.created_at,
           a.answer, a.answered_by, a.answered_at
    FROM scorecard_appeals a JOIN staff st ON st.id = a.staff_id JOIN scope ON scope.id = st.department_id
    JOIN departments d ON d.id = st.department_id
    WHERE CAST(:staff_no AS text) IS NULL OR st.staff_no = :staff_no
    ORDER BY a.created_at DESC"""
    return frame(conn, sql, {"staff_no": staff_no} | scoped(scope))
