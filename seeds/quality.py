"""Demo data of service quality and evaluation: survey answers (the quarterly survey of seed 003),
360 reviews on the seed's four dimensions (a closed cycle last quarter, this quarter's still
open and half rated), skill assessments of last month and an appeal with its answer.

Called by seeds/demo.py once staff and customers exist. Its own random stream, so that the
rest of the demo stays as it was.
"""
from __future__ import annotations

import json
import random
from datetime import date, timedelta

from dashboard.core.periods import Period
from dashboard.core.settings import EVALUATION_DIMENSIONS

COMMENTS = [None, None, "服务及时", "希望响应更快", "客服态度很好", "问题解决得很彻底", "回访电话太多了"]


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def generate(conn, copier, *, seed: int, today: date, customers: list[tuple], staff: list[tuple],
             heads: dict[int, int], agents_by_dep: dict[int, list[int]], parent_of: dict[int, int | None]) -> dict:
    """Write the quality and evaluation demo rows through `copier` (seeds.demo.Copier); returns counts.

    `customers` holds (id, department_id, ...) and `staff` (id, staff_no, name, department_id, role).
    """
    import sqlalchemy as sa

    rng = random.Random(seed * 1000 + 24)
    dbapi = conn.connection.dbapi_connection
    counts = {}

    # -- surveys: about half the customers a year, a third of them with the surveying agent named --
    cp = copier(dbapi, "satisfaction_surveys", ["survey_no", "customer_id", "staff_id", "department_id", "surveyed_on",
                                                "csat", "nps", "comment"])
    for i in range(len(customers) // 2):
        cid, dep = customers[rng.randrange(len(customers))][:2]
        agents = agents_by_dep.get(dep) or []
        answered = rng.random()
        csat = rng.choices([1, 2, 3, 4, 5], [3, 5, 15, 42, 35])[0] if answered < 0.9 else None
        nps = rng.choices(range(11), [1, 1, 1, 2, 2, 3, 5, 10, 20, 30, 25])[0] if answered > 0.1 else None
        cp.add(f"S{i + 1:08d}", cid, rng.choice(agents) if agents and rng.random() < 0.35 else None, dep,
               today - timedelta(days=rng.randint(0, 365)), csat, nps, rng.choice(COMMENTS))
    cp.flush()
    counts["surveys"] = cp.total
    conn.execute(sa.text("SELECT setval('satisfaction_surveys_no_seq', :n + 1, false)"), {"n": cp.total})

    # -- 360 reviews: last quarter closed, this quarter open (about half have rated) -------------
    role_of = {sid: role for sid, _, _, _, role in staff}
    this_quarter = Period.containing("quarter", today)
    last_quarter = this_quarter.previous()
    pairs = []  # (evaluator, evaluatee, relation) as the organisation says
    for dep, members in agents_by_dep.items():
        head = heads[dep]
        members = members[:6]
        for m in members:
            pairs += [(head, m, "superior"), (m, head, "subordinate"), (m, m, "self")]
            pairs += [(m, p, "peer") for p in members if p != m][:2]
        pairs.append((head, head, "self"))
        regional = parent_of.get(dep)
        if regional in heads and heads[regional] != head:
            pairs += [(heads[regional], head, "superior"), (head, heads[regional], "subordinate")]
    participants = sorted({e for e, _, _ in pairs} | {x for _, x, _ in pairs})
    cycles = copier(dbapi, "evaluation_cycles", ["id", "cycle", "opened_at", "opened_by", "closed_at", "closed_by"])
    opened = today - timedelta(days=(today - this_quarter.start).days)
    cycles.add(1, _quarter(last_quarter.start), f"{last_quarter.end - timedelta(days=20)} 09:00+08",
               "hruser", f"{last_quarter.end + timedelta(days=10)} 18:00+08", "hruser")
    cycles.add(2, _quarter(today), f"{opened} 09:00+08", "hruser", None, None)
    cycles.flush()
    conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('evaluation_cycles', 'id'), 2)"))
    cp = copier(dbapi, "evaluation_participants", ["cycle_id", "staff_id"])
    for cycle_id in (1, 2):
        for sid in participants:
            cp.add(cycle_id, sid)
    cp.flush()
    cp = copier(dbapi, "evaluations_360", ["period", "evaluator_staff_id", "evaluatee_staff_id", "relation", "scores"])
    skill = {sid: rng.randint(62, 92) for sid in participants}  # each person's level, so results differ
    for cycle, share in ((_quarter(last_quarter.start), 1.0), (_quarter(today), 0.5)):
        raters = {sid for sid in participants if rng.random() < share}
        for evaluator, evaluatee, relation in pairs:
            if evaluator in raters:
                lift = 6 if relation == "self" else 0
                scores = {d: max(0, min(100, skill[evaluatee] + lift + rng.randint(-12, 12))) for d in EVALUATION_DIMENSIONS}
                cp.add(cycle, evaluator, evaluatee, relation, json.dumps(scores))
    cp.flush()
    counts["ratings"] = cp.total

    # -- skill assessments of last month, and one appeal answered -------------------------------
    last_month = Period.containing("month", today).previous()
    cp = copier(dbapi, "skill_assessments", ["staff_id", "period", "kind", "score", "assessed_on", "recorded_by"])
    month = f"{last_month.start.year}-{last_month.start.month:02d}"
    agents = [sid for sid in participants if role_of[sid] == "agent"]
    for sid in agents:
        for kind in ("written", "scenario", "callback_check", "observation"):
            cp.add(sid, month, kind, rng.randint(60, 98), last_month.end - timedelta(days=rng.randint(0, 10)), "hruser")
    cp.flush()
    if agents:
        conn.execute(sa.text("""INSERT INTO scorecard_appeals (staff_id, period, reason, created_at, answer, answered_by, answered_at)
                                VALUES (:s, :p, '回访数据漏记了两次上门服务。', :c, '已核实并补录，成绩重新计算。', 'hruser', :a)"""),
                     {"s": agents[0], "p": month, "c": f"{last_month.end + timedelta(days=2)} 10:00+08",
                      "a": f"{last_month.end + timedelta(days=4)} 15:00+08"})
    return counts
