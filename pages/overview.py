"""Overview (总览): the period's key figures against the previous period, each leading to its page."""
import pandas as pd
import streamlit as st

from dashboard import report, ui
from dashboard.i18n import t
from dashboard.periods import Period

f = ui.page_filters()
L, dept = f.lang, f.department
cur, prev = f.period, f.previous

st.title(t("nav_overview", L))
st.caption(t("overview_intro", L))
ui.period_caption(f)


today = ui.today()
headline_periods = {key: Period.containing(key, today) for key in ("week", "month")}
# each column of figures: the chosen period and the one before, then the current week and month
columns = {"now": (cur, f.as_of), "before": (prev, f.previous_as_of)} | {
    key: (period, today) for key, period in headline_periods.items()}

# every figure at once, the slow ones first (tiers and grading read a year per customer)
figures = ui.prefetch(
    {"tiers_now": ("tier_change_counts", cur, dept), "tiers_before": ("tier_change_counts", prev, dept),
     "abc_now": ("grading_abc", f.as_of, dept), "abc_before": ("grading_abc", f.previous_as_of, dept)}
    | {f"{key}_{column}": call for column, (period, as_of) in columns.items()
       for key, call in report.period_calls(period, as_of, dept).items()})


def complaint_figures(column: str):
    kpis, overdue = figures[f"kpis_{column}"], figures[f"overdue_{column}"]
    return ui.first(kpis, "achievement_rate"), len(overdue), ui.first(kpis, "received")


def plan_figures(column: str):
    counts = figures[f"plans_{column}"]
    by = dict(zip(counts["status"], counts["plans"])) if not counts.empty else {}
    return by.get("behind", 0), by.get("below_minimum", 0)


def retention_figures(column: str):
    frame = figures[f"retention_{column}"]
    total = frame[frame["reason"] == "ALL"]
    return ui.first(total, "success_rate"), ui.first(total, "cost_per_retained")


def tier_figures(column: str):
    frame = figures[f"tiers_{column}"]
    by = dict(zip(frame["change"], frame["customers"])) if not frame.empty else {}
    return by.get("upgrade", 0), by.get("downgrade", 0)


def a_share(column: str):
    frame = figures[f"abc_{column}"]
    return ui.first(frame[frame["abc_class"] == "A"], "revenue_share")


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
    st.subheader("⏱️ " + t("nav_complaints", L))
    ui.kpi_row([
        {"label": t("kpi_achievement_rate", L), "value": ui.fmt_rate(rate_now), "delta": ui.delta_rate(rate_now, rate_before)},
        {"label": t("kpi_overdue_open", L), "value": ui.fmt_number(overdue_now),
         "delta": ui.delta_number(overdue_now, overdue_before), "inverse": True},
        {"label": t("kpi_received", L), "value": ui.fmt_number(received_now)},
    ])
    st.page_link("pages/complaints.py", label=t("open_page", L))

    st.subheader("📋 " + t("nav_plans", L))
    ui.kpi_row([
        {"label": t("kpi_plans_behind", L), "value": ui.fmt_number(behind_now),
         "delta": ui.delta_number(behind_now, behind_before), "inverse": True},
        {"label": t("kpi_plans_below_min", L), "value": ui.fmt_number(below_now),
         "delta": ui.delta_number(below_now, below_before), "inverse": True},
    ])
    st.page_link("pages/plans.py", label=t("open_page", L))

    st.subheader("🤝 " + t("nav_retention", L))
    ui.kpi_row([
        {"label": t("kpi_retention_success", L), "value": ui.fmt_rate(success_now),
         "delta": ui.delta_rate(success_now, success_before)},
        {"label": t("kpi_cost_per_retained", L), "value": ui.fmt_money(cpr_now),
         "delta": ui.delta_number(cpr_now, cpr_before, 2, money=True), "inverse": True},
    ])
    st.page_link("pages/retention.py", label=t("open_page", L))

    st.subheader("📈 " + t("nav_fluctuation", L) + " · 🏷️ " + t("nav_grading", L))
    ui.kpi_row([
        {"label": t("kpi_upgraded", L), "value": ui.fmt_number(up_now), "delta": ui.delta_number(up_now, up_before)},
        {"label": t("kpi_downgraded", L), "value": ui.fmt_number(down_now),
         "delta": ui.delta_number(down_now, down_before), "inverse": True},
        {"label": t("kpi_a_share", L), "value": ui.fmt_rate(share_now), "delta": ui.delta_rate(share_now, share_before)},
    ])
    left, right = st.columns(2)
    left.page_link("pages/fluctuation.py", label=t("open_page", L))
    right.page_link("pages/grading.py", label=t("open_page", L))

# Headline figures for the current week and month, whatever period is chosen above.
st.subheader(t("headline_week", L) + " / " + t("headline_month", L))
headline = {}
for key, period in headline_periods.items():
    rate, overdue, received = complaint_figures(key)
    behind, below = plan_figures(key)
    success, cost_per_retained = retention_figures(key)
    headline[f"{t('headline_' + key, L)} {period.label}"] = [
        ui.fmt_number(received), ui.fmt_rate(rate), ui.fmt_number(overdue), ui.fmt_number(behind),
        ui.fmt_number(below), ui.fmt_rate(success), ui.fmt_money(cost_per_retained)]
labels = [t(k, L) for k in ("kpi_received", "kpi_achievement_rate", "kpi_overdue_open", "kpi_plans_behind",
                            "kpi_plans_below_min", "kpi_retention_success", "kpi_cost_per_retained")]
st.dataframe(pd.DataFrame(headline, index=labels), width="stretch")
