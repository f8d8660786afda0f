"""Streamlit helpers shared by the pages: filters, cached metric calls, KPI cards, tables, charts.

No business rule lives here: figures come from `dashboard.metrics`, formatting and layout
from here. The sidebar filters are drawn by the entry file (app.py) on every run, so their
state carries over between pages; they are mirrored into the URL query string so a link
reproduces the view.
"""
from __future__ import annotations

import re
import runpy
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import access, exports, metrics
# the formatters live in dashboard.formats (no Streamlit); pages reach them through ui
from dashboard.formats import delta_number, delta_rate, fmt_money, fmt_money_short, fmt_number, fmt_rate  # noqa: F401
from dashboard.i18n import column_label, t, value_label
from dashboard.periods import KINDS, Period, PeriodError
from db import users
from db.engine import PROJECT_ROOT, app_timezone, get_engine
from db.users import User

# One colour per status across all pages.
STATUS_COLORS = {
    "met": "#2e7d32", "achieved": "#2e7d32", "on_track": "#66bb6a", "met_minimum": "#9ccc65", "retained": "#2e7d32",
    "surge": "#2e7d32", "upgrade": "#2e7d32",
    "pending": "#f9a825", "at_risk": "#f9a825", "steady": "#9e9e9e", "unchanged": "#9e9e9e", "not_started": "#bdbdbd",
    "breached": "#c62828", "behind": "#c62828", "below_minimum": "#8e0000", "lost": "#8e0000", "drop": "#c62828",
    "stopped": "#8e0000", "downgrade": "#c62828", "new": "#1565c0",
    "A": "#1565c0", "B": "#64b5f6", "C": "#bdbdbd",
}


def escape_markdown(text) -> str:
    """Text to show literally inside a Markdown element (a caption, a warning).

    Every ASCII punctuation mark is backslash-escaped, which CommonMark allows for each of them:
    no emphasis, link, image, HTML, math ($) or Streamlit directive (:red[...], :material/...:)
    can form. User text on its own is shown with st.text instead.
    """
    return "".join("\\" + c if c in _MARKDOWN_PUNCTUATION else c for c in str(text))


_MARKDOWN_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def today() -> date:
    return datetime.now(app_timezone()).date()


@dataclass(frozen=True)
class Filters:
    lang: str
    period: Period
    department: str | None

    @property
    def as_of(self) -> date:
        """Figures of a running period are as of today; of a past one, as of its last day."""
        return min(self.period.end, today())

    @property
    def previous(self) -> Period:
        return self.period.previous()

    @property
    def previous_as_of(self) -> date:
        return min(self.previous.end, today())


# -- page context --------------------------------------------------------------------------

ENTRY_FILE = PROJECT_ROOT / "app.py"
_run = threading.local()  # script runs happen on one thread per session


@contextmanager
def entry_running():
    """Marks that the entry file is running the current page (see `page_filters`)."""
    _run.active = True
    try:
        yield
    finally:
        _run.active = False


def ensure_entry() -> None:
    """Streamlit runs a page file on its own when a process's first request is for a page URL
    and a `pages/` folder sits beside the entry file (its legacy multipage mechanism). Then we
    run the entry file instead, which draws navigation and filters and runs this page."""
    if not getattr(_run, "active", False):
        runpy.run_path(str(ENTRY_FILE), run_name="__main__")
        st.stop()


def page_filters() -> Filters:
    """The filters the entry file drew (and checked against the user's scope) for this run."""
    ensure_entry()
    return st.session_state["filters"]


def current_language() -> str:
    requested = st.session_state.get("lang") or st.query_params.get("lang")
    return requested if requested in ("zh", "en") else "zh"


# -- signing in -----------------------------------------------------------------------------

SESSION_IDLE = timedelta(minutes=30)


def current_user() -> User | None:
    """The signed-in user; signs out after SESSION_IDLE without activity."""
    user = st.session_state.get("user")
    now = datetime.now(app_timezone())
    last = st.session_state.get("last_seen")
    if user is not None and last is not None and now - last > SESSION_IDLE:
        sign_out(expired=True)
        return None
    st.session_state["last_seen"] = now
    return user


def attempt_sign_in(username: str, password: str) -> str | None:
    """Sign in; None on success, else the message to show (never revealing unknown usernames)."""
    lang = current_language()
    try:
        # st.context knows the client's address only when it is not local (and behind a proxy,
        # only the proxy's): the per-client limit applies when there is one.
        address = st.context.ip_address
        user = users.sign_in(get_engine(), username, password, client=address if isinstance(address, str) else None)
    except users.SignInRefused as refused:
        if refused.reason == "throttled":
            return t("throttled", lang, minutes=max(1, int(refused.retry_after.total_seconds() // 60) + 1))
        return t("bad_credentials", lang)
    st.session_state["user"] = user
    st.session_state["last_seen"] = datetime.now(app_timezone())
    return None


def sign_out(expired: bool = False) -> None:
    for key in ("user", "last_seen", "filters"):
        st.session_state.pop(key, None)
    if expired:
        st.session_state["session_expired"] = True


@st.cache_data(ttl=60, show_spinner=False)
def demo_accounts() -> list[dict]:
    with get_engine().connect() as conn:
        return users.demo_accounts(conn)


# -- data ----------------------------------------------------------------------------------

CACHE_SECONDS = 300  # a figure is recomputed after five minutes, or at once after a write
_writes = [0]  # cache clears in this process since it started: prefetch's note of what is cached
_UNSEEN = object()
_seen_change = [_UNSEEN]  # the newest audit_log entry this process has seen (db.writes.latest_change)


def follow_changes() -> None:
    """Drop the cached figures if anything was written since this process last looked.

    Writes through this app clear the cache themselves; this catches the rest, such as a
    nightly `python -m dashboard import` or a form saved on another server process, on the
    next run of any page instead of after the cache's five minutes.
    """
    from db import writes

    with get_engine().connect() as conn:
        latest = writes.latest_change(conn)
    if _seen_change[0] is not _UNSEEN and latest != _seen_change[0]:
        _drop_cached_figures()
    _seen_change[0] = latest


def _drop_cached_figures() -> None:
    st.cache_data.clear()
    _writes[0] += 1


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def metric(name: str, *args, **kwargs) -> pd.DataFrame:
    """A metric function's result, cached for five minutes per set of parameters."""
    with get_engine().connect() as conn:
        return getattr(metrics, name)(conn, *args, **kwargs)


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def export_bytes(view: str, fmt: str, user: User, **params) -> bytes:
    with get_engine().connect() as conn:
        frame = exports.export_frame(conn, view, user=user, **params)
    return exports.to_excel(frame, view) if fmt == "xlsx" else exports.render(frame, "csv").encode("utf-8")


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


# -- filters --------------------------------------------------------------------------------

# Filter widgets change their labels with the language, which makes Streamlit treat them as new
# widgets and reset them. Their values are therefore mirrored under "_<key>" by the user's own
# changes (on_change) and restored before the widgets are drawn.
FILTER_KEYS = ("f_kind", "f_anchor", "f_range", "f_dept")


def _remember(key: str) -> None:
    st.session_state[f"_{key}"] = st.session_state[key]


def _restore_filters() -> None:
    for key in FILTER_KEYS:
        if f"_{key}" in st.session_state:
            st.session_state[key] = st.session_state[f"_{key}"]


def _set_filter(key: str, value) -> None:
    st.session_state[key] = st.session_state[f"_{key}"] = value


def _shift(step: int) -> None:
    kind = st.session_state["f_kind"]
    current = Period.containing(kind, st.session_state["f_anchor"])
    _set_filter("f_anchor", (current.next() if step > 0 else current.previous()).start)


def init_state_from_url() -> None:
    """On a session's first run, take the filters from the query string."""
    if st.session_state.get("_filters_init"):
        return
    st.session_state["_filters_init"] = True
    q = st.query_params
    st.session_state.setdefault("lang", q.get("lang", "zh") if q.get("lang") in ("zh", "en") else "zh")
    kind = q.get("kind", "month")
    st.session_state.setdefault("f_kind", kind if kind in KINDS else "month")
    anchor = today()
    try:
        if q.get("period"):
            p = Period.parse(q["period"])
            if p.kind == "custom":
                st.session_state["f_kind"] = "custom"
                st.session_state.setdefault("f_range", (p.start, p.end))
            else:
                st.session_state["f_kind"] = p.kind
                anchor = p.start
    except PeriodError:
        pass
    st.session_state.setdefault("f_anchor", anchor)
    st.session_state.setdefault("f_dept", q.get("dept") or "")


def sidebar_filters(department_tree: pd.DataFrame, user: User) -> Filters:
    """Draw the language switch and the filters; return them, the department within the user's scope."""
    init_state_from_url()
    _restore_filters()
    with get_engine().connect() as conn:
        department_options = access.department_options(conn, user, department_tree)
    lang = st.sidebar.radio("语言 / Language", ["zh", "en"], key="lang", horizontal=True,
                            format_func=lambda code: {"zh": "中文", "en": "English"}[code])
    st.sidebar.subheader(t("filters", lang))
    kind = st.sidebar.selectbox(t("period_kind", lang), KINDS, key="f_kind", on_change=_remember, args=("f_kind",),
                                format_func=lambda k: t(f"kind_{k}", lang))
    if kind == "custom":
        default_end = today()
        st.session_state.setdefault("f_range", (default_end - timedelta(days=29), default_end))
        chosen = st.sidebar.date_input(t("date_range", lang), key="f_range", on_change=_remember, args=("f_range",))
        if isinstance(chosen, (tuple, list)) and len(chosen) == 2:
            period = Period.custom(chosen[0], chosen[1])
        else:
            start = chosen[0] if isinstance(chosen, (tuple, list)) and chosen else default_end
            period = Period.custom(start, start)
    else:
        st.sidebar.date_input(t("date_in_period", lang), key="f_anchor", on_change=_remember, args=("f_anchor",))
        left, right = st.sidebar.columns(2)
        left.button(t("previous", lang), on_click=_shift, args=(-1,), key="f_prev", width="stretch")
        right.button(t("next", lang), on_click=_shift, args=(1,), key="f_next", width="stretch")
        period = Period.containing(kind, st.session_state["f_anchor"])
    codes = ([""] if user.role == "manager" else []) + list(department_options["code"])
    names = {"": t("all_departments", lang)}
    for row in department_options.itertuples():
        names[row.code] = "\u3000" * row.depth + f"{row.name} ({row.code})"
    requested = st.session_state.get("f_dept") or None
    with get_engine().connect() as conn:
        try:
            allowed = access.allowed_department(conn, user, requested)
        except access.AccessDenied:
            allowed = access.allowed_department(conn, user, None)
            st.warning(t("out_of_scope", lang, requested=escape_markdown(requested), home=allowed))
    _set_filter("f_dept", allowed or "")
    department = st.sidebar.selectbox(t("department", lang), codes, key="f_dept", format_func=names.get,
                                      on_change=_remember, args=("f_dept",))
    with get_engine().connect() as conn:  # checked again: the widget's value is only a request
        department = access.allowed_department(conn, user, department or None)
    filters = Filters(lang=lang, period=period, department=department)
    st.query_params.update({"lang": lang, "kind": kind, "period": period.label, "dept": department or ""})
    st.sidebar.caption(t("signed_in_as", lang, name=escape_markdown(user.name), role=t(f"role_{user.role}", lang)))
    st.sidebar.button(t("sign_out", lang), on_click=sign_out, key="sign_out")
    return filters


def period_caption(f: Filters) -> None:
    st.caption(t("period_shown", f.lang, period=f.period.label, start=f.period.start, end=f.period.end, as_of=f.as_of)
               + " · " + t("vs_previous", f.lang, period=f.previous.label))


# -- display ---------------------------------------------------------------------------------

def kpi_row(cards: list[dict]) -> None:
    """KPI cards: dicts with label, value, delta, and `inverse` when a rise is bad.

    More than five cards are split over two rows so values stay legible at 1280 pixels.
    """
    per_row = len(cards) if len(cards) <= 5 else -(-len(cards) // 2)
    for offset in range(0, len(cards), per_row):
        row = cards[offset:offset + per_row]
        for column, card in zip(st.columns(per_row), row):
            delta = card.get("delta")
            # A written delta ("+0", "-0.0 pp", "+¥0.00") is read by its sign; no change is grey, without an arrow.
            unchanged = delta is not None and not re.search(r"[1-9]", delta)
            column.metric(card["label"], card["value"], delta, border=True,
                          delta_color="off" if unchanged else "inverse" if card.get("inverse") else "normal",
                          delta_arrow="off" if unchanged else "auto", help=card.get("help"))


def empty(lang: str) -> None:
    st.info(t("empty_period", lang))


ENUM_COLUMNS = ("state", "status", "flag", "change", "priority", "kind", "type", "tier_previous", "tier_current",
                "reason", "method", "rfm_segment", "value_class", "key", "department_code")


RATE_SUFFIXES = ("_rate", "_pct", "_share", "cost_usage")
MONEY_WORDS = ("volume", "cost", "revenue", "monetary", "amount", "change")  # numeric "change": a volume change


def _all_numbers(values: pd.Series) -> bool:
    """Decimals, integers or floats with at least one value (the database's numeric columns)."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "mixed-integer":  # integers with decimals, or with text: look at each value
        return bool(values.map(lambda v: isinstance(v, (Decimal, int, float)) or v is None).all())
    return kind in ("decimal", "integer", "floating", "mixed-integer-float")


def show_table(frame: pd.DataFrame, lang: str, height: int | None = None, key: str | None = None,
               pick_row: bool = False) -> int | None:
    """A table with translated headers and values, rates as percentages, amounts with cents.

    Empty text is blank and a missing number is "—" (Streamlit would write "None").

    With `pick_row` the user can select one row; returns its position, or None while none is.
    """
    shown = frame.copy()
    config = {}
    for column in shown.columns:
        values = shown[column]
        numbers = values.dtype == object and _all_numbers(values)
        if column in ENUM_COLUMNS and not numbers and not pd.api.types.is_numeric_dtype(values):
            # label each distinct value once: lists run to tens of thousands of rows. A numeric
            # column of the same name (a volume's "change") stays a number, sorted as one.
            distinct = pd.unique(values)
            labels = [v if column == "department_code" and v != "ALL" else value_label(v, lang) for v in distinct]
            shown[column] = values.map(dict(zip(distinct, labels)))
        elif isinstance(values.dtype, pd.DatetimeTZDtype):
            shown[column] = values.dt.strftime("%Y-%m-%d %H:%M")
        elif numbers:
            shown[column] = pd.to_numeric(values, errors="coerce")
        elif pd.api.types.is_string_dtype(values) and values.dtype != object:
            shown[column] = values.fillna("")  # stays Arrow-backed: no per-cell Python objects
        elif values.dtype == object:
            shown[column] = values.where(values.notna(), "")
        label = column_label(column, lang)
        if column.endswith(RATE_SUFFIXES):
            config[label] = st.column_config.NumberColumn(format="percent")
        elif any(word in column for word in MONEY_WORDS) and pd.api.types.is_numeric_dtype(shown[column]):
            config[label] = st.column_config.NumberColumn(format="%.2f")  # 629394.00, not 629394
    shown.columns = [column_label(c, lang) for c in shown.columns]
    picking = {"on_select": "rerun", "selection_mode": "single-row"} if pick_row else {}
    event = st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto", key=key,
                         column_config=config, placeholder="—", **picking)
    rows = event.selection.rows if pick_row else []
    return rows[0] if rows else None


def downloads(view: str, lang: str, key: str, **params) -> None:
    """CSV and Excel of an export view, identical to `python -m dashboard export`.

    The files are built only when clicked: a 50,000-row workbook takes seconds to write.
    """
    left, right, _ = st.columns([2, 2, 3])
    user = st.session_state["user"]
    left.download_button(f"{t('download_csv', lang)} · {view}", lambda: export_bytes(view, "csv", user, **params),
                         f"{view}.csv", "text/csv", key=f"{key}_csv", on_click="ignore")
    right.download_button(f"{t('download_excel', lang)} · {view}", lambda: export_bytes(view, "xlsx", user, **params),
                          f"{view}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"{key}_xlsx", on_click="ignore")


MONTH_AXIS = alt.Axis(format="%Y-%m", labelAngle=0)


def tooltips(*fields) -> list:
    """Tooltip channels; a field name or shorthand becomes `alt.Tooltip`.

    Altair turns a bare string in `encode` into its channel by hashing the schema of every one
    of its ~700 classes, about 2.5 ms a string on each rerun; a channel object skips that.
    """
    return [alt.Tooltip(f) if isinstance(f, str) else f for f in fields]


def status_scale(values) -> alt.Scale:
    domain = [v for v in values if v in STATUS_COLORS]
    return alt.Scale(domain=domain, range=[STATUS_COLORS[v] for v in domain])


def label_values(frame: pd.DataFrame, column: str, lang: str, into: str = "label") -> pd.DataFrame:
    frame = frame.copy()
    frame[into] = frame[column].map(lambda v: value_label(v, lang))
    return frame


def colour_legend(values, lang: str):
    """Label/colour scale pair for translated status labels."""
    domain = [value_label(v, lang) for v in values]
    return alt.Scale(domain=domain, range=[STATUS_COLORS.get(v, "#9e9e9e") for v in values])


# -- forms ------------------------------------------------------------------------------------

def current_user_or_stop() -> User:
    return st.session_state["user"]


def slot(slots: dict, name: str) -> None:
    """A place right under a field for its error message."""
    slots[name] = st.empty()


def now_minute() -> time:
    """The time of day now in the company time zone, to the minute: a form's default time."""
    return datetime.now(app_timezone()).time().replace(second=0, microsecond=0)


def loaded_version(key: str, current: int) -> int:
    """The version of record `key` this user opened, kept until they save it or load a newer one."""
    return st.session_state.setdefault(f"_version_{key}", current)


def _load_newer(key: str) -> None:
    st.session_state.pop(f"_version_{key}", None)
    st.session_state.pop(f"_conflict_{key}", None)
    st.session_state[f"_reloaded_{key}"] = True
    _drop_cached_figures()


def conflict_choice(key: str, lang: str, record: pd.DataFrame) -> None:
    """After a save refused for a conflict: offer to load the newer version, keeping the input.

    The form's widgets keep what the user typed (their keys do not change); loading takes the
    stored version as the one they edit, and shows what is stored now beside their input.
    """
    if st.session_state.get(f"_conflict_{key}"):
        st.warning(t("conflict_choice", lang))
        st.button(t("load_newer", lang), key=f"load_newer_{key}", on_click=_load_newer, args=(key,))
    elif st.session_state.pop(f"_reloaded_{key}", False):
        st.info(t("newer_loaded", lang))
        show_table(record.drop(columns=["version"], errors="ignore"), lang, key=f"newer_{key}")


def submit(lang: str, slots: dict, write, success: str, version_key: str | None = None) -> bool:
    """Run a validated write in one transaction; show errors next to fields, or a confirmation.

    Nothing is written when the write raises: the transaction is rolled back. With
    `version_key` (see `loaded_version`), a save refused for a conflict offers the newer version
    (`conflict_choice`), and a saved one forgets the version it was made on.
    """
    from db import writes

    try:
        with get_engine().begin() as conn:
            result = write(conn)
    except writes.Invalid as invalid:
        st.error(t("fix_fields", lang))
        for field, (key, params) in invalid.errors.items():
            target = slots.get(field) or slots.get(field.split(": ")[-1]) or st
            shown = {name: escape_markdown(value) for name, value in params.items()}  # values are typed by users
            target.error((f"{field.split(': ')[0]}: " if ": " in field else "") + t(key, lang, **shown))
        return False
    except writes.Conflict as conflict:
        when = conflict.changed_at.astimezone(app_timezone()).strftime("%Y-%m-%d %H:%M:%S") if conflict.changed_at else "?"
        st.error(t("conflict", lang, who=conflict.changed_by, when=when))
        if version_key:
            st.session_state[f"_conflict_{version_key}"] = True
        return False
    except access.AccessDenied as denied:
        st.error(t("not_allowed", lang, reason=escape_markdown(denied)))
        return False
    _drop_cached_figures()  # figures follow the write at once
    with get_engine().connect() as conn:  # this write's entry need not clear the cache again
        _seen_change[0] = writes.latest_change(conn)
    if version_key:
        st.session_state.pop(f"_version_{version_key}", None)
    st.success(t("saved", lang, what=result if result is not None else success))
    return True


def reader_scope() -> str | None:
    """The signed-in user's whole scope, for reading one record by its number (None: everything)."""
    with get_engine().connect() as conn:
        return access.user_scope(conn, current_user_or_stop())


def scope_departments(user: User, department: str | None) -> list[str]:
    """Department codes the user may choose in a form: the filter's department and its subtree."""
    tree = metric("department_tree")
    with get_engine().connect() as conn:
        allowed = access.department_options(conn, user, tree)
        if department is not None:
            allowed = allowed[allowed["code"].isin(access.subtree(conn, department))]
    return list(allowed["code"])


def local_datetime(day: date | None, clock) -> datetime | None:
    """A date and a time from the form, in the company time zone."""
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock, app_timezone())


def show_history(table: str, key: str, lang: str) -> None:
    from db import writes

    with get_engine().connect() as conn:
        rows = writes.history(conn, current_user_or_stop(), table, key)
    if not rows:
        st.caption(t("no_items", lang))
        return
    st.dataframe(pd.DataFrame([{"at": r["at"].astimezone(app_timezone()).strftime("%Y-%m-%d %H:%M:%S"),
                                "actor": r["actor"], "action": r["action"],
                                "before": str(r["before"] or ""), "after": str(r["after"] or "")} for r in rows]),
                 hide_index=True, width="stretch")


# -- weekly review ------------------------------------------------------------------------------

@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def weekly_review(week: Period, department: str | None):
    from dashboard import report

    calls = report.review_calls(week, department, today())
    figures = prefetch(calls)
    return report.review_sections({key: figures[key] for key in calls})


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def weekly_report_file(week: Period, department: str | None, lang: str, fmt: str) -> bytes:
    """The same report file `python -m dashboard report` writes."""
    from dashboard import report

    sections = weekly_review(week, department)
    if fmt == "xlsx":
        return report.report_excel(sections, week, lang)
    return report.report_html(sections, week, department, lang).encode("utf-8")


class Figures:
    """A page's named metric calls: `figures[key]` is `metric(*call)`, read through the cache."""

    def __init__(self, calls: dict[str, tuple]):
        self.calls = calls

    def __getitem__(self, key: str) -> pd.DataFrame:
        return metric(*self.calls[key])


def prefetch(calls: dict[str, tuple]) -> Figures:
    """Start a page's independent metric calls, three at a time, each on its own connection.

    `calls` maps a name to `(metric name, *args)`; the page reads each result as
    `figures[name]`, so the page and the prefetch ask the cache the same question. This
    returns at once and the page draws what it has while the rest is computed: reading a value
    still being computed waits for it (the cache computes each value once, under a lock per
    value). A call that fails here fails again, visibly, when the page reads it.
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

    def run(call: tuple) -> None:
        add_script_run_ctx(threading.current_thread(), context)
        try:
            metric(*call)
        except Exception:  # noqa: BLE001 - reported by the page's own read
            pass

    pool = ThreadPoolExecutor(max_workers=3)
    for call in dict.fromkeys(calls.values()):  # a call named twice runs once
        pool.submit(run, call)
    pool.shutdown(wait=False)  # the queued calls still run
    return figures
