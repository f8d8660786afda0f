"""Entry file: navigation, database readiness, language and filters, then the chosen page."""
import gc

import streamlit as st

from dashboard import ui
from dashboard.i18n import t
from db.bootstrap import DEMO_CUSTOMERS, DEMO_LOCK, NotMigrated, needs_demo, prepare
from db.engine import get_engine

st.set_page_config(page_title="客服管理系统 · Customer Service", page_icon="📊", layout="wide")
# KPI labels wrap instead of being cut off on a 1280-pixel projector; the menu, which lists every
# page, is tightened so the language switch below it still shows on a 720-pixel screen.
st.html("<style>[data-testid='stMetricLabel'] p, [data-testid='stMetricLabel'] div "
        "{white-space: normal !important; overflow: visible !important; text-overflow: clip !important;}"
        "[data-testid='stMetricValue'] {font-size: 2rem;}"
        ".block-container {padding-top: 2.5rem;}"
        "[data-testid='stSidebarNavLink'] {min-height: 0; height: 1.6rem; margin: 0;}"
        "[data-testid='stSidebarHeader'] {height: 2.75rem; margin-bottom: 0;}</style>")

L = ui.current_language()
user = ui.current_user()

# Declared first, so the menu is ours from the very first run. Signed out, only sign-in exists.
PAGES = {
    "overview": st.Page("pages/overview.py", title=t("nav_overview", L), icon="🏠", default=True, url_path="overview"),
    "plans": st.Page("pages/plans.py", title=t("nav_plans", L), icon="📋", url_path="plans"),
    "complaints": st.Page("pages/complaints.py", title=t("nav_complaints", L), icon="⏱️", url_path="complaints"),
    "fluctuation": st.Page("pages/fluctuation.py", title=t("nav_fluctuation", L), icon="📈", url_path="fluctuation"),
    "retention": st.Page("pages/retention.py", title=t("nav_retention", L), icon="🤝", url_path="retention"),
    "grading": st.Page("pages/grading.py", title=t("nav_grading", L), icon="🏷️", url_path="grading"),
    "present": st.Page("pages/present.py", title=t("nav_present", L), icon="📽️", url_path="present"),
}
if user is None:
    navigation = st.navigation([st.Page("pages/sign_in.py", title=t("sign_in", L), icon="🔑", url_path="sign_in")],
                               position="hidden")
else:
    WORK = [st.Page("pages/my_work.py", title=t("nav_my_work", L), icon="🗂️", url_path="my_work"),
            st.Page("pages/tasks.py", title=t("nav_tasks", L), icon="✍️", url_path="tasks"),
            st.Page("pages/complaint_entry.py", title=t("nav_complaint_entry", L), icon="📞", url_path="complaint_entry"),
            st.Page("pages/retention_entry.py", title=t("nav_retention_entry", L), icon="🧲", url_path="retention_entry"),
            st.Page("pages/work_log.py", title=t("nav_work_log", L), icon="📝", url_path="work_log"),
            st.Page("pages/suggestions.py", title=t("nav_suggestions", L), icon="💬", url_path="suggestions")]
    if user.role == "manager":  # navigation shows only the pages a role may use
        WORK.append(st.Page("pages/settings.py", title=t("nav_settings", L), icon="⚙️", url_path="settings"))
    navigation = st.navigation({t("app_title", L): [PAGES["overview"]],
                                t("section_analysis", L): [p for k, p in PAGES.items() if k != "overview"],
                                t("section_work", L): WORK}, expanded=True)


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
                generate(engine, customers=DEMO_CUSTOMERS, progress=lambda message: status.write(message))
                status.update(label=t("demo_loaded", L), state="complete", expanded=False)
            st.cache_data.clear()


try:
    load_demo_on_first_start(ready_engine())
    ui.follow_changes()
    departments = ui.metric("department_tree")
except NotMigrated:
    st.error(t("db_not_migrated", L))
    st.stop()
except Exception as error:  # any failure to reach the database gets one clear banner
    ready_engine.clear()
    st.error(t("db_unreachable", L, error=type(error).__name__ + ": " + str(error).splitlines()[0]))
    st.stop()

if user is not None:
    st.session_state["filters"] = ui.sidebar_filters(departments, user)
with ui.entry_running():
    navigation.run()
