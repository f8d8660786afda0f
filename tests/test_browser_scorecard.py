"""The Evaluation page's scorecard in Chromium at 1280x720, both languages, as a manager: the KPI
table names the customer KPIs (tier changes, new customers, volume change, service cost).
Screenshots in screenshots/scorecard-*.png."""
import pytest

from tests.browser import SHOTS, assert_no_error, launch, needs_chromium, open_from_menu, serving, sign_in, wait_until_done

pytestmark = needs_chromium


def test_the_scorecard_shows_the_customer_kpis_in_both_languages(demo_url):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.i18n import t

    SHOTS.mkdir(exist_ok=True)
    with serving(demo_url) as server, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for lang in ("zh", "en"):
            page.goto(f"{server}/?lang={lang}")
            wait_until_done(page)
            if lang == "zh":
                sign_in(page, "manager", DEMO_PASSWORD, lang)
            open_from_menu(page, t("nav_evaluation", lang))
            page.get_by_role("tab", name=t("tab_scorecards", lang)).click()
            wait_until_done(page)
            assert_no_error(page, f"scorecard/{lang}")
            page.locator("h3").last.scroll_into_view_if_needed()   # the picked person's KPI table under its title
            page.wait_for_timeout(500)
            page.screenshot(path=str(SHOTS / f"scorecard-manager-{lang}.png"))
            page.mouse.wheel(0, 700)
            page.wait_for_timeout(500)
            page.screenshot(path=str(SHOTS / f"scorecard-manager-{lang}-customers.png"))
        browser.close()
