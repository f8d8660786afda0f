"""Overview (总览): the period's key figures against the previous period, each leading to its page."""
import pandas as pd
import streamlit as st

from dashboard import report
from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.i18n import t, value_label
from dashboard.metrics import archives, calls, complaints, cost, grading, plans, quality, retention, tiers
from dashboard.ui import data, display, filters, session

f = filters.page_filters()
L, scope = f.lang, f.scope
cur, prev = f.period, f.previous

filters.page_header(f, "nav_overview", t("overview_intro", L))


today = session.today()
headline_periods = {key: Period.containing(key, today) for key in ("week", "month")}
# each column of figures: the chosen period and the one before, then the current week and month
columns = {"now": (cur, f.as_of), "before": (prev, f.previous_as_of)} | {
    key: (period, today) for key, period in headline_periods.items()}

# every figure at once, the slow ones first (tiers and grading read a year per customer)
figures = data.prefetch(
    {"tiers_now": Call(tiers.tier_change_counts, scope, cur, as_of=f.as_of),
     "tiers_before": Call(tiers.tier_change_counts, scope, f.previous_period, as_of=f.previous_as_of),
     "abc_now": Call(grading.grading_abc, scope, f.as_of), "abc_before": Call(grading.grading_abc, scope, f.previous_as_of),
     # service cost to the as-of day (budgets pro-rated to the same days) against the same days before
     "cost_now": Call(cost.service_cost, scope, f.comparison.current.start, f.comparison.current.end),
     "cost_before": Call(cost.service_cost, scope, prev.start, prev.end),
     "quality_now": Call(quality.quality_totals, scope, cur.start, cur.end, f.as_of),
     "quality_before": Call(quality.quality_totals, scope, prev.start, prev.end, f.previous_as_of),
     "calls_now": Call(calls.call_figures, scope, cur.start, cur.end, f.as_of, "queue"),
     "calls_before": Call(calls.call_figures, scope, prev.start, prev.end, f.previous_as_of, "queue")}
    | {f"{key}_{column}": call for column, (period, as_of) in columns.items()
       for key, call in report.period_calls(scope, period, as_of).items()}
    # the same days last year, beside the previous period in the cards' tooltips
    | {"kpis_last_year": Call(complaints.complaint_kpis, scope, f.comparison.last_year.start, f.comparison.last_year.end,
                              f.comparison.last_year.end),
       "retention_last_year": Call(retention.retention, scope, f.comparison.last_year.start, f.comparison.last_year.end)})
compared = filters.compared_text(f.comparison, L)
g = data.first


def records(page: str, file: str, where: dict | None = None, label: str | None = None) -> dict:
    """A card's button to the records behind it: that page, with its list filtered to them."""
    return {"page": page, "open": f"pages/{file}.py", "where": where, "label": label}


def of(page: str, file: str, column: str, *values) -> dict:
    return records(page, file, {column: list(values)}, " / ".join(value_label(v, L) for v in values))


def complaint_figures(column: str):
    kpis, overdue = figures[f"kpis_{column}"], figures[f"overdue_{column}"]
    return data.first(kpis, "achievement_rate"), len(overdue), data.first(kpis, "received")


def plan_figures(column: str):
    by = plans.per_status(figures[f"plans_{column}"])
    return by.get("behind", 0), by.get("below_minimum", 0)


def retention_figures(column: str):
    total = retention.total_row(figures[f"retention_{column}"])
    return data.first(total, "success_rate"), data.first(total, "cost_per_retained")


def tier_figures(column: str):
    by = tiers.per_change(figures[f"tiers_{column}"])
    return by.get("upgrade", 0), by.get("downgrade", 0)


def a_share(column: str):
    return grading.a_share(figures[f"abc_{column}"])


rate_now, overdue_now, received_now = complaint_figures("now")
rate_before, overdue_before, _ = complaint_figures("before")
behind_now, below_now = plan_figures("now")
behind_before, below_before = plan_figures("before")
success_now, cpr_now = retention_figures("now")
success_before, cpr_before = retention_figures("before")
up_now, down_now = tier_figures("now")
up_before, down_before = tier_figures("before")
share_now, share_before = a_share("now"), a_share("before")

with st.container(border=False):
    st.subheader(":material/timer: " + t("nav_complaints", L))
    k_now, k_before, k_last_year = figures["kpis_now"], figures["kpis_before"], figures["kpis_last_year"]
    decided = lambda k: None if g(k, "met") is None else g(k, "met") + g(k, "breached")  # noqa: E731
    display.kpi_row([
        display.rate_card(t("kpi_achievement_rate", L), L, rate_now, g(k_now, "met"), decided(k_now), rate_before,
                          g(k_before, "met"), decided(k_before), compared=compared,
                          last_year=formats.fmt_rate_of(g(k_last_year, "achievement_rate"), g(k_last_year, "met"),
                                                        decided(k_last_year), L))
        | {"drill": of("complaints", "complaints", "state", "met", "breached")},
        {"label": t("kpi_overdue_open", L), "value": formats.fmt_number(overdue_now),
         "delta": formats.delta_number(overdue_now, overdue_before), "inverse": True,
         "help": display.card_help(L, compared, formats.fmt_number(overdue_before)),
         "drill": records("complaints", "complaints")},  # the complaints page opens on its overdue list
        {"label": t("kpi_received", L), "value": formats.fmt_number(received_now),
         "delta": formats.delta_number(received_now, g(k_before, "received")),
         "help": display.card_help(L, compared, formats.fmt_number(g(k_before, "received")),
                                   formats.fmt_number(g(k_last_year, "received"))),
         "drill": records("complaints", "complaints", {}, t("drill_period_records", L))},
    ], L)
    st.page_link("pages/complaints.py", label=t("open_page", L))

    st.subheader(":material/assignment: " + t("nav_plans", L))
    display.kpi_row([
        {"label": t("kpi_plans_behind", L), "value": formats.fmt_number(behind_now),
         "delta": formats.delta_number(behind_now, behind_before), "inverse": True,
         "drill": of("plans", "plans", "status", "behind")},
        {"label": t("kpi_plans_below_min", L), "value": formats.fmt_number(below_now),
         "delta": formats.delta_number(below_now, below_before), "inverse": True,
         "drill": of("plans", "plans", "status", "below_minimum")},
    ], L)
    st.page_link("pages/plans.py", label=t("open_page", L))

    st.subheader(":material/handshake: " + t("nav_retention", L))
    r_now, r_before = retention.total_row(figures["retention_now"]), retention.total_row(figures["retention_before"])
    r_last_year = retention.total_row(figures["retention_last_year"])
    settled = lambda r: None if g(r, "retained") is None else g(r, "retained") + g(r, "lost")  # noqa: E731
    display.kpi_row([
        display.rate_card(t("kpi_retention_success", L), L, success_now, g(r_now, "retained"), settled(r_now),
                          success_before, g(r_before, "retained"), settled(r_before), compared=compared,
                          last_year=formats.fmt_rate_of(g(r_last_year, "success_rate"), g(r_last_year, "retained"),
                                                        settled(r_last_year), L))
        | {"drill": of("retention", "retention", "result", "retained", "lost")},
        {"label": t("kpi_cost_per_retained", L), "value": formats.fmt_money_short(cpr_now, L),
         "delta": formats.delta_number(cpr_now, cpr_before, 2, money=True), "inverse": True,
         "help": display.card_help(L, compared, formats.fmt_money(cpr_before), formats.fmt_money(
             g(r_last_year, "cost_per_retained")), exact=formats.fmt_money(cpr_now)),
         "drill": of("retention", "retention", "result", "retained")},
    ], L)
    st.page_link("pages/retention.py", label=t("open_page", L))

    st.subheader(":material/star: " + t("overview_quality", L))
    q_now, q_before = figures["quality_now"], figures["quality_before"]
    qg = data.first
    display.kpi_row([
        display.rate_card(t("kpi_quality_callback", L), L, qg(q_now, "callback_on_time_rate"), qg(q_now, "callbacks_on_time"),
                          qg(q_now, "resolved"), qg(q_before, "callback_on_time_rate"), qg(q_before, "callbacks_on_time"),
                          qg(q_before, "resolved"), compared=compared) | {"drill": records("quality", "quality")},
        {"label": f"{t('kpi_quality_csat', L)} · n={formats.fmt_number(qg(q_now, 'csat_answers'))}",
         "value": formats.fmt_number(qg(q_now, "csat"), 2),
         "delta": formats.delta_number(qg(q_now, "csat"), qg(q_before, "csat"), 2),
         "plain": formats.small_base(qg(q_now, "csat_answers")), "help": compared,
         "drill": records("quality", "quality")},
        {"label": f"{t('kpi_quality_nps', L)} · n={formats.fmt_number(qg(q_now, 'nps_answers'))}",
         "value": formats.fmt_rate(qg(q_now, "nps")), "delta": formats.delta_rate(qg(q_now, "nps"), qg(q_before, "nps")),
         "plain": formats.small_base(qg(q_now, "nps_answers")), "help": compared,
         "drill": records("quality", "quality")},
    ], L)  # the quality page holds their records
    st.page_link("pages/quality.py", label=t("open_page", L))

    st.subheader(":material/headset_mic: " + t("overview_calls", L))
    c_now, c_before = figures["calls_now"], figures["calls_before"]
    c_now, c_before = (c[c["all"]] if not c.empty else c for c in (c_now, c_before))
    display.kpi_row([
        display.rate_card(t("kpi_calls_sl", L), L, g(c_now, "service_level"), g(c_now, "within_sl"), g(c_now, "offered"),
                          g(c_before, "service_level"), g(c_before, "within_sl"), g(c_before, "offered"),
                          compared=compared) | {"drill": records("contact_centre", "contact_centre")},
        display.rate_card(t("kpi_abandon_rate", L), L, g(c_now, "abandon_rate"), g(c_now, "abandoned"),
                          g(c_now, "offered"), g(c_before, "abandon_rate"), g(c_before, "abandoned"),
                          g(c_before, "offered"), inverse=True, compared=compared) | {"drill": records("contact_centre", "contact_centre")},
        display.rate_card(t("kpi_calls_fcr", L), L, g(c_now, "fcr_rate"), g(c_now, "fcr_resolved"), g(c_now, "fcr_base"),
                          g(c_before, "fcr_rate"), g(c_before, "fcr_resolved"), g(c_before, "fcr_base"),
                          compared=compared) | {"drill": records("contact_centre", "contact_centre")},
    ], L)
    st.page_link("pages/contact_centre.py", label=t("open_page", L))

    st.subheader(":material/trending_up: " + t("nav_fluctuation", L) + " · :material/sell: " + t("nav_grading", L))
    display.kpi_row([
        {"label": t("kpi_upgraded", L), "value": formats.fmt_number(up_now), "delta": formats.delta_number(up_now, up_before),
         "drill": of("tier_changes", "fluctuation", "change", "upgrade")},
        {"label": t("kpi_downgraded", L), "value": formats.fmt_number(down_now),
         "delta": formats.delta_number(down_now, down_before), "inverse": True,
         "drill": of("tier_changes", "fluctuation", "change", "downgrade")},
        {"label": t("kpi_a_share", L), "value": formats.fmt_rate(share_now), "delta": formats.delta_rate(share_now, share_before),
         "drill": records("grading", "grading", {"abc_class": ["A"]}, t("abc_class_a", L))},
    ], L)
    left, right = st.columns(2)
    left.page_link("pages/fluctuation.py", label=t("open_page", L))
    right.page_link("pages/grading.py", label=t("open_page", L))

    st.subheader(":material/payments: " + t("nav_cost", L))
    cost_now, cost_before = cost.total(figures["cost_now"]), cost.total(figures["cost_before"])
    usage_now, usage_before = g(cost_now, "budget_usage"), g(cost_before, "budget_usage")
    actual_now, actual_before = g(cost_now, "actual"), g(cost_before, "actual")
    usage_base = t("usage_base", L, actual=formats.fmt_money(actual_now), budget=formats.fmt_money(g(cost_now, "budget")))
    display.kpi_row([
        {"label": t("card_budget_usage", L), "value": formats.fmt_rate(usage_now), "inverse": True,
         "delta": formats.delta_rate(usage_now, usage_before),
         "help": display.card_help(L, compared, formats.fmt_rate(usage_before), exact=usage_base),
         "drill": records("cost", "cost")},
        {"label": t("kpi_cost_actual", L), "value": formats.fmt_money_short(actual_now, L), "inverse": True,
         "delta": formats.delta_number(actual_now, actual_before, 2, money=True),
         "help": display.card_help(L, compared, formats.fmt_money(actual_before), exact=formats.fmt_money(actual_now)),
         "drill": records("cost", "cost")},
    ], L)  # the cost page holds their records
    st.caption(f"{t('kpi_budget_usage', L)}: {usage_base}")
    st.page_link("pages/cost.py", label=t("open_page", L))

# Headline figures for the current week and month, whatever period is chosen above.
st.subheader(t("headline_week", L) + " / " + t("headline_month", L))
headline = {}
for key, period in headline_periods.items():
    rate, overdue, received = complaint_figures(key)
    behind, below = plan_figures(key)
    success, cost_per_retained = retention_figures(key)
    headline[f"{t('headline_' + key, L)} {period.label}"] = [
        formats.fmt_number(received), formats.fmt_rate(rate), formats.fmt_number(overdue), formats.fmt_number(behind),
        formats.fmt_number(below), formats.fmt_rate(success), formats.fmt_money(cost_per_retained)]
labels = [t(k, L) for k in ("kpi_received", "kpi_achievement_rate", "kpi_overdue_open", "kpi_plans_behind",
                            "kpi_plans_below_min", "kpi_retention_success", "kpi_cost_per_retained")]
st.dataframe(pd.DataFrame(headline, index=labels), width="stretch")

# Seed 003's timeliness of records, counted for the period chosen (the customer log page lists them).
timely = data.fetch(Call(archives.timeliness_counts, scope, f.period.start, f.period.end, f.as_of)).iloc[0]
st.caption(t("overview_timeliness", L, files=formats.fmt_number(int(timely["files_incomplete"])),
             late=formats.fmt_number(int(timely["entries_late"])), judged=formats.fmt_number(int(timely["entries_judged"]))))
st.page_link("pages/customer_log.py", label=t("nav_customer_log", L) + " →")
