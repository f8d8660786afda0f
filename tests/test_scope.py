"""Scope on every read: another department's records read exactly as if they did not exist.

Each read of department data is asked for EAST's scope on a database where SOUTH has
customers, orders, complaints, plans, cases, staff and ratings; the answer must equal the
answer once SOUTH's records are gone, while the company's scope does see them (so the test
can fail).
"""
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.core.user import User
from dashboard.metrics import calls as call_metrics
from dashboard.metrics import (archives, callbacks, complaints, cost, evaluation, fluctuation, grading, plans, quality,
                               records, retention, scorecard, tiers)
from tests.builders import add_case, add_complaint, add_order, add_plan, add_progress, base, exec_, local

MAY = Period.parse("2026-05")
# the reader of the staff reads: a manager, whose scope alone decides (an agent reads only themselves)
ARCHIVIST = User("boss", "manager", None, "Boss", None)
D = date(2026, 5, 31)
# every read of department data, with its arguments after the scope
READS = {
    "complaints": (complaints.complaints, (date(2026, 5, 1), D)),
    "complaint_summary": (complaints.complaint_summary, (date(2026, 5, 1), D)),
    "complaint_kpis": (complaints.complaint_kpis, (date(2026, 5, 1), D)),
    "complaint_trend": (complaints.complaint_trend, (date(2026, 4, 1), D, "month", D)),
    "complaint_breakdown": (complaints.complaint_breakdown, (date(2026, 5, 1), D, "department", D)),
    "overdue_open": (complaints.overdue_open, (D,)),
    "complaints_waiting": (complaints.complaints_waiting, (D,)),
    "plans": (plans.plans, (D,)),
    "plan_status_counts": (plans.plan_status_counts, (D,)),
    "plan_completion": (plans.plan_completion, (D,)),
    "plan_totals": (plans.plan_totals, (D,)),
    "open_plans": (plans.open_plans, (date(2026, 5, 20),)),
    "plan_record": (plans.plan_record, ("P-S",)),
    "tracked_plan": (plans.tracked_plan, (D, "P-S")),
    "progress_entries": (plans.progress_entries, ("P-S",)),
    "task_feedback": (plans.task_feedback, ("P-S",)),
    "fluctuation": (fluctuation.fluctuation, (MAY,)),
    "fluctuation_overview": (fluctuation.fluctuation_overview, (MAY,)),
    "fluctuation_summary": (fluctuation.fluctuation_summary, (MAY,)),
    "volume_trend": (fluctuation.volume_trend, (date(2026, 3, 1), D)),
    "volume_trend of a customer": (fluctuation.volume_trend, (date(2026, 3, 1), D, "S-C")),
    "tiers": (tiers.tiers, (MAY,)),
    "tier_change_counts": (tiers.tier_change_counts, (MAY,)),
    "tier_matrix": (tiers.tier_matrix, (MAY,)),
    "tier_overview": (tiers.tier_overview, (MAY,)),
    "tier_history": (tiers.tier_history, ("S-C", [date(2026, 4, 30), D])),
    "retention": (retention.retention, (date(2026, 1, 1), D)),
    "retention_outcome": (retention.retention_outcome, (date(2026, 1, 1), D)),
    "retention_trend": (retention.retention_trend, (date(2026, 1, 1), D)),
    "at_risk": (retention.at_risk, (MAY,)),
    "retention_cases_open": (retention.retention_cases_open, ()),
    "retention_cases": (retention.retention_cases, (date(2026, 1, 1), D)),
    "grading": (grading.grading, (D,)),
    "grading_summary": (grading.grading_summary, (D,)),
    "grading_overview": (grading.grading_overview, (D,)),
    "grading_abc": (grading.grading_abc, (D,)),
    "graded_customers": (grading.graded_customers, (D,)),
    "graded_customers of a segment": (grading.graded_customers, (D, None, {"abc_class": ["A", "B", "C"]})),
    "evaluation_360": (evaluation.evaluation_360, ("S-HEAD", "2026-Q2")),
    "evaluation": (evaluation.evaluation, ("2026-Q2",)),
    "evaluation cycles": (evaluation.cycles, ()),
    "skill assessments": (evaluation.assessments, ("2026-05",)),
    "scorecard appeals": (evaluation.appeals, ()),
    "quality": (quality.quality, (date(2026, 5, 1), D)),
    "quality_totals": (quality.quality_totals, (date(2026, 5, 1), D)),
    "quality_records": (quality.quality_records, ("S-HEAD", date(2026, 5, 1), D)),
    "survey_coverage": (quality.survey_coverage, (Period.parse("2026-Q2"), D)),
    "survey_counts": (quality.survey_counts, (Period.parse("2026-Q2"), D)),
    "scorecards": (scorecard.scorecards, ("2026-05", D)),
    "scorecard of an EAST agent owning a SOUTH customer": (scorecard.scorecard, ("S1", "2026-05", D)),
    "department_tree": (records.department_tree, ()),
    "staff_list": (records.staff_list, ()),
    "customer_list": (records.customer_list, ()),
    "complaint_record": (records.complaint_record, ("T-S",)),
    "plan_versions": (records.plan_versions, (["P-S"],)),
    "callback_due": (callbacks.callback_due, (D,)),
    "callback_rates": (callbacks.callback_rates, (D,)),
    "gifts": (callbacks.gifts, (D,)),
    "customer_callbacks": (callbacks.customer_callbacks, (date(2026, 5, 1), D)),
    "service_cost": (cost.service_cost, (date(2026, 5, 1), D)),
    "cost_trend": (cost.cost_trend, (date(2026, 4, 1), D)),
    "cost_entries": (cost.cost_entries, (date(2026, 5, 1), D)),
    "cost_entries largest": (cost.cost_entries, (date(2026, 5, 1), D, None, None, 10)),
    "cost_entries of a cell": (cost.cost_entries, (date(2026, 5, 1), D, "SOUTH", "funds")),
    "cost_links": (cost.cost_links, (date(2026, 5, 1), D)),
    "budgets": (cost.budgets, (date(2026, 5, 1), D)),
    "budget_proposals": (cost.budget_proposals, ()),
    "budget_history": (cost.budget_history, ("SOUTH", "2026-05", "funds")),
    "departments_overview": (archives.departments_overview, ()),
    "deactivation_effect": (archives.deactivation_effect, ("SOUTH",)),
    "staff_directory": (archives.staff_directory, (ARCHIVIST, None, None, None, None, D)),
    "staff_profile": (archives.staff_profile, (ARCHIVIST, "S-HEAD")),
    "staff_training": (archives.staff_training, (ARCHIVIST, "S-HEAD")),
    "staff_history": (archives.staff_history, (ARCHIVIST, "S-HEAD")),
    "staff_customers": (archives.staff_customers, (ARCHIVIST, "S-HEAD", D)),
    "staff_open_work": (archives.staff_open_work, (ARCHIVIST, "S-HEAD", date(2026, 5, 1))),
    "customer_search": (archives.customer_search, ("C",)),
    "customer_profile": (archives.customer_profile, ("S-C", D)),
    "customer_owners": (archives.customer_owners, ("S-C",)),
    "customer_timeline": (archives.customer_timeline, ("S-C", D)),
    "customer_log": (archives.customer_log, (date(2026, 5, 1), D)),
    "log_categories": (archives.log_categories, ()),
    "incomplete_files": (archives.incomplete_files, (D,)),
    "late_log_entries": (archives.late_log_entries, (date(2026, 5, 1), D)),
    "timeliness_counts": (archives.timeliness_counts, (date(2026, 5, 1), D, D)),
    "complaint_topics by category": (complaints.complaint_topics, (date(2026, 5, 1), D, "category")),
    "complaint_topics by department": (complaints.complaint_topics, (date(2026, 5, 1), D, "department")),
    "complaints_about": (complaints.complaints_about, (date(2026, 5, 1), D, "category", None)),
    "call_summary": (call_metrics.call_summary, (date(2026, 5, 1), D)),
    "call_figures by staff": (call_metrics.call_figures, (date(2026, 5, 1), D, D, "staff")),
    "call_figures by hour": (call_metrics.call_figures, (date(2026, 5, 1), D, D, "hour")),
    "call_figures by day": (call_metrics.call_figures, (date(2026, 5, 1), D, D, "day")),
}


@pytest.fixture
def two_departments(conn):
    """EAST and SOUTH with customers buying in April and May, complaints, plans, cases and a rating."""
    base(conn)  # HQ > EAST > EAST-1, HQ > SOUTH; customers C1 (EAST-1), C2 (SOUTH), C3 (EAST)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'S-HEAD', '华南主管', id, 'head' "
                "FROM departments WHERE code = 'SOUTH'")
    exec_(conn, "INSERT INTO customers (code, name, department_id) SELECT 'S-C', '华南客户', id FROM departments "
                "WHERE code = 'SOUTH'")
    for customer, no in (("C1", "E"), ("S-C", "S"), ("C2", "S2")):
        add_order(conn, f"{no}-apr", customer, date(2026, 4, 10), "900.00")
        add_order(conn, f"{no}-may", customer, date(2026, 5, 10), "100.00")
        # C2's complaint stays open (overdue) and C2 has no case (at risk: its volume dropped)
        add_complaint(conn, f"T-{no}", customer, local(2026, 5, 3, 9, 0), "urgent",
                      resolved=None if customer == "C2" else local(2026, 5, 4, 9, 0))
        if customer != "C2":
            add_case(conn, f"R-{no}", customer, date(2026, 5, 5), "pending", "10.00")
    add_plan(conn, "P-E", date(2026, 5, 1), D, 10, 8, department="EAST-1")
    add_plan(conn, "P-S", date(2026, 5, 1), D, 10, 8, department="SOUTH")
    add_progress(conn, "P-S", date(2026, 5, 2), 3)
    # SOUTH's head: trained, with a post, owning S-C, with an open task; log entries with and without a customer
    exec_(conn, "INSERT INTO staff_training (staff_id, course, trained_on) SELECT id, '沟通礼仪', '2026-03-01' "
                "FROM staff WHERE staff_no = 'S-HEAD'")
    exec_(conn, "INSERT INTO staff_work_history (staff_id, employer, started_on) SELECT id, '某银行', '2015-01-01' "
                "FROM staff WHERE staff_no = 'S-HEAD'")
    exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S-HEAD') WHERE code = 'S-C'")
    exec_(conn, "INSERT INTO customer_owner_history (customer_id, staff_id, started_on) SELECT c.id, c.owner_staff_id, "
                "'2026-01-01' FROM customers c WHERE c.code = 'S-C'")
    exec_(conn, "UPDATE plans SET staff_id = (SELECT id FROM staff WHERE staff_no = 'S-HEAD') WHERE plan_no = 'P-S'")
    exec_(conn, "INSERT INTO work_logs (department_id, staff_id, customer_id, logged_at, source, service_type, content, "
                "category) SELECT c.department_id, s.id, c.id, '2026-05-06 10:00+08', 'phone', 'visit', '回访', '回访' "
                "FROM customers c, staff s WHERE c.code = 'S-C' AND s.staff_no = 'S-HEAD'")
    exec_(conn, "INSERT INTO work_logs (department_id, staff_id, logged_at, source, service_type, content, category) "
                "SELECT s.department_id, s.id, '2026-05-07 10:00+08', 'other', 'other', '部门会议', '内部' "
                "FROM staff s WHERE s.staff_no = 'S-HEAD'")
    exec_(conn, """INSERT INTO evaluations_360 (period, evaluator_staff_id, evaluatee_staff_id, relation, scores)
                   SELECT '2026-Q2', s.id, s.id, 'self', '{"service_skill": 80}' FROM staff s WHERE s.staff_no = 'S-HEAD'""")
    # quality: SOUTH's head handles SOUTH's complaint, SOUTH's customer answers a survey; an assessment, an appeal
    exec_(conn, "UPDATE complaints SET handler_staff_id = (SELECT id FROM staff WHERE staff_no = 'S-HEAD') "
                "WHERE complaint_no = 'T-S'")
    exec_(conn, """INSERT INTO satisfaction_surveys (survey_no, customer_id, department_id, surveyed_on, csat, nps)
                   SELECT 'V-S', id, department_id, DATE '2026-05-06', 4, 9 FROM customers WHERE code = 'S-C'""")
    exec_(conn, """INSERT INTO skill_assessments (staff_id, period, kind, score, assessed_on, recorded_by)
                   SELECT id, '2026-05', 'written', 88, DATE '2026-05-20', 'hr' FROM staff WHERE staff_no = 'S-HEAD'""")
    exec_(conn, """INSERT INTO scorecard_appeals (staff_id, period, reason)
                   SELECT id, '2026-04', '理由' FROM staff WHERE staff_no = 'S-HEAD'""")
    # callbacks, a dissatisfied survey and a gift of both departments' customers
    for customer in ("C1", "S-C"):
        exec_(conn, "INSERT INTO customer_callbacks (customer_id, called_on, method, result) "
                    "SELECT id, '2026-05-20', 'phone', 'satisfied' FROM customers WHERE code = :c", c=customer)
        exec_(conn, "INSERT INTO customer_gifts (customer_id, sent_on, item) SELECT id, '2026-05-25', '礼品' "
                    "FROM customers WHERE code = :c", c=customer)
    exec_(conn, "INSERT INTO satisfaction_surveys (customer_id, department_id, surveyed_on, nps) "
                "SELECT id, department_id, '2026-05-22', 3 FROM customers WHERE code = 'S-C'")
    # service cost: EAST-1's and SOUTH's budgets (one proposed) and entries, SOUTH's linked to its plan and case
    for department, status in (("EAST-1", "approved"), ("SOUTH", "approved"), ("SOUTH", "proposed")):
        exec_(conn, """INSERT INTO service_budgets (department_id, period, period_start, period_end, category, amount,
                       status, original_amount) SELECT id, '2026-05', '2026-05-01', '2026-05-31', :c, 310.00, :s, 310.00
                       FROM departments WHERE code = :d""", d=department, s=status,
              c="funds" if status == "approved" else "people")
    exec_(conn, """INSERT INTO budget_adjustments (budget_id, actor, action, amount_after)
                   SELECT id, 'boss', 'adjust', amount FROM service_budgets""")
    for no, department, plan, case in (("X-E", "EAST-1", "P-E", None), ("X-S", "SOUTH", "P-S", None),
                                       ("X-S2", "SOUTH", None, "R-S")):
        exec_(conn, """INSERT INTO cost_entries (entry_no, entry_date, department_id, category, amount, plan_id,
                       retention_case_id) SELECT :no, '2026-05-06', d.id, 'funds', 99.00,
                       (SELECT id FROM plans WHERE plan_no = :p), (SELECT id FROM retention_cases WHERE case_no = :r)
                       FROM departments d WHERE d.code = :d""", no=no, d=department, p=plan, r=case)
    # calls: SOUTH's customer's (answered by SOUTH's head), SOUTH's head's without a customer, EAST's, and one
    # of no department (a manager's only)
    for call_id, customer, staff in (("K-S", "S-C", "S-HEAD"), ("K-S2", None, "S-HEAD"), ("K-E", "C1", "S1"),
                                     ("K-X", None, None)):
        exec_(conn, """INSERT INTO calls (call_id, direction, started_at, answered_at, ended_at, queue, staff_id,
                       customer_id, caller, department_id)
                       SELECT :id, 'inbound', '2026-05-06 10:00+08', '2026-05-06 10:00:30+08', '2026-05-06 10:05+08',
                              'sales', st.id, cu.id, '13800000000', coalesce(cu.department_id, st.department_id)
                       FROM (SELECT 1) one LEFT JOIN staff st ON st.staff_no = :s LEFT JOIN customers cu ON cu.code = :c""",
              id=call_id, c=customer, s=staff)
    # feedback linked to SOUTH's plan, from its head
    exec_(conn, "INSERT INTO suggestions (from_staff_id, to_staff_id, plan_id, subject, body) SELECT s.id, s.id, p.id, "
                "'反馈', '华南的反馈' FROM staff s, plans p WHERE s.staff_no = 'S-HEAD' AND p.plan_no = 'P-S'")
    # EAST-1's agent handles C1's complaint and owns C1 and SOUTH's C2, with a cost entry in each department
    exec_(conn, "UPDATE complaints SET handler_staff_id = (SELECT id FROM staff WHERE staff_no = 'S1') "
                "WHERE complaint_no = 'T-E'")
    exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S1') "
                "WHERE code IN ('C1', 'C2')")
    for no, department in (("X-E1", "EAST-1"), ("X-S1", "SOUTH")):
        exec_(conn, """INSERT INTO cost_entries (entry_no, entry_date, department_id, staff_id, category, amount)
                       SELECT :no, '2026-05-07', d.id, s.id, 'people', 55.00 FROM departments d, staff s
                       WHERE d.code = :d AND s.staff_no = 'S1'""", no=no, d=department)
    return conn


def remove_south(conn) -> None:
    """SOUTH's records gone, as if they had never been entered."""
    south = "(SELECT id FROM departments WHERE code = 'SOUTH')"
    customers = f"(SELECT id FROM customers WHERE department_id IN {south})"
    for sql in (f"DELETE FROM calls WHERE department_id IN {south}", "DELETE FROM suggestions",
                f"DELETE FROM cost_entries WHERE department_id IN {south} OR retention_case_id IN "
                f"(SELECT id FROM retention_cases WHERE customer_id IN {customers})",
                f"DELETE FROM service_budgets WHERE department_id IN {south}",
                f"DELETE FROM plan_progress WHERE plan_id IN (SELECT id FROM plans WHERE department_id IN {south})",
                f"DELETE FROM plans WHERE department_id IN {south}",
                f"DELETE FROM complaints WHERE customer_id IN {customers}",
                f"DELETE FROM retention_cases WHERE customer_id IN {customers}",
                f"DELETE FROM satisfaction_surveys WHERE customer_id IN {customers}",
                "DELETE FROM skill_assessments", "DELETE FROM scorecard_appeals",
                f"DELETE FROM orders WHERE customer_id IN {customers}",
                f"DELETE FROM customer_owner_history WHERE customer_id IN {customers}",
                f"DELETE FROM satisfaction_surveys WHERE customer_id IN {customers}",
                f"DELETE FROM work_logs WHERE department_id IN {south} OR customer_id IN {customers}",
                f"DELETE FROM customers WHERE department_id IN {south}",
                "DELETE FROM evaluations_360",
                f"DELETE FROM staff WHERE department_id IN {south}",
                "DELETE FROM departments WHERE code = 'SOUTH'"):
        exec_(conn, sql)


@pytest.mark.parametrize("name", READS)
def test_a_read_outside_the_scope_finds_nothing(two_departments, name):
    conn = two_departments
    function, args = READS[name]
    east, company = function(conn, Scope("EAST"), *args), function(conn, Scope.company(), *args)
    savepoint = conn.begin_nested()
    remove_south(conn)
    without_south = function(conn, Scope("EAST"), *args)
    company_without_south = function(conn, Scope.company(), *args)
    savepoint.rollback()
    pd.testing.assert_frame_equal(east, without_south, check_dtype=False)
    # the company's scope sees SOUTH: the read does depend on it, so the check above can fail
    assert not company.equals(company_without_south), f"{name} does not read SOUTH's records at all"


def test_suggestions_are_read_by_their_sender_and_addressee_only(conn):
    base(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'H', '主管', id, 'head' "
                "FROM departments WHERE code = 'EAST'")
    exec_(conn, "INSERT INTO suggestions (from_staff_id, to_staff_id, subject, body) SELECT f.id, t.id, '主题', '内容' "
                "FROM staff f, staff t WHERE f.staff_no = 'S1' AND t.staff_no = 'H'")
    assert len(records.suggestions_for(conn, "S1")) == len(records.suggestions_for(conn, "H")) == 1
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'X', '其他', id, 'agent' "
                "FROM departments WHERE code = 'SOUTH'")
    assert records.suggestions_for(conn, "X").empty
    assert conn.execute(sa.text("SELECT count(*) FROM suggestions")).scalar() == 1
