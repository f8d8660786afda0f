"""What the Chromium tests share: a real server on the test database, Debian's Chromium, waiting
on the app's own state, and signing in as a user would.

A browser test moves between pages by clicking the menu: `page.goto` starts a new Streamlit
session, signed out.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "screenshots"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(database_url: str, address: str = "127.0.0.1", port: int | None = None, extra: tuple[str, ...] = ()):
    """`streamlit run serve.py` on `database_url`, listening on `address` (and `port`, else a free
    one), with `extra` arguments (e.g. `--secrets.files`); yields its base URL."""
    port = port or free_port()
    env = dict(os.environ, DATABASE_URL=database_url, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.port", str(port),
         "--server.address", address, "--server.headless", "true", *extra],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://{address}:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("the Streamlit server did not become healthy within 60 s")
    try:
        yield base
    finally:
        process.terminate()
        process.wait(10)


def launch(playwright):
    """Debian's Chromium, headless, with no background traffic (the machine has no network)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"])


def wait_until_done(page):
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)
    page.wait_for_function("document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0", timeout=30_000)
    page.wait_for_timeout(700)  # charts draw after the script has finished
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=90_000)


def sign_in(page, username: str, password: str, lang: str = "en") -> str:
    """Fill the sign-in form as a user would; the main area's text afterwards.

    A sign-in that works sends the browser through /session/start (which sets the session cookie)
    to the page asked for; one that does not stays on the sign-in page with its message.
    """
    labels = {"en": ("Username", "Password", "Sign in"), "zh": ("用户名", "密码", "登录")}[lang]
    page.get_by_role("textbox", name=labels[0]).fill(username)
    page.get_by_role("textbox", name=labels[1]).fill(password)
    page.get_by_role("button", name=labels[2]).click()
    deadline = time.time() + 60
    while time.time() < deadline:
        page.wait_for_timeout(250)
        try:
            path = urlparse(page.url).path
            if not path.endswith("/sign_in") and not path.startswith("/session/"):
                break  # signed in: the browser moved on
            if (page.locator("[data-testid='stAlertContentError']").count()
                    and page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").count()):
                break  # refused: the message shows
        except Exception:  # the page is navigating
            continue
    page.wait_for_load_state()
    wait_until_done(page)
    return page.inner_text("[data-testid='stMain']")


def open_from_menu(page, title: str) -> None:
    """Go to a page by clicking its entry in the sidebar menu (the session stays signed in)."""
    page.locator("[data-testid='stSidebarNav']").get_by_text(title, exact=True).click()
    wait_until_done(page)


def assert_no_error(page, where: str) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, f"{where}: exception shown"
    assert page.locator("[data-testid='stAlertContentError']").count() == 0, f"{where}: error shown"
