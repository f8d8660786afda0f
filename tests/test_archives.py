"""Archives: departments, staff profiles and who sees personal data, the customer file and its
timeline, reassignment and moving, the customer log and its export."""
import json
from datetime import date

import pytest
import sqlalchemy as sa

from dashboard import exports
from dashboard.core.scope import AccessDenied, Scope
from dashboard.core.user import User
from dashboard.metrics import archives, complaints
from dashboard.writes import customers, departments, staff
from dashboard.writes.logs import add_work_log
from dashboard.writes.validation import Invalid
from tests.builders import add_case, add_complaint, add_order, base, exec_, local

MANAGER = User("boss", "manager", None, "Boss", None)
HR = User("hr", "hr", None, "人事", None)
HEAD = User("east", "head", "H-EAST", "华东主管", "EAST")
PEER_HEAD = User("east2", "head", "H-EAST2", "华东副主管", "EAST")
TEAM_HEAD = User("team", "head", "H-E1", "一组组长", "EAST-1")
SOUTH_HEAD = User("south", "head", "H-SOUTH", "华南主管", "SOUTH")
AGENT = User("agent1", "agent", "S1", "张伟", "EAST-1")
OTHER_AGENT = User("agent2", "agent", "S2", "李娜", "EAST-1")
TODAY = date(2026, 5, 31)


def add_staff(conn, no, name, department, role, **extra):
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role, birth_date, personal_notes) "
                "SELECT :no, :n, id, :r, :b, :p FROM departments WHERE code = :d",
          no=no, n=name, d=department, r=role, b=extra.get("birth"), p=extra.get("notes"))


@pytest.fixture
def org(conn):
    """HQ > EAST > EAST-1, HQ > SOUTH; heads of EAST (two), EAST-1 and SOUTH; agents S1, S2 in EAST-1."""
    base(conn)
    add_staff(conn, "H-EAST", "华东主管", "EAST", "head")
    add_staff(conn, "H-EAST2", "华东副主管", "EAST", "head", birth=date(1985, 3, 1), notes="副主管备注")
    add_staff(conn, "H-E1", "一组组长", "EAST-1", "head", birth=date(1988, 1, 2), notes="组长备注")
    add_staff(conn, "H-SOUTH", "华南主管", "SOUTH", "head")
    add_staff(conn, "S2", "李娜", "EAST-1", "agent")
    exec_(conn, "UPDATE staff SET birth_date = '1990-06-01', personal_notes = '擅长大客户' WHERE staff_no = 'S1'")
    exec_(conn, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S1') WHERE code = 'C1'")
    exec_(conn, "INSERT INTO customer_owner_history (customer_id, staff_id, started_on) SELECT c.id, s.id, '2025-01-01' "
                "FROM customers c, staff s WHERE c.code = 'C1' AND s.staff_no = 'S1'")
    return conn


def one(conn, sql, **params):
    return conn.execute(sa.text(sql), params).scalar()


# -- departments ----------------------------------------------------------------------------

def test_the_tree_shows_head_staff_and_customers(org):
    departments.update_department(org, MANAGER, code_="EAST", version=1, name="华东区", work_scope="华东客户",
                                  parent_code="HQ", head_staff_no="H-EAST")
    tree = archives.departments_overview(org, Scope.company()).set_index("code")
    assert list(tree.index) == ["HQ", "EAST", "EAST-1", "SOUTH"]  # tree order
    assert tree.loc["EAST", ["name", "work_scope", "head_name", "staff_count", "customer_count"]].tolist() == [
        "华东区", "华东客户", "华东主管", 2, 1]
    assert tree.loc["EAST-1", "staff_count"] == 3 and tree.loc["EAST-1", "depth"] == 2


def test_a_move_under_its_own_subtree_is_refused_naming_both(org):
    with pytest.raises(Invalid) as refused:
        departments.update_department(org, MANAGER, code_="EAST", version=1, name="华东", work_scope=None,
                                      parent_code="EAST-1", head_staff_no=None)
    assert refused.value.errors["parent_code"] == ("err_department_cycle", {"value": "EAST-1", "department": "EAST"})
    assert one(org, "SELECT p.code FROM departments d JOIN departments p ON p.id = d.parent_id WHERE d.code = 'EAST'") == "HQ"
    departments.update_department(org, MANAGER, code_="EAST-1", version=1, name="华东一组", work_scope=None,
                                  parent_code="SOUTH", head_staff_no=None)
    assert archives.departments_overview(org, Scope("SOUTH"))["code"].tolist() == ["SOUTH", "EAST-1"]


def test_departments_are_managed_by_managers_only(org):
    for user in (HEAD, AGENT, HR):
        with pytest.raises(AccessDenied):
            departments.create_department(org, user, code_="NORTH", name="华北")
    departments.create_department(org, MANAGER, code_="NORTH", name="华北", parent_code="HQ")
    with pytest.raises(Invalid) as taken:
        departments.create_department(org, MANAGER, code_="NORTH", name="华北二")
    assert taken.value.errors["code"][0] == "err_code_taken"


def test_deactivation_moves_staff_and_customers_and_their_complaints_count_for_the_receiver(org):
    add_complaint(org, "T1", "C1", local(2026, 5, 3, 9, 0), "urgent")
    with pytest.raises(Invalid) as refused:
        departments.deactivate_department(org, MANAGER, code_="EAST", version=1)
    assert refused.value.errors["code"] == ("err_department_children", {"value": "EAST-1"})
    effect = archives.deactivation_effect(org, Scope.company(), "EAST-1").iloc[0]
    assert (effect["parent_code"], effect["staff_count"], effect["customer_count"]) == ("EAST", 3, 1)
    departments.deactivate_department(org, MANAGER, code_="EAST-1", version=1, receiving_code="SOUTH")
    assert one(org, "SELECT count(*) FROM staff s JOIN departments d ON d.id = s.department_id WHERE d.code = 'SOUTH'") == 4
    summary = complaints.complaint_summary(org, Scope("SOUTH"), date(2026, 5, 1), TODAY)
    assert summary.loc[summary["department_code"] == "ALL", "received"].iloc[0] == 1
    assert not archives.departments_overview(org, Scope.company()).set_index("code").loc["EAST-1", "active"]
    with pytest.raises(Invalid):  # nobody is put into an inactive department
        staff.create_staff(org, MANAGER, staff_no="N1", name="新人", department_code="EAST-1", role="agent")


# -- staff ------------------------------------------------------------------------------------

def profile(conn, viewer, no, scope=Scope.company()):
    return archives.staff_profile(conn, scope, viewer, no)


@pytest.mark.parametrize("viewer, sees", [
    (AGENT, True),          # the person
    (TEAM_HEAD, True),      # the head of their team
    (HEAD, True),           # the head of the department above
    (MANAGER, True),
    (OTHER_AGENT, None),    # a colleague does not open the profile at all
    (HR, False),            # hr reads the profile, not the personal data
])
def test_personal_data_is_for_the_person_their_superiors_and_managers(org, viewer, sees):
    scope = Scope(viewer.department_code) if viewer.department_code else Scope.company()
    row = profile(org, viewer, "S1", scope)
    if sees is None:
        assert row.empty
        return
    r = row.iloc[0]
    assert bool(r["personal_visible"]) is sees
    assert (r["birth_date"], r["personal_notes"]) == ((date(1990, 6, 1), "擅长大客户") if sees else (None, None))


def test_a_head_of_the_same_department_is_a_colleague_not_a_superior(org):
    r = profile(org, HEAD, "H-EAST2", Scope("EAST")).iloc[0]
    assert not r["personal_visible"] and r["personal_notes"] is None
    assert profile(org, HEAD, "H-E1", Scope("EAST")).iloc[0]["personal_notes"] == "组长备注"
    with pytest.raises(Invalid):  # nor edits the colleague's record
        staff.update_staff(org, HEAD, staff_no="H-EAST2", version=1, name="x", department_code="EAST", role="head")
    assert profile(org, SOUTH_HEAD, "S1", Scope("SOUTH")).empty  # another department: as if it did not exist


def test_the_directory_filters_and_an_agent_lists_only_themselves(org):
    listed = archives.staff_directory(org, Scope("EAST"), HEAD, as_of=TODAY)
    assert listed["staff_no"].tolist() == ["H-E1", "H-EAST", "H-EAST2", "S1", "S2"]
    assert archives.staff_directory(org, Scope("EAST-1"), AGENT, as_of=TODAY)["staff_no"].tolist() == ["S1"]
    assert archives.staff_directory(org, Scope("EAST"), HEAD, search="李", as_of=TODAY)["staff_no"].tolist() == ["S2"]
    assert archives.staff_directory(org, Scope.company(), MANAGER, department="EAST-1", role="head",
                                    as_of=TODAY)["staff_no"].tolist() == ["H-E1"]
    exec_(org, "UPDATE staff SET left_on = '2026-05-31' WHERE staff_no = 'S2'")  # the last day is still employed
    assert "S2" in archives.staff_directory(org, Scope("EAST-1"), TEAM_HEAD, active=True, as_of=TODAY)["staff_no"].tolist()
    assert archives.staff_directory(org, Scope("EAST-1"), TEAM_HEAD, active=False,
                                    as_of=date(2026, 6, 1))["staff_no"].tolist() == ["S2"]


def test_an_agent_edits_their_own_contact_data_and_nothing_else(org):
    staff.update_own_contact(org, AGENT, version=1, email="zw@example.cn", phone="13800000000", address="上海")
    r = profile(org, AGENT, "S1", Scope("EAST-1")).iloc[0]
    assert (r["email"], r["phone"], r["address"], r["version"]) == ("zw@example.cn", "13800000000", "上海", 2)
    with pytest.raises(Invalid) as bad:
        staff.update_own_contact(org, AGENT, version=2, email="not an address", phone=None, address=None)
    assert bad.value.errors["email"][0] == "err_email"
    with pytest.raises(Invalid):  # an agent manages no one, themselves included
        staff.update_staff(org, AGENT, staff_no="S1", version=2, name="张伟", department_code="EAST-1", role="head")
    with pytest.raises(AccessDenied):
        staff.create_staff(org, AGENT, staff_no="N1", name="新人", department_code="EAST-1", role="agent")


def test_training_and_work_history_forms(org):
    staff.save_training(org, TEAM_HEAD, staff_no="S1", course="投诉处理技巧", trained_on=date(2026, 3, 1), hours="8",
                        result="优秀")
    with pytest.raises(Invalid) as twice:
        staff.save_training(org, TEAM_HEAD, staff_no="S1", course="投诉处理技巧", trained_on=date(2026, 3, 1))
    assert twice.value.errors["course"][0] == "err_training_exists"
    with pytest.raises(Invalid) as bad:
        staff.save_training(org, TEAM_HEAD, staff_no="S1", course="", trained_on=None, hours="-1")
    assert set(bad.value.errors) == {"course", "trained_on", "hours"}
    with pytest.raises(Invalid) as neither:
        staff.save_history(org, TEAM_HEAD, staff_no="S1", started_on=date(2019, 1, 1))
    assert neither.value.errors["employer"][0] == "err_history_either"
    staff.save_history(org, TEAM_HEAD, staff_no="S1", started_on=date(2019, 1, 1), ended_on=date(2021, 6, 30),
                       employer="某电信公司", title="客服代表")
    staff.save_history(org, TEAM_HEAD, staff_no="S1", started_on=date(2021, 7, 1), department_code="EAST-1", role="agent")
    training = archives.staff_training(org, Scope("EAST-1"), AGENT, "S1")
    assert training[["course", "hours", "result"]].values.tolist() == [["投诉处理技巧", 8, "优秀"]]
    history = archives.staff_history(org, Scope("EAST-1"), AGENT, "S1")
    assert history["employer"].fillna("").tolist() == ["", "某电信公司"]
    assert history["department_code"].fillna("").tolist() == ["EAST-1", ""]
    assert archives.staff_training(org, Scope("EAST-1"), OTHER_AGENT, "S1").empty
    with pytest.raises(Invalid):  # another department's head: the record reads as unknown
        staff.save_training(org, SOUTH_HEAD, staff_no="S1", course="x", trained_on=date(2026, 1, 1))


def test_a_profile_lists_owned_customers_with_tier_and_segment_and_open_work(org):
    add_order(org, "O1", "C1", date(2026, 4, 1), "25000.00")
    add_order(org, "O3", "C3", date(2025, 7, 1), "100.00")
    owned = archives.staff_customers(org, Scope("EAST"), HEAD, "S1", TODAY)
    # graded among EAST's population (C1, C3): recent, one purchase each (F equal to the mean is low), M high
    assert owned[["customer_code", "tier", "rfm_segment"]].values.tolist() == [["C1", "Silver", "important_develop"]]
    exec_(org, "INSERT INTO plans (plan_no, kind, type, horizon, start_date, end_date, department_id, staff_id, "
               "planned_count, minimum_count, planned_cost) SELECT no, 'task', 'visit', 'month', '2026-05-01', e, "
               "s.department_id, s.id, 5, 3, 0 FROM staff s, (VALUES ('P-OPEN', DATE '2026-05-31'), "
               "('P-DONE', DATE '2026-05-30')) v(no, e) WHERE s.staff_no = 'S1'")
    assert archives.staff_open_work(org, Scope("EAST-1"), AGENT, "S1", TODAY)["plan_no"].tolist() == ["P-OPEN"]


# -- the customer file ------------------------------------------------------------------------

def test_search_by_code_name_contact_or_phone_within_the_scope(org):
    exec_(org, "UPDATE customers SET contact_name = '王经理', contact_phone = '021-5555 1234' WHERE code = 'C1'")
    exec_(org, "UPDATE customers SET company_phone = '020-5555 9999' WHERE code = 'C2'")
    assert archives.customer_search(org, Scope("EAST"), "5555")["customer_code"].tolist() == ["C1"]
    assert archives.customer_search(org, Scope.company(), "5555")["customer_code"].tolist() == ["C1", "C2"]
    assert archives.customer_search(org, Scope("EAST"), "王经理")["customer_code"].tolist() == ["C1"]
    assert archives.customer_search(org, Scope("EAST"), "C2").empty  # outside: like no such customer
    assert archives.customer_search(org, Scope("EAST"), "%").empty   # a wildcard is a character, not "all"
    assert archives.customer_profile(org, Scope("EAST"), "C2", TODAY).empty


def test_a_search_of_three_characters_or_more_is_read_from_the_trigram_indexes(org):
    """Migration 0026: at 500,000 customers a search read the whole table (1 s); the trigram
    indexes answer it, with the same rows, escaped wildcards and Chinese text included."""
    if not org.execute(sa.text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')")).scalar():
        pytest.skip("pg_trgm is not available on this server: the migration leaves the indexes out")
    exec_(org, "UPDATE customers SET contact_name = '王经理', contact_phone = '021-5555 1234' WHERE code = 'C1'")
    exec_(org, "UPDATE customers SET company_phone = '020-5555 9999', name = '100%纯' WHERE code = 'C2'")
    org.execute(sa.text("SET LOCAL enable_seqscan = off"))  # a handful of rows would be read whole otherwise
    plan = org.execute(sa.text("EXPLAIN SELECT code FROM customers WHERE name ILIKE '%王经理%' "
                               "OR contact_phone ILIKE '%5555%' OR code ILIKE '%C1%'")).scalars().all()
    assert {"customers_name_trgm", "customers_contact_phone_trgm", "customers_code_trgm"} <= {
        word for line in plan for word in line.replace("(", " ").split() if word.endswith("_trgm")}
    assert archives.customer_search(org, Scope.company(), "5555")["customer_code"].tolist() == ["C1", "C2"]
    assert archives.customer_search(org, Scope("EAST"), "王经理")["customer_code"].tolist() == ["C1"]
    assert archives.customer_search(org, Scope.company(), "0%纯")["customer_code"].tolist() == ["C2"]
    assert archives.customer_search(org, Scope.company(), "0%1").empty  # "%" is a character here too


def test_the_timeline_holds_every_kind_of_event(org):
    add_order(org, "O1", "C1", date(2026, 4, 1), "25000.00")
    add_order(org, "O2", "C1", date(2026, 4, 20), "-1000.00")
    add_complaint(org, "T1", "C1", local(2026, 5, 3, 9, 0), "urgent", resolved=local(2026, 5, 3, 12, 0),
                  callback=local(2026, 5, 4, 10, 0), satisfaction=4)
    add_case(org, "R1", "C1", date(2026, 5, 5), "retained", "10.00", closed=date(2026, 5, 20))
    exec_(org, "INSERT INTO satisfaction_surveys (customer_id, department_id, surveyed_on, csat, nps) "
               "SELECT id, department_id, '2026-05-21', 5, 9 FROM customers WHERE code = 'C1'")
    add_work_log(org, AGENT, customer_code="C1", logged_at=local(2026, 5, 22, 10, 0), source="phone",
                 service_type="visit", content="回访", handling="满意", category="回访")
    timeline = archives.customer_timeline(org, Scope("EAST-1"), "C1", TODAY)
    assert set(timeline["kind"]) == set(archives.TIMELINE_KINDS)
    orders = timeline[timeline["kind"] == "orders"].iloc[0]
    assert (orders["ref"], orders["detail"], str(orders["amount"])) == ("2026-04", "2", "24000.00")
    assert timeline[timeline["kind"] == "tier"]["detail"].tolist() == ["none → Silver"]
    assert timeline["day"].tolist() == sorted(timeline["day"], reverse=True)
    assert archives.customer_timeline(org, Scope("SOUTH"), "C1", TODAY).empty


def test_reassigning_changes_the_owner_not_the_department_dated_and_audited(org):
    customers.reassign_customer(org, TEAM_HEAD, customer_code="C1", to_staff_no="S2", on=date(2026, 5, 10))
    owners = archives.customer_owners(org, Scope("EAST-1"), "C1")
    assert owners[["staff_no", "started_on", "ended_on"]].values.tolist() == [
        ["S2", date(2026, 5, 10), None], ["S1", date(2025, 1, 1), date(2026, 5, 9)]]
    assert archives.customer_profile(org, Scope("EAST-1"), "C1", TODAY).iloc[0]["department_code"] == "EAST-1"
    assert one(org, "SELECT count(*) FROM audit_log WHERE table_name = 'customers' AND action = 'reassign'") == 1
    with pytest.raises(AccessDenied):
        customers.reassign_customer(org, AGENT, customer_code="C1", to_staff_no="S1", on=TODAY)
    with pytest.raises(Invalid) as outside:  # a SOUTH head cannot take, nor see, EAST's customer
        customers.reassign_customer(org, SOUTH_HEAD, customer_code="C1", to_staff_no="H-SOUTH", on=TODAY)
    assert outside.value.errors["customer_code"][0] == "err_out_of_scope"
    with pytest.raises(Invalid) as elsewhere:  # an owner from another department is refused
        customers.reassign_customer(org, MANAGER, customer_code="C1", to_staff_no="H-SOUTH", on=TODAY)
    assert elsewhere.value.errors["to_staff_no"][0] == "err_owner_department"


def test_all_of_a_leaving_persons_customers_move_in_one_step(org):
    exec_(org, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S1') WHERE code = 'C3'")
    exec_(org, "UPDATE staff SET left_on = '2026-05-31' WHERE staff_no = 'S1'")
    assert customers.reassign_all(org, HEAD, from_staff_no="S1", to_staff_no="H-EAST", on=TODAY) == 2
    assert one(org, "SELECT count(*) FROM customers WHERE owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S1')") == 0
    assert one(org, "SELECT count(*) FROM customer_owner_history WHERE ended_on IS NULL "
                    "AND staff_id = (SELECT id FROM staff WHERE staff_no = 'H-EAST')") == 2
    # C3 (in EAST) does not fit an EAST-1 owner: nothing moves
    exec_(org, "UPDATE customers SET owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'H-EAST')")
    with pytest.raises(Invalid):
        customers.reassign_all(org, HEAD, from_staff_no="H-EAST", to_staff_no="S2", on=TODAY)
    assert one(org, "SELECT count(*) FROM customers WHERE owner_staff_id = (SELECT id FROM staff WHERE staff_no = 'S2')") == 0


def test_moving_a_customer_is_its_own_step_and_its_log_follows(org):
    add_complaint(org, "T1", "C1", local(2026, 5, 3, 9, 0), "urgent")
    add_work_log(org, AGENT, customer_code="C1", logged_at=local(2026, 5, 3, 10, 0), source="phone",
                 service_type="complaint", content="投诉登记")
    customers.move_customer(org, MANAGER, customer_code="C1", department_code="SOUTH", version=1)
    assert archives.customer_profile(org, Scope("SOUTH"), "C1", TODAY).iloc[0]["owner_staff_no"] is None
    assert archives.customer_log(org, Scope("SOUTH"), date(2026, 5, 1), TODAY)["log_no"].size == 1
    assert archives.customer_log(org, Scope("EAST"), date(2026, 5, 1), TODAY).empty
    summary = complaints.complaint_summary(org, Scope("SOUTH"), date(2026, 5, 1), TODAY)
    assert summary.loc[summary["department_code"] == "ALL", "received"].iloc[0] == 1


def test_the_customer_record_of_seed_003_is_editable(org):
    customers.update_customer_record(org, AGENT, customer_code="C1", version=1, company_phone="021-1234",
                                     address="上海市", contact_name="王经理", contact_title="采购经理",
                                     contact_phone="139", contact_email="w@example.cn", contact_gender="M",
                                     contact_birthday=date(1980, 2, 3), best_contact_time="工作日上午")
    r = archives.customer_profile(org, Scope("EAST-1"), "C1", TODAY).iloc[0]
    assert (r["contact_title"], r["contact_gender"], r["contact_birthday"], r["best_contact_time"]) == (
        "采购经理", "M", date(1980, 2, 3), "工作日上午")
    with pytest.raises(Invalid) as outside:
        customers.update_customer_record(org, AGENT, customer_code="C2", version=1)
    assert outside.value.errors["customer_code"][0] == "err_out_of_scope"


# -- the customer log ---------------------------------------------------------------------------

def test_an_entry_belongs_to_its_customers_department_and_keeps_its_writer(org):
    no = add_work_log(org, HEAD, customer_code="C1", logged_at=local(2026, 5, 3, 9, 0), source="phone",
                      service_type="consultation", content="询价", category="报价", summary="已报价")
    assert no.startswith("L")
    row = org.execute(sa.text("SELECT d.code, s.staff_no, w.recorded_at IS NOT NULL FROM work_logs w "
                              "JOIN departments d ON d.id = w.department_id JOIN staff s ON s.id = w.staff_id "
                              "WHERE w.log_no = :n"), {"n": no}).one()
    assert tuple(row) == ("EAST-1", "H-EAST", True)
    add_work_log(org, HEAD, customer_code=None, logged_at=local(2026, 5, 4, 9, 0), source="other",
                 service_type="other", content="内部会议")
    assert archives.customer_log(org, Scope("EAST-1"), date(2026, 5, 1), TODAY)["content"].tolist() == ["询价"]
    assert archives.customer_log(org, Scope("EAST"), date(2026, 5, 1), TODAY)["content"].tolist() == ["内部会议", "询价"]


def test_the_log_filters_and_searches_its_text(org):
    for day, text, source, kind in ((3, "客户询问 100% 退款", "phone", "after_sales"), (4, "回访满意", "visit", "visit"),
                                    (31, "月底回访", "phone", "visit")):
        add_work_log(org, AGENT, customer_code="C1", logged_at=local(2026, 5, day, 23, 30), source=source,
                     service_type=kind, content=text, handling="已处理", category="回访" if kind == "visit" else "售后")
    log = lambda **k: archives.customer_log(org, Scope("EAST-1"), date(2026, 5, 1), TODAY, **k)["content"].tolist()
    assert log() == ["月底回访", "回访满意", "客户询问 100% 退款"]  # 23:30 local on the 31st is in May
    assert log(text="回访") == ["月底回访", "回访满意"]
    assert log(text="回访 满意") == ["回访满意"]        # every word
    assert log(text="100%") == ["客户询问 100% 退款"]  # % is a character
    assert log(text="50%") == []
    assert log(source="visit") == ["回访满意"]
    assert log(category="售后", service_type="after_sales") == ["客户询问 100% 退款"]
    assert log(customer="C3") == [] and log(staff="S2") == []
    assert archives.customer_log(org, Scope("EAST-1"), date(2026, 5, 4), date(2026, 5, 4))["content"].tolist() == ["回访满意"]


def test_the_customer_log_export_view(org):
    add_work_log(org, AGENT, customer_code="C1", logged_at=local(2026, 5, 3, 9, 0), source="phone",
                 service_type="consultation", content="=1+1", category="报价", summary="ok", satisfaction=5)
    frame = exports.export_frame(org, exports.VIEWS["customer_log"], Scope.company(), start=date(2026, 5, 1),
                                 end=TODAY, customer="C1")
    assert list(frame.columns) == ["log_no", "logged_at", "customer_code", "staff_no", "source", "service_type",
                                   "category", "content", "handling", "summary", "satisfaction"]
    rows = json.loads(exports.render(frame, "json"))
    assert rows[0]["logged_at"] == "2026-05-03T09:00:00+08:00" and rows[0]["content"] == "=1+1"
    assert exports.export_frame(org, exports.VIEWS["customer_log"], Scope("SOUTH"), start=date(2026, 5, 1),
                                end=TODAY).empty


# -- the import ---------------------------------------------------------------------------------

ARCHIVE_FILES = {
    "staff_training.csv": "staff_no,course,trained_on,hours,result\nS1,投诉处理技巧,2026-03-01,8,优秀\nS1,沟通礼仪,2026-04-01,2.5,合格\n",
    "staff_history.csv": "staff_no,started_on,ended_on,department_code,role,title,employer\n"
                         "S1,2018-01-01,2020-12-31,,,客服代表,某电信公司\nS1,2021-01-01,,EAST,agent,客服专员,\n",
    "work_logs.csv": "log_no,logged_at,staff_no,customer_code,source,service_type,category,content,handling,summary,satisfaction\n"
                     "L-1,2026-05-03 09:00:00,S1,C1,phone,consultation,报价,\"询价，**加粗**\",已报价,跟进,5\n"
                     "L-2,2026-05-04T10:00:00+08:00,S1,,other,other,内部,部门会议,,,\n",
}


def test_training_history_and_log_import_all_or_nothing_and_idempotent(engine, tmp_path):
    from dashboard.imports import ImportFailed, import_directory
    from tests.test_import import GOOD, write

    changed = import_directory(engine, write(tmp_path / "a", GOOD | ARCHIVE_FILES))
    assert (changed["staff_training.csv"], changed["staff_history.csv"], changed["work_logs.csv"]) == (2, 2, 2)
    assert import_directory(engine, write(tmp_path / "a", GOOD | ARCHIVE_FILES)) == {
        name: 0 for name in GOOD | ARCHIVE_FILES}
    with engine.connect() as conn:
        log = archives.customer_log(conn, Scope.company(), date(2026, 5, 1), TODAY)
        assert log["content"].tolist() == ["部门会议", "询价，**加粗**"]  # verbatim
        assert log["source"].tolist() == ["other", "phone"]
        assert conn.execute(sa.text("SELECT bool_and(imported) FROM work_logs")).scalar()
        history = archives.staff_history(conn, Scope.company(), MANAGER, "S1")
        assert history["employer"].fillna("").tolist() == ["", "某电信公司"]
    bad = ARCHIVE_FILES | {
        "staff_training.csv": "staff_no,course,trained_on,hours\nS9,新课,2026-03-01,1.25\n",
        "staff_history.csv": "staff_no,started_on,ended_on,department_code,employer\nS1,2022-01-01,2021-01-01,EAST,别家\n",
        "work_logs.csv": "log_no,logged_at,staff_no,customer_code,source,service_type,content\nL-3,2026-05-05 09:00,S1,NOPE,phone,other,x\n"}
    with pytest.raises(ImportFailed) as failed:
        import_directory(engine, write(tmp_path / "b", bad))
    text = "\n".join(failed.value.problems)
    for expected in ("staff_training.csv:2: hours", "staff_training.csv:2: staff_no: staff member 'S9' does not exist",
                     "staff_history.csv:2: ended_on", "staff_history.csv:2: employer",
                     "work_logs.csv:2: customer_code: customer 'NOPE' does not exist"):
        assert expected in text, text
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM work_logs")).scalar() == 2


def test_the_extended_staff_and_customer_columns_import_and_an_old_file_keeps_them(engine, tmp_path):
    from dashboard.imports import ImportFailed, import_directory
    from tests.test_import import GOOD, write

    extended = GOOD | {
        "staff.csv": "staff_no,name,department_code,role,title,gender,birth_date,address,left_on,personal_notes\n"
                     "S1,王芳,EAST,agent,客服专员,F,1979-04-05,上海,2026-06-30,普通话二甲\nS0,李强,HQ,manager,,,,,,\n",
        "customers.csv": "code,name,department_code,address,company_phone,contact_title,contact_gender,contact_birthday,"
                         "best_contact_time\nC1,上海华信,EAST,上海市浦东,021-1234,采购经理,M,1970-01-31,上午\n"}
    import_directory(engine, write(tmp_path / "a", extended))
    import_directory(engine, write(tmp_path / "b", GOOD))  # a round-1 file without the columns
    with engine.connect() as conn:
        p = archives.staff_profile(conn, Scope.company(), MANAGER, "S1").iloc[0]
        assert (p["title"], p["gender"], p["birth_date"], p["left_on"], p["personal_notes"]) == (
            "客服专员", "F", date(1979, 4, 5), date(2026, 6, 30), "普通话二甲")
        c = archives.customer_profile(conn, Scope.company(), "C1", TODAY).iloc[0]
        assert (c["company_phone"], c["contact_gender"], c["contact_birthday"], c["best_contact_time"]) == (
            "021-1234", "M", date(1970, 1, 31), "上午")
    with pytest.raises(ImportFailed) as failed:
        import_directory(engine, write(tmp_path / "c", GOOD | {
            "staff.csv": "staff_no,name,department_code,role,gender,birth_date\nS1,王芳,EAST,agent,X,1850-01-01\n"}))
    assert any("staff.csv:2: gender" in p for p in failed.value.problems)
    assert any("staff.csv:2: birth_date" in p for p in failed.value.problems)


# -- timeliness of records (seed 003) -----------------------------------------------------------

def test_files_missing_details_more_than_3_days_after_the_first_order(org):
    add_order(org, "O1", "C1", date(2026, 5, 27), "10.00")   # due by the end of May 30
    add_order(org, "O2", "C3", date(2026, 5, 28), "10.00")
    exec_(org, "UPDATE customers SET contact_name = '王经理', contact_phone = ' ' WHERE code = 'C3'")
    assert archives.incomplete_files(org, Scope("EAST"), date(2026, 5, 30)).empty
    late = archives.incomplete_files(org, Scope("EAST"), date(2026, 5, 31))
    assert late[["customer_code", "days_overdue", "missing"]].values.tolist() == [["C1", 1, "contact_name, contact_phone"]]
    assert archives.incomplete_files(org, Scope("EAST"), date(2026, 6, 1))["missing"].tolist() == [
        "contact_name, contact_phone", "contact_phone"]
    exec_(org, "UPDATE customers SET contact_name = '李', contact_phone = '139' WHERE code = 'C1'")
    assert archives.incomplete_files(org, Scope("EAST"), date(2026, 6, 1))["customer_code"].tolist() == ["C3"]


def test_log_entries_recorded_more_than_24_hours_after_the_event(org):
    for no, recorded, imported in (("L-ON", local(2026, 5, 4, 9, 0), False), ("L-LATE", local(2026, 5, 4, 9, 1), False),
                                   ("L-IMP", local(2026, 5, 9, 9, 0), True)):
        exec_(org, "INSERT INTO work_logs (log_no, department_id, staff_id, customer_id, logged_at, source, service_type, "
                   "content, recorded_at, imported) SELECT :no, c.department_id, s.id, c.id, :at, 'phone', 'visit', 'x', "
                   ":rec, :imp FROM customers c, staff s WHERE c.code = 'C1' AND s.staff_no = 'S1'",
              no=no, at=local(2026, 5, 3, 9, 0), rec=recorded, imp=imported)
    late = archives.late_log_entries(org, Scope("EAST"), date(2026, 5, 1), TODAY)
    assert late["log_no"].tolist() == ["L-LATE"] and str(late["hours_after"][0]) == "24.02"
    counts = archives.timeliness_counts(org, Scope("EAST"), date(2026, 5, 1), TODAY, TODAY).iloc[0]
    assert (counts["entries_judged"], counts["entries_late"]) == (2, 1)
    assert archives.late_log_entries(org, Scope("SOUTH"), date(2026, 5, 1), TODAY).empty


def test_a_training_record_and_a_post_are_changed_in_place(org):
    staff.save_training(org, TEAM_HEAD, staff_no="S1", course="沟通", trained_on=date(2026, 3, 1), hours="4")
    staff.save_history(org, TEAM_HEAD, staff_no="S1", started_on=date(2019, 1, 1), employer="某公司")
    tid = int(archives.staff_training(org, Scope.company(), MANAGER, "S1")["id"][0])
    hid = int(archives.staff_history(org, Scope.company(), MANAGER, "S1")["id"][0])
    staff.save_training(org, TEAM_HEAD, staff_no="S1", course="沟通礼仪", trained_on=date(2026, 3, 2), hours="4.5",
                        result="优秀", training_id=tid)
    staff.save_history(org, TEAM_HEAD, staff_no="S1", started_on=date(2019, 2, 1), ended_on=date(2020, 1, 31),
                       employer="某银行", history_id=hid)
    training = archives.staff_training(org, Scope.company(), MANAGER, "S1")
    assert training[["course", "trained_on", "result"]].values.tolist() == [["沟通礼仪", date(2026, 3, 2), "优秀"]]
    history = archives.staff_history(org, Scope.company(), MANAGER, "S1")
    assert history[["employer", "started_on"]].values.tolist() == [["某银行", date(2019, 2, 1)]]
    with pytest.raises(Invalid):  # another person's record id: as if it did not exist
        staff.save_training(org, TEAM_HEAD, staff_no="S2", course="x", trained_on=date(2026, 1, 1), training_id=tid)


def test_the_segments_of_a_few_customers_equal_the_grading_pages(conn):
    from dashboard.metrics import grading
    from tests.builders import add_customer

    base(conn)
    for i, (days, amount) in enumerate([(3, "900"), (40, "120"), (200, "50"), (10, "15"), (300, "2000"), (90, "60")]):
        add_customer(conn, f"K{i}", "EAST")
        for k in range(i % 3 + 1):
            add_order(conn, f"K{i}-{k}", f"K{i}", date.fromordinal(TODAY.toordinal() - days - k), amount)
    graded = grading.grading(conn, Scope("EAST"), TODAY).set_index("customer_code")
    few = grading.segments_of(conn, Scope("EAST"), TODAY, ["K0", "K2", "K4", "K5", "C2"]).set_index("customer_code")
    assert list(few.index) == ["K0", "K2", "K4", "K5"]  # C2 is outside EAST
    assert len(set(graded["rfm_segment"])) >= 3
    for code in few.index:
        assert few.loc[code, "rfm_segment"] == graded.loc[code, "rfm_segment"]
        assert few.loc[code, "value_class"] == graded.loc[code, "value_class"]
