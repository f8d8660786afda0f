"""Benchmark (not a test): generate and load the demo at scale, then time every export view.

    python bench/benchmark.py [--customers 50000] [--seed 7] [--repeat 3]

Uses a fresh database `dashboard_bench` on the embedded server (`.pgdata/`), or on
DATABASE_URL's server when set; it is dropped afterwards unless --keep. Prints one table:
figure, goal, measured, ratio.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from dashboard.exports import VIEWS, export_frame  # noqa: E402
from dashboard.periods import Period  # noqa: E402
from db.engine import embedded_url, make_engine, normalise_url  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from seeds.demo import generate  # noqa: E402

NAME = "dashboard_bench"


def database_url() -> tuple[str, str]:
    if os.environ.get("DATABASE_URL"):
        base = make_url(normalise_url(os.environ["DATABASE_URL"]))
        return str(base.set(database="postgres").render_as_string(False)), base.set(database=NAME).render_as_string(False)
    admin = embedded_url(database="postgres")
    return admin, str(make_url(admin).set(database=NAME).render_as_string(False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    admin_url, url = database_url()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{NAME}"'))
    engine = make_engine(url)
    upgrade(engine)

    rows: list[tuple[str, str, float, float | None]] = []
    started = time.perf_counter()
    counts = generate(engine, customers=args.customers, seed=args.seed, progress=lambda m: print(m, file=sys.stderr))
    load = time.perf_counter() - started
    rows.append((f"demo load ({counts['orders']:,} orders)", "≈ 60 s", load, load / 60))

    with engine.connect() as conn:
        today = conn.execute(sa.text("SELECT (value->>'today')::date FROM settings WHERE key = 'demo'")).scalar()
    month = Period.containing("month", today)
    params = {
        "complaints": dict(start=month.start, end=month.end),
        "complaint_summary": dict(start=month.start, end=month.end),
        "plans": dict(as_of=today),
        "fluctuation": dict(period=month),
        "tiers": dict(period=month),
        "retention": dict(start=today - timedelta(days=365), end=today),
        "grading": dict(as_of=today),
    }
    for view in VIEWS:
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with engine.connect() as conn:
                frame = export_frame(conn, view, **params[view])
            best = min(best, time.perf_counter() - t0)
        rows.append((f"export {view} ({len(frame):,} rows)", "≤ 1.0 s", best, best / 1.0))

    engine.dispose()
    if not args.keep:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))

    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'figure':<48} {'goal':>10} {'measured':>10} {'ratio':>7}")
    for figure, goal, measured, ratio in rows:
        print(f"{figure:<48} {goal:>10} {measured:>9.2f}s {ratio:>7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
