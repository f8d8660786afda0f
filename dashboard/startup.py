"""The first start: the demo is loaded when the server starts, not when the first browser visits.

serve.py starts `load_demo_at_start` in a background thread as the server comes up; it prints
each step to the terminal, and app.py shows the same steps on the page (in the user's language,
dashboard/ui/first_start.py) to a browser that arrives while it runs. Without serve.py (AppTest,
`streamlit run app.py`) the first run loads the demo itself, as before.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger("dashboard")


class DemoLoad:
    """The state of the load started with the server: its steps so far, and whether it ended."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.thread is not None and not self.done.is_set()


STATE = DemoLoad()


def load_demo_at_start(echo: Callable[[str], None] = lambda step: print(step, flush=True)) -> None:
    """Migrate and, on a new embedded database, load the demo in a background thread (once per process)."""
    if STATE.thread is not None:
        return

    def run() -> None:
        from db.bootstrap import DEMO_CUSTOMERS, DEMO_LOCK, NotMigrated, needs_demo, prepare
        from db.engine import get_engine

        try:
            engine = get_engine()
            prepare(engine)
            with DEMO_LOCK:
                if needs_demo(engine):
                    from seeds.demo import generate

                    def step(message: str) -> None:
                        STATE.steps.append(message)
                        echo(message)

                    echo("first start: loading the demo data")
                    generate(engine, customers=DEMO_CUSTOMERS, progress=step)
        except NotMigrated:  # DATABASE_URL without a schema: the app's first run says to migrate
            pass
        except Exception:  # the app's own first run reports a database it cannot reach
            log.exception("the demo could not be loaded at start")
        finally:
            STATE.done.set()

    STATE.thread = threading.Thread(target=run, name="demo-load", daemon=True)
    STATE.thread.start()


def store_figures_daily(check_every: float = 300.0) -> threading.Thread:
    """Keep the day's stored figures (metrics/snapshots.store_day) filled ahead of the first reader:
    once the demo load (if any) has ended, and again whenever the company's date changes. Orders
    written meanwhile keep them current through the triggers; this only fills a new day's dates."""

    def run() -> None:
        from datetime import datetime

        from dashboard.metrics import snapshots
        from db.engine import app_timezone, get_engine

        STATE.done.wait()
        stored_for = None
        while True:
            day = datetime.now(app_timezone()).date()
            if day != stored_for:
                try:
                    started = time.perf_counter()
                    filled = snapshots.store_day(get_engine(), day)
                    log.info("stored figures for %s: %s in %.1f s", day, filled, time.perf_counter() - started)
                    stored_for = day
                except Exception:  # a database not reachable or not migrated: the pages compute live
                    log.warning("the day's figures could not be stored ahead", exc_info=True)
            time.sleep(check_every)

    thread = threading.Thread(target=run, name="store-figures", daemon=True)
    thread.start()
    return thread
