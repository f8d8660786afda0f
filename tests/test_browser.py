"""Every page in Debian's Chromium through Playwright, at 1280x720, with a screenshot per page.

The test starts the server on the test database, waits until each page's script has
finished, asserts that no exception or error element is shown, and saves
`screenshots/<page>-<lang>.png`. Skipped when /usr/bin/chromium is not installed.
"""
import re

import pytest

from tests.browser import ROOT, SHOTS, launch, needs_chromium, serving, sign_in, wait_until_done
from tests.test_display import CARD_PAGES, untranslated

PAGES = ["overview", "plans", "complaints", "fluctuation", "retention", "grading",  # the slides: their own test
         "my_work", "tasks", "complaint_entry", "retention_entry", "work_log", "suggestions", "settings",
         "data_import", "callbacks", "cost",
         "quality", "evaluation", "customer_file", "customer_log", "staff",
         "departments"]
PAGES += ["contact_centre"]

pytestmark = needs_chromium


@pytest.fixture
def server(demo_url):
    with serving(demo_url) as base:
        yield base


def test_every_page_in_chromium(server):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.core.periods import Period
    from dashboard.i18n import t
    from dashboard.ui.session import today

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{server}/?lang=zh&kind=month")
        wait_until_done(page)
        page.screenshot(path=str(SHOTS / "sign_in-zh.png"))
        sign_in(page, "manager", DEMO_PASSWORD, "zh")
        # every page is listed (no "View more", which Streamlit does not translate) and the
        # language switch below the menu still shows on a 720-pixel projector
        nav = page.locator("[data-testid='stSidebarNav']")
        for name in ("overview", "my_work", "settings"):
            assert nav.get_by_text(t(f"nav_{name}", "zh"), exact=True).is_visible()
        english = page.locator("[data-testid='stSidebar']").get_by_text("English").bounding_box()
        assert english["y"] + english["height"] <= 720
        # and so do the period and department filters (the menu scrolls within its own box)
        department = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").nth(1).bounding_box()
        assert department["y"] + department["height"] <= 720
        for lang in ("zh", "en"):
            if lang == "en":
                page.locator("[data-testid='stSidebarNav']").get_by_text(t("nav_overview", "zh"), exact=True).click()
                wait_until_done(page)
                page.locator("[data-testid='stSidebar']").get_by_text("English").click()
                wait_until_done(page)
                # switching the language keeps the filters (a month here)
                month = Period.containing("month", today()).label
                assert f"Period {month} (" in page.inner_text("[data-testid='stMain']")
            for name in PAGES:
                page.locator("[data-testid='stSidebarNav']").get_by_text(t(f"nav_{name}", lang), exact=True).click()
                wait_until_done(page)
                assert page.locator("h1").first.inner_text() == t(f"nav_{name}", lang)
                assert page.locator("[data-testid='stException']").count() == 0, f"{name}/{lang}: exception shown"
                assert page.locator("[data-testid='stAlertContentError']").count() == 0, f"{name}/{lang}: error shown"
                page.screenshot(path=str(SHOTS / f"{name}-{lang}.png"))
                text = page.inner_text("[data-testid='stMain']")
                if name in CARD_PAGES and lang == "en":  # the month survived the language switch and each page change
                    assert f"Period {Period.containing('month', today()).label} (" in text, name
                if name in CARD_PAGES:  # the ranges compared, as ISO dates, on every page with KPI cards
                    compared = {"zh": "对比", "en": "compared with"}[lang]
                    assert re.search(rf"{compared} \d{{4}}-\d{{2}}-\d{{2}}", text), f"{name}/{lang}: no range compared"
                if lang == "zh":  # no known untranslated word on a Chinese page
                    assert not untranslated([text]), f"{name}: {untranslated([text])}"
        # filters carry over between pages and live in the URL
        period_kind = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
        period_kind.scroll_into_view_if_needed()
        period_kind.click()
        page.get_by_role("option", name=t("kind_year", "en")).click()
        wait_until_done(page)
        page.locator("[data-testid='stSidebarNav']").get_by_text(t("nav_complaints", "en"), exact=True).click()
        wait_until_done(page)
        assert "kind=year" in page.url and "lang=en" in page.url
        browser.close()


def test_presentation_slides_are_legible(server):
    """Every slide at 1280x720: no error, and no text in the slide below 28 px."""
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        for lang in ("zh", "en"):
            # a browser of its own for each language: a session outlives a reload, in its cookie
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(f"{server}/?lang={lang}")
            wait_until_done(page)
            sign_in(page, "manager", DEMO_PASSWORD, lang)
            page.locator("[data-testid='stSidebarNav'] a[href$='present']").click()
            wait_until_done(page)
            assert page.locator("[data-testid='stSidebar']").is_hidden()
            seen = []
            for _ in range(11):  # with the overdue complaints, service quality, service cost and the contact centre
                slide = page.locator(".slide")
                number = slide.get_attribute("data-slide")
                seen.append(number)
                smallest = page.evaluate("""() => {
                    const sizes = [];
                    const walker = document.createTreeWalker(document.querySelector('.slide'), NodeFilter.SHOW_TEXT);
                    while (walker.nextNode()) {
                        if (walker.currentNode.textContent.trim())
                            sizes.push(parseFloat(getComputedStyle(walker.currentNode.parentElement).fontSize));
                    }
                    return Math.min(...sizes);
                }""")
                assert smallest >= 28, f"slide {number} ({lang}) has text at {smallest}px"
                assert page.locator("[data-testid='stException']").count() == 0
                box = slide.bounding_box()
                assert box["y"] + box["height"] <= 720 + 1, f"slide {number} ({lang}) runs off the screen"
                page.screenshot(path=str(SHOTS / f"slide-{number}-{lang}.png"))
                page.keyboard.press("ArrowRight")  # the keyboard moves to the next slide
                page.wait_for_function(f"document.querySelector('.slide') && "
                                       f"document.querySelector('.slide').dataset.slide !== '{number}'", timeout=30_000)
            assert seen == [str(i) for i in range(1, 12)]
            page.close()
        browser.close()


def test_a_new_process_starts_at_the_entry_file(server):
    """A fresh server's first request, for a page URL: never the pages/ folder's file-name menu.

    Streamlit's first multipage mechanism would list the file names ("complaint entry", "sign in")
    and run pages/plans.py on its own; serve.py switches it off (dashboard/ui/entry.py). Every
    change of the menu's links is recorded from the first paint.
    """
    from playwright.sync_api import sync_playwright

    file_names = {page.stem.replace("_", " ") for page in (ROOT / "pages").glob("*.py")} | {"app"}
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.add_init_script("""
            window.__links = new Set();
            new MutationObserver(() => document.querySelectorAll("a[data-testid*='NavLink']")
                .forEach(a => window.__links.add(a.innerText.trim())))
                .observe(document, {subtree: true, childList: true, characterData: true});""")
        page.goto(f"{server}/plans", wait_until="commit")
        wait_until_done(page)
        seen = set(page.evaluate("[...window.__links]"))
        assert not seen & file_names, f"the pages/ folder's menu was shown: {sorted(seen & file_names)}"
        assert page.get_by_role("textbox", name="用户名").is_visible()  # signed out: the sign-in page
        assert page.locator("[data-testid='stException']").count() == 0
        browser.close()
