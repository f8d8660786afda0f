"""Demo call records (issue 28): a hotline's inbound calls for the last year up to now, with the patterns a
contact centre sees: a morning and an afternoon peak, a lunch dip, a Monday peak, quiet weekends, waits that
grow with the load, some abandons (a few within seconds), repeat callers, and callers known only by number.
A few outbound calls too (they count in no inbound figure)."""
from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta

QUEUES = ("售前咨询", "售后服务", "投诉热线")
QUEUE_WEIGHTS = (45, 40, 15)
# calls per hour of day (08–20), relative: peaks at 10 and 15, a dip at lunch
HOURLY = {8: 0.5, 9: 1.0, 10: 1.3, 11: 1.1, 12: 0.55, 13: 0.7, 14: 1.1, 15: 1.25, 16: 1.0, 17: 0.7, 18: 0.35, 19: 0.2}
WEEKDAY = {0: 1.35, 1: 1.05, 2: 1.0, 3: 1.0, 4: 0.95, 5: 0.4, 6: 0.3}  # Monday's peak, quiet weekends


def generate(dbapi, copier, *, customers, agents_by_dep, heads, today: date, tz, seed: int, now: datetime | None = None,
             days: int = 365) -> int:
    """COPY the demo's calls; returns how many."""
    rng = random.Random(seed + 28)
    now = now or datetime.combine(today + timedelta(days=1), time(0), tz)
    per_day = max(40, min(600, len(customers) // 8))  # an ordinary weekday's calls
    agents = {dep: members or [heads[dep]] for dep, members in agents_by_dep.items()}
    cp = copier(dbapi, "calls", ["call_id", "direction", "started_at", "answered_at", "ended_at", "wrap_up_seconds",
                                 "queue", "staff_id", "customer_id", "caller", "department_id"])
    n = 0
    repeats: list[tuple[datetime, int, int, str | None]] = []  # (when, customer id, department, caller)

    def call(started, customer, dep, caller, load, direction="inbound"):
        nonlocal n
        n += 1
        # the wait grows with the load; patience runs out now and then, a few hang up at once
        wait = rng.expovariate(1 / (8 + 25 * max(0.0, load - 0.9)))
        patience = rng.expovariate(1 / 90)
        short = rng.random() < 0.03
        staff = rng.choice(agents[dep]) if dep is not None else rng.choice(agents[rng.choice(list(agents))])
        if direction == "outbound" or (not short and wait <= patience):
            answered = started + timedelta(seconds=round(wait if direction == "inbound" else rng.uniform(3, 15)))
            ended = answered + timedelta(seconds=round(rng.lognormvariate(math.log(180), 0.6)))
            wrap = round(rng.uniform(10, 60)) if rng.random() < 0.9 else None
        else:
            answered, wrap, staff = None, None, None
            ended = started + timedelta(seconds=round(rng.uniform(0.5, 4.5) if short else patience))
        if ended > now:
            return
        cp.add(f"CL{n:08d}", direction, started.isoformat(), answered.isoformat() if answered else None,
               ended.isoformat(), wrap, rng.choices(QUEUES, QUEUE_WEIGHTS)[0] if direction == "inbound" else None,
               staff, customer, caller, dep if dep is not None else None)
        # some answered callers call again within the day (not resolved at first contact)
        if answered and direction == "inbound" and rng.random() < 0.12:
            again = ended + timedelta(hours=rng.uniform(0.2, 30))
            if not 8 <= again.hour < 20:  # the hotline is open 08:00–20:00: the next morning
                again = datetime.combine(again.date() + timedelta(days=again.hour >= 20), time(8), tz) \
                    + timedelta(minutes=rng.randint(0, 120))
            repeats.append((again, customer, dep, caller))

    for back in range(days, -1, -1):
        day = today - timedelta(days=back)
        for hour, weight in HOURLY.items():
            load = weight * WEEKDAY[day.weekday()]
            for _ in range(round(per_day / sum(HOURLY.values()) * load * rng.uniform(0.8, 1.2))):
                started = datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)), tz)
                if started > now:
                    continue
                if rng.random() < 0.2:  # a caller known only by number
                    call(started, None, None, f"13{rng.randint(0, 999_999_999):09d}", load)
                else:
                    cid, dep = customers[rng.randrange(len(customers))][:2]
                    call(started, cid, dep, f"021{cid % 100_000_000:08d}", load)
                if rng.random() < 0.05:
                    cid, dep = customers[rng.randrange(len(customers))][:2]
                    call(started + timedelta(minutes=1), cid, dep, None, load, direction="outbound")
        due = [r for r in repeats if r[0].date() <= day]
        repeats = [r for r in repeats if r[0].date() > day]
        for when, cid, dep, caller in due:
            if when <= now:
                call(when, cid, dep, caller, 1.0)
    cp.flush()
    return n
