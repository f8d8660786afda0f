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


def open_options(page, scope_selector: str) -> list[str]:
    """Open a Streamlit selectbox (found by its container) as a user would; its options' texts."""
    wait_until_done(page)
    for _ in range(5):
        page.locator(f"{scope_selector} [data-testid='stSelectbox']").first.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=3_000)
            return page.get_by_role("option").all_inner_texts()
        except Exception:  # the click landed while the app was drawing
            page.wait_for_timeout(500)
    raise AssertionError(f"the selectbox {scope_selector} did not open")


def choose(page, scope_selector: str, option_text: str) -> None:
    """Pick an option of a Streamlit selectbox (found by its container) as a user would."""
    open_options(page, scope_selector)
    page.get_by_role("option").filter(has_text=option_text).first.click()
    wait_until_done(page)


def test_a_manager_creates_an_agent_who_changes_the_password_sees_only_their_scope_and_is_deactivated(served):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD

    base, engine = served
    with engine.connect() as conn:  # an agent's staff record without an account, outside the demo agent's team
        staff_no, department = conn.execute(sa.text("""
            SELECT s.staff_no, d.code FROM staff s JOIN departments d ON d.id = s.department_id
            WHERE s.role = 'agent' AND NOT EXISTS (SELECT 1 FROM users u WHERE u.staff_id = s.id)
              AND d.code <> (SELECT d2.code FROM users u JOIN staff s2 ON s2.id = u.staff_id
                             JOIN departments d2 ON d2.id = s2.department_id WHERE u.username = 'agent')
            ORDER BY s.staff_no DESC LIMIT 1""")).one()
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch(p)
        boss = browser.new_page(viewport={"width": 1280, "height": 720})
        boss.goto(f"{base}/?lang=en")
        wait_until_done(boss)
        sign_in(boss, "manager", DEMO_PASSWORD)
        open_from_menu(boss, "Users")
        assert boss.locator("h1").first.inner_text() == "Users"
        boss.screenshot(path=str(SHOTS / "accounts-users-en.png"))
        boss.get_by_role("tab", name="New account").click()
        boss.get_by_role("textbox", name="Username").fill("newagent")
        choose(boss, ".st-key-users_new_staff", staff_no)
        password = boss.get_by_role("textbox", name="First password")
        password.fill("qwerty123")  # one of the most common passwords
        boss.get_by_role("button", name="Create account").click()
        wait_until_done(boss)
        assert "too common" in boss.inner_text("[data-testid='stMain']")
        password.fill("Spring-tide-2026")
        boss.get_by_role("button", name="Create account").click()
        wait_until_done(boss)
        assert "Saved: newagent" in boss.inner_text("[data-testid='stMain']")
        boss.screenshot(path=str(SHOTS / "accounts-users-created-en.png"))
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT role, must_change_password FROM users WHERE username = 'newagent'")).one()
            assert tuple(row) == ("agent", True)
            assert conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE table_name = 'users' "
                                        "AND record_key = 'newagent' AND actor = 'manager'")).scalar() == 1

        agent = browser.new_page(viewport={"width": 1280, "height": 720})
        agent.goto(f"{base}/complaints?lang=en")
        wait_until_done(agent)
        sign_in(agent, "newagent", "Spring-tide-2026")
        # the first password must be changed before anything else
        assert agent.locator("h1").first.inner_text() == "My account"
        assert "Set a new password first" in agent.inner_text("[data-testid='stMain']")
        assert agent.locator("[data-testid='stSidebarNav']").count() == 0
        agent.screenshot(path=str(SHOTS / "accounts-must-change-en.png"))
        agent.get_by_role("textbox", name="Current password").fill("Spring-tide-2026")
        agent.get_by_role("textbox", name="New password", exact=True).fill("Harbour-lights-77")
        agent.get_by_role("textbox", name="New password again").fill("Harbour-lights-77")
        agent.get_by_role("button", name="Change password").click()
        wait_until_done(agent)
        agent.locator("[data-testid='stSidebarNav']").wait_for(timeout=30_000)
        wait_until_done(agent)
        nav = agent.inner_text("[data-testid='stSidebarNav']")
        assert "Complaint records" in nav and "Users" not in nav and "Rules and settings" not in nav
        # only their own department: no "All departments", nothing outside their team
        options = open_options(agent, ".st-key-f_dept")
        agent.keyboard.press("Escape")
        assert options and all(department in option for option in options), options
        open_from_menu(agent, "Complaint timeliness")
        assert f"dept={department}" in agent.url  # the filter resolved to their own department
        agent.screenshot(path=str(SHOTS / "accounts-new-agent-scope-en.png"))

        # the manager deactivates the account: the agent's open page signs out at its next run
        boss.get_by_role("tab", name="Change an account").click()
        choose(boss, ".st-key-users_pick", "newagent")
        boss.get_by_role("button", name="Deactivate").click()
        wait_until_done(boss)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT active FROM users WHERE username = 'newagent'")).scalar() is False
            assert conn.execute(sa.text("SELECT count(*) FROM auth_sessions s JOIN users u ON u.id = s.user_id "
                                        "WHERE u.username = 'newagent' AND s.revoked_at IS NULL")).scalar() == 0
        boss.screenshot(path=str(SHOTS / "accounts-users-deactivated-en.png"))
        run_again(agent)
        assert signed_out_page(agent), "a deactivated user's open page is still signed in"
        assert "not correct" in sign_in(agent, "newagent", "Harbour-lights-77")

        # the admin page in Chinese
        boss.locator("[data-testid='stSidebar']").get_by_text("中文", exact=True).click()
        wait_until_done(boss)
        boss.get_by_role("tab", name="账号列表").click()
        boss.screenshot(path=str(SHOTS / "accounts-users-zh.png"))
        browser.close()


@pytest.fixture
def provider(tmp_path):
    """oidc-provider-mock on 127.0.0.1 (another site than the app on localhost, as a real provider
    is), knowing the demo manager by the e-mail of their staff record; and the app's secrets."""
    idp_port, app_port = free_port(), free_port()
    claims = {"sub": "s0001", "email": "s0001@example.cn", "email_verified": True, "name": "Demo Manager"}
    log = open(tmp_path / "idp.log", "w")
    idp = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(idp_port),
                            "--user-claims", json.dumps(claims)], stdout=log, stderr=subprocess.STDOUT)
    metadata = f"http://127.0.0.1:{idp_port}/.well-known/openid-configuration"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(metadata, timeout=2).read()
            break
        except OSError:
            if time.time() > deadline:
                idp.kill()
                pytest.fail("oidc-provider-mock did not start")
            time.sleep(0.3)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f"""[auth]
redirect_uri = "http://localhost:{app_port}/oauth2callback"
cookie_secret = "test-only-{socket.gethostname()}-{time.time_ns()}"
client_id = "dashboard"
client_secret = "dashboard-test-secret"
server_metadata_url = "{metadata}"
""")
    yield app_port, secrets, idp_port
    idp.terminate()
    idp.wait(10)
    log.close()


def test_single_sign_on_against_a_local_provider(demo_url, provider):
    from playwright.sync_api import sync_playwright

    app_port, secrets, idp_port = provider
    engine = sa.create_engine(demo_url)
    SHOTS.mkdir(exist_ok=True)
    with serving(demo_url, "localhost", app_port, ("--secrets.files", str(secrets))) as base, sync_playwright() as p:
        browser = launch(p)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.route("**/*", only_loopback)
        page = context.new_page()
        page.goto(f"{base}/?lang=en")
        wait_until_done(page)
        page.screenshot(path=str(SHOTS / "accounts-sso-sign-in-en.png"))
        page.get_by_role("button", name="Sign in with single sign-on").click()
        page.wait_for_url(f"http://127.0.0.1:{idp_port}/**", timeout=30_000)
        page.get_by_placeholder("sub").fill("s0001")
        page.get_by_role("button", name="Authorize").click()
        page.locator(".st-key-sign_out").wait_for(timeout=60_000)  # back, bridged to our own session
        wait_until_done(page)
        # (the provider sends the browser back to the app's address, without its language: Chinese)
        assert "当前用户：" in page.inner_text("[data-testid='stSidebar']")
        assert urlparse(page.url).hostname == "localhost" and "code=" not in page.url
        assert cookie(context, "cs_session")["httpOnly"] and cookie(context, "_streamlit_user") is None
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT u.username, s.origin FROM auth_sessions s JOIN users u ON u.id = s.user_id "
                                        "WHERE s.revoked_at IS NULL")).all() == [("manager", "oidc")]
        page.screenshot(path=str(SHOTS / "accounts-sso-signed-in-zh.png"))
        page.reload()
        wait_until_done(page)
        assert signed_in_page(page)
        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("heading", name=SIGN_IN_HEADING["zh"]).wait_for(timeout=30_000)
        wait_until_done(page)
        page.wait_for_timeout(1000)
        assert signed_out_page(page, "zh") and cookie(context, "cs_session") is None  # and not signed in again by st.login

        # an identity whose e-mail belongs to no staff record gets no session
        other = browser.new_context(viewport={"width": 1280, "height": 720})
        other.route("**/*", only_loopback)
        stranger = other.new_page()
        stranger.goto(f"{base}/?lang=en")
        wait_until_done(stranger)
        stranger.get_by_role("button", name="Sign in with single sign-on").click()
        stranger.wait_for_url(f"http://127.0.0.1:{idp_port}/**", timeout=30_000)
        stranger.get_by_placeholder("sub").fill("stranger@example.org")
        stranger.get_by_role("button", name="Authorize").click()
        stranger.locator("[data-testid='stAlertContentError']").wait_for(timeout=60_000)
        assert "没有员工档案使用这个电子邮箱地址" in stranger.inner_text("[data-testid='stMain']")
        assert next((c for c in other.cookies() if c["name"] == "cs_session"), None) is None
        stranger.screenshot(path=str(SHOTS / "accounts-sso-refused-zh.png"))
        browser.close()
