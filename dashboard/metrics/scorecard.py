"""Scorecards (业绩考核, seed 004 表2-6): per staff member and period (a month, quarter, half year or
year), each KPI's target, actual, weight, band and points, the total and its grade.

KPIs come from the service-quality figures of the period (metrics/quality.py, as of the end of
the period or today), the workload (customer-log entries and completed plan progress of the
person's plans in the period), the skill assessments of the period (their mean), and the
customers the person owns now (tier upgrade / downgrade / lost rates, new customers, volume
change) with the person's service cost (_customers). An actual is in band `far_above` when it
is more than 20 % of its target above it, `above` when above it, `at` when equal, `below`
otherwise (mirrored for LOWER_IS_BETTER: `far_above` more than 20 % under the target); a KPI without an actual (no base) is left out and its weight
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

from dashboard.core import formats
from dashboard.core.scope import Scope
from dashboard.core.settings import SCORECARD_KPIS, SETTINGS
from dashboard.metrics import fluctuation, quality, tiers
from dashboard.metrics.sql import SCOPE_CTE, frame, rate, scoped

MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}
# KPIs where less is better: their bands are mirrored (far_above = more than 20 % under target)
LOWER_IS_BETTER = frozenset({"downgrade_rate", "lost_rate", "service_cost"})
# KPIs whose target is per month (multiplied by the period's months)
PER_MONTH = frozenset({"workload", "new_customers", "service_cost"})
CUSTOMER_KPIS = ("upgrade_rate", "downgrade_rate", "lost_rate", "new_customers", "volume_change", "service_cost")
SCORECARD_COLUMNS = ("staff_no", "staff_name", "department_code", "score", "grade")


# how a KPI's target and actual read: a rate, an amount, a count or a mean
RATES = frozenset({"achievement_rate", "callback_on_time_rate", "plan_completion", "service_success_rate",
                   "retention_success_rate", "nps", "upgrade_rate", "downgrade_rate", "lost_rate", "volume_change"})


def kpi_text(kpi: str, value) -> str:
    """A KPI's target or actual as the tables write it: 90.0%, ¥2,000.00, 40, 4.50 (missing: —)."""
    if kpi in RATES:
        return formats.fmt_rate(value)
    if kpi == "service_cost":
        return formats.fmt_money(value)
    return formats.fmt_number(value, 0 if kpi in ("workload", "new_customers") else 2)


def base_text(kpi: str, value, lang: str) -> str:
    """A KPI's base as the tables write it: the previous volume of a volume change is an amount (short)."""
    if kpi == "volume_change":
        return "—" if formats.missing(value) else formats.fmt_money_short(value, lang)
    return formats.fmt_number(value)


def _setting(conn: Connection, key: str) -> dict:
    stored = conn.execute(sa.text("SELECT value FROM settings WHERE key = :k"), {"k": key}).scalar()
    default = SETTINGS[key].default
    # a value stored before a KPI was added lacks it: the KPI takes its default
    return default | stored if isinstance(stored, dict) and isinstance(default, dict) else \
        stored if stored is not None else default


def _months(name: str) -> int:
    if len(name) == 4:
        return MONTHS["year"]
    return MONTHS["half"] if "-H" in name else MONTHS["quarter"] if "-Q" in name else MONTHS["month"]


def band(actual, target, lower_is_better: bool = False) -> str:
    """far_above (better than target by more than 20 % of it), above, at, or below, compared exactly.

    Better is higher, or with `lower_is_better` lower; 20 % of a target is of its size, so a
    negative target (a volume change of -5 %) bands the same way as a positive one.
    """
    actual, target = Decimal(str(actual)), Decimal(str(target))
    if lower_is_better:
        actual, target = -actual, -target
    if actual - target > abs(target) * Decimal("0.2"):
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


def _customers(conn: Connection, scope: Scope, period, as_of: date) -> dict[str, dict]:
    """Per staff member in scope, the changes of the customers they own (customers.owner_staff_id,
    the owner now) in `period` as of `as_of`, and the cost entries they made in it.

    tiered: owned customers with a tier at the previous period's end (the base of the three tier
    rates); upgrades / downgrades / lost of those (tiers.py, like for like when running);
    new_customers: owned customers whose first order falls in the period (fluctuation's 'new');
    volume_change = (Σ volume - Σ previous volume) / Σ previous volume over the owned customers
    (fluctuation's volumes, like for like); service_cost: Σ of their cost entries dated in the period
    up to `as_of` (entries of departments in scope).
    """
    # the stored 365-day windows when they are stored (or can be), else live (tiers.py)
    tier_head, tier_params = tiers._tiers_head(conn, scope, period, as_of)
    tier_sql = tier_head + """,
    tier_counts AS (
        SELECT cu.owner_staff_id AS staff_id, count(*) FILTER (WHERE c.prev_rank IS NOT NULL) AS tiered,
               count(*) FILTER (WHERE c.change = 'upgrade') AS upgrades,
               count(*) FILTER (WHERE c.change = 'downgrade') AS downgrades,
               count(*) FILTER (WHERE c.change = 'lost') AS lost
        FROM changes c JOIN customers cu ON cu.id = c.customer_id
        WHERE cu.owner_staff_id IS NOT NULL GROUP BY 1
    )"""
    flux_sql, flux_params = fluctuation.fluctuation_sql(scope, period, as_of, named=False, conn=conn)
    # a nested WITH: the fluctuation rows read this query's scope
    flux_sql = flux_sql.replace(f"WITH RECURSIVE {SCOPE_CTE},", "WITH", 1)
    assert "scope(id) AS" not in flux_sql
    sql = f"""{tier_sql},
    flux AS ({flux_sql}),
    flux_counts AS (
        SELECT cu.owner_staff_id AS staff_id, count(*) FILTER (WHERE f.flag = 'new') AS new_customers,
               sum(f.volume) AS volume, sum(f.previous_volume) AS previous_volume
        FROM flux f JOIN customers cu ON cu.id = f.customer_id
        WHERE cu.owner_staff_id IS NOT NULL GROUP BY 1
    ),
    owned AS (
        SELECT cu.owner_staff_id AS staff_id, count(*) AS customers
        FROM customers cu JOIN scope ON scope.id = cu.department_id
        WHERE cu.owner_staff_id IS NOT NULL GROUP BY 1
    ),
    costs AS (
        SELECT e.staff_id, sum(e.amount) AS service_cost, count(*) AS cost_entries
        FROM cost_entries e JOIN scope ON scope.id = e.department_id
        WHERE e.staff_id IS NOT NULL AND e.entry_date BETWEEN :cost_start AND :cost_end GROUP BY 1
    )
    SELECT st.staff_no, coalesce(o.customers, 0) AS customers, coalesce(t.tiered, 0) AS tiered,
           {rate('coalesce(t.upgrades, 0)', 't.tiered')} AS upgrade_rate,
           {rate('coalesce(t.downgrades, 0)', 't.tiered')} AS downgrade_rate,
           {rate('coalesce(t.lost, 0)', 't.tiered')} AS lost_rate,
           coalesce(f.new_customers, 0) AS new_customers, f.previous_volume,
           {rate('f.volume - f.previous_volume', 'f.previous_volume')} AS volume_change,
           coalesce(c.service_cost, 0.00) AS service_cost, coalesce(c.cost_entries, 0) AS cost_entries
    FROM staff st JOIN scope ON scope.id = st.department_id
    LEFT JOIN owned o ON o.staff_id = st.id LEFT JOIN tier_counts t ON t.staff_id = st.id
    LEFT JOIN flux_counts f ON f.staff_id = st.id LEFT JOIN costs c ON c.staff_id = st.id
    WHERE o.customers IS NOT NULL OR c.cost_entries IS NOT NULL"""
    params = tier_params | flux_params | {
        "cost_start": period.start, "cost_end": min(period.end, as_of)}
    table = frame(conn, sql, params)
    return {row["staff_no"]: row for row in table.to_dict("records")}


def _customer_kpi(figures: dict | None, kpi: str):
    """(actual, base) of a customer KPI; no actual for a person who owns no customers (cost: and made no entry)."""
    if figures is None:
        return None, None
    if kpi == "service_cost":
        return figures["service_cost"], figures["cost_entries"]
    if figures["customers"] == 0:
        return None, None
    if kpi == "new_customers":
        return figures["new_customers"], figures["customers"]
    if kpi == "volume_change":
        return figures["volume_change"], figures["previous_volume"]
    return figures[kpi], figures["tiered"]


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
    customers = _customers(conn, scope, dates, as_of)
    targets, weights = _setting(conn, "scorecard_targets"), _setting(conn, "scorecard_weights")
    points = _setting(conn, "scorecard_band_points")
    bases = {"achievement_rate": "decided", "callback_on_time_rate": "resolved", "mean_satisfaction": "rated",
             "plan_completion": "planned_count", "service_success_rate": "completed_count",
             "retention_success_rate": "cases_decided", "csat": "csat_answers", "nps": "nps_answers"}
    rows = []
    for person in people.itertuples(index=False):
        for kpi in SCORECARD_KPIS:
            target = Decimal(str(targets[kpi])) * (_months(period) if kpi in PER_MONTH else 1)
            if kpi == "workload":
                actual, base = workload.get(person.staff_no, 0), None
            elif kpi in CUSTOMER_KPIS:
                actual, base = _customer_kpi(customers.get(person.staff_no), kpi)
            elif kpi == "skills":
                actual, base = skills.get(person.staff_no), None
            else:
                actual, base = getattr(person, kpi), getattr(person, bases[kpi])
            actual = None if actual is None or (isinstance(actual, float) and pd.isna(actual)) else actual
            which = band(actual, target, kpi in LOWER_IS_BETTER) if actual is not None else None
            rows.append({"staff_no": person.staff_no, "staff_name": person.staff_name,
                         "department_code": person.department_code, "kpi": kpi, "target": target,
                         "actual": actual, "base": base, "weight": weights[kpi], "band": which,
                         "points": points[which] if which else None})
    return pd.DataFrame(rows, columns=["staff_no", "staff_name", "department_code", "kpi", "target", "actual", "base",
                                       "weight", "band", "points"])


def _weighted(points_and_weights) -> Decimal | None:
    """Σ points × weight / Σ weight over the KPIs with points and a positive weight, 2 places."""
    total = weights = Decimal(0)
    counted = False
    for p, w in points_and_weights:
        if p is None or pd.isna(p) or not w > 0:
            continue
        total += Decimal(str(p)) * Decimal(str(w))
        weights += Decimal(str(w))
        counted = True
    return (total / weights).quantize(Decimal("0.01"), ROUND_HALF_UP) if counted else None


def _total(kpis: pd.DataFrame) -> Decimal | None:
    return _weighted(zip(kpis["points"].tolist(), kpis["weight"].tolist()))


def _totals(kpis: pd.DataFrame) -> dict[str, Decimal | None]:
    """_total per staff member, in one pass over the rows (a frame per person cost seconds at 5,000 staff)."""
    per_person: dict[str, list] = {}
    for staff_no, p, w in zip(kpis["staff_no"].tolist(), kpis["points"].tolist(), kpis["weight"].tolist()):
        per_person.setdefault(staff_no, []).append((p, w))
    return {staff_no: _weighted(pairs) for staff_no, pairs in per_person.items()}


def scorecard_book(conn: Connection, scope: Scope, period: str, as_of: date) -> pd.DataFrame:
    """scorecard_kpis with each person's total score and grade on every row (考核记分册): the one read
    behind both the scorecard list and a person's KPI table, so a page showing both computes it once."""
    kpis = scorecard_kpis(conn, scope, period, as_of)
    floors = _setting(conn, "scorecard_grade_bands")
    totals = _totals(kpis)
    grades = {staff_no: grade(total, floors) for staff_no, total in totals.items()}
    people = kpis["staff_no"].tolist()
    return kpis.assign(score=pd.Series([totals[p] for p in people], index=kpis.index, dtype=object),
                       grade=pd.Series([grades[p] for p in people], index=kpis.index, dtype=object))


def cards_of(book: pd.DataFrame) -> pd.DataFrame:
    """One row per staff member of a scorecard_book: total score and grade, best first."""
    table = book.drop_duplicates("staff_no")[list(SCORECARD_COLUMNS)]
    order = table["score"].map(lambda v: -1 if v is None else float(v))
    return table.assign(_order=order).sort_values(["_order", "staff_no"], ascending=[False, True]) \
        .drop(columns="_order").reset_index(drop=True)


def kpis_of(book: pd.DataFrame, staff_no: str) -> pd.DataFrame:
    """One person's KPI table from a scorecard_book (none for a person not in it)."""
    return book[book["staff_no"] == staff_no].drop(columns=["score", "grade"]).reset_index(drop=True)


def scorecards(conn: Connection, scope: Scope, period: str, as_of: date) -> pd.DataFrame:
    """One row per staff member in scope with any figure in `period`: total score and grade, best first."""
    return cards_of(scorecard_book(conn, scope, period, as_of))


def scorecard(conn: Connection, scope: Scope, staff_no: str, period: str, as_of: date) -> pd.DataFrame:
    """One person's KPI table (a person outside scope, or without figures, has none)."""
    return kpis_of(scorecard_book(conn, scope, period, as_of), staff_no)


def total_of(kpis: pd.DataFrame, conn: Connection) -> tuple[Decimal | None, str | None]:
    """A KPI table's total and grade."""
    score = _total(kpis)
    return score, grade(score, _setting(conn, "scorecard_grade_bands"))

