"""Benchmark (not a test): every goal of issue 27 as `figure | goal | measured | ratio` in one run.

    python bench/benchmark.py [--customers 50000] [--seed 7] [--repeat 3] [--reuse] [--keep]
                              [--database NAME] [--skip-import] [--concurrency] [--pages a,b]
                              [--save FILE] [--growth-from FILE]

Loads the demo into a fresh database NAME (default dashboard_bench) on the embedded server
(`.pgdata/`), or on DATABASE_URL's server when set; it is dropped afterwards unless --keep.
--reuse measures an existing database NAME instead (the kept L `dashboard_bench`, the XL
`dashboard_xl`) and writes to it only the stored figures a reader would store (migration 0021's
tables; imports run in databases of their own).
The scale is named from the customer count (S 5,000 / L 50,000 / XL 500,000) and chooses the goals:
demo load ≤ 60 s at L, ≤ 10 min at XL; cold page ≤ 1.0 s (L) / 1.5 s (XL); exports ≤ 1 s in-process
and ≤ 1.5 s from the command line at L, ≤ 5 s at XL.
Ratio = measured / goal: ≤ 1.00 is met; a missed goal ends with ✗.
Rows: demo load (not with --reuse); each export in-process (best of --repeat) and from the command
line (`python -m dashboard export VIEW > file`, start-up included, with the child's peak memory);
each page cold, repeat, and its own work ((cold − the Account page's cold) / its bare SQL ≤ 1.3);
the day's stored figures as the server's start fills them (snapshots.store_day), first, as on a
running server; the heavy figures' bare SQL against DuckDB on the raw orders (bench/columnar.py);
peak memory of the app process (bench/pages.py's VmHWM); the imports (not with --skip-import); concurrency (with --concurrency, when
bench/concurrency.py exists).
Growth: --save FILE writes each page's cold time and bare SQL at this scale as JSON; a later run
with --growth-from FILE (the saved S run, say, when measuring L) adds a row per page with the
growth factor of its cold time and of its SQL between the two scales.
"""
from __future__ import annotations

import argparse
import json
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
        return (str(base.set(database="postgres").render_as_string(False)),
                base.set(database=NAME).render_as_string(False))
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
            # a department names its head, a staff member of a department: checked at commit, as the
            # import's one transaction has them both by then
            cursor.execute("ALTER TABLE departments ALTER CONSTRAINT departments_head_staff_id_fkey "
                           "DEFERRABLE INITIALLY DEFERRED")
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


SCALES = (("S", 5_000), ("L", 50_000), ("XL", 500_000))


def scale_name(customers: int) -> str:
    """The named scale nearest the customer count (by ratio)."""
    import math

    return min(SCALES, key=lambda s: abs(math.log(max(customers, 1) / s[1])))[0]


def page_rows(url: str, scale: str, pages: str | None = None) -> tuple[list, dict]:
    """Page render times (AppTest, cold and repeat) and the bare SQL under them, in a child process."""
    import subprocess

    env = dict(os.environ, DATABASE_URL=url, PYTHONWARNINGS="ignore")
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("pages.py"))] + (["--pages", pages] if pages else []),
                          env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"bench/pages.py failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    cold_goal = 1.5 if scale == "XL" else 1.0
    empty = result["empty"]
    rows = [(f"empty page (Account: the app's frame; {empty['queries']} queries, {empty['sql']:.2f}s SQL), cold",
             "floor", empty["cold"], None)]
    for page, r in result["pages"].items():
        rows.append((f"page {page}: first render (cold)", f"≤ {cold_goal} s", r["cold"], r["cold"] / cold_goal))
        rows.append((f"page {page}: repeat render", "≤ 0.3 s", r["repeat"], r["repeat"] / 0.3))
        own = r["cold"] - empty["cold"]
        rows.append((f"page {page}: (cold − empty) / bare SQL ({r['queries']} q, {r['sql']:.2f}s)", "≤ 1.3",
                     own / r["sql"] if r["sql"] else 0.0, own / r["sql"] / 1.3 if r["sql"] else 0.0))
        if r["errors"]:
            print(f"page {page} raised: {r['errors']}", file=sys.stderr)
    for name, (seconds, target) in result.get("reads", {}).items():
        rows.append((f"read {name}", f"≤ {target} s", seconds, seconds / target))
    # which pages raised the peak (each page's VmHWM after it, in the order run)
    raised, before = [], result["empty"].get("peak_mb", 0)
    for page, r in result["pages"].items():
        if r.get("peak_mb", 0) > before:
            raised.append(f"{page} +{r['peak_mb'] - before:.0f}")
            before = r["peak_mb"]
    print("peak memory raised by (MB): " + ", ".join(raised), file=sys.stderr)
    rows.append(("peak memory of the app process (MB)", "≤ 500", result["peak_mb"], result["peak_mb"] / 500))
    return rows, result


def excel_child_rows() -> list:
    """bench/excel.py (the Excel readers and a 100,000-row workbook's import) in a process of its own,
    so that its peak memory is the import's, not this process's."""
    import subprocess

    done = subprocess.run([sys.executable, str(Path(__file__).with_name("excel.py")), "--json"],
                          env=dict(os.environ, PYTHONWARNINGS="ignore"), capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"bench/excel.py failed:\n{done.stderr[-4000:]}")
    return [tuple(row) for row in json.loads(done.stdout.strip().splitlines()[-1])]


def cli_export_seconds(url: str, view: str, args: list[str]) -> tuple[float, float, int]:
    """`python -m dashboard export VIEW ... > file` in a child: wall time (start-up included), the
    child's peak memory (MB) and the bytes written."""
    import subprocess
    import tempfile

    env = dict(os.environ, DATABASE_URL=url, PYTHONWARNINGS="ignore")
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        # `python -m dashboard` as runpy runs it, reporting its own peak resident memory (VmHWM) on exit:
        # the rusage of a child would carry this process's peak over (Linux keeps ru_maxrss across exec)
        child = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, "export", view, *args], stdout=out,
                               stderr=subprocess.PIPE, env=env, cwd=str(Path(__file__).resolve().parent.parent))
        seconds = time.perf_counter() - started
        errors = child.stderr.decode()
        if child.returncode:
            print(f"export {view} exited {child.returncode}: {errors[-2000:]}", file=sys.stderr)
        peak = [line for line in errors.splitlines() if line.startswith("VmHWM:")]
        size = out.tell()
    return seconds, int(peak[-1].split()[1]) / 1024 if peak else float("nan"), size


PEAK_WRAPPER = """import atexit, runpy, sys
atexit.register(lambda: sys.stderr.write(next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'))))
sys.argv[0] = 'dashboard'
runpy.run_module('dashboard', run_name='__main__', alter_sys=True)"""


def growth_rows(previous: dict, now: dict) -> list:
    """Each page's cold time and bare SQL against a saved run at another scale (--growth-from)."""
    rows = []
    before, label = previous["pages"], f"{previous['scale']} → {now['scale']}"
    for page, r in now["pages"].items():
        if page in before and before[page]["cold"] and before[page]["sql"]:
            b = before[page]
            rows.append((f"growth {label} page {page}: cold {b['cold']:.2f} → {r['cold']:.2f}s ×, "
                         f"SQL {b['sql']:.2f} → {r['sql']:.2f}s (×{r['sql'] / b['sql']:.1f})", "×",
                         r["cold"] / b["cold"], None))
    return rows


def main() -> int:
    global NAME

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", default=NAME, help="the benchmark database (default dashboard_bench)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the existing database --database instead of loading anew (never dropped)")
    parser.add_argument("--skip-import", action="store_true", help="leave out the import figures")
    parser.add_argument("--skip-pages", action="store_true", help="leave out the page figures")
    parser.add_argument("--pages", help="only these pages (comma-separated)")
    parser.add_argument("--concurrency", action="store_true", help="add bench/concurrency.py's rows")
    parser.add_argument("--save", metavar="FILE", help="save the page figures as JSON for a later --growth-from")
    parser.add_argument("--growth-from", metavar="FILE", help="print growth against a run saved with --save")
    args = parser.parse_args()
    NAME = args.database

    admin_url, url = database_url()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    rows: list[tuple[str, str, float, float | None]] = []
    if not args.reuse:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{NAME}"'))
    engine = make_engine(url)
    if not args.reuse:  # a reused database is only read: it must be migrated already
        upgrade(engine)
        started = time.perf_counter()
        counts = generate(engine, customers=args.customers, seed=args.seed,
                          progress=lambda m: print(m, file=sys.stderr))
        load = time.perf_counter() - started
    with engine.connect() as conn:
        today = conn.execute(sa.text("SELECT (value->>'today')::date FROM settings WHERE key = 'demo'")).scalar()
        customers = conn.execute(sa.text("SELECT count(*) FROM customers")).scalar()
    scale = scale_name(customers)
    print(f"scale {scale}: {customers:,} customers, database {NAME}", file=sys.stderr)
    if not args.reuse:
        goal = 600 if scale == "XL" else 60
        rows.append((f"demo load, scale {scale} ({customers:,} customers, {counts['orders']:,} orders)",
                     f"≤ {goal} s", load, load / goal))

    # what the server's start does in the background (dashboard/startup.store_figures_daily): the
    # day's default windows, graded sets and figures stored before the first reader. The exports,
    # the heavy figures and the pages follow, as on a running server.
    from datetime import datetime

    from dashboard.metrics import snapshots
    from db.engine import app_timezone

    started = time.perf_counter()
    filled = snapshots.store_day(engine, datetime.now(app_timezone()).date())
    rows.append((f"the day's stored figures at server start ({filled['ranges']} ranges, {filled['grade_sets']} "
                 f"graded sets, {filled['tier_counts']} tier counts, {filled.get('figures', 0)} figures; background)",
                 "floor", time.perf_counter() - started, None))

    month = Period.containing("month", today)
    last_month = Period.containing("month", month.start - timedelta(days=1))
    last_quarter = Period.containing("quarter", Period.containing("quarter", today).start - timedelta(days=1))
    cycle = f"{last_quarter.start.year}-Q{(last_quarter.start.month + 2) // 3}"
    # each view by what it needs: a range (the last complete month, so complaints are a full month's;
    # retention a year), a period (this month), an as-of day (today), a cycle (last quarter's, closed)
    by_need = {"range": dict(start=last_month.start, end=last_month.end), "period": dict(period=month),
               "as_of": dict(as_of=today), "cycle": dict(cycle=cycle)}
    cli_by_need = {"range": ["--start", str(last_month.start), "--end", str(last_month.end)],
                   "period": ["--period", f"{month.start:%Y-%m}"], "as_of": ["--as-of", str(today)],
                   "cycle": ["--cycle", cycle]}
    params = {name: by_need[view.needs] for name, view in VIEWS.items()}
    cli_params = {name: cli_by_need[view.needs] for name, view in VIEWS.items()}
    params["retention"] = dict(start=today - timedelta(days=365), end=today)
    cli_params["retention"] = ["--start", str(today - timedelta(days=365)), "--end", str(today)]
    in_goal, cli_goal = (5.0, 5.0) if scale == "XL" else (1.0, 1.5)
    for view in VIEWS:
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with engine.connect() as conn:
                frame = export_frame(conn, VIEWS[view], Scope.company(), **params[view])
            best = min(best, time.perf_counter() - t0)
        rows.append((f"export {view} ({len(frame):,} rows), in-process", f"≤ {in_goal} s", best, best / in_goal))
        seconds, peak, size = cli_export_seconds(url, view, cli_params[view])
        rows.append((f"export {view}, command line > file ({size / 1e6:.1f} MB, peak {peak:.0f} MB)",
                     f"≤ {cli_goal} s", seconds, seconds / cli_goal))

    from bench.columnar import columnar_rows  # the heavy figures against DuckDB on the raw orders

    rows += columnar_rows(engine, today)
    if not args.skip_pages:
        page_figures, result = page_rows(url, scale, args.pages)
        rows += page_figures
        saved = {"scale": scale, "customers": customers,
                 "pages": {p: {"cold": r["cold"], "sql": r["sql"]} for p, r in result["pages"].items()}}
        if args.growth_from:
            rows += growth_rows(json.loads(Path(args.growth_from).read_text()), saved)
        if args.save:
            Path(args.save).write_text(json.dumps(saved, indent=1))
    def section(name: str, measure) -> None:
        # a section that fails is reported as such; the table of what was measured is still printed
        try:
            rows.extend(measure())
        except Exception as error:  # noqa: BLE001 (printed, and marked in the table)
            import traceback

            traceback.print_exc()
            rows.append((f"{name}: FAILED ({type(error).__name__})", "—", float("nan"), float("inf")))

    if not args.skip_import:
        section("import of the L files", lambda: import_rows(admin, engine, args.keep))
        section("import of calls", lambda: call_import_rows(admin))
        section("Excel imports", excel_child_rows)
    if args.concurrency:
        try:
            from bench.concurrency import concurrency_rows
        except ImportError as error:
            print(f"--concurrency: bench/concurrency.py is not importable ({error})", file=sys.stderr)
        else:
            section("concurrency", lambda: concurrency_rows(url))

    engine.dispose()
    if not args.keep and not args.reuse:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))

    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"scale {scale} ({customers:,} customers)")
    print(f"{'figure':<78} {'goal':>13} {'measured':>10} {'ratio':>7}")
    for figure, goal, measured, ratio in rows:
        unit = "s" if goal.endswith(" s") or goal == "floor" and "(MB)" not in figure else ""
        mark = "" if ratio is None else f"{ratio:.2f}" + (" ✗" if ratio > 1 else "  ")
        print(f"{figure:<78} {goal:>13} {measured:>9.2f}{unit or ' '} {mark:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
