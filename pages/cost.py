"""Service cost (服务成本): budget against actual per department and category, the monthly trend,
the largest costs, the costs of plans, tasks and cases, and the entries behind a row."""
import altair as alt
import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.core.periods import Period, range_label
from dashboard.core.scope import changes_data
from dashboard.i18n import column_label, t, value_label
from dashboard.metrics import cost
from dashboard.ui import data, display, filters, session

f = filters.page_filters()
L, scope = f.lang, f.scope
# a running period is shown up to today and compared with the same days before (like for like)
shown, before = f.comparison.current, f.previous

filters.page_header(f, "nav_cost", t("cost_intro", L))
if changes_data(session.signed_in()):  # the forms change data: not for hr
    st.page_link("pages/cost_entry.py", label=t("nav_cost_entry", L) + " →", icon=":material/receipt_long:")

ENTRIES_SHOWN = 500
trend_start = Period.containing("month", shown.end)
for _ in range(11):
    trend_start = trend_start.previous()
figures = data.prefetch({
    "now": Call(cost.service_cost, scope, shown.start, shown.end),
    "before": Call(cost.service_cost, scope, before.start, before.end),
    "trend": Call(cost.cost_trend, scope, trend_start.start, shown.end),
    "largest": Call(cost.cost_entries, scope, shown.start, shown.end, None, None, 10),
    "links": Call(cost.cost_links, scope, shown.start, shown.end),
    "budgets": Call(cost.budgets, scope, shown.start, shown.end)})

now, was = cost.total(figures["now"]), cost.total(figures["before"])
compared = t("compared_with", L, previous=range_label(before), last_year=range_label(f.comparison.last_year))
g = data.first


def money_card(label: str, column: str, inverse: bool = False, plain: bool = False) -> dict:
    value, earlier = g(now, column), g(was, column)
    return {"label": label, "value": formats.fmt_money_short(value, L), "inverse": inverse, "plain": plain,
            "delta": formats.delta_number(value, earlier, 2, money=True),
            "help": display.card_help(L, compared, formats.fmt_money(earlier), exact=formats.fmt_money(value))}


usage_base = t("usage_base", L, actual=formats.fmt_money(g(now, "actual")), budget=formats.fmt_money(g(now, "budget")))
display.kpi_row([
    money_card(t("kpi_cost_budget", L), "budget", plain=True),  # a larger budget is neither good nor bad
    money_card(t("kpi_cost_actual", L), "actual", inverse=True),
    money_card(t("kpi_cost_variance", L), "variance", inverse=True),
    {"label": t("kpi_budget_usage", L), "value": formats.fmt_rate(g(now, "budget_usage")), "inverse": True,
     "delta": formats.delta_rate(g(now, "budget_usage"), g(was, "budget_usage")),
     "help": display.card_help(L, compared, formats.fmt_rate(g(was, "budget_usage")), exact=usage_base)},
])
st.caption(f"{t('kpi_budget_usage', L)}: {usage_base} · {range_label(shown)}")

table = figures["now"]
st.subheader(t("cost_by_department", L))
if len(table) <= 1 and not g(now, "budget") and not g(now, "actual"):
    display.empty(L)
    picked = None
else:
    picked = display.show_table(table.drop(columns=["department_name"]), L, key="cost_table", pick_row=True)
    display.downloads(exports.SERVICE_COST, scope, L, "cost_dl", start=shown.start, end=shown.end)

    # the entries behind a row: the department's own (rows are not rolled up), or the subtree's for ALL
    st.subheader(t("cost_drill", L))
    if picked is None:
        st.caption(t("cost_drill_pick", L))
    else:
        row = table.iloc[picked]
        department = None if row["department_code"] == "ALL" else row["department_code"]
        category = None if row["category"] == "ALL" else row["category"]
        entries = data.fetch(Call(cost.cost_entries, scope, shown.start, shown.end, department, category))
        name = row["department_name"] or value_label("ALL", L)
        st.caption(t("cost_drill_of", L, department=display.escape_markdown(name),
                     category=value_label(row["category"], L)))
        if len(entries) > ENTRIES_SHOWN:
            st.caption(t("cost_entries_shown", L, shown=ENTRIES_SHOWN, total=len(entries)))
        display.show_table(entries.head(ENTRIES_SHOWN).drop(columns=["department_name"]), L,
                           key=f"cost_drill_{row['department_code']}_{row['category']}")

st.subheader(t("cost_trend", L))
trend = data.as_float(figures["trend"], "budget", "actual")
if trend.empty:
    display.empty(L)
else:
    long = trend.melt(id_vars=["month"], value_vars=["actual", "budget"], var_name="series", value_name="amount")
    long["label"] = long["series"].map(lambda s: t(f"series_{s}", L))
    base = alt.Chart(long).encode(x=alt.X("yearmonth(month):O", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0)),
                                  y=alt.Y("amount:Q", title=column_label("amount", L)),
                                  tooltip=display.tooltips("month:T", "label", "amount", lang=L))
    colours = alt.Scale(domain=[t("series_actual", L), t("series_budget", L)], range=["#90caf9", "#c62828"])
    st.altair_chart(alt.layer(
        base.transform_filter(alt.datum.series == "actual").mark_bar().encode(
            color=alt.Color("label:N", scale=colours, title=None)),
        base.transform_filter(alt.datum.series == "budget").mark_line(point=True, strokeWidth=3).encode(
            color=alt.Color("label:N", scale=colours, title=None)),
    ), width="stretch")
    if f.comparison.running:
        st.caption(t("cost_trend_running", L, as_of=shown.end))

st.subheader(t("cost_largest", L))
largest = figures["largest"]
if largest.empty:
    display.empty(L)
else:
    display.show_table(largest[["entry_no", "entry_date", "department_code", "category", "amount", "staff_name",
                                "description", "purpose"]], L, key="cost_largest")

st.subheader(t("cost_links", L))
st.caption(t("cost_links_note", L))
links = figures["links"]
if links.empty:
    display.empty(L)
else:
    display.show_table(links[["link_kind", "link_no", "department_code", "subject", "entries", "entry_cost",
                              "own_planned_cost", "own_recorded_cost"]], L, key="cost_links")

st.subheader(t("budget_rows", L))
budget_rows = figures["budgets"]
if budget_rows.empty:
    display.empty(L)
else:
    chosen = display.show_table(budget_rows[["department_code", "period", "category", "status", "original_amount",
                                             "amount", "proposed_amount", "in_range", "note"]], L, key="cost_budgets",
                                pick_row=True)
    if chosen is None:
        st.caption(t("budget_pick_history", L))
    else:
        b = budget_rows.iloc[chosen]
        st.caption(f"{t('budget_history', L)}: {display.escape_markdown(b['department_name'])} · {b['period']} · "
                   f"{value_label(b['category'], L)}")
        changes = data.fetch(Call(cost.budget_history, scope, b["department_code"], b["period"], b["category"]))
        if changes.empty:
            st.caption(t("no_items", L))
        else:
            display.show_table(changes, L, key=f"cost_budget_history_{b['department_code']}_{b['period']}_{b['category']}")
