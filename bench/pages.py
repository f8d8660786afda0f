"""Page timings for the benchmark, run in a process of its own so its peak memory is the app's.

    DATABASE_URL=... python bench/pages.py [--pages overview,grading]

For every page: the AppTest run time with cold caches, then a repeat run (warm caches), and
the bare SQL time of the statements the cold run sent, re-executed on a plain cursor in the
same process; and the same for the Account page (EMPTY), the app's frame without figures, whose
cold render is subtracted from each page's for "a page's own work". Prints one JSON object.
"""
from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
import streamlit as st  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from bench.memory import peak_resident_mb  # noqa: E402
from dashboard import accounts as users  # noqa: E402
from dashboard.ui.entry import entry_file_only  # noqa: E402
from db.engine import get_engine  # noqa: E402

PAGES = ["overview", "plans", "complaints", "fluctuation", "retention", "grading", "my_work", "present",
         "data_import", "callbacks"]
PAGES += ["cost"]  # service cost
PAGES += ["quality", "evaluation"]  # service quality, evaluation
# the archives: the customer file opens the first customer found (its whole timeline), cold
PAGES += ["customer_file", "customer_log", "staff", "departments"]
PAGES += ["contact_centre"]  # the contact centre (calls)
PAGES += ["tasks"]  # tasks and plans: the edit and correction forms, a plan's record with its progress entries
# the rest of what a user opens from the menu: the entry forms, the work log, suggestions, one's own
# reviews, settings and users (reminders are my_work's first section and the sidebar's badge)
PAGES += ["complaint_entry", "retention_entry", "work_log", "suggestions", "cost_entry", "survey_entry",
          "my_reviews", "settings", "users"]
# The empty page: the app's frame (sign-in check, session, sidebar, menu, reminders' badge) for the
# same signed-in manager with no figure: the Account page, one password form. A page's own work is
# its cold render minus this one's.
EMPTY = "account"
captured: list[tuple[str, object]] = []
WRITES = re.compile(r"\b(INSERT|UPDATE|DELETE|CREATE|TRUNCATE)\b", re.IGNORECASE)


@sa.event.listens_for(Engine, "before_cursor_execute")
def _capture(conn, cursor, statement, parameters, context, executemany):
    captured.append((statement, parameters))


def bare_sql_seconds(statements) -> float:
    """Run the captured statements again on a raw cursor: the database's share of a page."""
    raw = get_engine().raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        elapsed = time.perf_counter() - started
        raw.rollback()
        return elapsed
    finally:
        raw.close()


def customer_search_seconds() -> dict[str, list]:
    """The customer file's search (code, name, contact or phone), the slowest of a few typical
    searches over the whole company (target: 0.3 s at 50,000 customers)."""
    from datetime import date

    from dashboard.core.scope import Scope
    from dashboard.metrics import archives

    times = {}
    with get_engine().connect() as conn:
        for text in ("C0001", "科技", "1391", "王"):
            started = time.perf_counter()
            archives.customer_search(conn, Scope.company(), text)
            times[text] = time.perf_counter() - started
        code = conn.execute(sa.text("SELECT code FROM customers ORDER BY code LIMIT 1")).scalar()
        started = time.perf_counter()
        archives.customer_timeline(conn, Scope.company(), code, date.today())
        times["timeline"] = time.perf_counter() - started
    searches = [v for k, v in times.items() if k != "timeline"]
    # name -> [seconds, target seconds]
    return {"customer search by code, name or phone (slowest of 4)": [max(searches), 0.3],
            "customer file's whole timeline (one customer)": [times["timeline"], 1.0]}


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", help="comma-separated page names (default: every page in PAGES)")
    args = parser.parse_args()
    pages = args.pages.split(",") if args.pages else PAGES
    entry_file_only()  # AppTest starts every run at app.py, as serve.py makes the server do
    with get_engine().connect() as conn:
        manager = users.load_user(conn, "manager")
    results = {}
    # What a server does once at start-up, not per page: import the libraries and scan the
    # installed packages for components (AppTest repeats the scan on each new instance).
    import altair  # noqa: F401
    from streamlit.components.v2.component_manager import BidiComponentManager
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)

    def app_test(page: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at._bidi_component_manager = components
        at.session_state["user"] = manager
        if page != "overview":
            at.switch_page(f"pages/{page}.py")
        return at

    # Also once per server process: importing the app's own modules and opening the pooled
    # connections. One render does both; the caches are cleared before every measured page.
    app_test("overview").run()
    for page in [EMPTY] + [p for p in pages if p != EMPTY]:
        st.cache_data.clear()
        at = app_test(page)
        captured.clear()
        started = time.perf_counter()
        at.run()
        cold = time.perf_counter() - started
        # the page's reads; writes (the sidebar's reminders, made in the background) are not replayed
        statements = [s for s in captured if s[0].lstrip().upper().startswith(("SELECT", "WITH"))
                      and not s[0].lstrip().upper().startswith("SELECT 1") and not WRITES.search(s[0])]
        errors = [str(e.value) for e in at.exception]
        started = time.perf_counter()
        try:
            at.run()
            repeat = time.perf_counter() - started
        except AttributeError as error:
            # AppTest (not the server) fails to read back one of the staff page's widgets on a
            # rerun; the cold figure stands, the repeat one is not known
            repeat = float("nan")
            errors.append(f"repeat run in AppTest: {error!r}")
        errors += [str(e.value) for e in at.exception]
        results[page] = {"cold": cold, "repeat": repeat, "sql": bare_sql_seconds(statements),
                         "queries": len(statements), "errors": errors, "peak_mb": peak_resident_mb()}
    reads = customer_search_seconds()
    peak_mb = peak_resident_mb()
    empty = results.pop(EMPTY)
    print(json.dumps({"pages": results, "empty": empty, "reads": reads, "peak_mb": peak_mb}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
