"""Serve the dashboard: `streamlit run serve.py` (or `python serve.py`), not `streamlit run app.py`.

app.py is the entry file and declares every page with st.navigation. Starting the server through
this st.App wrapper lets `entry_file_only()` run before the first browser session, so even a
process's first run goes through app.py: our menu from the first paint, and a page URL such as
/plans runs app.py (navigation, filters), which then runs the page (see dashboard/ui/entry.py).

It also adds the routes and middleware of signed-in sessions (dashboard/web.py): /session/start
sets the HttpOnly session cookie after a sign-in, /session/end drops it after a sign-out.
"""
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from dashboard import web
from dashboard.ui.entry import entry_file_only

entry_file_only()
# Sessions live in an HttpOnly cookie that only these routes can set (dashboard/web.py); the app
# knows they are there, and keeps its signed-in users in that cookie instead of the tab.
web.ROUTES_MOUNTED = True


@asynccontextmanager
async def lifespan(app):
    # the first start loads the demo now, with its steps in the terminal, not when a browser first visits
    from dashboard.startup import load_demo_at_start, store_figures_daily

    load_demo_at_start()
    # the day's default tiers and grading are stored before the first reader asks (docs/snapshots.md)
    store_figures_daily()
    yield
    # uvicorn, which serves an st.App, ends a process stopped by SIGTERM by raising the signal
    # again, so the atexit handler that stops the embedded PostgreSQL never runs: stop it here.
    from db.engine import stop_embedded_servers

    stop_embedded_servers()


app = st.App(Path(__file__).resolve().with_name("app.py"), lifespan=lifespan, routes=web.ROUTES,
             middleware=[Middleware(web.SigninBindingMiddleware)])

if __name__ == "__main__":
    app.run()
