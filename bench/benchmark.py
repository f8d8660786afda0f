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

from dashboard.core.periods import Period  # noqa: E402
from dashboard.core.scope import Scope  # noqa: E402
from dashboard.exports import VIEWS, export_frame  # noqa: E402
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


EXPORTS = {
    "departments.csv": "SELECT d.code, d.name, p.code AS parent_code, d.scope FROM departments d "
                       "LEFT JOIN departments p ON p.id = d.parent_id ORDER BY d.id",
    "staff.csv": "SELECT s.staff_no, s.name, d.code AS department_code, s.role, s.email, s.phone, s.hired_on "
                 "FROM staff s JOIN departments d ON d.id = s.department_id",
    "customers.csv": "SELECT c.code, c.name, d.code AS department_code, s.staff_no AS owner_staff_no, c.industry, c.region, "
                     "c.created_on, c.contact_name, c.contact_phone, c.contact_email FROM customers c "
                     "JOIN departments d ON d.id = c.department_id LEFT JOIN staff s ON s.id = c.owner_staff_id",
    "orders.csv": "SELECT o.order_no, c.code AS customer_code, o.order_date, o.amount, o.category FROM orders o "
                  "JOIN customers c ON c.id = o.customer_id",
    "complaints.csv": "SELECT t.complaint_no, c.code AS customer_code, {ts:received_at}, t.priority, t.content, t.channel, "
                      "t.category, s.staff_no AS handler_staff_no, {ts:first_response_at}, {ts:resolved_at}, t.resolution, "
                      "t.satisfaction, {ts:callback_at} FROM complaints t JOIN customers c ON c.id = t.customer_id "
                      "LEFT JOIN staff s ON s.id = t.handler_staff_id",
    "plans.csv": "SELECT p.plan_no, p.kind, p.type, p.horizon, p.start_date, p.end_date, d.code AS department_code, "
                 "s.staff_no, p.planned_count, p.minimum_count, p.planned_cost, p.content, p.purpose, p.method, "
                 "a.staff_no AS assigned_by_staff_no FROM plans p JOIN departments d ON d.id = p.department_id "
                 "LEFT JOIN staff s ON s.id = p.staff_id LEFT JOIN staff a ON a.id = p.assigned_by_staff_id",
    "plan_progress.csv": "SELECT p.plan_no, g.recorded_on, g.completed_count, g.cost, g.success_count, g.note "
                         "FROM plan_progress g JOIN plans p ON p.id = g.plan_id",
    "retention_cases.csv": "SELECT r.case_no, c.code AS customer_code, r.reason, r.intent, r.method, r.started_on, r.cost, "
                           "r.result, r.closed_on, s.staff_no, r.note FROM retention_cases r "
                           "JOIN customers c ON c.id = r.customer_id LEFT JOIN staff s ON s.id = r.staff_id",
}


def _ts(column: str) -> str:
    return f"to_char({column}, 'YYYY-MM-DD\"T\"HH24:MI:SSOF') AS {column}"


def write_files(engine, directory: Path) -> int:
    """The L data set as the import's CSV files."""
    import re

    directory.mkdir(parents=True, exist_ok=True)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for name, sql in EXPORTS.items():
            sql = re.sub(r"\{ts:(\w+)\}", lambda m: _ts(m.group(1)), sql)
            with open(directory / name, "w", encoding="utf-8") as handle:
                cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)", handle)
    finally:
        raw.close()
    return sum(1 for _ in open(directory / "orders.csv", encoding="utf-8")) - 1


# The tables the import files fill, in the order their references need (the COPY floor's tables).
FLOOR_TABLES = ("departments", "staff", "customers", "tier_rules", "orders", "complaints", "plans", "plan_progress",
                "retention_cases")


def import_rows(admin, source, keep: bool) -> list:
    """Import of the L files against the honest floor: a COPY of the same rows, as stored, into the same
    indexed tables with their running totals (the triggers fire). The floor neither parses nor checks
    nor resolves a code; the import does all three, and upserts."""
    import shutil
    import tempfile

    from dashboard.imports import import_directory

    directory = Path(tempfile.mkdtemp(prefix="bench-import-"))
    orders = write_files(source, directory)
    stored = Path(tempfile.mkdtemp(prefix="bench-floor-"))
    raw = source.raw_connection()
    try:
        for table in FLOOR_TABLES:  # the rows as stored, written out before the clock starts
            columns = _columns(raw, table)
            with open(stored / f"{table}.csv", "w", encoding="utf-8") as handle:
                order = "id" if "id" in columns else columns[0]
                raw.cursor().copy_expert(f"COPY (SELECT {', '.join(columns)} FROM {table} ORDER BY {order}) TO STDOUT "
                                         f"WITH (FORMAT csv)", handle)
    finally:
        raw.close()
    timings = {}
    for target in ("copy", "import"):
        name = f"{NAME}_{target}"
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(str(make_url(str(admin.url.render_as_string(False))).set(database=name)
                                 .render_as_string(False)))
        upgrade(engine)
        started = time.perf_counter()
        if target == "copy":
            raw = engine.raw_connection()
            cursor = raw.cursor()
            cursor.execute("DELETE FROM tier_rules")
            for table in FLOOR_TABLES:
                columns = _columns(raw, table)
                with open(stored / f"{table}.csv", encoding="utf-8") as handle:
                    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", handle)
            raw.commit()
            raw.close()
        else:
            import_directory(engine, directory)
        timings[target] = time.perf_counter() - started
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    shutil.rmtree(directory)
    shutil.rmtree(stored)
    return [(f"COPY into the indexed tables ({orders:,} orders)", "floor", timings["copy"], None),
            ("import of the L files", "≤ 1.5 × COPY", timings["import"], timings["import"] / timings["copy"])]


def call_import_rows(admin, calls: int = 300_000) -> list:
    """The import of a month of `calls` call records (calls.csv, issue 28) into a database with their staff
    and customers: the SQL path (COPY, checks in Postgres, one upsert)."""
    import shutil
    import tempfile
    from datetime import datetime, timedelta

    from dashboard.imports import import_directory

    base, month = Path(tempfile.mkdtemp(prefix="bench-calls-base-")), Path(tempfile.mkdtemp(prefix="bench-calls-"))
    (base / "departments.csv").write_text("code,name,parent_code\nHQ,总部,\n", encoding="utf-8")
    (base / "staff.csv").write_text("staff_no,name,department_code,role\n"
                                    + "".join(f"S{i},坐席{i},HQ,agent\n" for i in range(200)), encoding="utf-8")
    (base / "customers.csv").write_text("code,name,department_code\n"
                                        + "".join(f"C{i},客户{i},HQ\n" for i in range(20_000)), encoding="utf-8")
    lines = ["call_id,direction,started_at,answered_at,ended_at,wrap_up_seconds,queue,staff_no,customer_code,caller"]
    first = datetime(2026, 5, 1, 8)
    step = 30 * 24 * 3600 / calls
    for i in range(calls):
        started = first + timedelta(seconds=int(i * step))
        answered = started + timedelta(seconds=i % 45) if i % 9 else None
        ended = (answered or started) + timedelta(seconds=60 + i % 400)
        customer = f"C{i % 20_000}" if i % 5 else ""
        lines.append(f"K{i},inbound,{started:%Y-%m-%d %H:%M:%S},{answered:%Y-%m-%d %H:%M:%S}," if answered else
                     f"K{i},inbound,{started:%Y-%m-%d %H:%M:%S},,")
        lines[-1] += f"{ended:%Y-%m-%d %H:%M:%S},{i % 60},q{i % 4},{f'S{i % 200}' if answered else ''},{customer}," \
                     f"{'' if customer else f'138{i:08d}'}"
    (month / "calls.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    name = f"{NAME}_calls"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(str(make_url(str(admin.url.render_as_string(False))).set(database=name).render_as_string(False)))
    try:
        upgrade(engine)
        import_directory(engine, base)
        started = time.perf_counter()
        import_directory(engine, month)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        shutil.rmtree(base)
        shutil.rmtree(month)
    return [(f"import of a month of calls ({calls:,} rows)", "< 60 s", seconds, None)]


def _columns(raw, table: str) -> list[str]:
    """A table's stored columns (not generated ones), in order."""
    cursor = raw.cursor()
    cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
                   "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position", (table,))
    return [r[0] for r in cursor.fetchall()]


def page_rows(url: str) -> list:
    """Page render times (AppTest, cold and repeat) and the bare SQL under them, in a child process."""
    import json
    import subprocess

    env = dict(os.environ, DATABASE_URL=url, PYTHONWARNINGS="ignore")
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("pages.py"))], env=env, capture_output=True,
                          text=True)
    if done.returncode:
        raise SystemExit(f"bench/pages.py failed:\n{done.stderr[-4000:]}")
    out = done.stdout
    result = json.loads(out.strip().splitlines()[-1])
    rows = []
    for page, r in result["pages"].items():
        rows.append((f"page {page}: first render (cold)", "≤ 1.0 s", r["cold"], r["cold"] / 1.0))
        rows.append((f"page {page}: repeat render", "≤ 0.3 s", r["repeat"], r["repeat"] / 0.3))
        rows.append((f"page {page}: cold / bare SQL ({r['queries']} queries, {r['sql']:.2f}s)", "≤ 1.3",
                     r["cold"] / r["sql"] if r["sql"] else 0.0, r["cold"] / r["sql"] / 1.3 if r["sql"] else 0.0))
        if r["errors"]:
            print(f"page {page} raised: {r['errors']}", file=sys.stderr)
    for name, (seconds, target) in result.get("reads", {}).items():
        rows.append((f"read {name}", f"≤ {target} s", seconds, seconds / target))
    rows.append(("peak memory of the app process (MB)", "≤ 500", result["peak_mb"], result["peak_mb"] / 500))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept benchmark database instead of loading anew")
    args = parser.parse_args()

    admin_url, url = database_url()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    rows: list[tuple[str, str, float, float | None]] = []
    if not args.reuse:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{NAME}"'))
    engine = make_engine(url)
    upgrade(engine)
    if not args.reuse:
        started = time.perf_counter()
        counts = generate(engine, customers=args.customers, seed=args.seed,
                          progress=lambda m: print(m, file=sys.stderr))
        load = time.perf_counter() - started
        rows.append((f"demo load ({counts['orders']:,} orders)", "≈ 60 s", load, load / 60))

    with engine.connect() as conn:
        today = conn.execute(sa.text("SELECT (value->>'today')::date FROM settings WHERE key = 'demo'")).scalar()
    month = Period.containing("month", today)
    last_quarter = Period.containing("quarter", Period.containing("quarter", today).start - timedelta(days=1))
    # each view by what it needs: a range (this month; retention a year), a period (this month),
    # an as-of day (today), a cycle (last quarter's, closed in the demo)
    by_need = {"range": dict(start=month.start, end=month.end), "period": dict(period=month),
               "as_of": dict(as_of=today), "cycle": dict(cycle=f"{last_quarter.start.year}-Q{(last_quarter.start.month + 2) // 3}")}
    params = {name: by_need[view.needs] for name, view in VIEWS.items()}
    params["retention"] = dict(start=today - timedelta(days=365), end=today)
    for view in VIEWS:
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with engine.connect() as conn:
                frame = export_frame(conn, VIEWS[view], Scope.company(), **params[view])
            best = min(best, time.perf_counter() - t0)
        rows.append((f"export {view} ({len(frame):,} rows)", "≤ 1.0 s", best, best / 1.0))

    rows += page_rows(url)
    rows += import_rows(admin, engine, args.keep)
    rows += call_import_rows(admin)
    from bench.excel import excel_rows  # the Excel readers and a 100,000-row workbook's import

    rows += excel_rows(admin)

    engine.dispose()
    if not args.keep:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))

    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'figure':<62} {'goal':>13} {'measured':>10} {'ratio':>7}")
    for figure, goal, measured, ratio in rows:
        unit = "" if "MB" in figure or "bare SQL" in figure else "s"
        print(f"{figure:<62} {goal:>13} {measured:>9.2f}{unit or ' '} {'' if ratio is None else f'{ratio:.2f}':>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
