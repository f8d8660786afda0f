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
from dashboard.metrics import complaints, evaluation, fluctuation, grading, plans, records, retention, tiers
from tests.builders import add_case, add_complaint, add_order, add_plan, add_progress, base, exec_, local

MAY = Period.parse("2026-05")
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
    "department_tree": (records.department_tree, ()),
    "staff_list": (records.staff_list, ()),
    "customer_list": (records.customer_list, ()),
    "complaint_record": (records.complaint_record, ("T-S",)),
    "plan_versions": (records.plan_versions, (["P-S"],)),
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
    exec_(conn, """INSERT INTO evaluations_360 (period, evaluator_staff_id, evaluatee_staff_id, relation, scores)
                   SELECT '2026-Q2', s.id, s.id, 'self', '{"quality": 80}' FROM staff s WHERE s.staff_no = 'S-HEAD'""")
    return conn


def remove_south(conn) -> None:
    """SOUTH's records gone, as if they had never been entered."""
    south = "(SELECT id FROM departments WHERE code = 'SOUTH')"
    customers = f"(SELECT id FROM customers WHERE department_id IN {south})"
    for sql in (f"DELETE FROM plan_progress WHERE plan_id IN (SELECT id FROM plans WHERE department_id IN {south})",
                f"DELETE FROM plans WHERE department_id IN {south}",
                f"DELETE FROM complaints WHERE customer_id IN {customers}",
                f"DELETE FROM retention_cases WHERE customer_id IN {customers}",
                f"DELETE FROM orders WHERE customer_id IN {customers}",
                f"DELETE FROM customer_owner_history WHERE customer_id IN {customers}",
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
