"""Drill-down (issue 20): every chart's group and every KPI card leads to the records behind it;
the active filter is shown ("Filter: X · clear") and clearing it restores the full list; a head
sees only their scope's records.

AppTest cannot click a chart's canvas: a click is what drill_chart stores, set here the same way
(display.set_drill); the cards' buttons are real buttons, clicked.
"""
from __future__ import annotations

from datetime import date

import pytest

from dashboard.i18n import value_label

from dashboard.core.scope import Scope
from dashboard.metrics import retention
from dashboard.ui import display
from db.engine import get_engine
from tests.test_app import assert_clean, open_page, use_database  # noqa: F401 (fixture)

NOVEMBER = "2026-11"  # a whole month of the demo: every state has complaints
PAGES = ["overview", "plans", "complaints", "fluctuation", "retention", "grading"]


# each record list by the headers it starts with (AppTest gives tables no key)
LISTS = {"complaints_table": ["Complaint no", "Department code", "Priority"],
         "complaints_table_zh": ["投诉编号", "部门", "优先级"],
         "plans_table": ["Plan no", "Type", "Staff name"], "plans_table_zh": ["编号", "类型", "员工"],
         "retention_cases": ["Case no", "Customer name", "Department code"],
         "fluct_drill": ["Customer code", "Customer name", "Department code", "Volume"],
         "fluct_tiers": ["Customer code", "Customer name", "Tier previous"],
         "grading_table": ["Customer code", "Customer name", "Recency days"]}


def table(at, key: str):
    """The rows of the record list `key` (a name of LISTS)."""
    headers = LISTS[key]
    found = [frame.value for frame in at.dataframe if [str(c) for c in frame.value.columns[:len(headers)]] == headers]
    assert found, f"no table {key}: {[list(frame.value.columns[:4]) for frame in at.dataframe]}"
    return found[-1]


def clear_buttons(at):
    return [b for b in at.button if str(b.key).startswith(display.DRILL_PREFIX) and str(b.key).endswith("_clear")]


def card_button(at, page: str, card_label: str):
    """The "Show records" button under the card whose label starts with `card_label`."""
    prefix = f"{display.drill_key(page, 'kpi')}_{card_label}"
    found = [b for b in at.button if str(b.key).startswith(prefix)]
    assert found, f"no records button under {card_label}: {[b.key for b in at.button]}"
    return found[0]


def drill(at, page: str, chart: str, where: dict, label: str):
    """What a click on a chart's mark stores, then the rerun it causes."""
    at.session_state[display.drill_key(page, chart)] = {"where": where, "label": label}
    return at.run()


def test_a_department_bar_filters_the_complaints_and_clearing_restores_them(demo_url, use_database):
    use_database(demo_url)
    at = open_page("complaints", "en", period=NOVEMBER)
    assert_clean(at)
    full = table(at, "complaints_table")
    assert len(full) > 0 and not clear_buttons(at)
    code, state = full["Department code"].iloc[0], "met"
    names = {v: k for k, v in at.session_state["department_names"].items()}
    at = drill(at, "complaints", "department", {"department_code": [names.get(code, code)], "state": [state]},
               f"{code} · Met")
    assert_clean(at)
    kept = table(at, "complaints_table")
    assert 0 < len(kept) < len(full)
    assert set(kept["Department code"]) == {code} and set(kept["State"]) == {"Met"}
    assert len(kept) == ((full["Department code"] == code) & (full["State"] == "Met")).sum()
    [button] = clear_buttons(at)
    assert button.label == f"Filter: {display.escape_markdown(code + ' · Met')} · clear"
    assert any(f"{len(kept)} of {len(full)} records" in c.value for c in at.caption)
    at = button.click().run()
    assert_clean(at)
    assert len(table(at, "complaints_table")) == len(full) and not clear_buttons(at)


def test_a_kpi_card_lists_its_records_in_chinese_and_clears(demo_url, use_database):
    use_database(demo_url)
    at = open_page("complaints", "zh", period=NOVEMBER)
    full = table(at, "complaints_table_zh")
    at = card_button(at, "complaints", "超时").click().run()
    assert_clean(at)
    kept = table(at, "complaints_table_zh")
    assert 0 < len(kept) == (full["状态"] == "超时").sum() and set(kept["状态"]) == {"超时"}
    [button] = clear_buttons(at)
    assert button.label.startswith("筛选：") and button.label.endswith(" · 清除")
    at = button.click().run()
    assert len(table(at, "complaints_table_zh")) == len(full)


def test_the_plans_behind_card_and_the_status_bar_filter_the_plan_list(demo_url, use_database):
    use_database(demo_url)
    at = open_page("plans", "en", period=NOVEMBER)
    assert_clean(at)
    full = table(at, "plans_table")
    at = card_button(at, "plans", "Plans behind").click().run()
    assert_clean(at)
    kept = table(at, "plans_table")
    assert set(kept["Status"]) <= {"Behind"} and len(kept) == (full["Status"] == "Behind").sum()
    # a click on a bar replaces the card's filter
    at = drill(at, "plans", "status", {"status": ["on_track"]}, "On track")
    assert len(clear_buttons(at)) in (1, 2)
    at.session_state[display.drill_key("plans", "kpi")] = None
    at.run()
    assert set(table(at, "plans_table")["Status"]) <= {"On track"}
    at = clear_buttons(at)[0].click().run()
    assert len(table(at, "plans_table")) == len(full)


@pytest.mark.parametrize("page, chart, where, key", [
    ("retention", "reason", None, "retention_cases"),
    ("fluctuation", "flags", {"flag": ["drop"]}, "fluct_drill"),
    ("tier_changes", "matrix", None, "fluct_tiers"),
    ("grading", "segment", {"rfm_segment": ["important_value"]}, "grading_table"),
    ("grading", "score", {"r_score": [5]}, "grading_table"),
])
def test_each_analysis_chart_filters_its_records(demo_url, use_database, page, chart, where, key):
    use_database(demo_url)
    file = "fluctuation" if page == "tier_changes" else page
    at = open_page(file, "en", period=NOVEMBER)
    assert_clean(at)
    if page == "retention":  # the reason and result of a case of November
        from dashboard.core.vocabulary import RETENTION_REASON, RETENTION_RESULT
        cases = table(at, key)
        code_of = {value_label(c, "en"): c for c in RETENTION_REASON.codes + RETENTION_RESULT.codes}
        where = {"reason": [code_of[cases["Reason"].iloc[0]]], "result": [code_of[cases["Result"].iloc[0]]]}
    if page == "tier_changes":
        moved = table(at, key)
        before, after = moved["Tier previous"].iloc[0], moved["Tier current"].iloc[0]
        code_of = {value_label("none", "en"): "none"}  # tiers are named in the settings; "no tier" is a code
        where = {"tier_previous": [code_of.get(before, before)], "tier_current": [code_of.get(after, after)]}
    at = drill(at, page, chart, where, "picked")
    assert_clean(at)
    kept = table(at, key)
    assert len(kept) > 0
    column, values = next(iter(where.items()))
    shown = {"reason": "Reason", "flag": "Flag", "rfm_segment": "RFM segment", "r_score": "R score",
             "tier_previous": "Tier previous"}[column]
    assert set(kept[shown].astype(str)) == {value_label(values[0], "en") if column != "r_score" else str(values[0])}
    assert len(clear_buttons(at)) == 1
    at = clear_buttons(at)[0].click().run()
    assert_clean(at)
    assert not clear_buttons(at)


def test_an_overview_card_opens_its_page_with_the_records_filtered(demo_url, use_database):
    use_database(demo_url)
    at = open_page("overview", "zh", period=NOVEMBER)
    assert_clean(at)
    at = card_button(at, "plans", "落后计划").click().run()
    assert_clean(at)
    kept = table(at, "plans_table_zh")
    assert len(kept) > 0 and set(kept["状态"]) == {"落后"}
    assert [b.label for b in clear_buttons(at)] == ["筛选：落后 · 清除"]


def test_a_head_drills_into_their_own_departments_records_only(demo_url, use_database):
    use_database(demo_url)
    at = open_page("retention", "en", user="head", period=NOVEMBER)
    assert_clean(at)
    at = card_button(at, "retention", "Cases").click().run()
    assert_clean(at)
    cases = table(at, "retention_cases")
    with get_engine().connect() as conn:  # exactly the head's department's cases of November
        own = retention.retention_cases(conn, Scope("CS-EAST"), date(2026, 11, 1), date(2026, 11, 30))
        every = retention.retention_cases(conn, Scope.company(), date(2026, 11, 1), date(2026, 11, 30))
    assert list(cases["Case no"]) == list(own["case_no"]) and 0 < len(own) < len(every)
    # a filter naming another department's records finds nothing, as if they did not exist
    at = drill(at, "retention", "reason", {"department_code": ["CS-SOUTH-1"]}, "CS-SOUTH-1")
    assert_clean(at)
    assert len(table(at, "retention_cases")) == 0


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_analysis_page_has_records_buttons_under_its_cards(demo_url, use_database, page, lang):
    use_database(demo_url)
    at = open_page(page, lang)
    assert_clean(at)
    buttons = [b for b in at.button if "_kpi_" in str(b.key)]
    assert len(buttons) >= len(at.metric) > 0
    assert {b.label for b in buttons} == {"查看明细" if lang == "zh" else "Show records"}


def test_a_month_of_the_trend_lists_that_months_complaints(demo_url, use_database):
    from dashboard.metrics import complaints

    use_database(demo_url)
    at = open_page("complaints", "en", period=NOVEMBER)
    november = table(at, "complaints_table")
    at = drill(at, "complaints", "trend", {"period_start": [date(2026, 10, 1)]}, "2026-10")
    assert_clean(at)
    october = table(at, "complaints_table")
    with get_engine().connect() as conn:
        expected = complaints.complaints(conn, Scope.company(), date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 30))
    assert list(october["Complaint no"]) == list(expected["complaint_no"]) and len(october) != len(november)
    at = clear_buttons(at)[0].click().run()
    assert len(table(at, "complaints_table")) == len(november)


def test_a_month_of_the_volume_trend_lists_that_months_customers(demo_url, use_database):
    from dashboard.core.periods import Period
    from dashboard.metrics import fluctuation

    use_database(demo_url)
    at = open_page("fluctuation", "en", period=NOVEMBER)
    at = drill(at, "fluctuation", "trend", {"period_start": [date(2026, 9, 1)]}, "2026-09")
    assert_clean(at)
    listed = table(at, "fluct_drill")
    with get_engine().connect() as conn:
        expected = fluctuation.fluctuation(conn, Scope.company(), Period.parse("2026-09"), None, None, 1000,
                                           as_of=date(2026, 9, 30))
    assert list(listed["Customer code"]) == list(expected["customer_code"]) and len(listed) > 0
    assert [b.label for b in clear_buttons(at)] == ["Filter: 2026\\-09 · clear"]
