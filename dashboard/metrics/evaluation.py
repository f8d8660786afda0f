"""Evaluation (业绩考核): 360 reviews, only ever as means per relation.

The subordinates' mean stays empty until at least three subordinates rated; no rating is
ever returned on its own.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.metrics.sql import SCOPE_CTE, frame, scoped

MIN_SUBORDINATE_RATERS = 3


def evaluation_360(conn: Connection, scope: Scope, staff_no: str, period: str) -> pd.DataFrame:
    """One staff member's 360 review for `period`: per relation, raters and mean score (0-100).

    A rating's score is the weighted mean of its dimensions (weights: setting
    `evaluation_weights`). Ratings are never returned one by one; the subordinates' mean is
    empty unless at least three subordinates rated. A staff member outside `scope` reads like one
    nobody rated, as one that does not exist.
    """
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE},
    weights AS (SELECT w.dimension, w.weight::numeric AS weight
                     FROM settings, jsonb_each_text(settings.value) w(dimension, weight)
                     WHERE settings.key = 'evaluation_weights'),
    rated AS (
        SELECT e.id, e.relation, sum(s.value::numeric * w.weight) / nullif(sum(w.weight), 0) AS score
        FROM evaluations_360 e
        JOIN staff st ON st.id = e.evaluatee_staff_id JOIN scope ON scope.id = st.department_id
        CROSS JOIN LATERAL jsonb_each_text(e.scores) s(dimension, value)
        JOIN weights w ON w.dimension = s.dimension
        WHERE st.staff_no = :staff_no AND e.period = :period
        GROUP BY e.id, e.relation
    )
    SELECT r.relation, count(rated.id) AS raters,
           CASE WHEN r.relation <> 'subordinate' OR count(rated.id) >= :min_subordinates
                THEN round(avg(rated.score), 2) END AS mean_score
    FROM (VALUES ('superior', 1), ('peer', 2), ('subordinate', 3), ('self', 4)) r(relation, position)
    LEFT JOIN rated ON rated.relation = r.relation
    GROUP BY r.relation, r.position ORDER BY r.position"""
    return frame(conn, sql, {"staff_no": staff_no, "period": period, "min_subordinates": MIN_SUBORDINATE_RATERS}
                 | scoped(scope))
