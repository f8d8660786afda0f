"""Service quality per staff and department (metrics.md): attribution, NPS at its edges, bases,
as of T, the department filter and scope, the survey form and the quarterly survey."""
from datetime import date

import pytest
import sqlalchemy as sa

from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.core.user import User
from dashboard.metrics import quality
from dashboard.writes.surveys import record_survey
from dashboard.writes.validation import Invalid
from tests.builders import add_case, add_complaint, add_plan, add_progress, base, exec_, local

START, END = date(2026, 5, 1), date(2026, 5, 31)
HEAD_EAST = User("head", "head", "H-E", "华东主管", "EAST")


def staff(conn, no, department, role="agent"):
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT :n, :n || '名', id, :r "
                "FROM departments WHERE code = :d", n=no, d=department, r=role)


def survey(conn, no, customer, day, csat=None, nps=None, staff_no=None):
    exec_(conn, """INSERT INTO satisfaction_surveys (survey_no, customer_id, staff_id, department_id, surveyed_on, csat, nps)
                   SELECT :no, cu.id, (SELECT id FROM staff WHERE staff_no = :s), cu.department_id, :d, :c, :n
                   FROM customers cu WHERE cu.code = :cu""", no=no, cu=customer, s=staff_no, d=day, c=csat, n=nps)


def handled(conn, complaint, staff_no):
    exec_(conn, "UPDATE complaints SET handler_staff_id = (SELECT id FROM staff WHERE staff_no = :s) "
                "WHERE complaint_no = :c", s=staff_no, c=complaint)


def owner(conn, customer, staff_no):
    exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = :s) WHERE code = :c",
          s=staff_no, c=customer)


def row(table, staff_no=None, department=None):
    if staff_no:
        found = table[table["staff_no"] == staff_no]
    else:
        found = table[(table["department_code"] == department) & table["staff_no"].isna()]
    assert len(found) == 1, (staff_no, department, table[["department_code", "staff_no"]])
    return found.iloc[0]


@pytest.fixture
def org(conn):
    base(conn)  # HQ > EAST > EAST-1, HQ > SOUTH; S1 agent in EAST-1; C1 EAST-1, C2 SOUTH, C3 EAST
    staff(conn, "H-E", "EAST", "head")
    staff(conn, "S2", "SOUTH")
    return conn


def test_a_complaint_counts_for_its_handler_and_its_customers_department(org):
    conn = org
    # S1 (EAST-1) handles a SOUTH customer's complaint, met; an EAST-1 complaint breached, nobody's
    add_complaint(conn, "T1", "C2", local(2026, 5, 3, 9), "urgent", resolved=local(2026, 5, 3, 12),
                  callback=local(2026, 5, 10, 12), satisfaction=5)
    add_complaint(conn, "T2", "C1", local(2026, 5, 3, 9), "urgent", resolved=local(2026, 5, 3, 14),
                  callback=local(2026, 5, 10, 14, 0, 1), satisfaction=2)
    handled(conn, "T1", "S1")
    table = quality.quality(conn, Scope.company(), START, END)
    s1 = row(table, "S1")
    assert (s1["department_code"], s1["complaints"], s1["met"], s1["decided"]) == ("EAST-1", 1, 1, 1)
    assert float(s1["achievement_rate"]) == 1.0 and float(s1["callback_on_time_rate"]) == 1.0
    assert float(s1["mean_satisfaction"]) == 5.0
    south, east1 = row(table, department="SOUTH"), row(table, department="EAST-1")
    assert south["complaints"] == 1 and east1["complaints"] == 1
    # the second callback came 7 days and 1 minute after the resolution: late
    assert float(east1["achievement_rate"]) == 0.0 and float(east1["callback_on_time_rate"]) == 0.0
    total = row(table, department="ALL")
    assert (total["complaints"], total["met"], total["decided"], total["rated"]) == (2, 1, 2, 2)
    # a resolved complaint not called back is a late callback: 0 of 1, not an empty rate
    exec_(conn, "UPDATE complaints SET callback_at = NULL WHERE complaint_no = 'T1'")
    s1 = row(quality.quality(conn, Scope.company(), START, END), "S1")
    assert float(s1["callback_on_time_rate"]) == 0.0 and (s1["callbacks_on_time"], s1["resolved"]) == (0, 1)
    assert float(total["mean_satisfaction"]) == 3.5


def test_a_survey_counts_for_its_staff_member_else_the_customers_owner_now(org):
    conn = org
    owner(conn, "C1", "S1")
    survey(conn, "V1", "C1", date(2026, 5, 2), csat=4, nps=9)                  # no staff: the owner S1
    survey(conn, "V2", "C1", date(2026, 5, 3), csat=5, nps=10, staff_no="S2")  # S2's, though C1 is EAST-1's
    survey(conn, "V3", "C3", date(2026, 5, 4), csat=3)                         # nobody's: EAST's row only
    table = quality.quality(conn, Scope.company(), START, END)
    assert row(table, "S1")["surveys"] == 1 and float(row(table, "S1")["csat"]) == 4.0
    s2 = row(table, "S2")
    assert (s2["department_code"], s2["surveys"], float(s2["csat"])) == ("SOUTH", 1, 5.0)
    assert row(table, department="EAST-1")["surveys"] == 2 and row(table, department="EAST")["surveys"] == 1
    assert "SOUTH" not in set(table.loc[table["staff_no"].isna(), "department_code"])  # S2's survey is EAST-1's
    # the owner changes: the survey without a staff member follows the owner now
    owner(conn, "C1", "H-E")
    table = quality.quality(conn, Scope.company(), START, END)
    assert row(table, "H-E")["surveys"] == 1 and "S1" not in set(table["staff_no"].dropna())


@pytest.mark.parametrize("answers, expected", [
    ([9, 10, 10], 1.0),            # all promoters
    ([0, 6, 3], -1.0),             # all detractors
    ([7, 8], 0.0),                 # passives only
    ([10, 9, 8, 6, 0, 7, 9], 0.1429),  # 3 promoters, 2 detractors of 7: 1/7 rounded half away from zero
    ([], None),                    # no NPS answer: empty, not 0
])
def test_nps_is_the_share_of_9_10_minus_the_share_of_0_6(org, answers, expected):
    conn = org
    for i, answer in enumerate(answers):
        survey(conn, f"N{i}", "C1", date(2026, 5, 5), nps=answer)
    survey(conn, "CSAT-ONLY", "C1", date(2026, 5, 6), csat=4)  # a CSAT answer alone is no NPS answer
    total = row(quality.quality(conn, Scope.company(), START, END), department="ALL")
    assert total["nps_answers"] == len(answers) and total["surveys"] == len(answers) + 1
    assert (None if total["nps"] is None else float(total["nps"])) == expected


def test_plans_service_success_and_retention_as_of_t(org):
    conn = org
    add_plan(conn, "P1", START, END, 10, 5, type_="service")
    exec_(conn, "UPDATE plans SET staff_id = (SELECT id FROM staff WHERE staff_no = 'S1') WHERE plan_no = 'P1'")
    add_progress(conn, "P1", date(2026, 5, 10), 4, success=3)
    add_progress(conn, "P1", date(2026, 5, 20), 2)          # no success_count: counts 0 successes
    add_progress(conn, "P1", date(2026, 6, 1), 4, success=4)  # after the range and after T
    add_plan(conn, "P2", date(2026, 4, 1), date(2026, 6, 1), 10, 5)  # ends after the range: not counted
    add_case(conn, "R1", "C1", date(2026, 5, 2), "retained", "10.00", closed=date(2026, 5, 15))
    add_case(conn, "R2", "C1", date(2026, 5, 3), "lost", "10.00", closed=date(2026, 5, 25))
    add_case(conn, "R3", "C1", date(2026, 5, 4), "pending", "10.00")
    exec_(conn, "UPDATE retention_cases SET staff_id = (SELECT id FROM staff WHERE staff_no = 'S1')")
    s1 = row(quality.quality(conn, Scope.company(), START, END), "S1")
    assert (s1["actual_count"], s1["planned_count"], float(s1["plan_completion"])) == (6, 10, 0.6)
    assert (s1["success_count"], s1["completed_count"], float(s1["service_success_rate"])) == (3, 6, 0.5)
    assert (s1["retained"], s1["cases_decided"], s1["cases"], float(s1["retention_success_rate"])) == (1, 2, 3, 0.5)
    # as of 20 May the loss closed on 25 May was still pending; the progress of 20 May counts
    s1 = row(quality.quality(conn, Scope.company(), START, END, date(2026, 5, 20)), "S1")
    assert (s1["retained"], s1["cases_decided"], float(s1["retention_success_rate"])) == (1, 1, 1.0)
    assert s1["actual_count"] == 6
    s1 = row(quality.quality(conn, Scope.company(), START, END, date(2026, 5, 19)), "S1")
    assert s1["actual_count"] == 4 and float(s1["plan_completion"]) == 0.4


def test_a_pending_case_alone_makes_a_row_with_empty_rates(org):
    conn = org
    add_case(conn, "R1", "C2", date(2026, 5, 2), "pending", "10.00")
    exec_(conn, "UPDATE retention_cases SET staff_id = (SELECT id FROM staff WHERE staff_no = 'S2')")
    s2 = row(quality.quality(conn, Scope.company(), START, END), "S2")
    assert s2["cases"] == 1 and s2["retention_success_rate"] is None and s2["achievement_rate"] is None
    assert s2["complaints"] == 0 and s2["csat"] is None and s2["nps"] is None


def test_a_department_filter_keeps_its_staff_all_their_work_and_its_own_department_rows(org):
    conn = org
    add_complaint(conn, "T1", "C2", local(2026, 5, 3, 9), "urgent", resolved=local(2026, 5, 3, 12))
    add_complaint(conn, "T2", "C2", local(2026, 5, 3, 9), "urgent")
    handled(conn, "T1", "S1")  # S1 (EAST-1) helps SOUTH
    handled(conn, "T2", "S2")
    table = quality.quality(conn, Scope("EAST"), START, END)
    assert set(table["staff_no"].dropna()) == {"S1"} and row(table, "S1")["complaints"] == 1
    assert set(table["department_code"]) == {"EAST-1", "ALL"}
    assert table[table["staff_no"].isna() & (table["department_code"] != "ALL")].empty  # SOUTH's row is not EAST's
    total = row(table, department="ALL")
    assert total["complaints"] == 0 and total["achievement_rate"] is None  # ALL sums the department rows kept
    # an empty scope still has its ALL row
    assert quality.quality(conn, Scope("EAST"), date(2025, 1, 1), date(2025, 1, 31))["department_code"].tolist() == ["ALL"]


def test_the_drill_down_shows_only_records_inside_the_viewers_scope(org):
    conn = org
    add_complaint(conn, "T1", "C2", local(2026, 5, 3, 9), "urgent", resolved=local(2026, 5, 3, 12))
    add_complaint(conn, "T2", "C1", local(2026, 5, 3, 9), "urgent")
    handled(conn, "T1", "S1")
    handled(conn, "T2", "S1")
    assert quality.quality_records(conn, Scope("EAST"), "S1", START, END)["record_no"].tolist() == ["T2"]
    assert sorted(quality.quality_records(conn, Scope.company(), "S1", START, END)["record_no"]) == ["T1", "T2"]


def test_the_quarterly_survey_lists_who_is_due(org):
    conn = org
    survey(conn, "V1", "C1", date(2026, 4, 2), csat=4)
    survey(conn, "V2", "C3", date(2026, 3, 31), csat=4)  # last quarter: due again
    q2 = Period.parse("2026-Q2")
    due = quality.survey_coverage(conn, Scope("EAST"), q2, date(2026, 5, 31))
    assert due["customer_code"].tolist() == ["C3"]
    assert (int(due["customers"].iloc[0]), int(due["surveyed"].iloc[0]), int(due["due"].iloc[0])) == (2, 1, 1)
    counts = quality.survey_counts(conn, Scope("EAST"), q2, date(2026, 5, 31)).iloc[0]
    assert (counts["customers"], counts["surveyed"], counts["due"]) == (2, 1, 1)
    # as of 1 April nobody had been surveyed yet this quarter
    assert quality.survey_counts(conn, Scope("EAST"), q2, date(2026, 4, 1)).iloc[0]["surveyed"] == 0


def test_the_survey_form_checks_each_field_and_writes_nothing_when_wrong(org):
    conn = org
    with pytest.raises(Invalid) as e:
        record_survey(conn, HEAD_EAST, customer_code="C2", surveyed_on=date(2026, 5, 3), csat=6, nps=11)
    assert set(e.value.errors) == {"customer_code", "csat", "nps"}
    assert e.value.errors["customer_code"][0] == "err_out_of_scope"
    with pytest.raises(Invalid) as e:
        record_survey(conn, HEAD_EAST, customer_code="C1", surveyed_on=date(2026, 5, 3))
    assert e.value.errors["csat"][0] == "err_csat_or_nps"
    assert conn.execute(sa.text("SELECT count(*) FROM satisfaction_surveys")).scalar() == 0
    comment = "**不满意** <b>x</b>"
    no = record_survey(conn, HEAD_EAST, customer_code="C1", surveyed_on=date(2026, 5, 3), nps=10, comment=comment)
    assert no == "S00000001"
    stored = conn.execute(sa.text("SELECT comment, department_id = (SELECT id FROM departments WHERE code = 'EAST-1') "
                                  "FROM satisfaction_surveys")).one()
    assert stored == (comment, True)
    assert record_survey(conn, HEAD_EAST, customer_code="C1", surveyed_on=date(2026, 5, 3), csat=3) == "S00000002"


def test_the_weekly_review_shows_the_weeks_quality(demo_url):
    from datetime import timedelta

    from dashboard import report
    from db.engine import make_engine

    engine = make_engine(demo_url)
    today = date.today()
    week = Period.containing("week", today - timedelta(days=7))
    with engine.connect() as conn:
        sections = report.weekly_review(conn, Scope.company(), week, today=today)
        total = quality.quality_totals(conn, Scope.company(), week.start, week.end, week.end).iloc[0]
        before = quality.quality_totals(conn, Scope.company(), week.previous().start, week.previous().end,
                                        week.previous().end).iloc[0]
    engine.dispose()
    section = next(s for s in sections if s.key == "quality")
    shown = {figure.label: figure for figure in section.figures}
    assert shown["kpi_quality_csat"].now == total["csat"] and shown["kpi_quality_csat"].before == before["csat"]
    assert shown["kpi_quality_nps"].now == total["nps"]
    assert shown["kpi_quality_callback"].now == total["callback_on_time_rate"]
    html = report.report_html(sections, week, Scope.company(), "zh")
    assert "本周服务质量" in html


def test_the_quality_and_evaluation_pages_render_for_each_role_in_both_languages(demo_url, monkeypatch):
    import streamlit as st

    from tests.test_app import assert_clean, open_page

    monkeypatch.setenv("DATABASE_URL", demo_url)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        for lang in ("zh", "en"):
            at = open_page("quality", lang, kind="quarter")
            assert_clean(at)
            assert len(at.metric) == 6 and "·" in at.metric[0].label  # a rate with its base
            at = open_page("evaluation", lang, user="hruser")
            assert_clean(at)
            assert len(at.tabs) == 6
            at = open_page("evaluation", lang, user="agent")
            assert_clean(at)
            assert len(at.tabs) == 3  # an agent reads cycles, progress and results, not people's scorecards
            at = open_page("my_reviews", lang, user="agent")
            assert_clean(at)
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
