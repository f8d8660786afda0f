"""The contact centre in Chromium at 1280x720, both languages, as a manager and as a head (their subtree's
calls only). Screenshots in screenshots/calls-*.png."""
import pytest

from tests.browser import SHOTS, assert_no_error, launch, needs_chromium, open_from_menu, serving, sign_in, wait_until_done

pytestmark = needs_chromium


@pytest.mark.parametrize("who", ["manager", "head"])
def test_the_contact_centre_in_chromium(demo_url, who):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.i18n import t

    SHOTS.mkdir(exist_ok=True)
    with serving(demo_url) as base, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for lang in ("zh", "en"):
            page.goto(f"{base}/?lang={lang}")
            wait_until_done(page)
            if lang == "zh":
                sign_in(page, who, DEMO_PASSWORD, lang)
            open_from_menu(page, t("nav_contact_centre", lang))
            assert page.locator("h1").first.inner_text() == t("nav_contact_centre", lang)
            assert_no_error(page, f"{who}/contact_centre/{lang}")
            assert page.locator("[data-testid='stMetric']").count() == 8
            page.screenshot(path=str(SHOTS / f"calls-{who}-{lang}.png"), full_page=True)
            for part in (1, 2):  # the tables and charts below the cards
                page.mouse.move(800, 400)
                page.mouse.wheel(0, 650)
                page.wait_for_timeout(300)
                page.screenshot(path=str(SHOTS / f"calls-{who}-{lang}-{part}.png"))
        browser.close()


def test_what_complaints_are_about_in_chromium(demo_url):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.i18n import t

    SHOTS.mkdir(exist_ok=True)
    with serving(demo_url) as base, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for lang in ("zh", "en"):
            page.goto(f"{base}/?lang={lang}&kind=quarter")
            wait_until_done(page)
            if lang == "zh":
                sign_in(page, "manager", DEMO_PASSWORD, lang)
            open_from_menu(page, t("nav_complaints", lang))
            page.get_by_text(t("topics_title", lang)).scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            assert_no_error(page, f"complaints/{lang}")
            page.screenshot(path=str(SHOTS / f"calls-complaint-topics-{lang}.png"))
            page.mouse.move(800, 400)
            page.mouse.wheel(0, 500)
            page.wait_for_timeout(300)
            page.screenshot(path=str(SHOTS / f"calls-complaint-topics-{lang}-2.png"))
        browser.close()
