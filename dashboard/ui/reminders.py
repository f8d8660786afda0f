"""Reminders in the app: made for the signed-in person at most every few minutes, counted in the sidebar,
listed on My work with read and dismiss. Their reads are not cached: a click shows at once."""
from __future__ import annotations

import logging
import threading
import time as clock
from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from dashboard.core.scope import Scope
from dashboard.core.user import User
from dashboard.i18n import t
from dashboard.metrics import reminders as reads
from dashboard.writes import reminders as writes
from db.engine import get_engine

REFRESH_SECONDS = 300
# (database, staff_no) -> when this process last made their reminders: the database too, so a
# process that serves another database (the tests, one per test) does not skip its first refresh
_last_refresh: dict[tuple[str, str], float] = {}
_lock = threading.Lock()
_running: dict[str, threading.Thread] = {}   # staff_no -> a background refresh under way


def _database() -> str:
    return get_engine().url.render_as_string(hide_password=True)


def _due(staff_no: str) -> bool:
    """Whether the person's reminders are to be made now; claims the turn (throttled per person and process)."""
    with _lock:
        key = (_database(), staff_no)
        if clock.monotonic() - _last_refresh.get(key, -REFRESH_SECONDS) < REFRESH_SECONDS:
            return False
        _last_refresh[key] = clock.monotonic()
        return True


def _refresh(staff_no: str) -> None:
    try:
        _make(staff_no)
    except Exception:  # a failed run is tried again after REFRESH_SECONDS; the page is not disturbed
        logging.getLogger("dashboard").exception("reminders for %s were not made", staff_no)
        with _lock:
            _last_refresh.pop((_database(), staff_no), None)


def _make(staff_no: str) -> None:
    with get_engine().begin() as conn:
        staff_id = conn.execute(sa.text("SELECT id FROM staff WHERE staff_no = :s"), {"s": staff_no}).scalar()
        if staff_id is not None:
            writes.refresh(conn, datetime.now(timezone.utc), staff_id)


def refresh_mine(user: User, background: bool = False) -> None:
    """Make the signed-in person's reminders, at most every REFRESH_SECONDS.

    In the background (the sidebar of every page) a page never waits for it: the count follows on
    the next run. My work makes them before it lists them.
    """
    if user.staff_no is None:
        return
    if not _due(user.staff_no):
        running = _running.get(user.staff_no)
        if not background and running is not None:
            running.join(60)   # My work lists what the sidebar's refresh is making
        return
    if background:
        thread = threading.Thread(target=_refresh, args=(user.staff_no,), daemon=True, name="reminders")
        _running[user.staff_no] = thread
        thread.start()
    else:
        _refresh(user.staff_no)


def sidebar_count(user: User, scope: Scope, lang: str) -> None:
    """'🔔 3 unread reminders', linking to My work; nothing when there are none."""
    if user.staff_no is None:
        return
    refresh_mine(user, background=True)
    with get_engine().connect() as conn:
        unread = int(reads.unread_count(conn, scope, user.staff_no).loc[0, "unread"])
    if unread:
        st.sidebar.page_link("pages/my_work.py", label=t("reminders_unread", lang, n=unread), icon=":material/notifications:")


def mine(user: User, scope: Scope) -> pd.DataFrame:
    with get_engine().connect() as conn:
        return reads.my_reminders(conn, scope, user.staff_no)


def mark_read(user: User, ids: list[int]) -> None:
    with get_engine().begin() as conn:
        writes.mark_read(conn, user, ids, datetime.now(timezone.utc))


def dismiss(user: User, reminder_id: int) -> None:
    with get_engine().begin() as conn:
        writes.dismiss(conn, user, reminder_id, datetime.now(timezone.utc))


# where each kind's record is opened
PAGE_OF_KIND = {"task_assigned": "pages/tasks.py", "plan_behind": "pages/tasks.py",
                "complaint_due_soon": "pages/complaint_entry.py", "complaint_overdue": "pages/complaint_entry.py",
                "complaint_callback": "pages/complaint_entry.py", "customer_callback": "pages/callbacks.py",
                "detractor_callback": "pages/callbacks.py", "gift_unconfirmed": "pages/callbacks.py",
                "customer_drop": "pages/fluctuation.py", "customer_stopped": "pages/fluctuation.py",
                "tier_down": "pages/fluctuation.py", "tier_lost": "pages/fluctuation.py",
                "suggestion_answered": "pages/suggestions.py",
                "rating_requested": "pages/my_reviews.py", "budget_overrun": "pages/cost.py",
                "task_feedback": "pages/suggestions.py"}
