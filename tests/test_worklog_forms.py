"""The edit and correction forms of the tasks page in AppTest: a refused edit writes nothing, a
correction adds its own entry, a plan named in the address opens with that plan chosen."""
import sqlalchemy as sa

from db.engine import get_engine
from tests.test_app import assert_clean, open_page, use_database  # noqa: F401
from tests.test_forms import save, scalar


def test_edit_form_refuses_then_saves(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    with get_engine().begin() as conn:  # a plan imported without its maker: a manager may edit it
        plan_no = conn.execute(sa.text("UPDATE plans SET assigned_by_staff_id = NULL WHERE id = "
                                       "(SELECT min(id) FROM plans WHERE end_date >= current_date) RETURNING plan_no")).scalar()
    at = open_page("tasks", "en", user="manager", plan=plan_no)
    assert_clean(at)
    assert at.selectbox(key="edit_plan").value == plan_no
    version = scalar("SELECT version FROM plans WHERE plan_no = :p", p=plan_no)
    planned = at.number_input(key=f"edit_planned_{plan_no}").value
    at.number_input(key=f"edit_minimum_{plan_no}").set_value(planned + 1)
    save(at, form=f"edit_{plan_no}")
    assert "The minimum must not exceed the target." in [e.value for e in at.error]
    assert scalar("SELECT version FROM plans WHERE plan_no = :p", p=plan_no) == version
    at.number_input(key=f"edit_minimum_{plan_no}").set_value(planned)
    at.text_area(key=f"edit_purpose_{plan_no}").input("续约 <b>与</b> 增购")
    save(at, form=f"edit_{plan_no}")
    assert at.success, [e.value for e in at.error]
    assert scalar("SELECT purpose FROM plans WHERE plan_no = :p", p=plan_no) == "续约 <b>与</b> 增购"
    assert scalar("SELECT version FROM plans WHERE plan_no = :p", p=plan_no) == version + 1


def test_a_plan_named_in_the_address_is_chosen_and_corrected(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    with get_engine().connect() as conn:
        plan_no, day, done = conn.execute(sa.text(
            "SELECT p.plan_no, pp.recorded_on, pp.completed_count FROM plan_progress pp JOIN plans p ON p.id = pp.plan_id "
            "WHERE pp.completed_count > 0 ORDER BY pp.id DESC LIMIT 1")).one()
    at = open_page("tasks", "en", user="manager", plan=plan_no)
    assert_clean(at)
    assert at.selectbox(key="correct_plan").value == plan_no and at.selectbox(key="edit_plan").value == plan_no
    at.selectbox(key=f"correct_day_{plan_no}").set_value(str(day))
    at.run()
    before = scalar("SELECT count(*) FROM plan_progress")
    at.number_input(key=f"correct_completed_{plan_no}_{day}").set_value(done - 1)
    at.number_input(key=f"correct_success_{plan_no}_{day}").set_value(0)
    save(at, "Save the correction", form=f"correct_{plan_no}_{day}")
    assert "Required." in [e.value for e in at.error] and scalar("SELECT count(*) FROM plan_progress") == before
    at.text_area(key=f"correct_reason_{plan_no}_{day}").input("counted twice")
    save(at, "Save the correction", form=f"correct_{plan_no}_{day}")
    assert at.success, [e.value for e in at.error]
    assert scalar("SELECT count(*) FROM plan_progress WHERE corrects_id IS NOT NULL AND reason = 'counted twice'") == 1



def test_an_overdue_complaint_named_in_the_address_opens_on_its_update(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    with get_engine().connect() as conn:
        number = conn.execute(sa.text("SELECT complaint_no FROM complaints WHERE resolved_at IS NULL "
                                      "ORDER BY complaint_no LIMIT 1")).scalar()
    at = open_page("complaint_entry", "zh", user="manager", complaint=number)
    assert_clean(at)
    assert at.text_input(key="complaint_lookup").value == number
    assert any(number in text.value for text in at.text)  # the update form shows that complaint
