"""Service quality and evaluation in Chromium at 1280x720, both languages, as the roles that use them:
the manager (quality, evaluation), hr (evaluation, which they run) and an agent (their reviews and
the survey form). Screenshots in screenshots/quality-*.png."""
import pytest

from tests.browser import SHOTS, assert_no_error, launch, needs_chromium, open_from_menu, serving, sign_in, wait_until_done

pytestmark = needs_chromium


@pytest.fixture
def server(demo_url):
    with serving(demo_url) as base:
        yield base


# the survey form and My reviews are reached by their links on Service quality and Evaluation
LINKED = {"survey_entry": ("quality", "record_surveys"), "my_reviews": ("evaluation", "open_my_reviews")}


@pytest.mark.parametrize("who, pages", [
    ("manager", ("quality", "evaluation", "survey_entry")),
    ("hruser", ("quality", "evaluation")),
    ("agent", ("evaluation", "my_reviews", "survey_entry", "quality")),
])
def test_quality_and_evaluation_pages_in_chromium(server, who, pages):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.i18n import t

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for lang in ("zh", "en"):
            page.goto(f"{server}/?lang={lang}&kind=quarter")
            wait_until_done(page)
            if lang == "zh":
                sign_in(page, who, DEMO_PASSWORD, lang)
            for name in pages:
                if name in LINKED:
                    open_from_menu(page, t(f"nav_{LINKED[name][0]}", lang))
                    page.get_by_text(t(LINKED[name][1], lang)).click()
                    wait_until_done(page)
                else:
                    open_from_menu(page, t(f"nav_{name}", lang))
                assert page.locator("h1").first.inner_text() == t(f"nav_{name}", lang)
                assert_no_error(page, f"{who}/{name}/{lang}")
                page.screenshot(path=str(SHOTS / f"quality-{who}-{name}-{lang}.png"), full_page=True)
        if who == "hruser":  # hr sees the evaluation of every department, and no work forms
            nav = page.locator("[data-testid='stSidebarNav']").inner_text()
            assert t("nav_evaluation", "en") in nav and t("nav_my_work", "en") not in nav
            open_from_menu(page, t("nav_quality", "en"))
            assert page.get_by_text(t("record_surveys", "en")).count() == 0  # no survey form for hr
        browser.close()
