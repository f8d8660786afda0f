"""The pages of this issue in-process (AppTest) on demo data: Customer callbacks, My work's reminders,
the sidebar's unread count, the complaints page's first response and the settings page's rules."""
from datetime import timedelta

import sqlalchemy as sa

from tests.test_app import assert_clean, open_page, use_database  # noqa: F401 (fixture)
from db.engine import get_engine


def test_callbacks_page_in_both_languages_and_records_a_callback(demo_url, use_database):
    use_database(demo_url)
    for lang, title in (("zh", "客户回访"), ("en", "Customer callbacks")):
        at = open_page("callbacks", lang, user="head")
        assert_clean(at)
        assert at.title[0].value == title
        assert len(at.metric) == 3 and len(at.dataframe) >= 2
    from dashboard.core.scope import subtree

    with get_engine().connect() as conn:
        home = conn.execute(sa.text("SELECT d.code FROM users u JOIN staff s ON s.id = u.staff_id "
                                    "JOIN departments d ON d.id = s.department_id WHERE u.username = 'head'")).scalar()
        code = conn.execute(sa.text("SELECT c.code FROM customers c JOIN departments d ON d.id = c.department_id "
                                    "WHERE d.code = ANY(:codes) ORDER BY c.code LIMIT 1"),
                            {"codes": subtree(conn, home)}).scalar()
    at = open_page("callbacks", "en", user="head", customer=code)
    at.text_area(key=f"callbacks_note_{code}").input("<b>called</b>")
    form_buttons = [b for b in at.button if b.label == "Save"]
    form_buttons[0].click().run()
    assert_clean(at)
    with get_engine().connect() as conn:
        note = conn.execute(sa.text("SELECT note FROM customer_callbacks ORDER BY id DESC LIMIT 1")).scalar()
    assert note == "<b>called</b>"


def test_my_work_lists_the_agents_reminders_and_the_sidebar_counts_them(demo_url, use_database):
    use_database(demo_url)
    at = open_page("my_work", "en", user="agent")
    assert_clean(at)
    assert [s.value for s in at.subheader][0] == "Reminders"
    with get_engine().connect() as conn:
        made = conn.execute(sa.text("""SELECT count(*) FROM reminders r JOIN users u ON u.staff_id = r.staff_id
                                       WHERE u.username = 'agent'""")).scalar()
        others = conn.execute(sa.text("""SELECT count(DISTINCT staff_id) FROM reminders""")).scalar()
    assert made > 0 and others == 1          # the page made the signed-in agent's reminders only
    at = open_page("my_work", "zh", user="agent")
    assert_clean(at)


def test_complaints_page_shows_first_response_on_time(demo_url, use_database):
    use_database(demo_url)
    at = open_page("complaints", "en")
    assert_clean(at)
    assert any(m.label.startswith("First response on time") for m in at.metric)
    with get_engine().begin() as conn:
        conn.execute(sa.text("INSERT INTO settings VALUES ('sla_clock', '\"business\"') "
                             "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"))
        conn.execute(sa.text("INSERT INTO audit_log (actor, action, table_name, record_key) "
                             "VALUES ('test', 'update', 'settings', 'rules')"))
    at = open_page("complaints", "zh")
    assert_clean(at)
    assert any("工作时间" in c.value for c in at.caption)


def test_settings_page_saves_the_clock_and_refuses_bad_hours(demo_url, use_database):
    use_database(demo_url)
    at = open_page("settings", "en")
    assert_clean(at)
    at.text_input(key="set_rule_business_hours").input("18:00-09:00")
    at.button(key="settings_rules_save").click().run()
    assert at.error
    with get_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM settings WHERE key = 'business_hours'")).scalar() == 0
    at.text_input(key="set_rule_business_hours").input("08:30-17:30")
    at.text_input(key="set_rule_sla_clock").input("business")
    at.button(key="settings_rules_save").click().run()
    assert not at.error
    with get_engine().connect() as conn:
        assert dict(conn.execute(sa.text("SELECT key, value FROM settings WHERE key IN ('sla_clock', 'business_hours')"))
                    .all()) == {"sla_clock": "business", "business_hours": "08:30-17:30"}


def test_callbacks_page_lists_the_latest_callbacks_with_the_count_of_all(demo_url, use_database):
    """A month of callbacks runs to 126,000 at 500,000 customers: the page lists the newest 500
    and says how many there are (the table was sent whole on every rerun)."""
    use_database(demo_url)
    from dashboard.ui import session

    with get_engine().begin() as conn:
        conn.execute(sa.text("""
            INSERT INTO customer_callbacks (customer_id, staff_id, called_on, method, result, note)
            SELECT (SELECT min(id) FROM customers), NULL, CAST(:day AS date) - (i % 20), 'phone', 'satisfied',
                   'bulk ' || i
            FROM generate_series(1, 600) AS i"""), {"day": session.today()})
        total = conn.execute(sa.text("SELECT count(*) FROM customer_callbacks WHERE called_on >= :start"),
                             {"start": session.today() - timedelta(days=29)}).scalar()
    at = open_page("callbacks", "en")
    assert_clean(at)
    captions = [c.value for c in at.caption]
    assert f"{total:,} callbacks in the last 30 days; the latest 500 are listed." in captions
    recent = at.dataframe[-1].value
    assert len(recent) == 500
    assert list(recent.iloc[:, 0]) == sorted(recent.iloc[:, 0], reverse=True)  # newest first
    at = open_page("callbacks", "zh")
    assert f"最近 30 天共 {total:,} 次回访，列出最近的 500 次。" in [c.value for c in at.caption]
