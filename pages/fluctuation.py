"""Business fluctuation and tier changes (业务波动与级别升降)."""
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.i18n import column_label, t, value_label
from dashboard.metrics import fluctuation, tiers
from dashboard.ui import data, display, filters

f = filters.page_filters()
L, scope, period = f.lang, f.scope, f.period
PAGE, TIER_PAGE = "fluctuation", "tier_changes"  # the customers by flag; the customers whose tier moved
DRILL_SHOWN = 1000  # a flag's customers listed at most (the export has every one)
# customers whose tier moved listed at most (38,000 at 500,000 customers: the table and the customer
# choice below took 0.1-0.2 s on every rerun); the export has every one
TIERS_SHOWN = 1000

filters.page_header(f, "nav_fluctuation", t("fluctuation_intro", L))

trend_start = Period.containing("month", period.end - timedelta(days=730)).next().start
MOVES = ("upgrade", "downgrade", "new", "lost")
figures = data.prefetch({
    # flag counts with the largest drops and surges, and the tier matrix with the customers moved: one pass each
    "fluctuation": Call(fluctuation.fluctuation_overview, scope, period, 15, as_of=f.as_of),
    "summary_before": Call(fluctuation.fluctuation_summary, scope, f.previous_period, as_of=f.previous_as_of),
    "trend": Call(fluctuation.volume_trend, scope, trend_start, period.end),
    "tiers": Call(tiers.tier_overview, scope, period, MOVES, as_of=f.as_of)})
now, before = fluctuation.summary_row(figures["fluctuation"]).iloc[0], figures["summary_before"].iloc[0]
if not now["customers"]:
    display.empty(L)
    st.stop()


def flagged(*flags):
    """A card's records: the customers of these flags (none: every customer of the period)."""
    return {"page": PAGE, "where": {"flag": list(flags)} if flags else {},
            "label": " / ".join(value_label(f, L) for f in flags) if flags else t("drill_period_records", L)}


display.kpi_row([
    {"label": t("kpi_volume", L), "value": formats.fmt_money_short(now["volume"], L), "help": formats.fmt_money(now["volume"]),
     "delta": formats.delta_number(now["volume"], before["volume"], 0, True), "drill": flagged()},
    {"label": t("kpi_drops", L), "value": formats.fmt_number(now["drop"]), "inverse": True,
     "delta": formats.delta_number(now["drop"], before["drop"]), "drill": flagged("drop")},
    {"label": t("kpi_stopped", L), "value": formats.fmt_number(now["stopped"]), "inverse": True,
     "delta": formats.delta_number(now["stopped"], before["stopped"]), "drill": flagged("stopped")},
    {"label": t("kpi_surges", L), "value": formats.fmt_number(now["surge"]),
     "delta": formats.delta_number(now["surge"], before["surge"]), "drill": flagged("surge")},
    {"label": t("kpi_new", L), "value": formats.fmt_number(now["new"]), "delta": formats.delta_number(now["new"], before["new"]),
     "drill": flagged("new")},
], L)

# the records behind a card or a bar of the flags chart, read when asked for
drills = display.drill_filters(PAGE, L)
if drills:
    chosen = [flag for drill in drills.values() for flag in drill["where"].get("flag", [])] or None
    month = display.drill_period(drills)  # a month of the volume trend: its customers against the month before
    listed_period = Period.containing("month", month) if month else period
    listed = data.fetch(Call(fluctuation.fluctuation, scope, listed_period, tuple(chosen) if chosen else None,
                             "drops" if chosen and set(chosen) <= {"drop", "stopped"} else None, DRILL_SHOWN,
                             as_of=min(listed_period.end, f.as_of)))
    if month is None:
        total = sum(int(now[flag]) for flag in chosen) if chosen else int(now["customers"])
        st.caption(t("drill_count", L, shown=formats.fmt_number(len(listed)), total=formats.fmt_number(total)))
    else:
        st.caption(t("drill_first_only" if len(listed) >= DRILL_SHOWN else "drill_listed", L,
                     shown=formats.fmt_number(len(listed))))
    display.show_table(display.apply_drill(listed, drills)[
        ["customer_code", "customer_name", "department_code", "volume", "previous_volume", "change", "change_pct",
         "flag"]],
        L, height=300, key="fluct_drill")

columns = ["customer_code", "customer_name", "volume", "previous_volume", "change", "change_pct", "yoy_pct", "flag"]
# one above the other: side by side at 1280 pixels, the change columns were scrolled out of view
st.subheader(t("largest_drops", L))
drops = fluctuation.extreme_rows(figures["fluctuation"], "drops")
display.show_table(drops[columns], L, key="fluct_drops")
st.subheader(t("largest_surges", L))
surges = fluctuation.extreme_rows(figures["fluctuation"], "surges")
display.show_table(surges[columns], L, key="fluct_surges")

st.subheader(t("volume_trend", L))
trend = data.as_float(figures["trend"], "volume")
display.drill_chart(alt.Chart(trend).mark_bar(color="#1565c0").encode(
    x=alt.X("month:T", title=None, axis=display.MONTH_AXIS), y=alt.Y("volume:Q", title=t("col_volume", L)),
    tooltip=display.tooltips("month:T", "volume", "orders", "customers", lang=L)), PAGE, "trend", ["month"],
    lambda p: display.picked_day(p["month"]).strftime("%Y-%m"),
    where=lambda p: {"period_start": [display.picked_day(p["month"])]})

left, right = st.columns(2)
with left:
    st.subheader(t("tier_matrix", L))
    matrix = tiers.matrix_rows(figures["tiers"])
    if matrix.empty:
        display.empty(L)
    else:
        order = list(dict.fromkeys(list(matrix.sort_values("prev_rank")["tier_previous"])
                                   + list(matrix.sort_values("cur_rank")["tier_current"])))
        labels = [value_label(v, L) for v in order]
        matrix = matrix.assign(prev=matrix["tier_previous"].map(lambda v: value_label(v, L)),
                               cur=matrix["tier_current"].map(lambda v: value_label(v, L)))
        base = alt.Chart(matrix).encode(
            x=alt.X("cur:N", title=column_label("tier_current", L), sort=labels),
            y=alt.Y("prev:N", title=column_label("tier_previous", L), sort=labels))
        display.drill_chart((base.mark_rect().encode(color=alt.Color("customers:Q", scale=alt.Scale(scheme="blues"),
                                                                 legend=None),
                                                 tooltip=display.tooltips("prev", "cur", "customers", lang=L, titles={
                                                     "prev": column_label("tier_previous", L),
                                                     "cur": column_label("tier_current", L)}))
                         + base.mark_text(fontSize=14).encode(text=alt.Text("customers:Q"))), TIER_PAGE, "matrix",
                            {"tier_previous": "tier_previous", "tier_current": "tier_current"},
                            lambda p: f"{value_label(p['tier_previous'], L)} → {value_label(p['tier_current'], L)}")
with right:
    st.subheader(t("flags", L))
    flags = ["drop", "stopped", "surge", "new", "steady"]
    counts = display.label_values(pd.DataFrame({"flag": flags, "n": [int(now[f]) for f in flags]}), "flag", L)
    display.drill_chart(alt.Chart(counts).mark_bar().encode(
        x=alt.X("n:Q", title=t("col_customers", L), axis=display.COUNT_AXIS), y=alt.Y("label:N", title=None, sort="-x"),
        color=alt.Color("label:N", scale=display.colour_legend(list(counts["flag"]), L), legend=None),
        tooltip=display.tooltips("label", "n", lang=L, titles={"label": t("col_flag", L),
                                                               "n": t("col_customers", L)})),
        PAGE, "flags", {"flag": "flag"}, lambda p: value_label(p["flag"], L))
    display.drill_caption(L)

st.subheader(t("tier_changes", L))
moved = tiers.tier_rows(figures["tiers"])
listed = display.first_rows(display.drill_records(moved, TIER_PAGE, L), TIERS_SHOWN, L, "tier_changes_shown")
display.show_table(listed[["customer_code", "customer_name", "tier_previous", "tier_current", "change"]], L, height=300,
                   key="fluct_tiers")
display.downloads(exports.FLUCTUATION, scope, L, "fluct_dl", period=period)
display.downloads(exports.TIERS, scope, L, "tiers_dl", period=period)

st.subheader(t("customer_history", L))
# the customers of the lists above (those listed, when a list is cut)
picks = pd.concat([moved.head(TIERS_SHOWN), listed, drops, surges])
options = list(dict.fromkeys(picks["customer_code"]))
names = dict(zip(picks["customer_code"], picks["customer_name"]))
code = st.selectbox(t("choose_customer", L), options, key="fluct_customer", format_func=lambda c: f"{names.get(c, '')} ({c})")
if code:
    monthly = data.as_float(data.fetch(Call(fluctuation.volume_trend, scope, trend_start, period.end, code)), "volume")
    p = Period.containing("month", trend_start)
    ends = []
    while p.start <= period.end:
        ends.append(min(p.end, period.end))
        p = p.next()
    history = data.as_float(data.fetch(Call(tiers.tier_history, scope, code, ends)), "volume")
    history = history.assign(tier_label=history["tier"].map(lambda v: value_label(v, L)))
    if not history.empty:  # every month of the tier chart's range, a month without orders at zero
        monthly = fluctuation.every_month(monthly, trend_start, period.end)
    # tiers from the highest rank at the top down to no tier: Gold -> VIP is drawn as a rise
    tier_order = [value_label(v, L) for v in history.sort_values("tier_rank")["tier"].drop_duplicates()]
    left, right = st.columns(2)
    left.altair_chart(alt.Chart(monthly).mark_bar(color="#64b5f6").encode(
        x=alt.X("month:T", title=None, axis=display.MONTH_AXIS), y=alt.Y("volume:Q", title=t("col_volume", L)),
        tooltip=display.tooltips("month:T", "volume", lang=L)), width="stretch")
    right.altair_chart(alt.Chart(history).mark_line(point=True, interpolate="step-after", color="#1565c0").encode(
        x=alt.X("end_date:T", title=None, axis=display.MONTH_AXIS), y=alt.Y("tier_label:N", title=None, sort=tier_order),
        tooltip=display.tooltips("end_date:T", "tier_label", "volume", lang=L,
                                 titles={"tier_label": t("col_tier", L)})), width="stretch")
