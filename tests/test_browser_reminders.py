"""Reminders and callbacks in Chromium at 1280x720, in both languages, as an agent and a head:
the sidebar's unread count, My work's reminders (dismiss one), the Customer callbacks page."""
import pytest

from tests.browser import SHOTS, assert_no_error, launch, needs_chromium, open_from_menu, serving, sign_in

pytestmark = needs_chromium


@pytest.fixture
def server(demo_url):
    with serving(demo_url) as base:
        yield base


def test_reminders_and_callbacks_in_chromium(server):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.i18n import t

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        for username in ("agent", "head"):
            for lang in ("zh", "en"):
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.goto(f"{server}/?lang={lang}")
                sign_in(page, username, DEMO_PASSWORD, lang)
                open_from_menu(page, t("nav_my_work", lang))
                assert_no_error(page, f"my_work/{username}/{lang}")
                main = page.inner_text("[data-testid='stMain']")
                assert t("reminders", lang) in main
                if username == "agent" and lang == "en":
                    # the demo agent has reminders; dismissing one removes it
                    buttons = page.get_by_role("button", name="Dismiss")
                    before = buttons.count()
                    assert before > 0
                    buttons.first.click()
                    page.wait_for_timeout(500)
                    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
                    assert page.get_by_role("button", name="Dismiss").count() in (before - 1, 30)
                page.screenshot(path=str(SHOTS / f"my_work-reminders-{username}-{lang}.png"))
                open_from_menu(page, t("nav_callbacks", lang))
                assert_no_error(page, f"callbacks/{username}/{lang}")
                assert page.locator("h1").first.inner_text() == t("nav_callbacks", lang)
                if username == "agent":   # made by the earlier runs, counted in the sidebar
                    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
                    assert ("unread reminders" if lang == "en" else "条未读提醒") in sidebar
                page.screenshot(path=str(SHOTS / f"callbacks-{username}-{lang}.png"))
                page.mouse.wheel(0, 1400)
                page.wait_for_timeout(400)
                page.screenshot(path=str(SHOTS / f"callbacks-{username}-{lang}-2.png"))
                page.close()
        browser.close()
