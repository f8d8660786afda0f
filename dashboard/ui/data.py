"""Figures through Streamlit's cache: one `Call` is one cached value, fetched alone or with a page's others.

A figure is recomputed after CACHE_SECONDS, or at once after a write: writes through this app
drop the cache themselves, and each run compares the newest audit_log entries with what this
process saw last, which catches an import from the command line or another server process.

With DATABASE_READ_URL the figures are read from a replica (`db.engine.read_connection`). The
cache is shared by every session of the process, so a figure computed on a replica that has not
replayed a write yet would stay stale for five minutes, for everyone: after a write seen here
(its own, or another process's found by `follow_changes`) the figures read from the primary
until the replica has replayed the WAL up to that write, which it usually has in milliseconds.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from decimal import Decimal

import pandas as pd
import streamlit as st

from dashboard import exports
from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.writes.audit import latest_change
from db.engine import get_engine, get_read_engine, read_connection, read_database_url, wal_position

CACHE_SECONDS = 300  # a figure is recomputed after five minutes, or at once after a write
_writes = [0]  # cache clears in this process since it started: prefetch's note of what is cached
_UNSEEN = object()
_seen_change = [_UNSEEN]  # the newest audit_log entries this process has seen (latest_change)
# With a replica: the primary's WAL position after the last write this process saw, until the
# replica has replayed it (None: the replica is current for every write seen here).
_awaited = [None]
_awaited_lock = threading.Lock()
# a call's cache key: its function's place and its arguments, written out (dates, periods, scopes)
_CALL_HASH = {Call: lambda call: repr(call.key)}


def follow_changes() -> None:
    """Drop the cached figures if anything was written since this process last looked.

    Writes through this app clear the cache themselves; this catches the rest, such as a
    nightly `python -m dashboard import` or a form saved on another server process, on the
    next run of any page instead of after the cache's five minutes.
    """
    with get_engine().connect() as conn:
        latest = latest_change(conn)
        if _seen_change[0] is not _UNSEEN and latest != _seen_change[0]:
            drop_cached_figures(conn)
    _seen_change[0] = latest


def written_here() -> None:
    """After a write of this app: figures follow at once, and its own entry need not clear them again."""
    with get_engine().connect() as conn:
        drop_cached_figures(conn)
        _seen_change[0] = latest_change(conn)


def drop_cached_figures(conn=None) -> None:
    """Forget every cached figure; with a replica, read from the primary until it has what is committed now.

    `conn`, a connection to the primary, saves opening one. The mark is set before the cache is
    dropped, so no figure refills it from a replica that lags behind.
    """
    if read_database_url() is not None:
        if conn is None:
            with get_engine().connect() as primary:
                _await(wal_position(primary))
        else:
            _await(wal_position(conn))
    st.cache_data.clear()
    _writes[0] += 1


def _await(position: str | None) -> None:
    """Read from the primary until the replica has replayed `position` (None: no replica)."""
    if position is not None:
        with _awaited_lock:
            _awaited[0] = position


@contextmanager
def _reading():
    """A connection for a figure: the replica if it holds every write seen here, else the primary."""
    awaited = _awaited[0]
    with read_connection(awaited) as conn:
        if awaited is not None and conn.engine is get_read_engine():
            with _awaited_lock:  # caught up; a later write may have moved the mark meanwhile
                if _awaited[0] == awaited:
                    _awaited[0] = None
        yield conn


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, hash_funcs=_CALL_HASH)
def fetch(call: Call) -> pd.DataFrame:
    """A figure's result, cached for five minutes per call."""
    with _reading() as conn:
        return call.run(conn)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False, hash_funcs={exports.View: lambda view: view.name})
def export_bytes(view: exports.View, fmt: str, scope: Scope, **params) -> bytes:
    with _reading() as conn:
        frame = exports.export_frame(conn, view, scope, **params)
    return exports.to_excel(frame, view.name) if fmt == "xlsx" else exports.render(frame, "csv").encode("utf-8")


def as_float(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Charts need floats; the metric functions keep exact decimals."""
    frame = frame.copy()
    for c in columns:
        frame[c] = pd.to_numeric(frame[c].map(lambda v: float(v) if isinstance(v, Decimal) else v), errors="coerce")
    return frame


def first(frame: pd.DataFrame, column: str):
    if frame.empty:
        return None
    value = frame[column].iloc[0]
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


class Figures:
    """A page's named calls: `figures[key]` is `fetch(calls[key])`, read through the cache."""

    def __init__(self, calls: dict[str, Call]):
        self.calls = calls

    def __getitem__(self, key: str) -> pd.DataFrame:
        return fetch(self.calls[key])


def prefetch(calls: dict[str, Call]) -> Figures:
    """Start a page's independent calls, three at a time, each on its own connection.

    The page reads each result as `figures[name]`, so the page and the prefetch ask the cache
    the same question. This returns at once and the page draws what it has while the rest is
    computed: reading a value still being computed waits for it (the cache computes each value
    once, under a lock per value). A call that fails here fails again, visibly, when the page
    reads it.
    """
    from concurrent.futures import ThreadPoolExecutor
    from time import monotonic

    from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

    figures = Figures(calls)
    # A rerun of the same page within the cache's lifetime, with no write since, finds every
    # value cached: fetching them again here would only unpickle each one twice.
    done = st.session_state.setdefault("_prefetched", {})
    key, now = (tuple(calls.values()), _writes[0]), monotonic()
    if now - done.get(key, -CACHE_SECONDS) < CACHE_SECONDS:
        return figures
    done.clear()
    done[key] = now
    context = get_script_run_ctx()

    def run(call: Call) -> None:
        add_script_run_ctx(threading.current_thread(), context)
        try:
            fetch(call)
        except Exception:  # noqa: BLE001 - reported by the page's own read
            pass

    pool = ThreadPoolExecutor(max_workers=3)
    for call in dict.fromkeys(calls.values()):  # a call named twice runs once
        pool.submit(run, call)
    pool.shutdown(wait=False)  # the queued calls still run
    return figures


# -- weekly review ------------------------------------------------------------------------------

@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def weekly_review(scope: Scope, week: Period, today):
    from dashboard import report

    calls = report.review_calls(scope, week, today)
    figures = prefetch(calls)
    return report.review_sections({key: figures[key] for key in calls})


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def weekly_report_file(scope: Scope, week: Period, today, lang: str, fmt: str) -> bytes:
    """The same report file `python -m dashboard report` writes."""
    from dashboard import report

    sections = weekly_review(scope, week, today)
    if fmt == "xlsx":
        return report.report_excel(sections, week, lang, today)
    return report.report_html(sections, week, scope, lang, today).encode("utf-8")
