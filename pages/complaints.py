"""Complaint timeliness (投诉处理及时性): SLA states, trend, breakdowns, the overdue list."""
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.core.vocabulary import PRIORITY
from dashboard.i18n import t, value_label
from dashboard.metrics import calls, clock, complaints
from dashboard.ui import data, display, filters, links

f = filters.page_filters()
L, scope, period = f.lang, f.scope, f.period
PAGE = "complaints"

filters.page_header(f, "nav_complaints", t("complaints_intro", L))

trend_start = Period.containing("month", period.end - timedelta(days=365)).next().start
GRAINS = ["month", "week"]
# every figure at once: the year's trend first, as it takes longest, then in the order the page
# draws them; the trend at the grain last chosen (the radio below keeps it in session state; the
# first grain until it is touched)
figures = data.prefetch({
    "trend": Call(complaints.complaint_trend, scope, trend_start, period.end,
                  st.session_state.get("complaints_grain", GRAINS[0]), f.as_of),
    "kpis": Call(complaints.complaint_kpis, scope, period.start, period.end, f.as_of),
    "kpis_before": Call(complaints.complaint_kpis, scope, f.previous.start, f.previous.end, f.previous_as_of),
    "kpis_last_year": Call(complaints.complaint_kpis, scope, f.comparison.last_year.start, f.comparison.last_year.end,
                           f.comparison.last_year.end),
    "overdue": Call(complaints.overdue_open, scope, f.as_of),
    "department": Call(complaints.complaint_breakdown, scope, period.start, period.end, "department", f.as_of),
    "priority": Call(complaints.complaint_breakdown, scope, period.start, period.end, "priority", f.as_of),
    "cohort": Call(complaints.complaints, scope, period.start, period.end, f.as_of),
    "summary": Call(complaints.complaint_summary, scope, period.start, period.end, f.as_of),
    "clock": Call(clock.clock_info, scope, period.start, period.end + timedelta(days=60))})

kpis, before, last_year = figures["kpis"], figures["kpis_before"], figures["kpis_last_year"]
g = lambda frame, col: data.first(frame, col)  # noqa: E731
compared = filters.compared_text(f.comparison, L)


def decided(frame):
    """The achievement rate's base: complaints met or breached."""
    met, breached = g(frame, "met"), g(frame, "breached")
    return None if met is None else met + breached


# each card leads to the period's complaints behind it (the list below the charts)
period_records = {"page": PAGE, "where": {}, "label": t("drill_period_records", L)}


def by_state(*states):
    return {"page": PAGE, "where": {"state": list(states)}, "label": " / ".join(value_label(s, L) for s in states)}


display.kpi_row([
    {"label": t("kpi_received", L), "value": formats.fmt_number(g(kpis, "received")),
     "delta": formats.delta_number(g(kpis, "received"), g(before, "received")),
     "help": display.card_help(L, compared, formats.fmt_number(g(before, "received")),
                               formats.fmt_number(g(last_year, "received"))), "drill": period_records},
    display.rate_card(t("kpi_achievement_rate", L), L, g(kpis, "achievement_rate"), g(kpis, "met"),
                      decided(kpis), g(before, "achievement_rate"), g(before, "met"), decided(before),
                      compared=compared, last_year=formats.fmt_rate_of(
                          g(last_year, "achievement_rate"), g(last_year, "met"), decided(last_year), L))
    | {"drill": by_state("met", "breached")},
    {"label": t("kpi_met", L), "value": formats.fmt_number(g(kpis, "met")), "drill": by_state("met")},
    {"label": t("kpi_breached", L), "value": formats.fmt_number(g(kpis, "breached")), "inverse": True,
     "delta": formats.delta_number(g(kpis, "breached"), g(before, "breached")), "drill": by_state("breached")},
    {"label": t("kpi_pending", L), "value": formats.fmt_number(g(kpis, "pending")), "drill": by_state("pending")},
], L)
# the resolution times and callbacks are over the resolved complaints: met or breached
resolved = by_state("met", "breached")
display.kpi_row([
    {"label": t("kpi_median_hours", L), "value": formats.fmt_number(g(kpis, "median_resolution_hours"), 1), "inverse": True,
     "delta": formats.delta_number(g(kpis, "median_resolution_hours"), g(before, "median_resolution_hours"), 1), "drill": resolved},
    {"label": t("kpi_p90_hours", L), "value": formats.fmt_number(g(kpis, "p90_resolution_hours"), 1), "inverse": True,
     "delta": formats.delta_number(g(kpis, "p90_resolution_hours"), g(before, "p90_resolution_hours"), 1), "drill": resolved},
    display.rate_card(t("kpi_callback_rate", L), L, g(kpis, "callback_on_time_rate"), g(kpis, "callbacks_on_time"),
                      g(kpis, "resolved"), g(before, "callback_on_time_rate"), g(before, "callbacks_on_time"),
                      g(before, "resolved"), compared=compared) | {"drill": resolved},
    display.rate_card(t("response_on_time", L), L, g(kpis, "response_on_time_rate"), g(kpis, "responses_on_time"),
                      g(kpis, "responses_due"), g(before, "response_on_time_rate"), g(before, "responses_on_time"),
                      g(before, "responses_due"), compared=compared) | {"drill": period_records},
    {"label": t("kpi_satisfaction", L), "value": formats.fmt_number(g(kpis, "mean_satisfaction"), 2),
     "delta": formats.delta_number(g(kpis, "mean_satisfaction"), g(before, "mean_satisfaction"), 2), "drill": period_records},
    {"label": t("kpi_dissatisfied", L), "value": formats.fmt_rate(g(kpis, "dissatisfied_share")), "inverse": True,
     "delta": formats.delta_rate(g(kpis, "dissatisfied_share"), g(before, "dissatisfied_share")), "drill": period_records},
], L)

sla_clock = figures["clock"]
if g(sla_clock, "kind") == "business":
    st.caption(t("clock_business", L, hours=g(sla_clock, "hours")))
    if g(sla_clock, "unknown_years"):
        st.warning(t("clock_unknown_years", L, years=g(sla_clock, "unknown_years")))

st.subheader(t("overdue_list", L))
overdue = figures["overdue"]
if overdue.empty:
    st.success(t("no_overdue", L))
else:
    st.caption(t("pick_row_to_open", L))
    picked = display.show_table(overdue[["complaint_no", "customer_name", "department_code", "priority", "deadline",
                                         "hours_overdue", "handler_name"]], L, height=260, key="complaints_overdue",
                                pick_row=True)
    links.open_picked(overdue, picked, "complaint", "complaint_no")

if not g(kpis, "received"):
    display.empty(L)
    st.stop()

st.radio(t("trend_grain", L), GRAINS, horizontal=True, key="complaints_grain",
         format_func=lambda k: t(f"kind_{k}", L))
trend = data.as_float(figures["trend"], "achievement_rate")
st.subheader(t("achievement_trend", L))
grain = st.session_state.get("complaints_grain", GRAINS[0])
display.drill_chart(alt.Chart(trend).mark_line(point=True, color="#1565c0").encode(
    x=alt.X("period_start:T", title=None, axis=display.MONTH_AXIS),
    y=alt.Y("achievement_rate:Q", title=t("kpi_achievement_rate", L), axis=alt.Axis(format="%"),
            scale=display.RATE_SCALE),
    tooltip=display.tooltips("period_start:T", "received", "met", "breached", "pending",
                             alt.Tooltip("achievement_rate:Q", format=".1%", title=t("kpi_achievement_rate", L)),
                             lang=L)), PAGE, "trend", ["period_start"],
    lambda p: Period.containing(grain, display.picked_day(p["period_start"])).label,
    where=lambda p: {"period_start": [display.picked_day(p["period_start"])]})


def state_bars(by: str, key: str):
    frame = figures[by]
    long = frame.melt(id_vars=["key"], value_vars=["met", "breached", "pending"], var_name="state", value_name="n")
    long = display.label_values(long, "state", L)
    # departments by name (the code in the tooltip), priorities by their label
    long["group"] = long["key"].map(lambda v: value_label(v, L) if by == "priority" else display.department_name(v))
    # priorities from the most urgent down, as the SLA lists them; departments by code
    order = [value_label(v, L) for v in PRIORITY.codes] if by == "priority" else \
        [display.department_name(v) for v in sorted(frame["key"])]
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("group:N", title=None, sort=order), x=alt.X("n:Q", title=t("col_count", L), axis=display.COUNT_AXIS),
        color=alt.Color("label:N", scale=display.colour_legend(["met", "breached", "pending"], L), title=None),
        tooltip=display.tooltips("group", "key", "label", "n", lang=L,
                                 titles={"group": t("col_department" if by == "department" else "col_priority", L),
                                         "key": t("col_code", L), "label": t("col_state", L)}))
    column = "department_code" if by == "department" else "priority"
    # the records' filter: the group by name and the state by its label
    display.drill_chart(chart, PAGE, by, {"key": column, "state": "state"}, lambda p: " · ".join(
        [display.department_name(p["key"]) if by == "department" else value_label(p["key"], L),
         value_label(p["state"], L)]))


left, right = st.columns(2)
with left:
    st.subheader(t("by_department", L))
    state_bars("department", "complaints_by_department")
with right:
    st.subheader(t("by_priority", L))
    state_bars("priority", "complaints_by_priority")

st.subheader(t("complaint_cohort", L))
display.drill_caption(L)


def cohort_of(start):
    """The complaints received in the week or month a click on the trend picked, as of the page's day."""
    picked = Period.containing(grain, start)
    return data.fetch(Call(complaints.complaints, scope, picked.start, min(picked.end, period.end), f.as_of))


cohort = display.drill_records(figures["cohort"], PAGE, L, cohort_of)
# the columns a manager acts on fit 1280 pixels; the customer and the resolution time behind the toggle and in the export
cohort_columns = ["complaint_no", "department_code", "priority", "received_at", "deadline", "state",
                  "resolution_hours", "handler_name"]
if st.toggle(t("all_columns", L), key="complaints_all_columns"):
    cohort_columns = ["complaint_no", "customer_code", "department_code", "priority", "received_at", "deadline",
                      "resolved_at", "state", "resolution_hours", "handler_name"]
display.show_table(cohort[cohort_columns], L, height=380, key="complaints_table")
display.downloads(exports.COMPLAINTS, scope, L, "complaints_dl", start=period.start, end=period.end, as_of=f.as_of)
summary = figures["summary"]
display.show_table(summary, L, key="complaints_summary")
display.downloads(exports.COMPLAINT_SUMMARY, scope, L, "complaint_summary_dl", start=period.start, end=period.end,
                  as_of=f.as_of)

# -- what complaints are about: by category, channel or department, rates with their bases, repeats ----------
st.subheader(t("topics_title", L))
repeat_days = int(data.fetch(Call(calls.rules, scope))["repeat_days"].iloc[0])
st.caption(t("topics_intro", L, days=repeat_days))
topic = st.radio(t("topics_by", L), list(complaints.TOPICS), horizontal=True, key="complaints_topic",
                 format_func=lambda by: t(f"topics_by_{by}", L))
topics = data.fetch(Call(complaints.complaint_topics, scope, period.start, period.end, topic, f.as_of))
topics_before = data.fetch(Call(complaints.complaint_topics, scope, f.previous.start, f.previous.end, topic,
                                f.previous_as_of))
if topics.empty:
    display.empty(L)
else:
    rows = topics.assign(change_share=complaints.share_change(topics, topics_before, topic))
    rows[topic] = [t("all_queues", L) if a else (k if isinstance(k, str) else t("topics_none", L))
                   for k, a in zip(rows[topic], rows["all"])]
    shown = rows[[topic, "complaints", "complaint_share", "change_share", "repeat_complaints", "per_100_orders",
                  "orders", "per_100_customers", "active_customers"]]
    picked = display.show_table(shown, L, key=f"complaints_topics_{topic}", pick_row=True)
    st.caption(t("topics_top", L) + " · " + filters.compared_text(f.comparison, L))
    share = pd.concat([
        topics[~topics["all"]].head(8).assign(when=t("topics_now", L)),
        topics_before[~topics_before["all"]].pipe(lambda b: b[b[topic].isin(topics[~topics["all"]].head(8)[topic])])
        .assign(when=t("topics_before", L)) if not topics_before.empty else None])
    share = data.as_float(share.assign(**{topic: share[topic].fillna(t("topics_none", L)).map(
        lambda v: value_label(v, L) if topic == "channel" else v)}), "complaint_share")
    st.altair_chart(alt.Chart(share).mark_bar().encode(
        y=alt.Y(f"{topic}:N", title=None, sort="-x"), x=alt.X("complaint_share:Q", title=None, axis=alt.Axis(format="%")),
        yOffset="when:N", color=alt.Color("when:N", title=None),
        tooltip=[alt.Tooltip(f"{topic}:N", title=t(f"topics_by_{topic}", L)), alt.Tooltip("when:N", title=" "),
                 alt.Tooltip("complaint_share:Q", format=".1%", title=t("topics_top", L))]
    ).properties(height=max(120, 40 * share[topic].nunique())), width="stretch")
    if picked is None or bool(topics.iloc[picked]["all"]):
        st.caption(t("topics_pick", L))
    else:
        value = topics.iloc[picked][topic]
        value = value if isinstance(value, str) else None
        # the category is user text: shown as plain text, never Markdown
        st.text(t("topics_records", L, what=rows.iloc[picked][topic] if topic != "channel"
                  else value_label(value, L) if value else t("topics_none", L)))
        records = data.fetch(Call(complaints.complaints_about, scope, period.start, period.end, topic, value, f.as_of))
        display.show_table(records, L, key=f"complaints_about_{topic}_{value}")
