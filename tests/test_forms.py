"""The entry forms in AppTest: a valid submission writes and confirms; an invalid one explains and writes nothing."""
from datetime import date

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from db.engine import get_engine
from tests.test_app import assert_clean, open_page, use_database  # noqa: F401


def scalar(sql: str, **params):
    with get_engine().connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def save(at: AppTest, label: str = "Save", form: str | None = None) -> AppTest:
    """Click the submit button (of `form` when the page has several) and rerun."""
    next(b for b in at.button if b.label == label and (form is None or b.proto.form_id == form)).click()
    return at.run()


def test_register_complaint_form(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    before = scalar("SELECT count(*) FROM complaints")
    at = open_page("complaint_entry", "en")
    assert_clean(at)
    at.text_input(key="complaint_customer").input("C000001")
    at.text_area(key="complaint_content").input("   ")
    save(at)
    assert "Please correct the marked fields; nothing was saved." in [e.value for e in at.error]
    assert "Required." in [e.value for e in at.error]
    assert scalar("SELECT count(*) FROM complaints") == before
    at.text_area(key="complaint_content").input('发票抬头错了 "urgent" 😀')
    save(at)
    assert not at.error and at.success[0].value.startswith("Saved: T")
    number = at.success[0].value.removeprefix("Saved: ")
    assert scalar("SELECT content FROM complaints WHERE complaint_no = :n", n=number) == '发票抬头错了 "urgent" 😀'
    assert scalar("SELECT actor FROM audit_log WHERE record_key = :n", n=number) == "manager"


def test_assign_task_form_shows_the_message_next_to_the_field(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    before = scalar("SELECT count(*) FROM plans")
    at = open_page("tasks", "zh", user="head")
    assert_clean(at)
    at.number_input(key="tasks_planned").set_value(5)
    at.number_input(key="tasks_minimum").set_value(9)
    at.selectbox(key="tasks_method").set_value("phone")
    save(at, "保存", form="tasks_assign")
    assert "最低数量不能大于目标数量。" in [e.value for e in at.error]
    assert scalar("SELECT count(*) FROM plans") == before
    at.number_input(key="tasks_minimum").set_value(4)
    save(at, "保存", form="tasks_assign")
    assert at.success and scalar("SELECT count(*) FROM plans") == before + 1
    assert scalar("SELECT kind FROM plans ORDER BY id DESC LIMIT 1") == "task"


def test_record_progress_form(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = open_page("tasks", "en", user="agent")
    assert_clean(at)
    plan_no = at.selectbox(key="progress_plan").value
    before = scalar("SELECT count(*) FROM plan_progress")
    at.number_input(key="progress_completed").set_value(2)
    at.number_input(key="progress_success").set_value(3)
    save(at, form="tasks_progress")
    assert "Successful must not exceed completed." in [e.value for e in at.error]
    at.number_input(key="progress_success").set_value(1)
    at.text_input(key="progress_cost").input("35.50")
    at.date_input(key="progress_date").set_value(date(2020, 1, 1))
    save(at, form="tasks_progress")
    assert at.success, [e.value for e in at.error]
    assert scalar("SELECT count(*) FROM plan_progress") == before + 1
    assert scalar("SELECT sum(completed_count) FROM plan_progress pp JOIN plans p ON p.id = pp.plan_id "
                  "WHERE p.plan_no = :p AND recorded_on = '2020-01-01'", p=plan_no) == 2


def test_open_case_from_the_at_risk_link_is_prefilled(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = open_page("retention", "en")
    assert_clean(at)

    def linked_customer(at):
        link = next(p for p in at.get("page_link") if "Open a retention case" in p.proto.label)
        customer = dict(part.split("=") for part in link.proto.query_string.split("&"))["customer"]
        assert customer in link.proto.label
        return customer

    # without a picked row, the largest drop; a row picked in the table links its customer
    table = at.dataframe[-1].value
    assert linked_customer(at) == table.iloc[0, 0]
    at.session_state["retention_at_risk"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    assert_clean(at)
    customer = linked_customer(at)
    assert customer == table.iloc[2, 0] != table.iloc[0, 0]
    at = open_page("retention_entry", "en", customer=customer)
    assert at.text_input(key="case_customer").value == customer
    assert at.selectbox(key="case_method").label == "Retention method"  # promotion, visit, …: not a contact method
    save(at)
    assert at.success
    assert scalar("SELECT count(*) FROM retention_cases r JOIN customers c ON c.id = r.customer_id "
                  "WHERE c.code = :c AND r.result = 'pending'", c=customer) == 1


def test_settings_form_is_for_managers_and_changes_rules(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = open_page("settings", "en", user="head")
    assert at.title[0].value == "Overview"  # not in a head's navigation
    at = open_page("settings", "en")
    assert_clean(at)
    at.text_input(key="set_threshold").input("1.5")
    save(at)
    assert "Must be between 0 and 1." in [e.value for e in at.error]
    assert scalar("SELECT value::text FROM settings WHERE key = 'fluctuation_threshold'") == "0.30"
    at.text_input(key="set_threshold").input("0.2")
    save(at)
    assert at.success
    assert scalar("SELECT value::text FROM settings WHERE key = 'fluctuation_threshold'") == "0.2"


def test_my_work_lists_for_each_role(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    for role in ("manager", "head", "agent"):
        at = open_page("my_work", "en", user=role)
        assert_clean(at)
        assert len(at.metric) == 5
        scope = {"manager": "Scope: All departments", "agent": "Scope: my own work"}.get(role)
        assert scope is None or scope in [c.value for c in at.caption]
