"""The archives pages in-process (AppTest) on the demo: each renders in both languages for each role,
and a demo customer's file shows every kind of event."""
from datetime import date

import pytest
import sqlalchemy as sa

from dashboard.core.scope import Scope
from dashboard.metrics import archives
from db.engine import make_engine
from tests.test_app import assert_clean, open_page, use_database  # noqa: F401 (fixture)

PAGES = {"customer_file": ("客户档案", "Customer file"), "customer_log": ("客户日志查询", "Customer log search"),
         "staff": ("员工档案", "Staff archive"), "departments": ("部门管理", "Departments")}


def every_kind_customer(url: str) -> str:
    """A demo customer with orders, a resolved and called-back complaint, a log entry, a closed case,
    a survey and an owner; the demo makes such customers at any size."""
    engine = make_engine(url)
    with engine.connect() as conn:
        code = conn.execute(sa.text("""
            SELECT cu.code FROM customers cu
            WHERE EXISTS (SELECT 1 FROM complaints k WHERE k.customer_id = cu.id AND k.callback_at IS NOT NULL)
              AND EXISTS (SELECT 1 FROM work_logs w WHERE w.customer_id = cu.id)
              AND EXISTS (SELECT 1 FROM retention_cases r WHERE r.customer_id = cu.id AND r.closed_on IS NOT NULL)
              AND EXISTS (SELECT 1 FROM satisfaction_surveys s WHERE s.customer_id = cu.id)
              AND EXISTS (SELECT 1 FROM customer_owner_history h WHERE h.customer_id = cu.id)
            ORDER BY cu.code LIMIT 20""")).scalars().all()
        today = max(conn.execute(sa.text("SELECT max(order_date) FROM orders")).scalar(), date.today())
        # the first of them whose tier also changed within the timeline's 24 months
        code = next((c for c in code if "tier" in set(archives.customer_timeline(conn, Scope.company(), c, today)["kind"])),
                    None)
    engine.dispose()
    return code


@pytest.mark.parametrize("page", PAGES)
def test_archives_pages_render_in_both_languages(demo_url, use_database, page):
    use_database(demo_url)
    for lang in ("zh", "en"):
        at = open_page(page, lang)
        assert_clean(at)
        assert at.title[0].value == PAGES[page][lang == "en"]


@pytest.mark.parametrize("role", ["head", "agent", "hruser"])
def test_archives_pages_render_for_each_role(demo_url, use_database, role):
    use_database(demo_url)
    for page in ("customer_file", "customer_log", "staff"):
        at = open_page(page, "en", user=role)
        assert_clean(at)
    at = open_page("departments", "en", user=role)  # not in their menu: the default page runs instead
    assert at.title[0].value != "Departments"


def test_an_agent_reads_only_their_own_profile_and_no_ones_personal_data_but_their_own(demo_url, use_database):
    use_database(demo_url)
    at = open_page("staff", "en", user="agent")
    assert_clean(at)
    assert len(at.selectbox(key="staff_pick").options) == 1
    assert "Personal data is visible only" not in " ".join(c.value for c in at.caption)


def test_a_demo_customer_file_shows_every_kind_of_event(demo_url, use_database):
    code = every_kind_customer(demo_url)
    assert code is not None, "the demo has a customer with every kind of event"
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        today = conn.execute(sa.text("SELECT max(order_date) FROM orders")).scalar()
        kinds = set(archives.customer_timeline(conn, Scope.company(), code, max(today, date.today()))["kind"])
    engine.dispose()
    assert kinds == set(archives.TIMELINE_KINDS), kinds
    use_database(demo_url)
    at = open_page("customer_file", "zh", customer=code)
    assert_clean(at)
    assert at.subheader[0].value.endswith(code)


def test_a_log_entry_written_in_the_form_is_read_on_the_log_page(demo_url, use_database):
    use_database(demo_url)
    at = open_page("customer_log", "en", user="agent")
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        code = conn.execute(sa.text("""SELECT cu.code FROM customers cu JOIN staff s ON s.department_id = cu.department_id
                                       JOIN users u ON u.staff_id = s.id WHERE u.username = 'agent'
                                       ORDER BY cu.code LIMIT 1""")).scalar()
    at = open_page("work_log", "en", user="agent")
    at.text_input(key="log_customer").input(code)
    at.text_input(key="log_category").input("报价跟进")
    at.text_area(key="log_content").input("客户要求 **新报价** <b>")
    at.text_area(key="log_summary").input("下周再联系")
    at.button[0].click().run()
    assert_clean(at)
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT category, content, summary, recorded_at IS NOT NULL FROM work_logs "
                                   "WHERE category = '报价跟进'")).one()
    engine.dispose()
    assert tuple(row) == ("报价跟进", "客户要求 **新报价** <b>", "下周再联系", True)
    at = open_page("customer_log", "en", user="agent", customer=code)
    assert_clean(at)
    table = at.dataframe[0].value
    assert "客户要求 **新报价** <b>" in table["What happened" if "What happened" in table else "Content"].tolist()


def test_a_staff_profile_reruns_with_its_training_and_history_pickers_labelled_by_their_records(demo_url, use_database):
    # the two pickers once shared one variable, so after the page ran the training picker's labels
    # read the work history's records (AppTest, which labels on the next run, failed on it)
    use_database(demo_url)
    at = open_page("staff", "en")
    pickers = [s for s in at.selectbox if (s.key or "").startswith(("training_pick_", "history_pick_"))]
    assert pickers, "the demo's first profile has training or work history to pick from"
    at.run()
    assert_clean(at)
    assert at.selectbox(key=pickers[0].key).index == 0
