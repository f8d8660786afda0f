"""Accounts in Chromium, as people use them, on a demo database served by `streamlit run serve.py`.

- A sign-in survives a reload and a second tab; signing out in one tab signs both out.
- A manager creates an agent, who must change the first password and then sees only their own
  department; the manager deactivates the agent, whose open page signs out at its next run.
- Single sign-on against oidc-provider-mock on 127.0.0.1 (a test-only dependency) signs the
  demo manager in through the e-mail of their staff record.

Screenshots go to `screenshots/accounts-*.png`.
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

from tests.browser import SHOTS, free_port, launch, needs_chromium, open_from_menu, serving, sign_in, wait_until_done

pytestmark = needs_chromium
SIGN_IN_HEADING = {"en": "Sign in to the customer service dashboard", "zh": "登录客服管理系统"}


def only_loopback(route) -> None:
    """The machine has no network: anything but this machine is refused (the mock's CDN stylesheet)."""
    host = urlparse(route.request.url).hostname
    route.continue_() if host in ("localhost", "127.0.0.1") else route.abort()


def cookie(context, name: str) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == name), None)


def signed_in_page(page) -> bool:
    return page.locator(".st-key-sign_out").count() == 1


def signed_out_page(page, lang: str = "en") -> bool:
    return page.get_by_role("heading", name=SIGN_IN_HEADING[lang]).count() == 1


def run_again(page) -> None:
    """A user's next action in a tab: a click that runs the app again (the filter's 'Next' button)."""
    page.locator(".st-key-f_next button").click()
    wait_until_done(page)


@pytest.fixture
def served(demo_url):
    with serving(demo_url) as base:
        yield base, sa.create_engine(demo_url)


def test_a_session_survives_a_reload_and_a_second_tab_and_signing_out_ends_both(served):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD

    base, engine = served
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.route("**/*", only_loopback)
        page = context.new_page()
        page.goto(f"{base}/?lang=en")
        wait_until_done(page)
        assert signed_out_page(page)
        page.screenshot(path=str(SHOTS / "accounts-sign-in-en.png"))
        assert "not correct" in sign_in(page, "manager", "wrong password")
        assert cookie(context, "cs_session") is None
        sign_in(page, "manager", DEMO_PASSWORD)
        assert signed_in_page(page) and page.locator("h1").first.inner_text() == "Overview"
        assert "code=" not in page.url
        assert page.get_by_text("Page not found").count() == 0
        session_cookie = cookie(context, "cs_session")
        assert session_cookie["httpOnly"] and session_cookie["sameSite"] == "Lax" and session_cookie["expires"] == -1
        assert "cs_session" not in page.evaluate("document.cookie")  # JavaScript cannot read it
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT token_hash, last_used_at FROM auth_sessions WHERE revoked_at IS NULL")).all()
        assert len(stored) == 1 and session_cookie["value"].encode() not in bytes(stored[0][0])  # a hash, not the token
        page.screenshot(path=str(SHOTS / "accounts-signed-in-en.png"))

        page.reload()
        wait_until_done(page)
        assert signed_in_page(page), "a reload signed out"
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT last_used_at FROM auth_sessions WHERE revoked_at IS NULL")).scalar() > stored[0][1]
        second = context.new_page()
        second.goto(f"{base}/complaints?lang=en")
        wait_until_done(second)
        assert signed_in_page(second), "a second tab is not signed in"
        assert second.locator("h1").first.inner_text() == "Complaint timeliness"
        second.screenshot(path=str(SHOTS / "accounts-second-tab-en.png"))

        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("heading", name=SIGN_IN_HEADING["en"]).wait_for(timeout=30_000)
        wait_until_done(page)
        assert cookie(context, "cs_session") is None  # /session/end dropped it
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM auth_sessions WHERE revoked_at IS NULL")).scalar() == 0
        run_again(second)
        assert signed_out_page(second), "the second tab is still signed in after its next run"
        second.reload()
        wait_until_done(second)
        assert signed_out_page(second)
        second.screenshot(path=str(SHOTS / "accounts-second-tab-signed-out-en.png"))

        # a new sign-in gets a new token
        sign_in(page, "manager", DEMO_PASSWORD)
        assert signed_in_page(page) and cookie(context, "cs_session")["value"] != session_cookie["value"]
        # in Chinese too
        page.locator("[data-testid='stSidebar']").get_by_text("中文", exact=True).click()
        wait_until_done(page)
        page.screenshot(path=str(SHOTS / "accounts-signed-in-zh.png"))
        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("heading", name=SIGN_IN_HEADING["zh"]).wait_for(timeout=30_000)
        wait_until_done(page)
        page.screenshot(path=str(SHOTS / "accounts-sign-in-zh.png"))
        browser.close()
