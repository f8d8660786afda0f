"""Drill-down tried in Chromium at 1280x720 (issue 20): a click on a bar of the complaints page's
department chart lists only that group's complaints with "Filter: … · clear" above the list,
clearing shows them all again; a card's "Show records" button does the same on the plans page.
Screenshots go to `screenshots/drill-*.png`.
"""
import re

import pytest

from tests.browser import SHOTS, launch, needs_chromium, serving, sign_in, wait_until_done, assert_no_error

pytestmark = needs_chromium


@pytest.fixture
def served(demo_url):
    with serving(demo_url) as base:
        yield base


def records_caption(page) -> str:
    found = page.locator("[data-testid='stCaptionContainer']").filter(has_text=re.compile(r"of .* records|共"))
    return found.first.inner_text() if found.count() else ""


def test_drill_down_in_chromium(served):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{served}/complaints?lang=en&kind=month&period=2026-11")
        wait_until_done(page)
        sign_in(page, "manager", DEMO_PASSWORD)
        assert_no_error(page, "complaints")
        assert page.get_by_role("button", name=re.compile("^Filter:")).count() == 0
        chart = page.locator("[data-testid='stVegaLiteChart']").nth(1)  # by department (the trend is first)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        # the first department's bar starts at the left of the plot, beside its name
        for dx in range(10, 60, 5):
            page.mouse.click(box["x"] + box["width"] * dx / 100, box["y"] + 25)
            page.wait_for_timeout(400)
            wait_until_done(page)
            if page.get_by_role("button", name=re.compile("^Filter:")).count():
                break
        clear = page.get_by_role("button", name=re.compile("^Filter:"))
        assert clear.count() == 1, "a click on a bar sets no filter"
        assert clear.inner_text().endswith("· clear")
        caption = records_caption(page)
        assert re.search(r"\d+ of \d+ records", caption), caption
        clear.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "drill-complaints-en.png"))
        clear.click()
        wait_until_done(page)
        assert page.get_by_role("button", name=re.compile("^Filter:")).count() == 0
        # a card's records, in Chinese
        page.goto(f"{served}/plans?lang=zh&kind=month&period=2026-11")
        wait_until_done(page)
        page.get_by_role("button", name="查看明细").nth(2).click()  # under 落后计划
        wait_until_done(page)
        clear = page.get_by_role("button", name=re.compile("^筛选："))
        assert clear.count() == 1 and clear.inner_text().endswith("· 清除")
        clear.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "drill-plans-zh.png"))
        page.goto(f"{served}/complaints?lang=zh&kind=month&period=2026-11")
        wait_until_done(page)
        page.screenshot(path=str(SHOTS / "drill-complaints-cards-zh.png"))
        # a flag's customers on the fluctuation page, right under its cards
        page.goto(f"{served}/fluctuation?lang=zh&kind=month&period=2026-11")
        wait_until_done(page)
        page.get_by_role("button", name="查看明细").nth(1).click()  # under 下降客户
        wait_until_done(page)
        assert page.get_by_role("button", name="筛选：下降 · 清除").count() == 1
        page.screenshot(path=str(SHOTS / "drill-fluctuation-card-zh.png"))
        # a segment's customers on the grading page: a click on its bar
        page.goto(f"{served}/grading?lang=en&kind=month&period=2026-11")
        wait_until_done(page)
        chart = page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        for dy in range(8, 60, 6):
            page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + dy)
            page.wait_for_timeout(400)
            wait_until_done(page)
            if page.get_by_role("button", name=re.compile("^Filter:")).count():
                break
        clear = page.get_by_role("button", name=re.compile("^Filter:"))
        assert clear.count() == 1, "a click on a segment's bar sets no filter"
        clear.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "drill-grading-segment-en.png"))
        # a month of the retention trend: the cases started that month
        page.goto(f"{served}/retention?lang=en&kind=month&period=2026-11")
        wait_until_done(page)
        chart = page.locator("[data-testid='stVegaLiteChart']").nth(2)  # reasons, methods, then the trend
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        for dx in range(95, 20, -1):  # the latest month's bar is at the right, its foot at the bottom
            page.mouse.click(box["x"] + box["width"] * dx / 100, box["y"] + box["height"] - 70)
            page.wait_for_timeout(400)
            wait_until_done(page)
            if page.get_by_role("button", name=re.compile("^Filter: 20")).count():
                break
        clear = page.get_by_role("button", name=re.compile("^Filter: 20"))
        assert clear.count() == 1, "a click on a month of the trend sets no filter"
        month = re.search(r"20\d\d-\d\d", clear.inner_text()).group(0)
        clear.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "drill-retention-trend-en.png"))
        assert month == "2026-11" and re.search(r"\d+ of \d+ records", records_caption(page))
        for name, lang in (("grading", "en"), ("fluctuation", "zh"), ("retention", "en"), ("overview", "zh")):
            page.goto(f"{served}/{name if name != 'overview' else ''}?lang={lang}&kind=month&period=2026-11")
            wait_until_done(page)
            assert_no_error(page, name)
            page.screenshot(path=str(SHOTS / f"drill-{name}-{lang}.png"))
        browser.close()
