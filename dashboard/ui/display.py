"""How the pages show figures: KPI cards, tables, chart helpers, downloads, literal text.

Formatting of single figures lives in dashboard.core.formats (shared with the weekly report);
here is what needs Streamlit or altair.
"""
from __future__ import annotations

import re
from decimal import Decimal

from datetime import date

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core.scope import Scope
from dashboard.i18n import column_label, t, value_label
from dashboard.ui import data

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


def kpi_row(cards: list[dict], lang: str | None = None) -> None:
    """KPI cards: dicts with label, value, delta, and `inverse` when a rise is bad, `plain` when its
    change must not be coloured (a rate over few cases), `help` for the card's tooltip, `drill`
    (see card_drill, needs `lang`) for a button under the card that leads to its records.

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
                          delta_color="off" if unchanged or card.get("plain") else
                          "inverse" if card.get("inverse") else "normal",
                          delta_arrow="off" if unchanged else "auto", help=card.get("help"))
        if any(card.get("drill") for card in row):  # the cards' buttons on one line, whatever the cards' heights
            for column, card in zip(st.columns(per_row), row):
                if card.get("drill"):
                    card_drill(column, card["drill"], card["label"], lang)


def rate_card(label: str, lang: str, rate, part, base, before_rate, before_part=None, before_base=None,
              inverse: bool = False, compared: str | None = None, last_year: str | None = None) -> dict:
    """A KPI card for a rate: its base beside the label ("27/28"), its change in points.

    A rate over fewer than formats.SMALL_BASE cases is marked as such and its change is grey.
    `compared` (the range compared with) and the earlier value with its base go in the tooltip.
    """
    few = formats.small_base(base)
    shown = f"{label} · {formats.fmt_base(part, base, lang)}" if base is not None else label
    if few:
        shown += t("few_cases", lang)
    tip = [compared] if compared else []
    if before_base is not None:
        tip.append(t("before_value", lang, value=formats.fmt_rate_of(before_rate, before_part, before_base, lang)))
    if last_year:
        tip.append(t("last_year_value", lang, value=last_year))
    return {"label": shown, "value": formats.fmt_rate(rate), "delta": formats.delta_rate(rate, before_rate),
            "inverse": inverse, "plain": few, "help": " · ".join(tip) or None}


def card_help(lang: str, compared: str | None = None, before: str | None = None, last_year: str | None = None,
              exact: str | None = None) -> str | None:
    """A card's tooltip: the exact value, the range compared, the earlier value and last year's."""
    parts = [exact] if exact else []
    if compared:
        parts.append(compared)
    if before is not None:
        parts.append(t("before_value", lang, value=before))
    if last_year is not None:
        parts.append(t("last_year_value", lang, value=last_year))
    return " · ".join(parts) or None


def empty(lang: str) -> None:
    st.info(t("empty_period", lang))


ENUM_COLUMNS = ("state", "status", "flag", "change", "priority", "kind", "type", "tier_previous", "tier_current",
                "reason", "method", "rfm_segment", "value_class", "key", "department_code", "result",
                "category", "action", "link_kind", "plan_kind", "channel")


RATE_SUFFIXES = ("_rate", "_pct", "_share", "cost_usage", "budget_usage", "plan_completion", "nps", "service_level")
MONEY_WORDS = ("volume", "cost", "revenue", "monetary", "amount", "change",  # numeric "change": a volume change
               "budget", "variance", "in_range")
MONEY_COLUMNS = ("actual",)  # money by its whole name ("actual_count" is a count)


def _all_numbers(values: pd.Series) -> bool:
    """Decimals, integers or floats with at least one value (the database's numeric columns)."""
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "mixed-integer":  # integers with decimals, or with text: look at each value
        return bool(values.map(lambda v: isinstance(v, (Decimal, int, float)) or v is None).all())
    return kind in ("decimal", "integer", "floating", "mixed-integer-float")


HOURS_AS_DAYS = {"hours_overdue": "days_overdue", "resolution_hours": "resolution_days"}
PLAIN_INTEGERS = ("r_score", "f_score", "m_score", "year", "rank", "tier_rank")


def department_names() -> dict[str, str]:
    """Department code -> name within the reader's scope, as the sidebar's filter read it."""
    return st.session_state.get("department_names", {})


def department_name(code) -> str:
    return department_names().get(code, code) if code is not None else "—"


def local_minutes(values: pd.Series) -> pd.Series:
    """Zone-aware times as 'YYYY-MM-DD HH:MM' in their own zone, a missing one as None.

    numpy writes the whole column at once; pandas' strftime formats value by value (0.16 s of a
    page listing thousands of complaints)."""
    text = np.datetime_as_string(values.dt.tz_localize(None).to_numpy(dtype="datetime64[m]"), unit="m")
    return pd.Series(text, index=values.index, dtype=object).str.replace("T", " ", regex=False) \
        .where(values.notna(), None)


def show_table(frame: pd.DataFrame, lang: str, height: int | None = None, key: str | None = None,
               pick_row: bool = False) -> int | None:
    """A table with translated headers and values, rates as percentages, amounts with cents.

    Empty text is blank and a missing number is "—" (Streamlit would write "None").

    With `pick_row` the user can select one row; returns its position, or None while none is.
    """
    shown = frame.copy()
    config, headers = {}, {}
    names = department_names()
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
            shown[column] = local_minutes(values)
        elif numbers:
            shown[column] = pd.to_numeric(values, errors="coerce")
        elif pd.api.types.is_string_dtype(values) and values.dtype != object:
            shown[column] = values.fillna("")  # stays Arrow-backed: no per-cell Python objects
        elif values.dtype == object and values.isna().any() and any(isinstance(v, date) for v in values.dropna()):
            # dates with gaps (an open end date): ISO text and blanks, which Arrow takes in one column
            shown[column] = values.map(lambda v: v.isoformat() if isinstance(v, date) else "")
        elif values.dtype == object:
            shown[column] = values.where(values.notna(), "")
        if column == "department_code" and names:
            shown[column] = shown[column].map(lambda code: names.get(code, code))
        label = column_label(column, lang)
        numeric = pd.api.types.is_numeric_dtype(shown[column])
        if column in HOURS_AS_DAYS and numeric and shown[column].abs().max() > formats.DAYS_FROM_HOURS:
            # a duration over two days in days, the whole column alike so it still sorts as numbers
            shown[column] = shown[column] / 24
            label = column_label(HOURS_AS_DAYS[column], lang)
            headers[column] = label
            config[label] = st.column_config.NumberColumn(format="localized", step=0.1)
        elif column.endswith(RATE_SUFFIXES):
            config[label] = st.column_config.NumberColumn(format="percent", step=0.001)  # one decimal: 88.9%
        elif (any(word in column for word in MONEY_WORDS) or column in MONEY_COLUMNS) and numeric:
            # ¥1,039,087.57: the yen sign is the yuan's, with cents and thousands separators
            config[label] = st.column_config.NumberColumn(format="yen", step=0.01)
        elif numeric and pd.api.types.is_integer_dtype(shown[column]) and column not in PLAIN_INTEGERS:
            config[label] = st.column_config.NumberColumn(format="localized", step=1)  # 12,345
        elif numeric and "hours" in column:
            config[label] = st.column_config.NumberColumn(format="localized", step=0.1)
    shown.columns = [headers.get(c) or column_label(c, lang) for c in shown.columns]
    picking = {"on_select": "rerun", "selection_mode": "single-row"} if pick_row else {}
    event = st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto", key=key,
                         column_config=config, placeholder="—", **picking)
    rows = event.selection.rows if pick_row else []
    return rows[0] if rows else None


def first_rows(frame: pd.DataFrame, limit: int, lang: str, caption: str, total: int | None = None) -> pd.DataFrame:
    """A list's first `limit` rows; when that cuts it, a caption (i18n `caption`, with the list's
    `total` and the rows `shown`) says so. A table of 100,000 rows took half a second to send on
    every rerun. `total`: the whole list's length when `frame` holds only its first rows already."""
    total = len(frame) if total is None else int(total)
    if total <= limit and len(frame) <= limit:
        return frame
    st.caption(t(caption, lang, total=formats.fmt_number(total), shown=formats.fmt_number(min(limit, len(frame)))))
    return frame.head(limit)


def downloads(view: exports.View, scope: Scope, lang: str, key: str, **params) -> None:
    """CSV and Excel of an export view over `scope`, identical to `python -m dashboard export`.

    The files are built only when clicked: a 50,000-row workbook takes seconds to write.
    """
    left, right, _ = st.columns([2, 2, 3])
    what = t(f"view_{view.name}", lang)
    left.download_button(f"{t('download_csv', lang)} · {what}",
                         lambda: data.export_bytes(view, "csv", scope, **params),
                         f"{view.name}.csv", "text/csv", key=f"{key}_csv", on_click="ignore")
    right.download_button(f"{t('download_excel', lang)} · {what}",
                          lambda: data.export_bytes(view, "xlsx", scope, **params),
                          f"{view.name}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                          key=f"{key}_xlsx", on_click="ignore")


MONTH_AXIS = alt.Axis(format="%Y-%m", labelAngle=0)


def tooltips(*fields, lang: str | None = None, titles: dict[str, str] | None = None) -> list:
    """Tooltip channels; a field name or shorthand becomes `alt.Tooltip`.

    With `lang` each bare field gets a title in that language (`titles`, else its column label),
    so a tooltip never shows the chart's internal field names (group, label, n); counts get
    thousands separators and amounts their cents.

    Altair turns a bare string in `encode` into its channel by hashing the schema of every one
    of its ~700 classes, about 2.5 ms a string on each rerun; a channel object skips that.
    """
    channels = []
    for field in fields:
        if not isinstance(field, str):
            channels.append(field)
        elif lang is None:
            channels.append(alt.Tooltip(field))
        else:
            name = field.split(":")[0]
            title = (titles or {}).get(name) or TOOLTIP_TITLES.get(name) and t(TOOLTIP_TITLES[name], lang) \
                or column_label(name, lang)
            extra = {"format": ",.2f"} if any(word in name for word in MONEY_WORDS) else \
                {"format": "%Y-%m-%d"} if field.endswith(":T") else \
                {"format": ",d"} if name in COUNT_FIELDS else {}
            channels.append(alt.Tooltip(field, title=title, **extra))
    return channels


TOOLTIP_TITLES = {"n": "col_count", "plans": "col_count", "customers": "col_customers", "group": "col_group",
                  "month": "col_month", "period_start": "col_period_start", "end_date": "col_period_end"}
COUNT_FIELDS = ("n", "plans", "customers", "orders", "received", "met", "breached", "pending", "cases",
                "planned_count", "actual_count")
# count axes: whole numbers only (no 0.5 ticks), with thousands separators
COUNT_AXIS = alt.Axis(tickMinStep=1, format=",d")
# rate trends: the axis spans the values, not 0 to 100 %, so a change is visible
RATE_SCALE = alt.Scale(zero=False, nice=True)


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


# Drill-down (issue 20): a click on a chart's group, or a KPI card's "records" button, filters the
# page's record list to the records behind it. Each source keeps its filter in st.session_state
# under drill_<page>_<chart> as {record column: value or list of values}, with the words shown;
# the active filters are shown above the list, each with a button that clears it.
DRILL_PREFIX = "drill_"


def drill_key(page: str, chart: str) -> str:
    return f"{DRILL_PREFIX}{page}_{chart}"


def set_drill(page: str, chart: str, where: dict, label: str) -> None:
    """Make `where` ({record column: value or values}) the filter of `chart` on `page`."""
    where = {column: list(value) if isinstance(value, (list, tuple)) else [value] for column, value in where.items()}
    st.session_state[drill_key(page, chart)] = {"where": where, "label": str(label)}


def clear_drill(page: str, chart: str) -> None:
    key = drill_key(page, chart)
    st.session_state[key] = None
    st.session_state[f"{key}_seen"] = None
    # a new widget key draws the chart again without its selection
    st.session_state[f"{key}_round"] = st.session_state.get(f"{key}_round", 0) + 1


def active_drills(page: str) -> dict[str, dict]:
    """The page's active drill filters by chart, in the order they were set."""
    prefix = drill_key(page, "")
    return {key[len(prefix):]: value for key, value in st.session_state.items()
            if key.startswith(prefix) and not key.endswith(("_seen", "_round")) and "_chart_" not in key and "_table_" not in key
            and isinstance(value, dict)}


def drill_chart(chart: alt.Chart, page: str, name: str, fields: dict[str, str] | list[str], label, where=None,
                **kwargs) -> None:
    """Draw `chart` so that a click on a mark filters the page's records to that group.

    `fields` maps the chart's data fields to record columns ({"key": "department_code"}); or
    is a list of the fields, with `where(point)` giving the record filter. `label(point)` gives
    the words for the picked point (names, not codes). Clicking the same mark again, or
    elsewhere, clears the filter, as does the filter's clear button.
    """
    key = drill_key(page, name)
    widget = f"{key}_chart_{st.session_state.get(f'{key}_round', 0)}"
    fresh = widget not in st.session_state  # first drawn (or back from another page): no click yet
    selection = alt.selection_point(fields=list(fields), name="pick")
    event = st.altair_chart(chart.add_params(selection), on_select="rerun", key=widget,
                            width=kwargs.pop("width", "stretch"), **kwargs)
    points = (event or {}).get("selection", {}).get("pick", []) if event else []
    picked = {field: points[0].get(field) for field in fields} if points else None
    if fresh:
        st.session_state[f"{key}_seen"] = picked
        return
    if picked != st.session_state.get(f"{key}_seen"):  # the user clicked
        st.session_state[f"{key}_seen"] = picked
        if picked is None:
            st.session_state[key] = None
        else:
            if active_drills(page).get("kpi"):  # a card's filter names a whole set: a click replaces it
                clear_drill(page, "kpi")
            set_drill(page, name, where(picked) if where else
                      {column: picked[field] for field, column in fields.items()}, label(picked))
        st.rerun()  # a list drawn above the chart shows the new filter too


def drill_table(frame: pd.DataFrame, lang: str, page: str, name: str, where, label, **kwargs) -> None:
    """Show `frame` as a table whose picked row filters the page's records, as a chart's click does.

    `where(position)` gives the record filter of the row at `position` (None: the row filters
    nothing, a total row), `label(position)` its words. Unpicking the row clears the filter.
    """
    key = drill_key(page, name)
    widget = f"{key}_table_{st.session_state.get(f'{key}_round', 0)}"
    fresh = widget not in st.session_state
    position = show_table(frame, lang, key=widget, pick_row=True, **kwargs)
    if fresh:
        st.session_state[f"{key}_seen"] = position
        return
    if position != st.session_state.get(f"{key}_seen"):  # the user picked (or unpicked) a row
        st.session_state[f"{key}_seen"] = position
        filtered = where(position) if position is not None else None
        if filtered is None:
            st.session_state[key] = None
        else:
            if active_drills(page).get("kpi"):
                clear_drill(page, "kpi")
            set_drill(page, name, filtered, label(position))
        st.rerun()


def drill_where(drills: dict[str, dict]) -> dict:
    """The page's active filters as one {record column: value} (each filter names one value per column)."""
    return {column: values[0] for drill in drills.values() for column, values in drill["where"].items()}


def card_drill(column, drill: dict, card_label: str, lang: str) -> None:
    """A button under a KPI card that shows the records behind it.

    `drill`: page, where ({record column: value or values}, {} for all of the period's), and
    `open` (a page file) when the records are on another page (the overview's cards).
    The card's filter replaces the page's other drill filters: it names the whole set.
    """
    page, where = drill["page"], drill.get("where")
    label = drill.get("label") or card_label.split(" · ")[0]
    key = f"{drill_key(page, 'kpi')}_{card_label.split(' · ')[0]}_{drill.get('open', '')}"

    def choose():
        for chart in active_drills(page):
            clear_drill(page, chart)
        if where is not None:  # None: the page's own list is the card's records (the overdue list)
            set_drill(page, "kpi", where, label)
            if not drill.get("open"):  # the list is further down the page: say where the records went
                st.toast(t("drill_toast", lang, what=escape_markdown(label)), icon=":material/filter_alt:")

    if drill.get("open"):
        if column.button(t("drill_records", lang), key=key, icon=":material/list:", type="tertiary"):
            choose()
            st.switch_page(drill["open"], query_params=dict(st.query_params))  # the same filters there
    else:
        column.button(t("drill_records", lang), key=key, icon=":material/list:", type="tertiary", on_click=choose)


def drill_caption(lang: str) -> None:
    st.caption(t("drill_hint", lang))


def drill_filters(page: str, lang: str) -> dict[str, dict]:
    """Show the page's active drill filters, each as "Filter: X · clear"; returns them."""
    active = active_drills(page)
    for chart, drill in active.items():
        st.button(t("drill_active", lang, what=escape_markdown(drill["label"])), key=f"{drill_key(page, chart)}_clear",
                  icon=":material/filter_alt_off:", on_click=clear_drill, args=(page, chart),
                  help=t("drill_clear_help", lang))
    return active


def picked_day(value):
    """A point picked on a time axis (vega-lite gives milliseconds since 1970, UTC) as its date."""
    if value is None:
        return None
    return pd.Timestamp(value, unit="ms", tz="UTC").date() if isinstance(value, (int, float)) else \
        pd.Timestamp(value).date()


def drill_period(drills: dict[str, dict], chart: str = "trend"):
    """The period start a time-series chart's click picked (its records are read for that period), or None."""
    drill = drills.get(chart)
    return drill["where"]["period_start"][0] if drill else None


def apply_drill(frame: pd.DataFrame, drills: dict[str, dict], skip: tuple[str, ...] = ("trend",)) -> pd.DataFrame:
    """The rows of `frame` every active drill filter keeps (a filter on a column it lacks keeps none).

    A time-series chart's filter (`skip`) picks which period's records are read instead.
    """
    for chart, drill in drills.items():
        if chart in skip:
            continue
        for column, value in drill["where"].items():
            if column not in frame.columns:
                return frame.iloc[0:0]
            values = value if isinstance(value, (list, tuple)) else [value]
            frame = frame[frame[column].isin(values)]
    return frame


def drill_records(frame: pd.DataFrame, page: str, lang: str, period_records=None) -> pd.DataFrame:
    """The active filters shown with their clear buttons, then the rows they keep, counted.

    `period_records(start)` reads the records of the period a time-series chart's click picked.
    """
    drills = drill_filters(page, lang)
    if not drills:
        return frame
    start = drill_period(drills)
    if start is not None and period_records is not None:
        frame = period_records(start)
    kept = apply_drill(frame, drills)
    st.caption(t("drill_count", lang, shown=formats.fmt_number(len(kept)), total=formats.fmt_number(len(frame))))
    return kept
