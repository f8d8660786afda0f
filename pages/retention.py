"""Retention cost (客户挽留成本): reasons, methods, success, cost per retained, ROI, at-risk customers."""
from datetime import timedelta

import altair as alt
import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.core.scope import changes_data
from dashboard.i18n import column_label, t, value_label
from dashboard.metrics import retention
from dashboard.ui import data, display, filters, session

f = filters.page_filters()
L, scope, period = f.lang, f.scope, f.period
PAGE = "retention"
CASES_SHOWN = 2000  # the period's cases listed at most (the export has every one)

filters.page_header(f, "nav_retention", t("retention_intro", L))

# the largest drops: the whole list runs to some 15,000 customers, scrolled past rather than read
AT_RISK_SHOWN = 1000
trend_start = Period.containing("month", period.end - timedelta(days=365)).next().start
# every figure at once, the at-risk list first (a period's orders per customer, the slowest)
figures = data.prefetch({
    "at_risk": Call(retention.at_risk, scope, period, AT_RISK_SHOWN, as_of=f.as_of),
    "reason": Call(retention.retention, scope, period.start, period.end, "reason"),
    "reason_before": Call(retention.retention, scope, f.previous.start, f.previous.end, "reason"),
    "method": Call(retention.retention, scope, period.start, period.end, "method"),
    # ROI over the 180-day windows closed by the as-of day, the earlier cases as known on the same day
    "outcome": Call(retention.retention_outcome, scope, period.start, period.end, f.as_of),
    "outcome_before": Call(retention.retention_outcome, scope, f.previous.start, f.previous.end, f.as_of),
    "trend": Call(retention.retention_trend, scope, trend_start, period.end),
    "cases": Call(retention.retention_cases, scope, period.start, period.end, CASES_SHOWN)})

by_reason, by_reason_before = figures["reason"], figures["reason_before"]
outcome, outcome_before = figures["outcome"], figures["outcome_before"]
total = by_reason[by_reason["reason"] == "ALL"]
total_before = by_reason_before[by_reason_before["reason"] == "ALL"]
g = data.first

def settled(frame):
    """The success rate's base: cases retained or lost."""
    return None if g(frame, "retained") is None else g(frame, "retained") + g(frame, "lost")


def roi_card(now, before) -> dict:
    """ROI over the cases whose 180-day window has closed, with how many are still open."""
    closed, still_open = g(now, "windows_closed") or 0, g(now, "windows_open") or 0
    label = f"{t('kpi_roi', L)} · {formats.fmt_base(closed, closed + still_open, L)}"
    if not closed and still_open:
        return {"label": label, "value": "—", "help": t("roi_not_yet_known", L)}
    return {"label": label, "value": formats.fmt_number(g(now, "roi_closed"), 2),
            "delta": formats.delta_number(g(now, "roi_closed"), g(before, "roi_closed"), 2),
            "plain": formats.small_base(closed),
            "help": t("roi_open_windows", L, open=formats.fmt_number(still_open)) if still_open else None}


def by_result(*results):
    """A card's records: the period's cases with these results (none: every case)."""
    return {"page": PAGE, "where": {"result": list(results)} if results else {},
            "label": " / ".join(value_label(r, L) for r in results) if results else t("drill_period_records", L)}


display.kpi_row([
    {"label": t("kpi_cases", L), "value": formats.fmt_number(g(total, "cases")),
     "delta": formats.delta_number(g(total, "cases"), g(total_before, "cases")), "drill": by_result()},
    display.rate_card(t("kpi_retention_success", L), L, g(total, "success_rate"), g(total, "retained"),
                      settled(total), g(total_before, "success_rate"), g(total_before, "retained"),
                      settled(total_before), compared=filters.compared_text(f.comparison, L))
    | {"drill": by_result("retained", "lost")},
    {"label": t("kpi_total_cost", L), "value": formats.fmt_money_short(g(total, "total_cost"), L), "inverse": True,
     "help": formats.fmt_money(g(total, "total_cost")),
     "delta": formats.delta_number(g(total, "total_cost"), g(total_before, "total_cost"), 2, True), "drill": by_result()},
    {"label": t("kpi_cost_per_retained", L), "value": formats.fmt_money(g(total, "cost_per_retained")), "inverse": True,
     "delta": formats.delta_number(g(total, "cost_per_retained"), g(total_before, "cost_per_retained"), 2, True),
     "drill": by_result("retained")},
    {"label": t("kpi_revenue_after", L), "value": formats.fmt_money_short(g(outcome, "revenue_after"), L),
     "help": formats.fmt_money(g(outcome, "revenue_after")),
     "delta": formats.delta_number(g(outcome, "revenue_after"), g(outcome_before, "revenue_after"), 2, True),
     "drill": by_result("retained")},
    roi_card(outcome, outcome_before) | {"drill": by_result("retained")},
], L)

if not g(total, "cases"):
    display.empty(L)
else:
    # the charts side by side; their tables full width below, where every column shows at 1280 pixels
    breakdowns = (("reason", "by_reason"), ("method", "by_method"))
    for column, (by, title) in zip(st.columns(2), breakdowns):
        with column:
            st.subheader(t(title, L))
            frame = figures[by]
            parts = frame[frame[by] != "ALL"]
            long = parts.melt(id_vars=[by], value_vars=["retained", "lost", "pending"], var_name="result", value_name="n")
            long = display.label_values(long, "result", L).assign(group=lambda d: d[by].map(lambda v: value_label(v, L)))
            display.drill_chart(alt.Chart(long).mark_bar().encode(
                y=alt.Y("group:N", title=None), x=alt.X("n:Q", title=t("kpi_cases", L), axis=display.COUNT_AXIS),
                color=alt.Color("label:N", scale=display.colour_legend(["retained", "lost", "pending"], L), title=None),
                tooltip=display.tooltips("group", "label", "n", lang=L,
                                         titles={"group": column_label(by, L), "label": t("col_result", L)})),
                PAGE, by, {by: by, "result": "result"},
                lambda p, by=by: f"{value_label(p[by], L)} · {value_label(p['result'], L)}")
    for by, title in breakdowns:
        st.caption(t(title, L))
        display.show_table(figures[by], L, key=f"retention_{by}_table")
    display.downloads(exports.RETENTION, scope, L, "retention_dl", start=period.start, end=period.end)
    # the cases behind the cards and the bars
    st.subheader(t("retention_cases", L))
    display.drill_caption(L)
    cases = figures["cases"]
    if len(cases) >= CASES_SHOWN:
        st.caption(t("drill_first", L, total=formats.fmt_number(g(total, "cases")), shown=formats.fmt_number(len(cases))))
    month_cases = lambda start: data.fetch(Call(  # noqa: E731 (the cases started in the month a click on the trend picked)
        retention.retention_cases, scope, start, Period.containing("month", start).end, CASES_SHOWN))
    # the columns that fit 1280 pixels: the result and the cost show; the codes and close date are in the export
    display.show_table(display.drill_records(cases, PAGE, L, month_cases)[
        ["case_no", "customer_name", "department_code", "reason", "method", "started_on", "result", "cost"]],
        L, height=320, key="retention_cases")

st.subheader(t("retention_trend", L))
trend = data.as_float(figures["trend"], "success_rate", "total_cost")
if trend.empty:
    display.empty(L)
else:
    base = alt.Chart(trend).encode(x=alt.X("month:T", title=None, axis=display.MONTH_AXIS))
    display.drill_chart(alt.layer(
        base.mark_bar(color="#90caf9", size=18).encode(
            y=alt.Y("total_cost:Q", title=column_label("total_cost", L), axis=alt.Axis(format=",.0f")),
            tooltip=display.tooltips("month:T", "total_cost", alt.Tooltip("success_rate:Q", format=".1%",
                                     title=column_label("success_rate", L)), lang=L)),
        base.mark_line(point=True, color="#2e7d32").encode(
            y=alt.Y("success_rate:Q", title=column_label("success_rate", L), axis=alt.Axis(format="%"),
                    scale=display.RATE_SCALE)),
    ).resolve_scale(y="independent"), PAGE, "trend", ["month"],
        lambda p: display.picked_day(p["month"]).strftime("%Y-%m"),
        where=lambda p: {"period_start": [display.picked_day(p["month"])]})

st.subheader(t("at_risk_list", L))
risk = figures["at_risk"]
if risk.empty:
    st.success(t("no_at_risk", L))
else:
    at_risk_total = int(risk["customers_at_risk"].iloc[0])
    if at_risk_total > len(risk):
        st.caption(t("at_risk_shown", L, total=at_risk_total, shown=len(risk)))
    # a row picked in the table, else the largest drop: picking in the table beats a picker of names
    picked = display.show_table(risk[["customer_code", "customer_name", "department_code", "volume", "previous_volume",
                                 "change", "change_pct", "flag"]], L, height=320, key="retention_at_risk", pick_row=True)
    chosen = risk.iloc[picked or 0]
    st.caption(t("pick_at_risk_row", L))
    if changes_data(session.signed_in()):  # the case form is a Work page, which hr does not open
        st.page_link("pages/retention_entry.py", icon=":material/person_add:",
                     query_params={"customer": chosen["customer_code"], "lang": L},
                     label=f"{t('open_case_for', L)}: {chosen['customer_code']} {chosen['customer_name']} →")
    st.page_link("pages/customer_file.py", icon=":material/folder_shared:", query_params={"customer": chosen["customer_code"], "lang": L},
                 label=f"{t('nav_customer_file', L)}: {chosen['customer_code']} {chosen['customer_name']} →")
