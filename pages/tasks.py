"""Tasks and plans (任务与计划): assign a task or create a plan, record progress, bulk edit, history."""
import hashlib

import pandas as pd
import streamlit as st

from dashboard.core import vocabulary as v
from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.i18n import column_label, t, value_label
from dashboard.metrics import plans, records
from dashboard.ui import data, display, filters, forms, session
from dashboard.writes import plans as plan_writes

f = filters.page_filters()
L, user = f.lang, session.signed_in()
dept = f.department or user.department_code
st.title(t("nav_tasks", L))

tabs = st.tabs([t("tab_assign", L), t("tab_progress", L)] + ([t("tab_bulk", L)] if user.role != "agent" else []))
staff = data.fetch(Call(records.staff_list, f.scope))
staff_names = dict(zip(staff["staff_no"], staff["name"]))
department_names = display.department_names()
codes = forms.scope_departments(f.scope)

with tabs[0]:
    slots: dict = {}
    kinds = ["plan"] if user.role == "agent" else ["task", "plan"]
    kind = st.radio(t("f_kind", L), kinds, horizontal=True, key="tasks_kind", format_func=lambda v: value_label(v, L))
    left, right = st.columns(2)
    horizon = left.selectbox(t("f_horizon", L), v.HORIZON.codes, index=2, key="tasks_horizon",
                             format_func=lambda v: value_label(v, L))
    anchor = right.date_input(t("date_in_period", L), value=session.today(), key="tasks_anchor")
    period = Period.containing(horizon, anchor)
    st.caption(f"{period.label}: {period.start} – {period.end}")
    with st.form("tasks_assign"):
        left, right = st.columns(2)
        with left:
            plan_type = st.selectbox(t("f_type", L), v.PLAN_TYPE.codes, key="tasks_type",
                                     format_func=lambda v: value_label(v, L))
            forms.slot(slots, "type")
            department_code = st.selectbox(t("f_department_code", L), codes, key="tasks_department",
                                           format_func=lambda c: f"{department_names.get(c, c)} ({c})")
            forms.slot(slots, "department_code")
            assignee_options = [""] + list(staff["staff_no"]) if user.role != "agent" else [user.staff_no]
            staff_no = st.selectbox(t("f_staff_no", L), assignee_options, key="tasks_staff",
                                    format_func=lambda s: f"{staff_names.get(s, '')} ({s})" if s else t("f_none", L))
            forms.slot(slots, "staff_no")
            method = st.selectbox(t("f_method", L), [""] + list(v.PLAN_METHOD.codes), key="tasks_method",
                                  format_func=lambda v: value_label(v, L) if v else t("f_none", L))
            forms.slot(slots, "method")
        with right:
            planned = st.number_input(t("f_planned_count", L), min_value=0, step=1, value=10, key="tasks_planned")
            forms.slot(slots, "planned_count")
            minimum = st.number_input(t("f_minimum_count", L), min_value=0, step=1, value=8, key="tasks_minimum")
            forms.slot(slots, "minimum_count")
            cost = st.text_input(t("f_planned_cost", L), value="0.00", key="tasks_cost")
            forms.slot(slots, "planned_cost")
            content = st.text_area(t("f_content", L), key="tasks_content")
            purpose = st.text_area(t("f_purpose", L), key="tasks_purpose")
        if st.form_submit_button(t("save", L), type="primary"):
            forms.submit(L, slots, lambda conn: plan_writes.save_plan(
                conn, user, kind=kind, type=plan_type, horizon=horizon, start_date=period.start, end_date=period.end,
                department_code=department_code, staff_no=staff_no or None, planned_count=planned,
                minimum_count=minimum, planned_cost=cost, content=content, purpose=purpose, method=method or None),
                t("nav_tasks", L))

open_plans = data.fetch(Call(plans.open_plans, f.scope, session.today(), user.staff_no if user.role == "agent" else None))
with tabs[1]:
    if open_plans.empty:
        st.info(t("no_items", L))
    else:
        slots = {}
        labels = {r.plan_no: f"{r.plan_no} · {value_label(r.type, L)} · {r.staff_name if isinstance(r.staff_name, str) else display.department_name(r.department_code)} · "
                             f"{r.actual_count}/{r.planned_count}" for r in open_plans.itertuples()}
        with st.form("tasks_progress"):
            plan_no = st.selectbox(t("f_plan_no", L), list(labels), format_func=labels.get, key="progress_plan")
            forms.slot(slots, "plan_no")
            left, right = st.columns(2)
            recorded_on = left.date_input(t("f_recorded_on", L), value=session.today(), key="progress_date")
            forms.slot(slots, "recorded_on")
            completed = left.number_input(t("f_completed_count", L), min_value=0, step=1, key="progress_completed")
            forms.slot(slots, "completed_count")
            success = right.number_input(t("f_success_count", L), min_value=0, step=1, key="progress_success")
            forms.slot(slots, "success_count")
            cost = right.text_input(t("f_cost", L), value="0.00", key="progress_cost")
            forms.slot(slots, "cost")
            note = st.text_area(t("f_note", L), key="progress_note")
            if st.form_submit_button(t("save", L), type="primary"):
                forms.submit(L, slots, lambda conn: plan_writes.record_progress(
                    conn, user, plan_no=plan_no, recorded_on=recorded_on, completed_count=completed, cost=cost,
                    success_count=success, note=note), plan_no)
        with st.expander(t("record_history", L)):
            forms.show_history("plans", plan_no, L)

if user.role != "agent":
    with tabs[2]:
        st.caption(t("bulk_note", L))
        tasks = open_plans[open_plans["kind"] == "task"]
        if tasks.empty:
            st.info(t("no_items", L))
        else:
            loaded = st.session_state.setdefault("tasks_bulk_versions", {})
            for row in data.fetch(Call(records.plan_versions, f.scope, list(tasks["plan_no"]))).itertuples():
                loaded.setdefault(row.plan_no, int(row.version))  # the versions this user is editing
            versions = pd.DataFrame({"plan_no": list(loaded), "version": list(loaded.values())})
            table = tasks[["plan_no", "department_code", "staff_no", "end_date", "planned_count", "minimum_count",
                           "planned_cost", "content"]].merge(versions, on="plan_no")
            table["planned_cost"] = table["planned_cost"].map(float)
            # the editor keeps edits by row position: its key names the rows it shows, so a list that
            # changed (a task added or closed) starts a fresh editor instead of moving edits to other tasks
            rows_key = hashlib.sha1(",".join(table["plan_no"]).encode()).hexdigest()[:12]
            edited = st.data_editor(table, key=f"tasks_bulk_{rows_key}", hide_index=True, width="stretch",
                                    disabled=["plan_no", "department_code", "version"],
                                    column_config={column: st.column_config.Column(column_label(column, L))
                                                   for column in table.columns}
                                    | {"staff_no": st.column_config.SelectboxColumn(
                                        column_label("staff_no", L), options=list(staff["staff_no"]))})
            slots = {}
            forms.slot(slots, "bulk")
            if st.button(t("save", L), key="tasks_bulk_save", type="primary"):
                rows = edited.to_dict("records")
                if forms.submit(L, slots, lambda conn: plan_writes.bulk_update_plans(conn, user, rows), t("tab_bulk", L)):
                    st.session_state.pop("tasks_bulk_versions")
