"""Business fluctuation and tier changes (业务波动与级别升降)."""
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import metrics, ui
from dashboard.i18n import column_label, t, value_label
from dashboard.periods import Period

f = ui.page_filters()
L, dept, period = f.lang, f.department, f.period

st.title(t("nav_fluctuation", L))
st.caption(t("fluctuation_intro", L))
ui.period_caption(f)

trend_start = Period.containing("month", period.end - timedelta(days=730)).next().start
MOVES = ("upgrade", "downgrade", "new", "lost")
figures = ui.prefetch({
    # flag counts with the largest drops and surges, and the tier matrix with the customers moved: one pass each
    "fluctuation": ("fluctuation_overview", period, dept, 15),
    "summary_before": ("fluctuation_summary", f.previous, dept),
    "trend": ("volume_trend", trend_start, period.end, dept), "tiers": ("tier_overview", period, dept, MOVES)})
now, before = metrics.summary_row(figures["fluctuation"]).iloc[0], figures["summary_before"].iloc[0]
if not now["customers"]:
    ui.empty(L)
    st.stop()
ui.kpi_row([
    {"label": t("kpi_volume", L), "value": ui.fmt_money_short(now["volume"], L), "help": ui.fmt_money(now["volume"]),
     "delta": ui.delta_number(now["volume"], before["volume"], 0, True)},
    {"label": t("kpi_drops", L), "value": ui.fmt_number(now["drop"]), "inverse": True,
     "delta": ui.delta_number(now["drop"], before["drop"])},
    {"label": t("kpi_stopped", L), "value": ui.fmt_number(now["stopped"]), "inverse": True,
     "delta": ui.delta_number(now["stopped"], before["stopped"])},
    {"label": t("kpi_surges", L), "value": ui.fmt_number(now["surge"]),
     "delta": ui.delta_number(now["surge"], before["surge"])},
    {"label": t("kpi_new", L), "value": ui.fmt_number(now["new"]), "delta": ui.delta_number(now["new"], before["new"])},
])

columns = ["customer_code", "customer_name", "volume", "previous_volume", "change", "change_pct", "yoy_pct", "flag"]
# one above the other: side by side at 1280 pixels, the change columns were scrolled out of view
st.subheader(t("largest_drops", L))
drops = metrics.extreme_rows(figures["fluctuation"], "drops")
ui.show_table(drops[columns], L, key="fluct_drops")
st.subheader(t("largest_surges", L))
surges = metrics.extreme_rows(figures["fluctuation"], "surges")
ui.show_table(surges[columns], L, key="fluct_surges")

st.subheader(t("volume_trend", L))
trend = ui.as_float(figures["trend"], "volume")
st.altair_chart(alt.Chart(trend).mark_bar(color="#1565c0").encode(
    x=alt.X("month:T", title=None, axis=ui.MONTH_AXIS), y=alt.Y("volume:Q", title=t("col_volume", L)),
    tooltip=ui.tooltips("month:T", alt.Tooltip("volume:Q", format=",.2f"), "orders", "customers")), width="stretch")

left, right = st.columns(2)
with left:
    st.subheader(t("tier_matrix", L))
    matrix = metrics.matrix_rows(figures["tiers"])
    if matrix.empty:
        ui.empty(L)
    else:
        order = list(dict.fromkeys(list(matrix.sort_values("prev_rank")["tier_previous"])
                                   + list(matrix.sort_values("cur_rank")["tier_current"])))
        labels = [value_label(v, L) for v in order]
        matrix = matrix.assign(prev=matrix["tier_previous"].map(lambda v: value_label(v, L)),
                               cur=matrix["tier_current"].map(lambda v: value_label(v, L)))
        base = alt.Chart(matrix).encode(
            x=alt.X("cur:N", title=column_label("tier_current", L), sort=labels),
            y=alt.Y("prev:N", title=column_label("tier_previous", L), sort=labels))
        st.altair_chart((base.mark_rect().encode(color=alt.Color("customers:Q", scale=alt.Scale(scheme="blues"),
                                                                 legend=None),
                                                 tooltip=ui.tooltips("prev", "cur", "customers"))
                         + base.mark_text(fontSize=14).encode(text=alt.Text("customers:Q"))), width="stretch")
with right:
    st.subheader(t("flags", L))
    flags = ["drop", "stopped", "surge", "new", "steady"]
    counts = ui.label_values(pd.DataFrame({"flag": flags, "n": [int(now[f]) for f in flags]}), "flag", L)
    st.altair_chart(alt.Chart(counts).mark_bar().encode(
        x=alt.X("n:Q", title=t("col_customers", L)), y=alt.Y("label:N", title=None, sort="-x"),
        color=alt.Color("label:N", scale=ui.colour_legend(list(counts["flag"]), L), legend=None),
        tooltip=ui.tooltips("label", "n")), width="stretch")

st.subheader(t("tier_changes", L))
moved = metrics.tier_rows(figures["tiers"])
ui.show_table(moved[["customer_code", "customer_name", "tier_previous", "tier_current", "change"]], L, height=300,
              key="fluct_tiers")
ui.downloads("fluctuation", L, "fluct_dl", period=period, department=dept)
ui.downloads("tiers", L, "tiers_dl", period=period, department=dept)

st.subheader(t("customer_history", L))
picks = pd.concat([moved, drops, surges])
options = list(dict.fromkeys(picks["customer_code"]))
names = dict(zip(picks["customer_code"], picks["customer_name"]))
code = st.selectbox(t("choose_customer", L), options, key="fluct_customer", format_func=lambda c: f"{c} {names.get(c, '')}")
if code:
    monthly = ui.as_float(ui.metric("volume_trend", trend_start, period.end, dept, code), "volume")
    p = Period.containing("month", trend_start)
    ends = []
    while p.start <= period.end:
        ends.append(min(p.end, period.end))
        p = p.next()
    history = ui.as_float(ui.metric("tier_history", code, ends, dept), "volume")
    history = history.assign(tier_label=history["tier"].map(lambda v: value_label(v, L)))
    left, right = st.columns(2)
    left.altair_chart(alt.Chart(monthly).mark_bar(color="#64b5f6").encode(
        x=alt.X("month:T", title=None, axis=ui.MONTH_AXIS), y=alt.Y("volume:Q", title=t("col_volume", L)),
        tooltip=ui.tooltips("month:T", alt.Tooltip("volume:Q", format=",.2f"))), width="stretch")
    right.altair_chart(alt.Chart(history).mark_line(point=True, interpolate="step-after", color="#1565c0").encode(
        x=alt.X("end_date:T", title=None, axis=ui.MONTH_AXIS), y=alt.Y("tier_label:N", title=None),
        tooltip=ui.tooltips("end_date:T", "tier_label", "volume")), width="stretch")
