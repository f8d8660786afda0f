"""Retention cost (客户挽留成本): reasons, methods, success, cost per retained, ROI, at-risk customers."""
from datetime import timedelta

import altair as alt
import streamlit as st

from dashboard import ui
from dashboard.i18n import column_label, t, value_label
from dashboard.periods import Period

f = ui.page_filters()
L, dept, period = f.lang, f.department, f.period

st.title(t("nav_retention", L))
st.caption(t("retention_intro", L))
ui.period_caption(f)

# the largest drops: the whole list runs to some 15,000 customers, scrolled past rather than read
AT_RISK_SHOWN = 1000
trend_start = Period.containing("month", period.end - timedelta(days=365)).next().start
# every figure at once, the at-risk list first (a period's orders per customer, the slowest)
figures = ui.prefetch({
    "at_risk": ("at_risk", period, dept, AT_RISK_SHOWN),
    "reason": ("retention", period.start, period.end, dept, "reason"),
    "reason_before": ("retention", f.previous.start, f.previous.end, dept, "reason"),
    "method": ("retention", period.start, period.end, dept, "method"),
    "outcome": ("retention_outcome", period.start, period.end, dept),
    "outcome_before": ("retention_outcome", f.previous.start, f.previous.end, dept),
    "trend": ("retention_trend", trend_start, period.end, dept)})

by_reason, by_reason_before = figures["reason"], figures["reason_before"]
outcome, outcome_before = figures["outcome"], figures["outcome_before"]
total = by_reason[by_reason["reason"] == "ALL"]
total_before = by_reason_before[by_reason_before["reason"] == "ALL"]
g = ui.first

ui.kpi_row([
    {"label": t("kpi_cases", L), "value": ui.fmt_number(g(total, "cases")),
     "delta": ui.delta_number(g(total, "cases"), g(total_before, "cases"))},
    {"label": t("kpi_retention_success", L), "value": ui.fmt_rate(g(total, "success_rate")),
     "delta": ui.delta_rate(g(total, "success_rate"), g(total_before, "success_rate"))},
    {"label": t("kpi_total_cost", L), "value": ui.fmt_money_short(g(total, "total_cost"), L), "inverse": True,
     "help": ui.fmt_money(g(total, "total_cost")),
     "delta": ui.delta_number(g(total, "total_cost"), g(total_before, "total_cost"), 2, True)},
    {"label": t("kpi_cost_per_retained", L), "value": ui.fmt_money(g(total, "cost_per_retained")), "inverse": True,
     "delta": ui.delta_number(g(total, "cost_per_retained"), g(total_before, "cost_per_retained"), 2, True)},
    {"label": t("kpi_revenue_after", L), "value": ui.fmt_money_short(g(outcome, "revenue_after"), L),
     "help": ui.fmt_money(g(outcome, "revenue_after")),
     "delta": ui.delta_number(g(outcome, "revenue_after"), g(outcome_before, "revenue_after"), 2, True)},
    {"label": t("kpi_roi", L), "value": ui.fmt_number(g(outcome, "roi"), 2),
     "delta": ui.delta_number(g(outcome, "roi"), g(outcome_before, "roi"), 2)},
])

if not g(total, "cases"):
    ui.empty(L)
else:
    # the charts side by side; their tables full width below, where every column shows at 1280 pixels
    breakdowns = (("reason", "by_reason"), ("method", "by_method"))
    for column, (by, title) in zip(st.columns(2), breakdowns):
        with column:
            st.subheader(t(title, L))
            frame = figures[by]
            parts = frame[frame[by] != "ALL"]
            long = parts.melt(id_vars=[by], value_vars=["retained", "lost", "pending"], var_name="result", value_name="n")
            long = ui.label_values(long, "result", L).assign(group=lambda d: d[by].map(lambda v: value_label(v, L)))
            st.altair_chart(alt.Chart(long).mark_bar().encode(
                y=alt.Y("group:N", title=None), x=alt.X("n:Q", title=t("kpi_cases", L)),
                color=alt.Color("label:N", scale=ui.colour_legend(["retained", "lost", "pending"], L), title=None),
                tooltip=ui.tooltips("group", "label", "n")), width="stretch")
    for by, title in breakdowns:
        st.caption(t(title, L))
        ui.show_table(figures[by], L, key=f"retention_{by}_table")
    ui.downloads("retention", L, "retention_dl", start=period.start, end=period.end, department=dept)

st.subheader(t("retention_trend", L))
trend = ui.as_float(figures["trend"], "success_rate", "total_cost")
if trend.empty:
    ui.empty(L)
else:
    base = alt.Chart(trend).encode(x=alt.X("month:T", title=None, axis=ui.MONTH_AXIS))
    st.altair_chart(alt.layer(
        base.mark_bar(color="#90caf9").encode(y=alt.Y("total_cost:Q", title=column_label("total_cost", L))),
        base.mark_line(point=True, color="#2e7d32").encode(
            y=alt.Y("success_rate:Q", title=column_label("success_rate", L), axis=alt.Axis(format="%"))),
    ).resolve_scale(y="independent"), width="stretch")

st.subheader(t("at_risk_list", L))
risk = figures["at_risk"]
if risk.empty:
    st.success(t("no_at_risk", L))
else:
    at_risk_total = int(risk["customers_at_risk"].iloc[0])
    if at_risk_total > len(risk):
        st.caption(t("at_risk_shown", L, total=at_risk_total, shown=len(risk)))
    # a row picked in the table, else the largest drop: picking in the table beats a picker of names
    picked = ui.show_table(risk[["customer_code", "customer_name", "department_code", "volume", "previous_volume",
                                 "change", "change_pct", "flag"]], L, height=320, key="retention_at_risk", pick_row=True)
    chosen = risk.iloc[picked or 0]
    st.caption(t("pick_at_risk_row", L))
    st.page_link("pages/retention_entry.py", icon="🧲", query_params={"customer": chosen["customer_code"], "lang": L},
                 label=f"{t('open_case_for', L)}: {chosen['customer_code']} {chosen['customer_name']} →")
