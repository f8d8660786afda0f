"""The sidebar's filters: language, period and department, checked against the user's scope.

The entry file (app.py) draws them on every run, so their state carries over between pages;
they are mirrored into the URL query string so a link reproduces the view. Pages read them
with `page_filters()`, the department already resolved into the Scope every read takes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard.core.periods import KINDS, Comparison, Period, PeriodError, compare, range_label
from dashboard.core.scope import AccessDenied, Scope, reads_company, resolve
from dashboard.core.user import User
from dashboard.i18n import t
from dashboard.ui.display import escape_markdown
from dashboard.ui.session import sign_out, today
from db.engine import get_engine


@dataclass(frozen=True)
class Filters:
    lang: str
    period: Period
    scope: Scope

    @property
    def department(self) -> str | None:
        """The department chosen (None: all of the user's departments, for a manager every one)."""
        return self.scope.department

    @property
    def as_of(self) -> date:
        """Figures of a running period are as of today; of a past one, as of its last day."""
        return min(self.period.end, today())

    @property
    def comparison(self) -> Comparison:
        """The period as of `as_of` against the same days of the period before and of last year."""
        return compare(self.period, self.as_of)

    @property
    def previous(self) -> Period:
        """The range compared with: the previous period, cut like for like while this one runs."""
        return self.comparison.previous

    @property
    def previous_period(self) -> Period:
        """The whole previous period, for the figures that take a period and an as-of day."""
        return self.period.previous()

    @property
    def previous_as_of(self) -> date:
        """The day the previous figures are as of: the end of the range compared with."""
        return min(self.previous.end, today())


def page_filters() -> Filters:
    """The filters the entry file drew (and checked against the user's scope) for this run.

    Every run starts at the entry file, which runs the page last (see dashboard/ui/entry.py).
    """
    if "filters" not in st.session_state:  # a page file run on its own, by `streamlit run app.py`
        raise RuntimeError("The page ran without app.py: start the dashboard with `streamlit run serve.py`.")
    return st.session_state["filters"]


# -- the widgets ----------------------------------------------------------------------------

# Filter widgets change their labels with the language, which makes Streamlit treat them as new
# widgets and reset them. Their values are therefore mirrored under "_<key>" by the user's own
# changes (on_change) and restored before the widgets are drawn.
FILTER_KEYS = ("f_kind", "f_anchor", "f_range", "f_dept", "lang")  # lang too: st.switch_page (a row opening its record) drops widget state


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


QUICK_PERIODS = ("last_week", "last_month", "month_to_date")


def quick_period(choice: str, day: date) -> tuple[str, date]:
    """(kind, a day in it) of a quick choice on `day`: the last complete week or month, or this month to date."""
    if choice == "last_week":
        return "week", day - timedelta(days=7)
    if choice == "last_month":
        return "month", day.replace(day=1) - timedelta(days=1)
    return "month", day


def _quick(key: str) -> None:
    choice = st.session_state.get(key)
    if choice:
        kind, anchor = quick_period(choice, today())
        _set_filter("f_kind", kind)
        _set_filter("f_anchor", anchor)
    st.session_state[key] = None  # a shortcut, not a state: the period picker shows what it chose


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


def sidebar_filters(departments: pd.DataFrame, user: User) -> Filters:
    """Draw the language switch and the filters; return them, the department within the user's scope.

    `departments` is the tree of the user's own scope (metrics.records.department_tree).
    """
    init_state_from_url()
    _restore_filters()
    lang = st.sidebar.radio("语言 / Language", ["zh", "en"], key="lang", horizontal=True, on_change=_remember, args=("lang",),
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
    codes = ([""] if reads_company(user) else []) + list(departments["code"])
    # tables and charts name departments (display.department_names); codes stay in tooltips and exports
    st.session_state["department_names"] = dict(zip(departments["code"], departments["name"]))
    names = {"": t("all_departments", lang)}
    for row in departments.itertuples():
        names[row.code] = "\u3000" * row.depth + f"{row.name} ({row.code})"
    requested = st.session_state.get("f_dept") or None
    with get_engine().connect() as conn:
        try:
            allowed = resolve(conn, user, requested)
        except AccessDenied:
            allowed = resolve(conn, user)
            st.warning(t("out_of_scope", lang, requested=escape_markdown(requested), home=allowed.department))
    _set_filter("f_dept", allowed.department or "")
    department = st.sidebar.selectbox(t("department", lang), codes, key="f_dept", format_func=names.get,
                                      on_change=_remember, args=("f_dept",))
    # the fair pictures a manager starts from: a whole week or month, or this month so far (like for
    # like); below the department, so both filters show on a 720-pixel screen
    st.sidebar.pills(t("quick_period", lang), QUICK_PERIODS, key=f"f_quick_{lang}", on_change=_quick,
                     args=(f"f_quick_{lang}",), format_func=lambda q: t(f"quick_{q}", lang), label_visibility="collapsed")
    with get_engine().connect() as conn:  # checked again: the widget's value is only a request
        scope = resolve(conn, user, department or None)
    # every value mirrored, not only the ones the user changed: a widget whose label changed with
    # the language starts afresh on the next run (a page change), and is restored from here
    for key in FILTER_KEYS:
        if key in st.session_state:
            st.session_state[f"_{key}"] = st.session_state[key]
    filters = Filters(lang=lang, period=period, scope=scope)
    st.query_params.update({"lang": lang, "kind": kind, "period": period.label, "dept": scope.department or ""})
    st.sidebar.caption(t("signed_in_as", lang, name=escape_markdown(user.name), role=t(f"role_{user.role}", lang)))
    st.sidebar.page_link("pages/account.py", label=t("nav_account", lang), icon=":material/key:")
    st.sidebar.button(t("sign_out", lang), on_click=sign_out, key="sign_out")
    return filters


def page_header(f: Filters, title: str, intro: str) -> None:
    """An analysis page's title, what it shows, and the period it shows against the one before."""
    st.title(t(title, f.lang))
    st.caption(intro)
    period_caption(f)


def period_caption(f: Filters) -> None:
    """The period shown, as of when, and the ranges its figures are compared with (ISO dates)."""
    st.caption(t("period_shown", f.lang, period=f.period.label, start=f.period.start, end=f.period.end, as_of=f.as_of)
               + " · " + compared_text(f.comparison, f.lang))


def compared_text(comparison: Comparison, lang: str) -> str:
    """"compared with 2026-11-01 – 2026-11-02 (same days last year: 2025-12-01 – 2025-12-02)"."""
    return t("compared_with", lang, previous=range_label(comparison.previous),
             last_year=range_label(comparison.last_year))
