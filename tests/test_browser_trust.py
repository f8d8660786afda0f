"""The trust fixes tried in Chromium as a user would, on a demo database, over the machine's
own (non-loopback) address where it has one, so the server sees a real client address.

A link opened signed out lands on its page after sign-in; a head who types a complaint number
outside the subtree sees nothing of it; the update form holds the values of the complaint
typed; six wrong passwords and then the right one are refused; one address failing fifty
times waits too. Screenshots go to `screenshots/trust-*.png`.
"""
import socket

import pytest
import sqlalchemy as sa

from tests.browser import SHOTS, launch, needs_chromium, serving, sign_in, wait_until_done

pytestmark = needs_chromium


def own_address() -> str | None:
    """The machine's address on its default route (no packet is sent), or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.254", 9))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


@pytest.fixture
def served(demo_url):
    address = own_address()
    with serving(demo_url, address or "127.0.0.1") as base:
        yield base, address, sa.create_engine(demo_url)


def test_trust_fixes_in_chromium(served):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD, MAX_CLIENT_FAILURES, MAX_FAILURES

    base, address, engine = served
    with engine.begin() as conn:
        numbers = lambda prefix: [r[0] for r in conn.execute(sa.text(  # noqa: E731
            "SELECT c.complaint_no FROM complaints c JOIN customers cu ON cu.id = c.customer_id "
            "JOIN departments d ON d.id = cu.department_id WHERE d.code LIKE :p AND c.resolved_at IS NULL "
            "ORDER BY 1 LIMIT 2"), {"p": prefix + "%"})]
        outside, (a, b) = numbers("CS-SOUTH")[0], numbers("CS-EAST")
        conn.execute(sa.text("UPDATE complaints SET resolution = 'resolution of B' WHERE complaint_no = :b"), {"b": b})
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        # a link opened while signed out: sign-in first, then the page asked for, with its filters
        page.goto(f"{base}/complaint_entry?lang=en&kind=week")
        wait_until_done(page)
        assert "Page not found" not in page.content()
        sign_in(page, "head", DEMO_PASSWORD)
        assert page.locator("h1").first.inner_text() == "Complaint records"
        assert "kind=week" in page.url
        page.get_by_role("tab", name="Response, resolution, callback").click()
        lookup = page.get_by_role("textbox", name="Complaint")
        # a complaint outside the head's subtree reads like one that does not exist
        lookup.fill(outside)
        lookup.press("Enter")
        wait_until_done(page)
        main = page.inner_text("[data-testid='stMain']")
        assert outside not in main  # (the box it was typed in holds it as its value, not as text)
        assert "Nothing here." in main and "Record history" not in main
        page.screenshot(path=str(SHOTS / "trust-outside-scope-en.png"))
        # open A, type something, then B: the form holds B's values
        lookup.fill(a)
        lookup.press("Enter")
        wait_until_done(page)
        resolution = page.get_by_role("textbox", name="Resolution")
        resolution.fill("typed for A")
        lookup.fill(b)
        lookup.press("Enter")
        wait_until_done(page)
        assert page.get_by_role("textbox", name="Resolution").input_value() == "resolution of B"
        page.screenshot(path=str(SHOTS / "trust-complaint-b-en.png"))
        page.get_by_role("button", name="Sign out").click()
        wait_until_done(page)
        # six wrong passwords for one user, then the right one: refused
        for _ in range(MAX_FAILURES + 1):
            shown = sign_in(page, "agent", "not the password")
        assert "Too many attempts" in shown
        assert "Too many attempts" in sign_in(page, "agent", DEMO_PASSWORD)
        page.screenshot(path=str(SHOTS / "trust-throttled-en.png"))
        if address is not None:
            # one address trying a password on many usernames waits too, whichever account it tries next
            with engine.begin() as conn:  # the attempts above age out of the window; 49 others from this address
                conn.execute(sa.text("UPDATE sign_in_attempts SET at = at - interval '16 minutes'"))
                conn.execute(sa.text("INSERT INTO sign_in_attempts (username, succeeded, client) "
                                     "SELECT 'guess' || n, false, :c FROM generate_series(1, :n) n"),
                             {"c": address, "n": MAX_CLIENT_FAILURES - 1})
            assert "not correct" in sign_in(page, "someone", "Password1")
            assert "Too many attempts" in sign_in(page, "manager", DEMO_PASSWORD)
            with engine.connect() as conn:
                assert conn.execute(sa.text("SELECT count(*) FROM sign_in_attempts WHERE client = :c "
                                            "AND at > now() - interval '15 minutes'"),
                                    {"c": address}).scalar() == MAX_CLIENT_FAILURES
        browser.close()
