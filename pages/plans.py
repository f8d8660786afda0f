"""Plan tracking (计划跟踪): progress against the expected pace, status, cost; behind and below-minimum first."""
import altair as alt
import streamlit as st

from dashboard import ui
from dashboard.i18n import t, value_label

f = ui.page_filters()
L, dept, period = f.lang, f.department, f.period

st.title(t("nav_plans", L))
st.caption(t("plans_intro", L) + " " + t("plans_in_period", L))
ui.period_caption(f)

staff = ui.metric("staff_list", dept)
staff_names = dict(zip(staff["staff_no"], staff["name"]))
staff_no = st.selectbox(t("staff", L), [""] + list(staff_names), key="plans_staff",
                        format_func=lambda s: f"{s} {staff_names[s]}" if s else t("all_staff", L))
staff_no = staff_no or None
GROUPINGS = ["department", "type"]
# every figure at once: the completion over all plans first, as it takes longest, then in the
# order the page draws them; the completion by the grouping last chosen (the radio below keeps it
# in session state; the first grouping until it is touched)
figures = ui.prefetch({
    "completion": ("plan_completion", f.as_of, st.session_state.get("plans_by", GROUPINGS[0]), dept),
    "plans": ("plans", f.as_of, dept, staff_no, period.start, period.end),
    "totals": ("plan_totals", f.as_of, dept, staff_no, period.start, period.end),
    "totals_before": ("plan_totals", f.previous_as_of, dept, staff_no, f.previous.start, f.previous.end),
    "status_counts": ("plan_status_counts", f.as_of, dept, staff_no, period.start, period.end)})

frame = figures["plans"]
if frame.empty:
    ui.empty(L)
    st.stop()

now = figures["totals"].iloc[0]
before = figures["totals_before"].iloc[0]
ui.kpi_row([
    {"label": t("kpi_plans", L), "value": ui.fmt_number(now["plans"]), "delta": ui.delta_number(now["plans"], before["plans"])},
    {"label": t("kpi_completion", L), "value": ui.fmt_rate(now["completion_rate"]),
     "delta": ui.delta_rate(now["completion_rate"], before["completion_rate"])},
    {"label": t("kpi_plans_behind", L), "value": ui.fmt_number(now["behind"]), "inverse": True,
     "delta": ui.delta_number(now["behind"], before["behind"])},
    {"label": t("kpi_planned_cost", L), "value": ui.fmt_money_short(now["planned_cost"], L),
     "help": ui.fmt_money(now["planned_cost"])},
    {"label": t("kpi_actual_cost", L), "value": ui.fmt_money_short(now["actual_cost"], L),
     "help": ui.fmt_money(now["actual_cost"])},
])

columns = ["plan_no", "kind", "type", "department_code", "staff_name", "start_date", "end_date", "planned_count",
           "minimum_count", "actual_count", "expected_count", "completion_rate", "status", "planned_cost",
           "actual_cost", "cost_variance"]
attention = frame[frame["status"].isin(["behind", "below_minimum"])]
st.subheader(t("plans_attention", L))
if attention.empty:
    st.success(t("empty_period", L))
else:
    ui.show_table(attention.sort_values(["status", "completion_rate"])[columns], L, height=260, key="plans_attention")

left, right = st.columns(2)
with left:
    st.subheader(t("status_counts", L))
    counts = figures["status_counts"]
    counts = ui.label_values(counts, "status", L)
    chart = alt.Chart(counts).mark_bar().encode(
        x=alt.X("plans:Q", title=t("col_count", L)),
        y=alt.Y("label:N", title=None, sort="-x"),
        color=alt.Color("label:N", scale=ui.colour_legend(list(counts["status"]), L), legend=None),
        tooltip=ui.tooltips("label", "plans"))
    st.altair_chart(chart, width="stretch")
with right:
    st.radio(t("completion_by_department", L) + " / " + t("completion_by_type", L), GROUPINGS,
             horizontal=True, key="plans_by",
             format_func=lambda b: t("completion_by_department" if b == "department" else "completion_by_type", L))
    grouped = ui.as_float(figures["completion"], "completion_rate", "planned_count", "actual_count")
    grouped = ui.label_values(grouped, "key", L)
    st.altair_chart(alt.Chart(grouped).mark_bar(color="#1565c0").encode(
        x=alt.X("completion_rate:Q", title=t("kpi_completion", L), axis=alt.Axis(format="%")),
        y=alt.Y("label:N", title=None, sort="-x"),
        tooltip=ui.tooltips("label", "plans", "planned_count", "actual_count",
                            alt.Tooltip("completion_rate:Q", format=".1%"))),
        width="stretch")

st.subheader(t("plans_all", L))
status_choice = st.multiselect(t("col_status", L), list(counts["status"]), key="plans_status_filter",
                               format_func=lambda s: value_label(s, L))
shown = frame[frame["status"].isin(status_choice)] if status_choice else frame
ui.show_table(shown[columns], L, height=420, key="plans_table")
ui.downloads("plans", L, "plans_dl", as_of=f.as_of, start=period.start, end=period.end, department=dept)
