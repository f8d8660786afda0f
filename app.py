"""Entry file: navigation, database readiness, language and filters, then the chosen page."""
import gc
import logging

import streamlit as st

from dashboard.core.calls import Call
from dashboard.core.scope import may_open
from dashboard.i18n import t
from dashboard.metrics import records
from dashboard.ui import data, filters, first_start, session
from dashboard.ui import reminders
from db.bootstrap import DEMO_CUSTOMERS, DEMO_LOCK, NotMigrated, needs_demo, prepare
from db.engine import get_engine, restart_embedded

st.set_page_config(page_title="客服管理系统 · Customer Service", page_icon=":material/monitoring:", layout="wide")
# KPI labels wrap instead of being cut off on a 1280-pixel projector; the menu, which lists every
# page, is tightened so the language switch below it still shows on a 720-pixel screen.
st.html("<style>[data-testid='stMetricLabel'] p, [data-testid='stMetricLabel'] div "
        "{white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}"
        "[data-testid='stMetricValue'] {font-size: 2rem;}"
        ".block-container {padding-top: 2.5rem;}"
        "[data-testid='stSidebarNavLink'] {min-height: 0; height: 1.6rem; margin: 0;}"
        # the menu scrolls within its own box, so the period and department filters below it show at 720 pixels
        "[data-testid='stSidebarNav'] {max-height: 30vh; overflow-y: auto;}"
        "[data-testid='stSidebarHeader'] {height: 2.75rem; margin-bottom: 0;}</style>")

log = logging.getLogger("dashboard")
L = session.current_language()

# Every page: (file, title key, icon, section, roles that may open it; None: every role). Who may
# open what is dashboard/core/scope.py's rule (may_open): the Work section changes data, which an
# hr account never does.
MENU = [
    ("overview", "nav_overview", ":material/home:", "app_title", None),
    ("plans", "nav_plans", ":material/assignment:", "section_analysis", None),
    ("complaints", "nav_complaints", ":material/timer:", "section_analysis", None),
    ("fluctuation", "nav_fluctuation", ":material/trending_up:", "section_analysis", None),
    ("retention", "nav_retention", ":material/handshake:", "section_analysis", None),
    ("grading", "nav_grading", ":material/sell:", "section_analysis", None),
    ("cost", "nav_cost", ":material/payments:", "section_analysis", None),
    ("quality", "nav_quality", ":material/star:", "section_analysis", None),
    ("contact_centre", "nav_contact_centre", ":material/headset_mic:", "section_analysis", None),
    ("evaluation", "nav_evaluation", ":material/groups:", "section_analysis", None),
    ("present", "nav_present", ":material/slideshow:", "section_analysis", None),
    ("customer_file", "nav_customer_file", ":material/folder_shared:", "section_archives", None),
    ("customer_log", "nav_customer_log", ":material/menu_book:", "section_archives", None),
    ("staff", "nav_staff", ":material/badge:", "section_archives", None),
    ("departments", "nav_departments", ":material/account_tree:", "section_archives", ("manager",)),
    ("my_work", "nav_my_work", ":material/inbox:", "section_work", None),
    ("tasks", "nav_tasks", ":material/edit_note:", "section_work", None),
    ("complaint_entry", "nav_complaint_entry", ":material/call:", "section_work", None),
    ("retention_entry", "nav_retention_entry", ":material/person_add:", "section_work", None),
    ("work_log", "nav_work_log", ":material/history_edu:", "section_work", None),
    ("suggestions", "nav_suggestions", ":material/chat:", "section_work", None),
    ("callbacks", "nav_callbacks", ":material/phone_callback:", "section_work", None),
    ("cost_entry", "nav_cost_entry", ":material/receipt_long:", "section_work", None),
    ("survey_entry", "nav_survey_entry", ":material/rate_review:", "section_work", None),
    ("my_reviews", "nav_my_reviews", ":material/reviews:", "section_work", None),
    ("settings", "nav_settings", ":material/settings:", "section_work", ("manager",)),
    ("users", "nav_users", ":material/manage_accounts:", "section_work", ("manager",)),
    ("data_import", "nav_data_import", ":material/upload_file:", "section_work", ("manager", "head")),
    ("account", "nav_account", ":material/key:", "app_title", None),
]
WORK = "section_work"
# Pages not listed in the menu: one's own account is linked beside "Sign out" (dashboard/ui/filters.py).
UNLISTED = ("account",)
UNLISTED += ("cost_entry",)  # the budget and cost forms: linked from the service cost page
UNLISTED += ("survey_entry", "my_reviews")  # linked from Service quality and Evaluation


def page(name: str, title: str, icon: str) -> st.Page:
    return st.Page(f"pages/{name}.py", title=t(title, L), icon=icon, url_path=name, default=name == "overview",
                   visibility="hidden" if name in UNLISTED else "visible")


@st.cache_resource(show_spinner=False)
def ready_engine():
    """Once per process: connect and migrate (embedded) or check the schema (DATABASE_URL).

    Then the objects of the libraries, all imported by now, leave the cyclic garbage
    collector's reach (gc.freeze): each full collection scanned those ~190,000 objects, a
    0.1 s pause in whichever page render it fell. They are still freed when unreferenced.
    """
    engine = get_engine()
    prepare(engine)
    gc.collect()
    gc.freeze()
    return engine


def load_demo_on_first_start(engine) -> None:
    """A new, empty embedded database gets the demo, with its progress shown (only that once)."""
    with DEMO_LOCK:
        if needs_demo(engine):
            from seeds.demo import generate

            with st.status(t("loading_demo", L), expanded=True) as status:
                generate(engine, customers=DEMO_CUSTOMERS, progress=first_start.progress_writer(status, L))
                status.update(label=t("demo_loaded", L), state="complete", expanded=False)
            st.cache_data.clear()


def open_database():
    """The engine, migrated, with the demo on a new embedded database; what was written elsewhere."""
    first_start.wait_for_demo_load(L)  # the load serve.py started with the server, if it still runs
    load_demo_on_first_start(ready_engine())
    data.follow_changes()


try:
    try:
        open_database()
    except NotMigrated:
        raise
    except Exception:
        # The details (hosts, sockets, the traceback) go to the log, never to the page.
        log.exception("the database cannot be reached")
        ready_engine.clear()
        if not restart_embedded():
            raise
        open_database()  # the embedded server stopped under us: it runs again
        st.info(t("db_restarted", L))
        log.warning("the embedded database server was started again")
except NotMigrated:
    st.error(t("db_not_migrated", L))
    st.stop()
except Exception:
    log.exception("the database is still unreachable")
    ready_engine.clear()
    st.error(t("db_unreachable", L))
    st.stop()


# The database first: who is signed in is read from it (dashboard/ui/session.py).
session.follow_navigation()  # a sign-out's last step: the route that drops the session cookie
user = session.current_user()
if user is None:
    # Signed out, every page's address is known but each one leads to sign-in, which then goes to
    # the page asked for (a link opened while signed out is not lost, nor a "page not found").
    sign_in = st.Page("pages/sign_in.py", title=t("sign_in", L), icon=":material/login:", url_path="sign_in")
    navigation = st.navigation([sign_in] + [page(*entry[:3]) for entry in MENU], position="hidden")
    entries = {name: (roles, section == WORK) for name, _, _, section, roles in MENU}
    if navigation.url_path != "sign_in":
        asked = navigation.url_path or "overview"
        st.session_state["after_sign_in"] = (asked, dict(st.query_params)) + entries.get(asked, (None, False))
        st.switch_page(sign_in, query_params=dict(st.query_params))
    st.session_state.setdefault("after_sign_in", ("overview", dict(st.query_params), None, False))
elif user.must_change_password and session.session_origin() == "password":
    # A new account or a reset password: the account page, and nothing else, until it is changed.
    account = page("account", "nav_account", ":material/key:")
    navigation = st.navigation([account] + [page(*entry[:3]) for entry in MENU if entry[0] != "account"],
                               position="hidden")
    if navigation.url_path != "account":
        st.switch_page(account, query_params=dict(st.query_params))
else:
    sections: dict[str, list] = {}
    for name, title, icon, section, roles in MENU:
        if may_open(user, roles, section == WORK):  # navigation shows only the pages a role may use
            sections.setdefault(t(section, L), []).append(page(name, title, icon))
    navigation = st.navigation(sections, expanded=True)
    asked = st.session_state.pop("after_sign_in", None)  # the page a signed-out link asked for
    allowed = {p.url_path for pages in sections.values() for p in pages}
    if asked is not None:
        target = f"pages/{asked[0]}.py" if asked[0] in allowed else "pages/overview.py"
        st.switch_page(target, query_params=asked[1])

session.show_notice()
if user is not None:
    departments = data.fetch(Call(records.department_tree, session.reader_scope()))
    st.session_state["filters"] = filters.sidebar_filters(departments, user)
    reminders.sidebar_count(user, st.session_state["filters"].scope, st.session_state["filters"].lang)
navigation.run()
