"""Import (数据导入, managers; heads within their departments): upload CSV files or workbooks, see every
problem in a table, nothing written unless all is good; a progress bar while it runs, then what changed."""
import streamlit as st

from dashboard.core.calls import Call
from dashboard.i18n import t
from dashboard.imports import IMPORTING_ROLES, ImportFailed, import_uploads
from dashboard.imports.problems import outcome_table, problem_table
from dashboard.imports.templates import template_workbook
from dashboard.metrics import records
from dashboard.ui import data, display, filters, session
from db.engine import get_engine

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_data_import", L))
if user.role not in IMPORTING_ROLES:
    st.warning(t("import_not_allowed", L))
    st.stop()
scope = session.reader_scope()  # the user's whole scope: a head's subtree, a manager's company
st.caption(t("import_intro", L))
if scope.department is not None:
    tree = data.fetch(Call(records.department_tree, scope))
    name = dict(zip(tree["code"], tree["name"])).get(scope.department, scope.department)
    st.info(t("import_scope_head", L, department=name))

st.download_button(t("import_template", L), template_workbook(L), file_name=f"import_template_{L}.xlsx",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"import_template_{L}",
                   icon=":material/download:")
st.caption(t("import_template_note", L))

uploads = st.file_uploader(t("import_files", L), type=["csv", "xlsx"], accept_multiple_files=True,
                           key="import_uploads")
STEPS = (("reading ", "import_step_reading"), ("checking", "import_step_checking"), ("writing ", "import_step_writing"),
         ("done", "import_step_done"))


def step_label(message: str) -> str:
    for start, key in STEPS:
        if message.startswith(start):
            what = message[len(start):].strip() if start.endswith(" ") else ""
            return t(key, L, what=what) if what else t(key, L, what="")
    return message


if st.button(t("import_run", L), type="primary", key="import_run"):
    if not uploads:
        st.warning(t("import_pick_files", L))
    else:
        bar = st.progress(0.0, text=t("import_running", L))
        try:
            outcome = import_uploads(get_engine(), [(u.name, u.getvalue()) for u in uploads], user,
                                     progress=lambda done, message: bar.progress(done, text=step_label(message)))
        except ImportFailed as failure:
            bar.empty()
            st.session_state["import_result"] = ("failed", failure.problems)
        else:
            bar.progress(1.0, text=t("import_step_done", L))
            data.written_here()
            st.session_state["import_result"] = ("done", outcome.counts, any(outcome.changed.values()))

result = st.session_state.get("import_result")
if result and result[0] == "failed":
    st.error(t("import_failed", L, n=len(result[1])))
    table = problem_table(result[1], L)
    with st.container(key="import_problems"):
        display.show_table(table, L)
    st.download_button(t("import_download_problems", L), table.to_csv(index=False).encode("utf-8-sig"),
                       file_name="import_problems.csv", mime="text/csv", key="import_problems_csv")
elif result and result[0] == "done":
    st.success(t("import_done", L) if result[2] else t("import_unchanged", L))
    with st.container(key="import_outcome"):
        display.show_table(outcome_table(result[1], L), L)
