"""Customer grading (客户分级): RFM segments and scores, ABC classes and the Pareto curve."""
import altair as alt
import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.core.vocabulary import ABC_METHOD
from dashboard.i18n import SEGMENT_APPROACH, column_label, t, value_label
from dashboard.metrics import grading, records
from dashboard.ui import data, display, filters

f = filters.page_filters()
L, scope, as_of = f.lang, f.scope, f.as_of
PAGE = "grading"
DRILL_SHOWN = 1000  # a group's customers listed at most (the download has every one)

filters.page_header(f, "nav_grading", t("grading_intro", L))

settings = data.fetch(Call(records.settings))
configured = dict(zip(settings["key"], settings["value"])).get("abc_method", "count")
st.session_state.setdefault("grading_method", configured)
method = st.radio(t("abc_method", L), ABC_METHOD.codes, horizontal=True, key="grading_method",
                  format_func=lambda m: t(f"abc_method_{m}", L), help=t("abc_method_note", L))
figures = data.prefetch({
    # one pass over the population for every aggregate and the top 500 customers (the download has everyone)
    "summary": Call(grading.grading_overview, scope, as_of, method),
    "abc_before": Call(grading.grading_abc, scope, f.previous_as_of, method)})
summary = figures["summary"]
abc = grading.abc_rows(summary)
if abc.empty:
    display.empty(L)
    st.stop()
abc_before = figures["abc_before"]
share = lambda frame: data.first(frame[frame["abc_class"] == "A"], "revenue_share")  # noqa: E731
count_a = lambda frame: data.first(frame[frame["abc_class"] == "A"], "customers")  # noqa: E731
class_a = {"page": PAGE, "where": {"abc_class": ["A"]}, "label": t("abc_class_a", L)}
display.kpi_row([
    {"label": t("kpi_population", L), "value": formats.fmt_number(abc["customers"].sum()),
     "delta": formats.delta_number(abc["customers"].sum(), abc_before["customers"].sum() if not abc_before.empty else None),
     "drill": {"page": PAGE, "where": {}, "label": t("drill_all_graded", L)}},
    {"label": t("kpi_a_customers", L), "value": formats.fmt_number(count_a(abc)),
     "delta": formats.delta_number(count_a(abc), count_a(abc_before)), "drill": class_a},
    {"label": t("kpi_a_share", L), "value": formats.fmt_rate(share(abc)), "delta": formats.delta_rate(share(abc), share(abc_before)),
     "drill": class_a},
], L)

st.subheader(t("segments", L))
segments = grading.segment_rows(summary)
segments = segments.assign(
    label=segments["rfm_segment"].map(lambda v: value_label(v, L)),
    approach=segments["rfm_segment"].map(lambda v: SEGMENT_APPROACH[v][0 if L == "zh" else 1]))
chart_data = data.as_float(segments, "revenue_share")
display.drill_chart(alt.Chart(chart_data).mark_bar(color="#1565c0").encode(
    y=alt.Y("label:N", title=None, sort="-x"), x=alt.X("customers:Q", title=t("col_customers", L), axis=display.COUNT_AXIS),
    tooltip=display.tooltips("label", "customers", alt.Tooltip("revenue_share:Q", format=".1%",
                                                               title=t("col_revenue_share", L)),
                             lang=L, titles={"label": t("col_segment", L)})),
    PAGE, "segment", {"rfm_segment": "rfm_segment"}, lambda p: value_label(p["rfm_segment"], L))
display.drill_caption(L)
# full width, so the service each segment calls for reads whole; segments in their usual order
order = {segment: position for position, segment in enumerate(SEGMENT_APPROACH)}
table = segments.sort_values("rfm_segment", key=lambda s: s.map(order))[["label", "customers", "revenue_share",
                                                                          "approach"]]
table = table.assign(revenue_share=table["revenue_share"].map(formats.fmt_rate))
table.columns = [column_label("rfm_segment", L), t("col_customers", L), t("col_revenue_share", L),
                 t("service_approach", L)]
st.dataframe(table, hide_index=True, width="stretch")

left, right = st.columns(2)
with left:
    st.subheader(t("score_distribution", L))
    scores = grading.score_rows(summary)
    display.drill_chart(alt.Chart(scores).mark_bar(color="#64b5f6").encode(
        x=alt.X("score:O", title=t("col_score", L)), y=alt.Y("customers:Q", title=t("col_customers", L),
                                                             axis=display.COUNT_AXIS),
        column=alt.Column("dimension:N", title=None, sort=["R", "F", "M"]),
        tooltip=display.tooltips("dimension", "score", "customers", lang=L,
                                 titles={"dimension": "RFM", "score": t("col_score", L)})).properties(width=85, height=200),
        PAGE, "score", ["dimension", "score"], lambda p: f"{p['dimension']} = {p['score']}",
        where=lambda p: {f"{str(p['dimension']).lower()}_score": [int(p["score"])]}, width="content")
with right:
    st.subheader(t("pareto", L))
    curve = data.as_float(grading.pareto_rows(summary), "customer_share", "revenue_share")
    ends = curve[curve["abc_class"].isin(["A", "B"])].groupby("abc_class", as_index=False)["customer_share"].max()
    boundaries = alt.Chart(ends).mark_rule(strokeDash=[4, 4], color="#455a64").encode(
        x=alt.X("customer_share:Q"), tooltip=display.tooltips("abc_class", alt.Tooltip("customer_share:Q", format=".1%")))
    labels = alt.Chart(ends).mark_text(align="left", dx=4, dy=-6, color="#455a64").encode(
        x=alt.X("customer_share:Q"), y=alt.value(12), text=alt.Text("abc_class:N"))
    display.drill_chart(alt.Chart(curve).mark_line(point=alt.OverlayMarkDef(size=20)).encode(
        x=alt.X("customer_share:Q", title=t("col_customer_share", L), axis=alt.Axis(format="%")),
        y=alt.Y("revenue_share:Q", title=t("col_revenue_share", L), axis=alt.Axis(format="%")),
        color=alt.Color("abc_class:N", scale=display.status_scale(["A", "B", "C"]), title="ABC"),
        tooltip=display.tooltips("abc_class", alt.Tooltip("customer_share:Q", format=".1%"),
                            alt.Tooltip("revenue_share:Q", format=".1%"))) + boundaries + labels,
        PAGE, "abc", {"abc_class": "abc_class"}, lambda p: f"ABC {p['abc_class']}")

st.subheader(t("abc_classes", L))
abc_table = abc.assign(approach=abc["abc_class"].map(lambda c: t(f"approach_{c}", L)))
abc_table["customer_share"] = abc_table["customer_share"].map(formats.fmt_rate)
abc_table["revenue_share"] = abc_table["revenue_share"].map(formats.fmt_rate)
abc_table["monetary"] = abc_table["monetary"].map(formats.fmt_money)
abc_table.columns = ["ABC", t("col_customers", L), column_label("monetary", L), t("col_customer_share", L),
                     t("col_revenue_share", L), t("service_approach", L)]
st.dataframe(abc_table, hide_index=True, width="stretch")

st.subheader(t("customer_table", L))
drills = display.drill_filters(PAGE, L)
if drills:  # the customers of the groups picked, read when asked for
    where = {column: values for drill in drills.values() for column, values in drill["where"].items()}
    customers = data.fetch(Call(grading.graded_customers, scope, as_of, method, where, DRILL_SHOWN))
    st.caption(t("drill_first_only" if len(customers) >= DRILL_SHOWN else "drill_listed", L,
                 shown=formats.fmt_number(len(customers))))
else:
    customers = grading.graded_rows(summary)
display.show_table(customers, L, height=400, key="grading_table")
if method == configured:
    display.downloads(exports.GRADING, scope, L, "grading_dl", as_of=as_of)
else:
    st.caption(t("abc_method_note", L))
