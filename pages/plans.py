"""Plan tracking (计划跟踪): progress against the expected pace, status, cost; behind and below-minimum first."""
import altair as alt
import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.i18n import t, value_label
from dashboard.metrics import plans, records
from dashboard.ui import data, display, filters, plan_record

f = filters.page_filters()
L, scope, period = f.lang, f.scope, f.period
PAGE = "plans"

filters.page_header(f, "nav_plans", t("plans_intro", L) + " " + t("plans_in_period", L))

staff = data.fetch(Call(records.staff_list, scope))
staff_names = dict(zip(staff["staff_no"], staff["name"]))
staff_no = st.selectbox(t("staff", L), [""] + list(staff_names), key="plans_staff",
                        format_func=lambda s: f"{staff_names[s]} ({s})" if s else t("all_staff", L))
staff_no = staff_no or None
GROUPINGS = ["department", "type"]
# every figure at once: the completion over all plans first, as it takes longest, then in the
# order the page draws them; the completion by the grouping last chosen (the radio below keeps it
# in session state; the first grouping until it is touched)
figures = data.prefetch({
    "completion": Call(plans.plan_completion, scope, f.as_of, st.session_state.get("plans_by", GROUPINGS[0])),
    "plans": Call(plans.plans, scope, f.as_of, staff_no, period.start, period.end),
    "totals": Call(plans.plan_totals, scope, f.as_of, staff_no, period.start, period.end),
    "totals_before": Call(plans.plan_totals, scope, f.previous_as_of, staff_no, f.previous.start, f.previous.end),
    "status_counts": Call(plans.plan_status_counts, scope, f.as_of, staff_no, period.start, period.end)})

frame = figures["plans"]
if frame.empty:
    display.empty(L)
    st.stop()

now = figures["totals"].iloc[0]
before = figures["totals_before"].iloc[0]
# each card leads to the plans behind it, in the list of all plans below
every_plan = {"page": PAGE, "where": {}, "label": t("drill_period_records", L)}
display.kpi_row([
    {"label": t("kpi_plans", L), "value": formats.fmt_number(now["plans"]), "delta": formats.delta_number(now["plans"], before["plans"]),
     "drill": every_plan},
    {"label": t("kpi_completion", L), "value": formats.fmt_rate(now["completion_rate"]),
     "delta": formats.delta_rate(now["completion_rate"], before["completion_rate"]), "drill": every_plan},
    {"label": t("kpi_plans_behind", L), "value": formats.fmt_number(now["behind"]), "inverse": True,
     "delta": formats.delta_number(now["behind"], before["behind"]),
     "drill": {"page": PAGE, "where": {"status": ["behind"]}, "label": value_label("behind", L)}},
    {"label": t("kpi_planned_cost", L), "value": formats.fmt_money_short(now["planned_cost"], L),
     "help": formats.fmt_money(now["planned_cost"]), "drill": every_plan},
    {"label": t("kpi_actual_cost", L), "value": formats.fmt_money_short(now["actual_cost"], L),
     "help": formats.fmt_money(now["actual_cost"]), "drill": every_plan},
], L)

ALL_COLUMNS = ["plan_no", "kind", "type", "department_code", "staff_name", "start_date", "end_date", "planned_count",
               "minimum_count", "actual_count", "expected_count", "completion_rate", "status", "planned_cost",
               "actual_cost", "cost_variance", "success_count", "success_rate", "method", "purpose"]
# the columns a head acts on fit 1280 pixels (status, progress, cost, who); the rest behind the toggle and in the export
KEY_COLUMNS = ["plan_no", "type", "staff_name", "end_date", "actual_count", "expected_count", "completion_rate",
               "status", "actual_cost"]
columns = ALL_COLUMNS if st.toggle(t("all_columns", L), key="plans_all_columns") else KEY_COLUMNS
attention = frame[frame["status"].isin(["behind", "below_minimum"])]
st.subheader(t("plans_attention", L))
if attention.empty:
    st.success(t("empty_period", L))
else:
    display.show_table(attention.sort_values(["status", "completion_rate"])[columns], L, height=260, key="plans_attention")

left, right = st.columns(2)
with left:
    st.subheader(t("status_counts", L))
    counts = figures["status_counts"]
    counts = display.label_values(counts, "status", L)
    chart = alt.Chart(counts).mark_bar().encode(
        x=alt.X("plans:Q", title=t("col_count", L), axis=display.COUNT_AXIS),
        y=alt.Y("label:N", title=None, sort="-x"),
        color=alt.Color("label:N", scale=display.colour_legend(list(counts["status"]), L), legend=None),
        tooltip=display.tooltips("label", "plans", lang=L, titles={"label": t("col_status", L)}))
    display.drill_chart(chart, PAGE, "status", {"status": "status"}, lambda p: value_label(p["status"], L))
with right:
    st.radio(t("completion_by_department", L) + " / " + t("completion_by_type", L), GROUPINGS,
             horizontal=True, key="plans_by",
             format_func=lambda b: t("completion_by_department" if b == "department" else "completion_by_type", L))
    grouped = data.as_float(figures["completion"], "completion_rate", "planned_count", "actual_count")
    grouped = display.label_values(grouped, "key", L)
    by = st.session_state.get("plans_by", GROUPINGS[0])
    if by == "department":  # departments by name, the code in the export
        grouped["label"] = grouped["key"].map(display.department_name)
    display.drill_chart(alt.Chart(grouped).mark_bar(color="#1565c0").encode(
        x=alt.X("completion_rate:Q", title=t("kpi_completion", L), axis=alt.Axis(format="%")),
        y=alt.Y("label:N", title=None, sort="-x"),
        tooltip=display.tooltips("label", "plans", "planned_count", "actual_count",
                                 alt.Tooltip("completion_rate:Q", format=".1%", title=t("kpi_completion", L)),
                                 lang=L, titles={"label": t("col_group", L)})),
        PAGE, f"by_{by}", {"key": "department_code" if by == "department" else "type"},
        lambda p: display.department_name(p["key"]) if by == "department" else value_label(p["key"], L))

st.subheader(t("plans_all", L))
display.drill_caption(L)
status_choice = st.multiselect(t("col_status", L), list(counts["status"]), key="plans_status_filter",
                               format_func=lambda s: value_label(s, L), placeholder=t("choose_options", L))
shown = frame[frame["status"].isin(status_choice)] if status_choice else frame
shown = display.drill_records(shown, PAGE, L)
display.show_table(shown[columns], L, height=420, key="plans_table")
display.downloads(exports.PLANS, scope, L, "plans_dl", as_of=f.as_of, start=period.start, end=period.end)

# a plan's record: what its form captured (content, purpose, method) and a service plan's successes
st.subheader(t("plans_record_pick", L))
plan_nos = list(shown["plan_no"])
asked = st.query_params.get("plan")
if asked in plan_nos and st.session_state.get("_plans_asked") != asked:
    st.session_state["plans_record"] = asked
    st.session_state["_plans_asked"] = asked
names = dict(zip(frame["plan_no"], frame["staff_name"]))
picked = st.selectbox(t("f_plan_no", L), plan_nos, key="plans_record",
                      format_func=lambda no: f"{no} · {names[no]}" if isinstance(names.get(no), str) else no)
if picked:
    plan_record.show(frame[frame["plan_no"] == picked].iloc[0], scope, L, f"plans_record_{picked}")
