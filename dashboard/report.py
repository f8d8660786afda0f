"""Weekly review (周例会): the figures of a week against the previous week, as slides or a report.

`weekly_review` gathers everything from the metric functions; the presentation page, the
HTML report and the Excel workbook only render what it returns, so the three always agree.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import altair as alt
import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.calls import Call
from dashboard.core.formats import DAYS_FROM_HOURS, delta_number, delta_rate, fmt_hours, fmt_money, fmt_money_short, fmt_number, fmt_rate, fixed
from dashboard.core.periods import Comparison, Period, compare, range_label
from dashboard.core.scope import Scope
from dashboard.i18n import column_label, t, value_label
from dashboard.metrics import calls, complaints, cost, fluctuation, grading, plans, quality, retention, tiers
from dashboard.workbook import workbook_bytes
from db.engine import app_timezone


@dataclass
class Figure:
    label: str          # i18n key
    now: object
    before: object
    kind: str = "number"  # number | rate | money | hours | mean (2 places)
    worse_when_up: bool = False


@dataclass
class Section:
    key: str            # slide / sheet name
    title: str          # i18n key
    figures: list[Figure]
    table: pd.DataFrame | None = None
    chart: pd.DataFrame | None = None   # aggregated rows: label, value, colour key
    notes: list[str] = field(default_factory=list)


def _today() -> date:
    return datetime.now(app_timezone()).date()


def review_comparison(week: Period, today: date | None = None) -> Comparison:
    """The week as of today (its last day once over) against the same days of the week before and of last year."""
    return compare(week, min(week.end, today or _today()))


def compared_ranges(week: Period, lang: str, today: date | None = None) -> str:
    """"2026-11-30 – 2026-12-02 · against the same days of last week 2026-11-23 – 2026-11-25 · last year …"."""
    c = review_comparison(week, today)
    return t("review_compared", lang, current=range_label(c.current), previous=range_label(c.previous),
             last_year=range_label(c.last_year))


def period_calls(scope: Scope, period: Period, as_of: date) -> dict[str, Call]:
    """The calls behind a period's complaint, plan and retention figures (the overview's and the review's)."""
    return {"kpis": Call(complaints.complaint_kpis, scope, period.start, period.end, as_of),
            "overdue": Call(complaints.overdue_open, scope, as_of),
            "plans": Call(plans.plan_status_counts, scope, as_of, None, period.start, period.end),
            "retention": Call(retention.retention, scope, period.start, period.end)}


def review_calls(scope: Scope, week: Period, today: date | None = None) -> dict[str, Call]:
    """Every figure the weekly review for `week` reads, by key.

    The calls are independent, so the app runs them at once; the slowest (a year of orders
    per customer) come first.
    """
    today = today or _today()
    as_of = min(week.end, today)
    # a running week against the same days of the week before (the whole week once it is over)
    prev = compare(week, as_of).previous
    prev_as_of = prev.end
    return {
        # the week's flag counts with its largest drops, and its tier changes with the customers moved
        "fluctuation_now": Call(fluctuation.fluctuation_overview, scope, week, 6, as_of=as_of),
        "tiers_now": Call(tiers.tier_overview, scope, week, ("upgrade", "downgrade", "new", "lost"), 6, as_of=as_of),
        "abc_now": Call(grading.grading_abc, scope, as_of),
        "abc_before": Call(grading.grading_abc, scope, prev_as_of),
        "tiers_before": Call(tiers.tier_change_counts, scope, week.previous(), as_of=prev_as_of),
        "summary_before": Call(fluctuation.fluctuation_summary, scope, week.previous(), as_of=prev_as_of),
        "behind": Call(plans.plans, scope, as_of, None, week.start, week.end, ("behind", "below_minimum"), 6),
        "breakdown": Call(complaints.complaint_breakdown, scope, week.start, week.end, "priority", as_of),
        # service cost: the week to date, budgets pro-rated to the same days, against the same days before
        "cost_now": Call(cost.service_cost, scope, compare(week, as_of).current.start, compare(week, as_of).current.end),
        "cost_before": Call(cost.service_cost, scope, prev.start, prev.end),
        "quality_now": Call(quality.quality, scope, week.start, week.end, as_of),
        "quality_before": Call(quality.quality, scope, prev.start, prev.end, prev_as_of),
        # the contact centre's week by queue (the ALL row for the figures)
        "calls_now": Call(calls.call_figures, scope, week.start, week.end, as_of, "queue"),
        "calls_before": Call(calls.call_figures, scope, prev.start, prev.end, prev_as_of, "queue"),
    } | {f"{key}_now": call for key, call in period_calls(scope, week, as_of).items()} \
      | {f"{key}_before": call for key, call in period_calls(scope, prev, prev_as_of).items()}


def weekly_review(conn: Connection, scope: Scope, week: Period, today: date | None = None) -> list[Section]:
    """The sections of the weekly review for `week` (an ISO week) over `scope`."""
    return review_sections({key: call.run(conn) for key, call in review_calls(scope, week, today).items()})


def review_sections(data: dict[str, pd.DataFrame]) -> list[Section]:
    """The sections from the results of review_calls (same keys)."""
    k_now, k_before = data["kpis_now"].iloc[0], data["kpis_before"].iloc[0]
    overdue_now, overdue_before = data["overdue_now"], data["overdue_before"]

    s_now, s_before = plans.per_status(data["plans_now"]), plans.per_status(data["plans_before"])
    sum_now, sum_before = fluctuation.summary_row(data["fluctuation_now"]).iloc[0], data["summary_before"].iloc[0]
    t_now, t_before = tiers.per_change(tiers.change_counts(data["tiers_now"])), tiers.per_change(data["tiers_before"])
    r_now, r_before = data["retention_now"], data["retention_before"]
    all_now, all_before = retention.total_row(r_now).iloc[0], retention.total_row(r_before).iloc[0]
    abc_now, abc_before = data["abc_now"], data["abc_before"]
    behind, breakdown = data["behind"], data["breakdown"]
    drops, moved = fluctuation.extreme_rows(data["fluctuation_now"], "drops"), tiers.tier_rows(data["tiers_now"])
    cost_now, cost_before = cost.total(data["cost_now"]).iloc[0], cost.total(data["cost_before"]).iloc[0]

    return [
        Section("overview", "nav_overview", [
            Figure("kpi_achievement_rate", k_now["achievement_rate"], k_before["achievement_rate"], "rate"),
            Figure("kpi_overdue_open", len(overdue_now), len(overdue_before), worse_when_up=True),
            Figure("kpi_plans_behind", s_now.get("behind", 0), s_before.get("behind", 0), worse_when_up=True),
            Figure("kpi_retention_success", all_now["success_rate"], all_before["success_rate"], "rate"),
            Figure("kpi_upgraded", t_now.get("upgrade", 0), t_before.get("upgrade", 0)),
            Figure("kpi_downgraded", t_now.get("downgrade", 0), t_before.get("downgrade", 0), worse_when_up=True),
        ]),
        Section("complaints", "nav_complaints", [
            Figure("kpi_received", k_now["received"], k_before["received"]),
            Figure("kpi_achievement_rate", k_now["achievement_rate"], k_before["achievement_rate"], "rate"),
            Figure("kpi_median_duration", k_now["median_resolution_hours"], k_before["median_resolution_hours"], "hours",
                   worse_when_up=True),
            Figure("kpi_callback_rate", k_now["callback_on_time_rate"], k_before["callback_on_time_rate"], "rate"),
            Figure("response_on_time", k_now["response_on_time_rate"], k_before["response_on_time_rate"], "rate"),
        ], table=overdue_now.head(6)[["complaint_no", "customer_name", "priority", "hours_overdue", "handler_name"]],
            chart=breakdown.melt(id_vars=["key"], value_vars=["met", "breached", "pending"],
                                 var_name="state", value_name="n")),
        Section("overdue", "overdue_slide", [
            Figure("kpi_overdue_open", len(overdue_now), len(overdue_before), worse_when_up=True),
        ], table=overdue_now.sort_values("hours_overdue", ascending=False).head(6)[
            ["complaint_no", "customer_name", "priority", "hours_overdue", "handler_name"]]),
        Section("plans", "kpi_plans_behind", [
            Figure("kpi_plans_behind", s_now.get("behind", 0), s_before.get("behind", 0), worse_when_up=True),
            Figure("kpi_plans_below_min", s_now.get("below_minimum", 0), s_before.get("below_minimum", 0),
                   worse_when_up=True),
            *service_figures(data["quality_now"], data["quality_before"]),
        ], table=behind[["plan_no", "staff_name", "type", "actual_count", "expected_count", "status"]]),
        Section("drops", "largest_drops", [
            Figure("kpi_drops", sum_now["drop"], sum_before["drop"], worse_when_up=True),
            Figure("kpi_stopped", sum_now["stopped"], sum_before["stopped"], worse_when_up=True),
            Figure("kpi_volume", sum_now["volume"], sum_before["volume"], "money"),
        ], table=drops[["customer_code", "customer_name", "previous_volume", "volume", "change_pct", "flag"]]),
        Section("tiers", "tier_changes", [
            Figure("kpi_upgraded", t_now.get("upgrade", 0), t_before.get("upgrade", 0)),
            Figure("kpi_downgraded", t_now.get("downgrade", 0), t_before.get("downgrade", 0), worse_when_up=True),
        ], table=moved[["customer_code", "customer_name", "tier_previous", "tier_current", "change"]]),
        Section("retention", "nav_retention", [
            Figure("kpi_cases", all_now["cases"], all_before["cases"]),
            Figure("kpi_retention_success", all_now["success_rate"], all_before["success_rate"], "rate"),
            Figure("kpi_cost_per_retained", all_now["cost_per_retained"], all_before["cost_per_retained"], "money",
                   worse_when_up=True),
        ], table=r_now[["reason", "cases", "retained", "lost", "pending", "success_rate"]]),
        quality_section(data["quality_now"], data["quality_before"]),
        Section("grading", "nav_grading", [
            Figure("kpi_population", int(abc_now["customers"].sum()) if not abc_now.empty else 0,
                   int(abc_before["customers"].sum()) if not abc_before.empty else 0),
            Figure("kpi_a_share", grading.a_share(abc_now), grading.a_share(abc_before), "rate"),
        ], table=abc_now[["abc_class", "customers", "customer_share", "revenue_share"]]),
        Section("cost", "slide_cost", [
            Figure("kpi_cost_budget", cost_now["budget"], cost_before["budget"], "money"),
            Figure("kpi_cost_actual", cost_now["actual"], cost_before["actual"], "money", worse_when_up=True),
            Figure("kpi_budget_usage", cost_now["budget_usage"], cost_before["budget_usage"], "rate",
                   worse_when_up=True),
        ], table=cost.category_totals(data["cost_now"])[["category", "budget", "actual", "variance", "budget_usage"]]),
        calls_section(data["calls_now"], data["calls_before"]),
    ]


def calls_section(now: pd.DataFrame, before: pd.DataFrame) -> Section:
    """The week's contact centre (the ALL row of the call figures) and its queues."""
    def total(frame: pd.DataFrame, column: str):
        return frame.loc[frame["all"], column].iloc[0] if not frame.empty else None
    queues = now[~now["all"]] if not now.empty else pd.DataFrame(
        columns=["queue", "offered", "service_level", "abandon_rate", "asa_seconds", "fcr_rate"])
    return Section("calls", "slide_calls", [
        Figure("kpi_offered", total(now, "offered"), total(before, "offered")),
        Figure("kpi_calls_sl", total(now, "service_level"), total(before, "service_level"), "rate"),
        Figure("kpi_abandon_rate", total(now, "abandon_rate"), total(before, "abandon_rate"), "rate",
               worse_when_up=True),
        Figure("kpi_asa", total(now, "asa_seconds"), total(before, "asa_seconds"), "mean", worse_when_up=True),
        Figure("kpi_calls_fcr", total(now, "fcr_rate"), total(before, "fcr_rate"), "rate"),
    ], table=queues.head(6)[["queue", "offered", "service_level", "abandon_rate", "asa_seconds", "fcr_rate"]])


def service_figures(now: pd.DataFrame, before: pd.DataFrame) -> list[Figure]:
    """Service plans' successes in the week and their rate (metrics.md: Σ success_count / Σ completed_count).

    Two tiles, so the plans slide keeps one row of four; the completed count (the rate's base) is
    on the plans page and in the quality export."""
    q_now, q_before = now[now["level"] == "all"].iloc[0], before[before["level"] == "all"].iloc[0]
    return [Figure("kpi_service_successes", q_now["success_count"], q_before["success_count"]),
            Figure("kpi_service_success_rate", q_now["service_success_rate"], q_before["service_success_rate"], "rate")]


def quality_section(now: pd.DataFrame, before: pd.DataFrame) -> Section:
    """The week's service quality (ALL of the quality figures) and the people with the most complaints."""
    q_now, q_before = now[now["level"] == "all"].iloc[0], before[before["level"] == "all"].iloc[0]
    people = now[now["level"] == "staff"].sort_values(["complaints", "staff_no"], ascending=[False, True]).head(6)
    return Section("quality", "slide_quality", [
        Figure("kpi_quality_callback", q_now["callback_on_time_rate"], q_before["callback_on_time_rate"], "rate"),
        Figure("kpi_quality_plan", q_now["plan_completion"], q_before["plan_completion"], "rate"),
        Figure("kpi_quality_csat", q_now["csat"], q_before["csat"], "mean"),
        Figure("kpi_quality_nps", q_now["nps"], q_before["nps"], "rate"),
    ], table=people[["staff_name", "complaints", "achievement_rate", "csat", "nps"]])


# -- formatting ---------------------------------------------------------------------------------

def fmt(value, kind: str, lang: str = "en", short: bool = False) -> str:
    """A figure as written; `short` (the slides) writes large amounts in 万 / K as the cards do."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if kind == "hours":
        return fmt_hours(value, lang)
    if kind == "mean":
        return fixed(value, 2)
    if kind == "money" and short:
        return fmt_money_short(value, lang)
    return {"rate": fmt_rate, "money": fmt_money}.get(kind, fmt_number)(value)


def fmt_delta(figure: Figure, lang: str = "en", short: bool = False) -> str:
    if figure.now is None or figure.before is None:
        return "—"
    diff = float(figure.now) - float(figure.before)
    if figure.kind == "rate":
        return delta_rate(figure.now, figure.before)
    if figure.kind == "money":  # a typographic minus before the currency sign reads better in print
        written = fmt_money_short(abs(diff), lang) if short else f"¥{fixed(abs(diff), 2)}"
        return f"{'+' if diff >= 0 else '−'}{written}"
    if figure.kind == "hours":  # in the value's unit (hours, or days from two days up), written beside the value
        days = abs(float(figure.now)) > DAYS_FROM_HOURS
        return f"{'+' if diff >= 0 else '−'}{fixed(abs(diff) / (24 if days else 1), 1)}"
    if figure.kind == "mean":
        return f"{'+' if diff >= 0 else '−'}{fixed(abs(diff), 2)}"
    return delta_number(figure.now, figure.before)


def delta_class(figure: Figure) -> str:
    if figure.now is None or figure.before is None or float(figure.now) == float(figure.before):
        return "same"
    up = float(figure.now) > float(figure.before)
    return "bad" if up == figure.worse_when_up else "good"


def _cell(column: str, value, lang: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if column.endswith("_hours") or column == "hours_overdue":
        return fmt_hours(value, lang)
    if column in ("priority", "type", "status", "flag", "change", "reason", "tier_previous", "tier_current", "category"):
        return value_label(value, lang)
    if column.endswith(("_rate", "_pct", "_share", "_usage")) or column in ("nps", "service_level"):
        return fmt(value, "rate")
    if isinstance(value, (Decimal, float)):
        return fixed(value, 2)
    return str(value)


def table_html(frame: pd.DataFrame, lang: str) -> str:
    if frame is None or frame.empty:
        return f"<p class='empty'>{html.escape(t('no_items', lang))}</p>"
    head = "".join(f"<th>{html.escape(column_label(c, lang))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(c, v, lang))}</td>" for c, v in zip(frame.columns, row))
                   + "</tr>" for row in frame.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def figures_html(section: Section, lang: str, short: bool = False) -> str:
    """The section's figures as tiles: the value, last week's value and the change."""
    tiles = []
    for f in section.figures:
        before = t("last_week_value", lang, value=fmt(f.before, f.kind, lang, short))
        tiles.append(f"<div class='tile'><div class='label'>{html.escape(t(f.label, lang))}</div>"
                     f"<div class='value'>{html.escape(fmt(f.now, f.kind, lang, short))}</div>"
                     f"<div class='delta {delta_class(f)}'>{html.escape(fmt_delta(f, lang, short))}"
                     f" <span class='before'>· {html.escape(before)}</span></div></div>")
    return f"<div class='tiles n{len(tiles)}'>" + "".join(tiles) + "</div>"


STATE_COLOURS = {"met": "#2e7d32", "breached": "#c62828", "pending": "#f9a825"}


def chart_svg(section: Section, lang: str, font_size: int = 14, width: int = 520, height: int = 220,
              dark: bool = False) -> str:
    """The section's chart as inline SVG (vl-convert), or nothing; `dark`: light text on the slides' dark panel."""
    if section.chart is None or section.chart.empty:
        return ""
    import vl_convert

    data = section.chart.assign(group=section.chart["key"].map(lambda v: value_label(v, lang)),
                                label=section.chart["state"].map(lambda v: value_label(v, lang)))
    states = list(STATE_COLOURS)
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("group:N", title=None, sort=[value_label(p, lang) for p in ("urgent", "high", "normal", "low")]),
        x=alt.X("n:Q", title=None, axis=alt.Axis(tickMinStep=1, format=",d")),
        color=alt.Color("label:N", title=None, scale=alt.Scale(domain=[value_label(s, lang) for s in states],
                                                               range=list(STATE_COLOURS.values())))
    ).properties(width=width, height=height)
    ink = {"labelColor": "#ffffff", "titleColor": "#ffffff"} if dark else {}
    chart = chart.configure(font="Noto Sans CJK SC, sans-serif", **({"background": "#17213a"} if dark else {})) \
        .configure_axis(labelFontSize=font_size, titleFontSize=font_size,
                        **(ink | {"gridColor": "#2f4066", "domainColor": "#90caf9"} if dark else {})) \
        .configure_legend(labelFontSize=font_size, orient="right" if dark else "bottom",
                          **({"labelColor": "#ffffff"} if dark else {}))
    return vl_convert.vegalite_to_svg(chart.to_json())


# -- the report files ---------------------------------------------------------------------------------

REPORT_CSS = """
@page { size: A4; margin: 14mm; }
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: #111; font-size: 11pt; }
h1 { font-size: 20pt; margin: 0 0 4pt; } h2 { font-size: 14pt; margin: 14pt 0 6pt; border-bottom: 2px solid #1565c0; }
.meta { color: #444; margin-bottom: 10pt; }
h2 { break-after: avoid; } .tiles, table, svg, tr { break-inside: avoid; }
.tiles { display: flex; flex-wrap: wrap; gap: 6pt; }
.tile { border: 1px solid #bbb; border-radius: 4pt; padding: 6pt 8pt; min-width: 120pt; }
.label { color: #333; font-size: 9.5pt; } .value { font-size: 18pt; font-weight: 600; }
.delta { font-size: 9.5pt; } .good { color: #1b5e20; } .bad { color: #b71c1c; } .same { color: #555; }
table { border-collapse: collapse; width: 100%; margin-top: 6pt; font-size: 9.5pt; }
th, td { border: 1px solid #ccc; padding: 3pt 5pt; text-align: left; } th { background: #eef3fb; }
svg { max-width: 100%; height: auto; }
"""


def report_html(sections: list[Section], week: Period, scope: Scope, lang: str, today: date | None = None) -> str:
    """One self-contained HTML file: inline CSS, charts as inline SVG, prints on A4."""
    shown = scope.department or t("all_departments", lang)
    parts = [f"<!DOCTYPE html><html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>",
             f"<title>{html.escape(t('weekly_report', lang))} {week.label}</title><style>{REPORT_CSS}</style></head><body>",
             f"<h1>{html.escape(t('weekly_report', lang))} {week.label}</h1>",
             f"<div class='meta'>{html.escape(t('report_meta', lang, start=week.start, end=week.end, scope=shown, previous=week.previous().label))}</div>",
             f"<div class='meta ranges'>{html.escape(compared_ranges(week, lang, today))}</div>"]
    for section in sections:
        parts.append(f"<section><h2>{html.escape(t(section.title, lang))}</h2>{figures_html(section, lang)}")
        if section.chart is not None and not section.chart.empty:
            parts.append(f"<h3>{html.escape(t('chart_by_priority', lang))}</h3>" + chart_svg(section, lang))
        if section.table is not None:
            parts.append(table_html(section.table, lang))
        parts.append("</section>")
    parts.append("</body></html>")
    return "".join(parts)


def report_excel(sections: list[Section], week: Period, lang: str, today: date | None = None) -> bytes:
    """An Excel workbook: the figures on one sheet, then one sheet per table (text as text).

    The figure columns are named by the ranges compared (ISO dates): a running week against the
    same days of the week before.
    """
    c = review_comparison(week, today)
    figures = pd.DataFrame([{"section": t(s.title, lang), "figure": t(f.label, lang), range_label(c.current): f.now,
                             range_label(c.previous): f.before} for s in sections for f in s.figures])
    return workbook_bytes([("figures", figures)] + [(section.key, section.table) for section in sections
                                                     if section.table is not None])
