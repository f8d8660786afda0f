"""Scorecards (业绩考核, seed 004 表2-6): per staff member and period (a month, quarter, half year or
year), each KPI's target, actual, weight, band and points, the total and its grade.

KPIs come from the service-quality figures of the period (metrics/quality.py, as of the end of
the period or today), the workload (customer-log entries and completed plan progress of the
person's plans in the period) and the skill assessments of the period (their mean). An actual
is in band `far_above` when it is more than 20 % above its target, `above` when above it, `at`
when equal, `below` otherwise; a KPI without an actual (no base) is left out and its weight
spread over the others. The total is Σ points × weight / Σ weight, 2 places; its grade is
优 excellent / 良 good / 中 fair by the floors of setting `scorecard_grade_bands`, else 差 poor.
Targets, weights, points and floors are settings (dashboard/core/settings.py).
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.core.scope import Scope
from dashboard.core.settings import SCORECARD_KPIS, SETTINGS
from dashboard.metrics import quality
from dashboard.metrics.sql import SCOPE_CTE, frame, scoped

MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
SCORECARD_COLUMNS = ("staff_no", "staff_name", "department_code", "score", "grade")


def _setting(conn: Connection, key: str) -> dict:
    stored = conn.execute(sa.text("SELECT value FROM settings WHERE key = :k"), {"k": key}).scalar()
    return stored if stored is not None else SETTINGS[key].default


def _months(name: str) -> int:
    if len(name) == 4:
        return MONTHS["year"]
    return MONTHS["half"] if "-H" in name else MONTHS["quarter"] if "-Q" in name else MONTHS["month"]


def band(actual, target) -> str:
    """far_above (> 20 % above target), above, at, or below, compared exactly."""
    actual, target = Decimal(str(actual)), Decimal(str(target))
    if actual > target * Decimal("1.2"):
        return "far_above"
    if actual > target:
        return "above"
    return "at" if actual == target else "below"


def grade(score, floors: dict) -> str | None:
    if score is None:
        return None
    for name in ("excellent", "good", "fair"):
        if Decimal(str(score)) >= Decimal(str(floors[name])):
            return name
    return "poor"


def _workload(conn: Connection, scope: Scope, start: date, end: date, as_of: date) -> dict[str, int]:
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT st.staff_no,
           (SELECT count(*) FROM work_logs w WHERE w.staff_id = st.id
              AND w.logged_at >= :from_ts AND w.logged_at < :to_ts AND w.logged_at <= :t)
         + (SELECT coalesce(sum(pr.completed_count), 0) FROM plan_progress pr JOIN plans p ON p.id = pr.plan_id
              WHERE p.staff_id = st.id AND pr.recorded_on BETWEEN :start AND :end AND pr.recorded_on <= :as_of) AS workload
    FROM staff st JOIN scope ON scope.id = st.department_id"""
    table = frame(conn, sql, quality._params(scope, start, end, as_of))
    return dict(zip(table["staff_no"], table["workload"].astype(int)))


def _skills(conn: Connection, scope: Scope, period: str) -> dict[str, Decimal]:
    sql = f"""
    WITH RECURSIVE {SCOPE_CTE}
    SELECT st.staff_no, avg(a.score) AS skills
    FROM skill_assessments a JOIN staff st ON st.id = a.staff_id JOIN scope ON scope.id = st.department_id
    WHERE a.period = :period GROUP BY st.staff_no"""
    table = frame(conn, sql, {"period": period} | scoped(scope))
    return dict(zip(table["staff_no"], table["skills"]))


def scorecard_kpis(conn: Connection, scope: Scope, period: str, as_of: date) -> pd.DataFrame:
    """Every staff member in scope with any figure in `period`: one row per KPI.

    Columns: staff_no, staff_name, department_code, kpi, target, actual, base, weight, band, points.
    """
    from dashboard.writes.evaluation import cycle_period

    dates = cycle_period(period)
    as_of = min(as_of, dates.end)
    figures = quality.quality(conn, scope, dates.start, dates.end, as_of)
    people = figures[figures["level"] == "staff"]
    workload, skills = _workload(conn, scope, dates.start, dates.end, as_of), _skills(conn, scope, period)
    targets, weights = _setting(conn, "scorecard_targets"), _setting(conn, "scorecard_weights")
    points = _setting(conn, "scorecard_band_points")
    bases = {"achievement_rate": "decided", "callback_on_time_rate": "resolved", "mean_satisfaction": "rated",
             "plan_completion": "planned_count", "service_success_rate": "completed_count",
             "retention_success_rate": "cases_decided", "csat": "csat_answers", "nps": "nps_answers"}
    rows = []
    for person in people.itertuples(index=False):
        for kpi in SCORECARD_KPIS:
            target = Decimal(str(targets[kpi]))
            if kpi == "workload":
                actual, base, target = workload.get(person.staff_no, 0), None, target * _months(period)
            elif kpi == "skills":
                actual, base = skills.get(person.staff_no), None
            else:
                actual, base = getattr(person, kpi), getattr(person, bases[kpi])
            actual = None if actual is None or (isinstance(actual, float) and pd.isna(actual)) else actual
            which = band(actual, target) if actual is not None else None
            rows.append({"staff_no": person.staff_no, "staff_name": person.staff_name,
                         "department_code": person.department_code, "kpi": kpi, "target": target,
                         "actual": actual, "base": base, "weight": weights[kpi], "band": which,
                         "points": points[which] if which else None})
    return pd.DataFrame(rows, columns=["staff_no", "staff_name", "department_code", "kpi", "target", "actual", "base",
                                       "weight", "band", "points"])


def _total(kpis: pd.DataFrame) -> Decimal | None:
    counted = kpis[kpis["points"].notna() & (kpis["weight"] > 0)]
    if counted.empty:
        return None
    total = sum(Decimal(str(p)) * Decimal(str(w)) for p, w in zip(counted["points"], counted["weight"]))
    return (total / sum(Decimal(str(w)) for w in counted["weight"])).quantize(Decimal("0.01"), ROUND_HALF_UP)


def scorecards(conn: Connection, scope: Scope, period: str, as_of: date) -> pd.DataFrame:
    """One row per staff member in scope with any figure in `period`: total score and grade, best first."""
    kpis = scorecard_kpis(conn, scope, period, as_of)
    floors = _setting(conn, "scorecard_grade_bands")
    rows = []
    for (staff_no, name, department), part in kpis.groupby(["staff_no", "staff_name", "department_code"], sort=False):
        score = _total(part)
        rows.append({"staff_no": staff_no, "staff_name": name, "department_code": department, "score": score,
                     "grade": grade(score, floors)})
    table = pd.DataFrame(rows, columns=list(SCORECARD_COLUMNS))
    order = table["score"].map(lambda v: -1 if v is None else float(v))
    return table.assign(_order=order).sort_values(["_order", "staff_no"], ascending=[False, True]) \
        .drop(columns="_order").reset_index(drop=True)


def scorecard(conn: Connection, scope: Scope, staff_no: str, period: str, as_of: date) -> pd.DataFrame:
    """One person's KPI table (a person outside scope, or without figures, has none)."""
    kpis = scorecard_kpis(conn, scope, period, as_of)
    return kpis[kpis["staff_no"] == staff_no].reset_index(drop=True)


def total_of(kpis: pd.DataFrame, conn: Connection) -> tuple[Decimal | None, str | None]:
    """A KPI table's total and grade."""
    score = _total(kpis)
    return score, grade(score, _setting(conn, "scorecard_grade_bands"))

