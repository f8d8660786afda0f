"""Feedback on a task in Chromium at 1280x720: the agent's feedback is listed on the task's record,
as plain text, for the agent (zh) and the manager who assigned it (en)."""
import pytest
import sqlalchemy as sa

from tests.browser import SHOTS, assert_no_error, launch, needs_chromium, serving, sign_in, wait_until_done

pytestmark = needs_chromium


@pytest.fixture
def server(demo_url):
    from dashboard.writes.suggestions import send_suggestion
    from tests.test_app import signed_in

    engine = sa.create_engine(demo_url)
    with engine.begin() as conn:
        import os
        os.environ["DATABASE_URL"] = demo_url
        agent = signed_in("agent")
        plan_no = conn.execute(sa.text(
            "UPDATE plans SET staff_id = (SELECT id FROM staff WHERE staff_no = :s), assigned_by_staff_id = "
            "(SELECT min(id) FROM staff WHERE role = 'manager') WHERE id = (SELECT min(id) FROM plans WHERE kind = 'task' "
            "AND end_date >= current_date + 7 AND department_id = (SELECT department_id FROM staff WHERE staff_no = :s)) "
            "RETURNING plan_no"), {"s": agent.staff_no}).scalar()  # in the agent's department: in their scope
        send_suggestion(conn, agent, subject="客户名单不全", body="**请补充** 三家客户的联系人", plan_no=plan_no)
    engine.dispose()
    with serving(demo_url) as base:
        yield base, plan_no


def test_feedback_is_listed_on_the_task_record(server, monkeypatch):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.i18n import t

    base, plan_no = server
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        for username, lang in (("agent", "zh"), ("manager", "en")):
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{base}/?lang={lang}")
            sign_in(page, username, DEMO_PASSWORD, lang)
            page.goto(f"{base}/tasks?lang={lang}&plan={plan_no}")
            wait_until_done(page)
            assert_no_error(page, f"tasks/{username}/{lang}")
            heading = page.get_by_text(t("task_feedback", lang), exact=True).first
            heading.scroll_into_view_if_needed()
            wait_until_done(page)
            page.screenshot(path=str(SHOTS / f"feedback-record-{username}-{lang}.png"))
            assert "**请补充** 三家客户的联系人" in page.inner_text("[data-testid='stMain']")
        browser.close()
