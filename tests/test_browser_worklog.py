"""Work records in Chromium at 1280x720, in both languages: a row of My work opens its plan on the
tasks page with the plan chosen; the edit and correction tabs; the plans page's plan record."""
import re
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import SHOTS, assert_no_error, launch, needs_chromium, open_from_menu, serving, sign_in, wait_until_done

pytestmark = needs_chromium


@pytest.fixture
def server(demo_url):
    with serving(demo_url) as base:
        yield base


def click_first_row(page, table) -> None:
    """Select the first row of a dataframe by its row marker, as a user would."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)


def test_a_work_list_row_opens_its_record(server):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.i18n import t

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        for username, lang in (("head", "en"), ("agent", "zh")):
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{server}/?lang={lang}")
            sign_in(page, username, DEMO_PASSWORD, lang)
            open_from_menu(page, t("nav_my_work", lang))
            assert_no_error(page, f"my_work/{username}/{lang}")
            tables = page.locator("[data-testid='stDataFrame']")
            assert tables.count() > 0
            click_first_row(page, tables.first)
            page.wait_for_url(re.compile(r".*/tasks.*plan=.*"), timeout=60_000)
            wait_until_done(page)
            assert_no_error(page, f"tasks from my_work/{username}/{lang}")
            plan_no = parse_qs(urlparse(page.url).query)["plan"][0]
            page.screenshot(path=str(SHOTS / f"worklog-opened-{username}-{lang}.png"))
            main = page.inner_text("[data-testid='stMain']")
            chosen = [i.get_attribute("value") or "" for i in
                      page.locator("[data-testid='stMain'] [data-testid='stSelectbox'] input").all()]
            assert any(value.startswith(plan_no) for value in chosen), chosen  # the forms have the plan chosen
            assert page.get_by_role("tab", name=t("tab_progress", lang)).get_attribute("aria-selected") == "true"
            assert t("progress_entries", lang) in main
            page.get_by_role("tab", name=t("tab_edit", lang)).click()
            wait_until_done(page)
            page.screenshot(path=str(SHOTS / f"worklog-edit-{username}-{lang}.png"))
            page.get_by_role("tab", name=t("tab_correct", lang)).click()
            wait_until_done(page)
            assert_no_error(page, f"tasks correct/{username}/{lang}")
            page.screenshot(path=str(SHOTS / f"worklog-correct-{username}-{lang}.png"))
            open_from_menu(page, t("nav_plans", lang))
            assert_no_error(page, f"plans/{username}/{lang}")
            page.get_by_text(t("plans_record_pick", lang)).scroll_into_view_if_needed()
            page.mouse.wheel(0, 300)
            page.wait_for_timeout(400)
            page.screenshot(path=str(SHOTS / f"worklog-plan-record-{username}-{lang}.png"))
            if username == "head":
                continue
            # the weekly review's plans slide (the fourth) with the services completed and successful
            page.locator("[data-testid='stSidebarNav'] a[href$='present']").click()
            wait_until_done(page)
            for number in ("1", "2", "3"):
                page.keyboard.press("ArrowRight")
                page.wait_for_function(f"document.querySelector('.slide') && "
                                       f"document.querySelector('.slide').dataset.slide !== '{number}'", timeout=30_000)
            slide = page.locator(".slide")
            assert t("kpi_service_success_rate", lang) in slide.inner_text()
            box = slide.bounding_box()
            page.screenshot(path=str(SHOTS / f"worklog-slide-plans-{lang}.png"))
            assert box["y"] + box["height"] <= 720 + 1, "the plans slide runs off the screen"
            page.close()
        browser.close()
