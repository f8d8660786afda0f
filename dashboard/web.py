"""The HTTP side of sessions: the routes and middleware serve.py adds to Streamlit's server (st.App).

A script run cannot set a cookie (JavaScript, and so any component, cannot set an HttpOnly one);
these run in the ASGI server on real HTTP responses, which can. The script side is
dashboard/ui/session.py; the store is dashboard/sessions.py.

- `GET /session/start?code=C`: the sign-in form (or the single sign-on bridge) made a one-time
  code and sent the browser here. The route refuses a request that another site started
  (`Sec-Fetch-Site` other than same-origin), redeems the code against this browser's
  `cs_signin` cookie, ends any session the request still carries (no fixation), creates a new
  session and answers 303 to the page asked for with the session cookie (HttpOnly, SameSite=Lax,
  Path=/, no Max-Age: it goes with the browser; the server decides when it ends). Any failure
  answers 303 to `/?signin=failed`.
- `GET /session/end[?lang=zh|en]`: drops the session cookie, but only of a session the script has already
  revoked: a forged link cannot sign anybody out.
- `SigninBindingMiddleware`: gives a browser that loads a page a random `cs_signin` cookie
  (HttpOnly, Lax) that binds each one-time code to that browser.

Behind https set SESSION_COOKIE_SECURE=1: the cookies are then Secure and named with the
`__Host-` prefix (no Domain, Path=/). On plain http a browser drops Secure cookies (except on
localhost), so it is off by default.
"""
from __future__ import annotations

import logging
import os
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dashboard import sessions

SECURE = os.environ.get("SESSION_COOKIE_SECURE") == "1"
SESSION_COOKIE = "__Host-cs_session" if SECURE else "cs_session"
BINDING_COOKIE = "__Host-cs_signin" if SECURE else "cs_signin"
SAMESITE = "lax"
START_PATH = "/session/start"
END_PATH = "/session/end"
FAILED = "/?signin=failed"
# serve.py sets this: the routes exist. Without them (AppTest; a plain `streamlit run app.py`) the
# app keeps the signed-in user in the Streamlit session, as before (see dashboard/ui/session.py).
ROUTES_MOUNTED = False
# Streamlit's own identity cookie from st.login: our session replaces it (idle limit, revocation).
STREAMLIT_USER_COOKIES = ("_streamlit_user",)
log = logging.getLogger("dashboard.sessions")


def _engine():
    from db.engine import get_engine

    return get_engine()


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the code in the URL goes nowhere else
    return response


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


async def session_start(request: Request) -> Response:
    """Trade a one-time code for a new session cookie, then go to the page asked for."""
    fetch_site = request.headers.get("sec-fetch-site")
    redeemed = None
    if fetch_site in (None, "same-origin"):  # a link from another site arrives as cross-site, a typed URL as none
        redeemed = await run_in_threadpool(sessions.redeem_code, _engine(), request.query_params.get("code"),
                                           request.cookies.get(BINDING_COOKIE))
    if redeemed is None:
        log.warning("sign-in code refused (sec-fetch-site=%s, binding cookie %s)", fetch_site,
                    "present" if request.cookies.get(BINDING_COOKIE) else "missing")
        return _no_store(RedirectResponse(FAILED, status_code=303))
    user_id, origin, next_path = redeemed
    await run_in_threadpool(sessions.revoke, _engine(), request.cookies.get(SESSION_COOKIE))  # no fixation
    token = await run_in_threadpool(sessions.create_session, _engine(), user_id, origin, _client(request))
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite=SAMESITE, secure=SECURE, path="/")
    if origin == "oidc":
        for name in request.cookies:
            if name.startswith(STREAMLIT_USER_COOKIES):
                response.delete_cookie(name, path="/")
    return _no_store(response)


async def session_end(request: Request) -> Response:
    """Drop the cookie of a session that the script has already ended; then the sign-in page."""
    token = request.cookies.get(SESSION_COOKIE)
    lang = request.query_params.get("lang")
    response = RedirectResponse(f"/?lang={lang}" if lang in ("zh", "en") else "/", status_code=303)
    if token and not await run_in_threadpool(sessions.is_live, _engine(), token):
        response.delete_cookie(SESSION_COOKIE, path="/", secure=SECURE, httponly=True, samesite=SAMESITE)
    return _no_store(response)


ROUTES = [Route(START_PATH, session_start, methods=["GET"]), Route(END_PATH, session_end, methods=["GET"])]
# Paths that are not app pages: Streamlit's reserved prefixes, its auth routes and ours.
NOT_PAGES = ("/_stcore/", "/static/", "/media/", "/component/", "/session/", "/auth/", "/oauth2callback")


class SigninBindingMiddleware:
    """Gives every browser that loads an app page a random HttpOnly `cs_signin` cookie.

    The script reads it (st.context.cookies) and binds each one-time code to it; /session/start
    accepts the code only with that cookie, so a code lifted from one browser, or planted in a
    link, is useless in another. Lax, not Strict: a Strict cookie is not sent on a navigation from
    another site, and "set it when missing" would then replace it. Any page path with status 200
    or 304 (index.html has an ETag, so a reload may get a bodiless 304). Pure ASGI: websockets
    pass untouched.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope["method"] != "GET" or scope["path"].startswith(NOT_PAGES)
                or Request(scope).cookies.get(BINDING_COOKIE)):
            return await self.app(scope, receive, send)

        async def send_with_cookie(message):
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                cookie = Response()
                cookie.set_cookie(BINDING_COOKIE, secrets.token_urlsafe(24), httponly=True, samesite="lax",
                                  secure=SECURE, path="/")
                message = {**message, "headers": list(message.get("headers", [])) + [
                    (k, v) for k, v in cookie.raw_headers if k == b"set-cookie"]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
