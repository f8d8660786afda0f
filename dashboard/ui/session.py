"""Who is signed in, in which language, and what time it is for them.

A session ends after SESSION_IDLE without activity. The language is the sidebar's switch, or
the link's `lang` before it is drawn.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import streamlit as st

from dashboard import accounts
from dashboard.core.scope import Scope, resolve
from dashboard.core.user import User
from dashboard.i18n import t
from db.engine import app_timezone, get_engine

SESSION_IDLE = timedelta(minutes=30)


def today() -> date:
    return datetime.now(app_timezone()).date()


def now_minute() -> time:
    """The time of day now in the company time zone, to the minute: a form's default time."""
    return datetime.now(app_timezone()).time().replace(second=0, microsecond=0)


def current_language() -> str:
    requested = st.session_state.get("lang") or st.query_params.get("lang")
    return requested if requested in ("zh", "en") else "zh"


def current_user() -> User | None:
    """The signed-in user; signs out after SESSION_IDLE without activity."""
    user = st.session_state.get("user")
    now = datetime.now(app_timezone())
    last = st.session_state.get("last_seen")
    if user is not None and last is not None and now - last > SESSION_IDLE:
        sign_out(expired=True)
        return None
    st.session_state["last_seen"] = now
    return user


def signed_in() -> User:
    """The signed-in user of a page (the entry file runs pages only for a signed-in user)."""
    return st.session_state["user"]


def reader_scope() -> Scope:
    """The signed-in user's whole scope, for reading one record by its number."""
    with get_engine().connect() as conn:
        return resolve(conn, signed_in())


def attempt_sign_in(username: str, password: str) -> str | None:
    """Sign in; None on success, else the message to show (never revealing unknown usernames)."""
    lang = current_language()
    try:
        # st.context knows the client's address only when it is not local (and behind a proxy,
        # only the proxy's): the per-client limit applies when there is one.
        address = st.context.ip_address
        user = accounts.sign_in(get_engine(), username, password, client=address if isinstance(address, str) else None)
    except accounts.SignInRefused as refused:
        if refused.reason == "throttled":
            return t("throttled", lang, minutes=max(1, int(refused.retry_after.total_seconds() // 60) + 1))
        return t("bad_credentials", lang)
    st.session_state["user"] = user
    st.session_state["last_seen"] = datetime.now(app_timezone())
    return None


def sign_out(expired: bool = False) -> None:
    for key in ("user", "last_seen", "filters"):
        st.session_state.pop(key, None)
    if expired:
        st.session_state["session_expired"] = True


@st.cache_data(ttl=60, show_spinner=False)
def demo_accounts() -> list[dict]:
    with get_engine().connect() as conn:
        return accounts.demo_accounts(conn)
