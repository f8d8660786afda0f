"""Service quality (服务质量): per person and department, each figure with its base; a league table to sort,
the change on the range compared, a person's records, the `quality` download."""
import pandas as pd
import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.core.scope import changes_data
from dashboard.i18n import column_label, t
from dashboard.metrics import quality
from dashboard.ui import data, display, filters, session

f = filters.page_filters()
L, scope, period = f.lang, f.scope, f.period
filters.page_header(f, "nav_quality", t("quality_intro", L))
if changes_data(session.signed_in()):  # the survey form (and the quarter's due list) is a work form
    st.page_link("pages/survey_entry.py", label=t("record_surveys", L), icon=":material/rate_review:")
compared = filters.compared_text(f.comparison, L)

figures = data.prefetch({
    "now": Call(quality.quality, scope, period.start, period.end, f.as_of),
    "before": Call(quality.quality, scope, f.previous.start, f.previous.end, f.previous_as_of)})
now, before = figures["now"], figures["before"]
total, total_before = now[now["level"] == "all"], before[before["level"] == "all"]
g = data.first


def rate(label, column, part, base, inverse=False):
    return display.rate_card(t(label, L), L, g(total, column), g(total, part), g(total, base), g(total_before, column),
                             g(total_before, part), g(total_before, base), inverse, compared)


def mean(label, column, base):
    few = t("few_cases", L) if formats.small_base(g(total, base)) else ""
    return {"label": f"{t(label, L)} · n={formats.fmt_number(g(total, base))}{few}", "value": formats.fmt_number(g(total, column), 2),
            "delta": formats.delta_number(g(total, column), g(total_before, column), 2),
            "plain": formats.small_base(g(total, base)), "help": compared}


nps = display.rate_card(t("kpi_quality_nps", L), L, g(total, "nps"), None, g(total, "nps_answers"), g(total_before, "nps"),
                        compared=compared)
nps["label"] = f"{t('kpi_quality_nps', L)} · n={formats.fmt_number(g(total, 'nps_answers'))}" + (
    t("few_cases", L) if formats.small_base(g(total, "nps_answers")) else "")
display.kpi_row([
    rate("kpi_quality_achievement", "achievement_rate", "met", "decided"),
    rate("kpi_quality_callback", "callback_on_time_rate", "callbacks_on_time", "resolved"),
    mean("kpi_quality_satisfaction", "mean_satisfaction", "rated"),
    rate("kpi_quality_plan", "plan_completion", "actual_count", "planned_count"),
    mean("kpi_quality_csat", "csat", "csat_answers"),
    nps,
])

people = now[now["level"] == "staff"]
if people.empty and not g(total, "complaints") and not g(total, "surveys"):
    display.empty(L)
else:
    st.subheader(t("league_table", L))
    sortable = ["achievement_rate", "callback_on_time_rate", "mean_satisfaction", "plan_completion",
                "service_success_rate", "retention_success_rate", "csat", "nps", "complaints", "surveys"]
    by = st.selectbox(t("league_sort", L), sortable, format_func=lambda c: column_label(c, L), key="quality_sort")
    earlier = before[before["level"] == "staff"].set_index("staff_no")[by]
    league = people.assign(change=[None if pd.isna(v) or staff not in earlier.index or pd.isna(earlier[staff])
                                   else float(v) - float(earlier[staff]) for staff, v in zip(people["staff_no"], people[by])])
    league = league.assign(_order=pd.to_numeric(league[by], errors="coerce")).sort_values(
        ["_order", "staff_no"], ascending=[False, True], na_position="last")
    # the rate columns with their bases beside them, so a 100 % over one case reads as such
    shown = league[["staff_no", "staff_name", "department_code", "complaints", "achievement_rate", "decided",
                    "callback_on_time_rate", "mean_satisfaction", "plan_completion", "service_success_rate",
                    "retention_success_rate", "surveys", "csat", "nps", "nps_answers", "change"]] \
        .rename(columns={"change": "change_share" if by in quality.RATES else "change"})
    st.caption(t("league_hint", L) + " " + t("league_change", L) + f": {column_label(by, L)} · {compared}")
    picked = display.show_table(shown, L, height=360, key=f"quality_league_{by}", pick_row=True)
    st.subheader(t("department_rows", L))
    display.show_table(now[now["level"] != "staff"][["department_code", "complaints", "achievement_rate", "decided",
                                                      "callback_on_time_rate", "mean_satisfaction", "plan_completion",
                                                      "service_success_rate", "retention_success_rate", "surveys",
                                                      "csat", "nps", "nps_answers"]], L, key="quality_departments")
    display.downloads(exports.QUALITY, scope, L, "quality_dl", start=period.start, end=period.end, as_of=f.as_of)
    if picked is None:
        st.caption(t("pick_staff_row", L))
    else:
        person = league.iloc[picked]
        st.subheader(t("drill_down", L, who=f"{person['staff_no']} {person['staff_name']}"))
        records = data.fetch(Call(quality.quality_records, scope, person["staff_no"], period.start, period.end, f.as_of))
        display.show_table(records, L, key=f"quality_records_{person['staff_no']}") if not records.empty \
            else st.caption(t("no_items", L))
