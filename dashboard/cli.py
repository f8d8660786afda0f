"""`python -m dashboard <command>`: migrate, demo, import, export (interfaces.md).

Exit codes: 0 success, 1 bad input (the message names the problem), 2 usage errors.
"""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

from dashboard.core.vocabulary import ROLE

BAD_INPUT = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="客服管理系统 customer-service dashboard")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("migrate", help="create or upgrade the schema (idempotent)",
                   description="Create or upgrade the database schema. Safe to run again.")

    demo = sub.add_parser("demo", help="fill an empty database with realistic demo data",
                          description="Fill an empty database with three years of realistic demo data.")
    demo.add_argument("--customers", type=int, default=2000, help="number of customers (default 2000; ~40 orders each)")
    demo.add_argument("--seed", type=int, default=7, help="random seed; the same seed gives the same data (default 7)")
    demo.add_argument("--today", metavar="D", help="anchor date YYYY-MM-DD (default: today in APP_TZ)")

    imp = sub.add_parser("import", help="load the CSV/Excel files of a directory, or one workbook (all or nothing)",
                         description="Load departments.csv (or departments.xlsx), staff.csv, ... from DIR, or one "
                                     "workbook BOOK.xlsx with a sheet per file (English or Chinese sheet names). "
                                     "When any row is invalid nothing is written and every problem is listed as "
                                     "file:line: column: message (BOOK.xlsx:SHEET:ROW: column: message).")
    imp.add_argument("dir", metavar="DIR|BOOK.xlsx")

    user = sub.add_parser("create-user", help="create an account (the first manager too)",
                          description="Create an account. The password is asked twice on a terminal, or read "
                                      "from the first line of standard input.")
    user.add_argument("username")
    user.add_argument("--role", required=True, choices=ROLE.codes)
    user.add_argument("--staff-no", metavar="S", help="the staff record (required for head and agent)")

    rep = sub.add_parser("report", help="write the weekly report (HTML or Excel)",
                         description="Write the weekly review for an ISO week: a self-contained HTML file (charts as "
                                     "SVG, prints on A4) when FILE ends in .html, an Excel workbook when it ends in .xlsx.")
    rep.add_argument("--week", required=True, metavar="W", help="ISO week, e.g. 2026-W21")
    rep.add_argument("--department", metavar="CODE")
    rep.add_argument("--lang", choices=["zh", "en"], default="zh")
    rep.add_argument("--out", required=True, metavar="FILE")

    sub.add_parser("settings", help="list every setting as key,value CSV (secrets never)",
                   description="Print every rule a manager can change, with its current value, as settings.csv "
                               "(key,value), which `import` reads back. Secrets (the SMTP password) are never listed.")

    remind = sub.add_parser("remind", help="make the due reminders and send the e-mail ones (for cron)",
                            description="Make every reminder due now, resolve those whose condition ended, and, when "
                                        "setting email_reminders is on, e-mail each reminder once.")
    remind.add_argument("--now", metavar="TS", help="as of this instant (ISO 8601; default: now)")

    from dashboard.exports import VIEWS

    exp = sub.add_parser("export", help="print a view as CSV or JSON",
                         description="Print the table a page shows. --department includes sub-departments.")
    exp.add_argument("view", metavar="VIEW", choices=sorted(VIEWS), help=", ".join(sorted(VIEWS)))
    exp.add_argument("--as-of", metavar="D", help="as of date D (default: today for plans/grading, --end for complaints)")
    exp.add_argument("--start", metavar="D")
    exp.add_argument("--end", metavar="D")
    exp.add_argument("--period", metavar="P", help="2026-W21, 2026-05, 2026-Q2 or 2026")
    exp.add_argument("--department", metavar="CODE")
    exp.add_argument("--cycle", metavar="C", help="for evaluation: 2026-Q2, 2026-H1 or 2026")
    exp.add_argument("--customer", metavar="CODE", help="customer_log: one customer's entries")
    exp.add_argument("--format", choices=["csv", "json"], default="csv")
    exp.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    return parser


def _engine():
    from db.engine import get_engine
    from db.migrate import ensure_current

    engine = get_engine()
    ensure_current(engine)  # migrates when behind; at the head, no Alembic start-up
    return engine


@contextmanager
def _reading(engine):
    """A connection for an export or a report: the replica (DATABASE_READ_URL) once it holds every
    write committed before this command started, else the primary. Without a replica, the primary."""
    from db.engine import read_connection, read_database_url, wal_position

    if read_database_url() is None:
        with engine.connect() as conn:
            yield conn
        return
    with engine.connect() as conn:
        position = wal_position(conn)
    with read_connection(position) as conn:
        yield conn


def cmd_migrate(args) -> int:
    _engine()
    print("schema is up to date")
    return 0


def cmd_demo(args) -> int:
    from dashboard.core.periods import PeriodError, parse_date
    from seeds.demo import generate

    try:
        today = parse_date(args.today, "--today") if args.today else None
        counts = generate(_engine(), customers=args.customers, seed=args.seed, today=today)
    except (ValueError, PeriodError) as e:
        print(f"error: {e}", file=sys.stderr)
        return BAD_INPUT
    print(", ".join(f"{k}: {v:,}" for k, v in counts.items()))
    return 0


def cmd_import(args) -> int:
    from dashboard.imports import ImportFailed, import_directory, import_workbook

    path = Path(args.dir)
    load = import_workbook if path.suffix.lower() == ".xlsx" and not path.is_dir() else import_directory
    try:
        written = load(_engine(), path, actor="cli", show_progress=True)
    except ImportFailed as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        print(f"import failed: {len(e.problems)} problem(s); nothing was written", file=sys.stderr)
        return BAD_INPUT
    if not any(written.values()):
        print("nothing changed: the database already holds these rows")
    else:
        print("imported: " + ", ".join(f"{name} {n:,} rows written" for name, n in written.items()))
    return 0


def cmd_export(args) -> int:
    from dashboard.core.periods import Period, PeriodError, parse_date
    from dashboard.core.scope import UnknownDepartment, for_department
    from dashboard.exports import VIEWS, export_frame, write

    try:
        params = {
            "start": parse_date(args.start, "--start") if args.start else None,
            "end": parse_date(args.end, "--end") if args.end else None,
            "as_of": parse_date(args.as_of, "--as-of") if args.as_of else None,
            "period": Period.parse(args.period) if args.period else None,
        }
        if args.cycle:
            params["cycle"] = args.cycle
        if args.customer:
            params["customer"] = args.customer
        with _reading(_engine()) as conn:
            # the command line reads with the database's own rights: the department it names, or all
            frame = export_frame(conn, VIEWS[args.view], for_department(conn, args.department), **params)
    except (PeriodError, UnknownDepartment, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return BAD_INPUT
    # CSV goes out chunk by chunk (exports.write): the text of a whole view is never built
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            write(frame, args.format, handle)
    else:
        write(frame, args.format, sys.stdout)
    return 0


def cmd_create_user(args) -> int:
    import getpass

    from dashboard.accounts import UserError, create_user

    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            print("error: password: the two entries differ", file=sys.stderr)
            return BAD_INPUT
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        with _engine().begin() as conn:
            user = create_user(conn, args.username, password, args.role, args.staff_no, actor="cli")
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return BAD_INPUT
    print(f"created {user.role} '{user.username}'" + (f" in {user.department_code}" if user.department_code else ""))
    return 0


def cmd_report(args) -> int:
    from dashboard import report
    from dashboard.core.periods import Period, PeriodError
    from dashboard.core.scope import UnknownDepartment, for_department

    out = Path(args.out)
    try:
        week = Period.parse(args.week)
        if week.kind != "week":
            raise PeriodError(f"--week: '{args.week}' is not an ISO week like 2026-W21")
        if out.suffix.lower() not in (".html", ".htm", ".xlsx"):
            raise ValueError(f"--out: '{out.name}' must end in .html or .xlsx")
        with _reading(_engine()) as conn:
            scope = for_department(conn, args.department)
            sections = report.weekly_review(conn, scope, week)
    except (PeriodError, UnknownDepartment, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return BAD_INPUT
    if out.suffix.lower() == ".xlsx":
        out.write_bytes(report.report_excel(sections, week, args.lang))
    else:
        out.write_text(report.report_html(sections, week, scope, args.lang), encoding="utf-8")
    print(f"wrote {out}")
    return 0


def cmd_settings(args) -> int:
    import csv
    import io

    from dashboard.core.settings import listed

    with _engine().connect() as conn:
        rows = listed(conn)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "value"])
    writer.writerows(rows)
    sys.stdout.write(out.getvalue())
    return 0


def cmd_remind(args) -> int:
    from datetime import datetime, timezone

    from dashboard.mail import MailNotConfigured, send_reminders
    from dashboard.writes.reminders import refresh
    from db.engine import app_timezone

    try:
        now = datetime.now(timezone.utc)
        if args.now:
            now = datetime.fromisoformat(args.now)
            if now.tzinfo is None:
                now = now.replace(tzinfo=app_timezone())
    except ValueError:
        print(f"error: --now: '{args.now}' is not an ISO 8601 timestamp", file=sys.stderr)
        return BAD_INPUT
    engine = _engine()
    with engine.begin() as conn:
        counts = refresh(conn, now)
    print(f"reminders: {counts['made']:,} new, {counts['updated']:,} updated, {counts['resolved']:,} resolved")
    try:
        with engine.begin() as conn:
            sent = send_reminders(conn, now)
    except MailNotConfigured as e:
        print(f"error: {e}", file=sys.stderr)
        return BAD_INPUT
    except OSError as e:  # the SMTP server refused or could not be reached; the reminders stay unsent
        print(f"error: e-mail not sent: {type(e).__name__}: {e}", file=sys.stderr)
        return BAD_INPUT
    print(f"e-mails sent: {sent:,}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"migrate": cmd_migrate, "demo": cmd_demo, "import": cmd_import, "export": cmd_export,
                "create-user": cmd_create_user, "report": cmd_report,
                "settings": cmd_settings, "remind": cmd_remind}
    return commands[args.command](args)
