"""The archives in Chromium at 1280x720: a staff profile, a customer file with its whole history and
the customer log, in both languages, as a manager and as an agent; screenshots in screenshots/."""
import pytest

from tests.browser import SHOTS, assert_no_error, launch, needs_chromium, open_from_menu, serving, sign_in, \
    wait_until_done

pytestmark = needs_chromium


@pytest.fixture
def server(demo_url):
    with serving(demo_url) as base:
        yield base


def test_staff_profile_customer_file_and_log_in_both_languages(server):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.i18n import t

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        for user in ("manager", "agent"):
            for lang in ("zh", "en"):
                context = browser.new_context(viewport={"width": 1280, "height": 720})
                page = context.new_page()
                page.goto(f"{server}/?lang={lang}")
                sign_in(page, user, DEMO_PASSWORD, lang)
                open_from_menu(page, t("nav_staff", lang))
                assert_no_error(page, f"staff/{user}/{lang}")
                main = page.inner_text("[data-testid='stMain']")
                assert t("tab_training", lang) in main and t("personal", lang) in main
                page.screenshot(path=str(SHOTS / f"staff-{user}-{lang}.png"))
                page.locator("[data-testid='stMain']").evaluate("m => m.scrollTo(0, 10000)")
                page.wait_for_timeout(300)
                page.screenshot(path=str(SHOTS / f"staff-{user}-{lang}-profile.png"))
                if user == "manager":  # the departments page is linked from the staff archive
                    page.locator("[data-testid='stMain']").get_by_text(t("nav_departments", lang) + " →").click()
                    wait_until_done(page)
                    assert_no_error(page, f"departments/{lang}")
                    assert page.locator("h1").first.inner_text() == t("nav_departments", lang)
                    page.screenshot(path=str(SHOTS / f"departments-{lang}.png"))
                open_from_menu(page, t("nav_customer_file", lang))
                assert_no_error(page, f"customer_file/{user}/{lang}")
                main = page.inner_text("[data-testid='stMain']")
                assert t("tab_timeline", lang) in main and t("owner", lang) in main
                page.screenshot(path=str(SHOTS / f"customer_file-{user}-{lang}.png"))
                page.locator("[data-testid='stMain']").evaluate("m => m.scrollTo(0, 700)")
                page.wait_for_timeout(300)
                page.screenshot(path=str(SHOTS / f"customer_file-{user}-{lang}-timeline.png"))
                open_from_menu(page, t("nav_customer_log", lang))
                assert_no_error(page, f"customer_log/{user}/{lang}")
                assert t("timeliness", lang) in page.inner_text("[data-testid='stMain']")
                page.screenshot(path=str(SHOTS / f"customer_log-{user}-{lang}.png"))
                context.close()
        browser.close()
