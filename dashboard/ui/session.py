"""Who is signed in, in which language, and what time it is for them.

Served by serve.py (`streamlit run serve.py`), a session is a row in the database with a random
token in an HttpOnly cookie (dashboard/sessions.py, dashboard/web.py): every run reads the cookie
(`request_cookies`) and resolves it again, so a reload and a second tab stay signed in, and a
sign-out, a deactivation or 30 minutes without a run end it in every tab at its next run.
A script run cannot set a cookie: signing in makes a one-time code and sends the browser to the
/session/start route, which sets it; signing out revokes the row, then /session/end drops it.

Without those routes (AppTest, which has no HTTP request; a plain `streamlit run app.py`), the
signed-in user lives in st.session_state["user"] as before: a reload signs out, the idle limit
is counted in the session, and a deactivated account is signed out at its next run. The tests
seed st.session_state["user"] this way; they reach the cookie path by patching
`request_cookies` and setting `web.ROUTES_MOUNTED`.

The language is the sidebar's switch, or the link's `lang` before it is drawn.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time
from urllib.parse import urlencode

import streamlit as st

from dashboard import accounts, sessions, web
from dashboard.core.scope import Scope, may_open, resolve
from dashboard.core.user import User
from dashboard.i18n import t
from db.engine import app_timezone, get_engine

SESSION_IDLE = sessions.IDLE


def today() -> date:
    return datetime.now(app_timezone()).date()


def now_minute() -> time:
    """The time of day now in the company time zone, to the minute: a form's default time."""
    return datetime.now(app_timezone()).time().replace(second=0, microsecond=0)


def current_language() -> str:
    requested = st.session_state.get("lang") or st.query_params.get("lang")
    return requested if requested in ("zh", "en") else "zh"


def request_cookies() -> dict[str, str]:
    """The cookies of the request that opened this session's websocket, HttpOnly ones included.

    The one seam for tests: AppTest has no request (and cannot seed cookies), so they patch this.
    """
    return st.context.cookies.to_dict()


def cookie_sessions() -> bool:
    """Whether sessions live in a cookie (served by serve.py, whose routes set it)."""
    return web.ROUTES_MOUNTED


def session_origin() -> str:
    """How the current session began: 'password' or 'oidc' (single sign-on)."""
    return st.session_state.get("session_origin", "password")


def current_user() -> User | None:
    """The signed-in user, worked out again on every run (never trusted from the run before)."""
    if cookie_sessions():
        return _cookie_user()
    return _in_process_user()


def _cookie_user() -> User | None:
    token = request_cookies().get(web.SESSION_COOKIE)
    engine = get_engine()
    live = sessions.resolve(engine, token)
    user = None
    if live is not None:
        with engine.connect() as conn:
            user = accounts.load_user(conn, live.username)
    if user is None:
        for key in ("user", "filters", "session_origin"):
            st.session_state.pop(key, None)
        if token and st.session_state.get("_expiry_noted") != token and sessions.ended_by_inactivity(engine, token):
            st.session_state["_expiry_noted"] = token  # said once, not on every run of the sign-in page
            st.session_state["session_expired"] = True
        return None
    st.session_state["user"], st.session_state["session_origin"] = user, live.origin
    return user


def _in_process_user() -> User | None:
    user = st.session_state.get("user")
    if user is None:
        return None
    now = datetime.now(app_timezone())
    last = st.session_state.get("last_seen")
    if last is not None and now - last > SESSION_IDLE:
        sign_out(expired=True)
        return None
    with get_engine().connect() as conn:
        known = accounts.account_exists(conn, user.username)
        fresh = accounts.load_user(conn, user.username) if known else user
    if fresh is None:  # deactivated since the last run
        sign_out()
        return None
    st.session_state["user"], st.session_state["last_seen"] = fresh, now
    return fresh


def still_signed_in() -> bool:
    """For a fragment that reruns on its own (the weekly review's auto-advance), which does not run
    app.py: whether the session is still live. It counts as activity, so an auto-advancing
    presentation stays signed in (within sessions.ABSOLUTE); a sign-out or deactivation ends it."""
    if not cookie_sessions():
        return st.session_state.get("user") is not None
    return sessions.resolve(get_engine(), request_cookies().get(web.SESSION_COOKIE)) is not None


def signed_in() -> User:
    """The signed-in user of a page (the entry file runs pages only for a signed-in user)."""
    return st.session_state["user"]


def session_token() -> str | None:
    """This browser's session token (None without cookie sessions): kept when changing one's password."""
    return request_cookies().get(web.SESSION_COOKIE) if cookie_sessions() else None


def reader_scope() -> Scope:
    """The signed-in user's whole scope, for reading one record by its number."""
    with get_engine().connect() as conn:
        return resolve(conn, signed_in())


def go(url: str) -> None:
    """Send the browser to `url` (a path of this site) and end this run.

    st.html runs the script only with unsafe_allow_javascript; the URL is ours (a path and a
    random code, put in with json.dumps), never user input.
    """
    st.html("<script>if (!window.__csNav) { window.__csNav = true; "
            f"window.location.replace({json.dumps(url)}); }}</script>", unsafe_allow_javascript=True)
    st.stop()


def _next_path(user: User) -> str:
    """Where the browser goes after sign-in: the page a signed-out link asked for, if the user may open it."""
    asked = st.session_state.get("after_sign_in") or ("overview", {}, None, False)
    name, query, roles, work = asked
    if not may_open(user, roles, work):
        name, query = "overview", {}
    query = {k: v for k, v in dict(query).items() if isinstance(v, str)} | {"lang": current_language()}
    return f"/{'' if name == 'overview' else name}?{urlencode(query)}"  # the default page lives at /


def begin_session(user: User, origin: str = "password") -> str | None:
    """After a successful sign-in. Cookie sessions: a one-time code bound to this browser, redeemed
    by /session/start (the run ends here). Otherwise the user goes into st.session_state.
    Returns a message when the session cannot begin."""
    lang = current_language()
    if not cookie_sessions():
        st.session_state["user"], st.session_state["session_origin"] = user, origin
        st.session_state["last_seen"] = datetime.now(app_timezone())
        return None
    binding = request_cookies().get(web.BINDING_COOKIE)
    if not binding:
        return t("reload_to_sign_in", lang)
    engine = get_engine()
    with engine.connect() as conn:
        user_id = accounts.user_id(conn, user.username)
    code = sessions.issue_code(engine, user_id, binding, origin, _next_path(user))
    go(f"{web.START_PATH}?{urlencode({'code': code})}")
    return None


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
    return begin_session(user, "password")


def sign_out(expired: bool = False) -> None:
    """End the session: at once in the database (every tab at its next run), then drop the cookie."""
    if cookie_sessions():
        sessions.revoke(get_engine(), request_cookies().get(web.SESSION_COOKIE))
        st.session_state["_navigate"] = f"{web.END_PATH}?{urlencode({'lang': current_language()})}"
    elif session_origin() == "oidc":
        st.session_state["_sso_logout"] = True  # st.login's own cookie would sign in again
    for key in ("user", "last_seen", "filters", "session_origin"):
        st.session_state.pop(key, None)
    if expired:
        st.session_state["session_expired"] = True


def follow_navigation() -> None:
    """A navigation a callback asked for (sign-out's /session/end), at the start of the run."""
    url = st.session_state.pop("_navigate", None)
    if url:
        go(url)
    if st.session_state.pop("_sso_logout", False):
        st.logout()


def notice(key: str) -> None:
    """A message (an i18n key) to show at the next run, after a rerun that would erase it."""
    st.session_state["_notice"] = key


def show_notice() -> None:
    key = st.session_state.pop("_notice", None)
    if key:
        st.toast(t(key, current_language()))


# -- single sign-on (st.login, OpenID Connect) --------------------------------------------------------

def sso_configured() -> bool:
    """Whether .streamlit/secrets.toml (or st.App's secrets) has an [auth] section."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sso_identity() -> dict | None:
    """The provider's claims when st.login has signed this browser in (None otherwise)."""
    try:
        info = st.user.to_dict()
    except Exception:
        return None
    return info if info.get("is_logged_in") else None


def bridge_sso(identity: dict) -> str | None:
    """Turn a single sign-on identity into one of our sessions; the message to show when it cannot.

    The identity's e-mail maps to a staff record (staff.email) and its account. An address the
    provider says it has not verified is refused.
    """
    lang = current_language()
    if identity.get("email_verified") is False:
        return t("sso_unverified", lang)
    with get_engine().connect() as conn:
        user, why = accounts.account_for_email(conn, identity.get("email"))
    if user is None:
        return t(f"sso_{why}", lang)
    accounts.signed_in_by_sso(get_engine(), user.username)
    return begin_session(user, "oidc")


@st.cache_data(ttl=60, show_spinner=False)
def demo_accounts() -> list[dict]:
    with get_engine().connect() as conn:
        return accounts.demo_accounts(conn)
