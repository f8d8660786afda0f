"""Tasks and plans (任务与计划): assign a task or create a plan, record progress, bulk edit, history."""
import hashlib

import pandas as pd
import streamlit as st

from dashboard.core import vocabulary as v
from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.i18n import column_label, t, value_label
from dashboard.metrics import plans, records
from dashboard.ui import data, display, filters, forms, links, plan_record, session
from dashboard.writes import plans as plan_writes

f = filters.page_filters()
L, user = f.lang, session.signed_in()
dept = f.department or user.department_code
st.title(t("nav_tasks", L))

# a work list's row names its plan (?plan=P…): the page opens on its progress (or, for a plan that is
# no longer open, on its edit tab), with the plan chosen
TAB_NAMES = [t("tab_assign", L), t("tab_progress", L), t("tab_edit", L), t("tab_correct", L)] \
    + ([t("tab_bulk", L)] if user.role != "agent" else [])
BULK_TAB = 4
tabs = st.tabs(TAB_NAMES, default=TAB_NAMES[1] if st.query_params.get("plan") else None)
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
asked = st.query_params.get("plan")  # a work list's row opens its plan here
plan_choices = list(open_plans["plan_no"])
if asked and asked not in plan_choices:
    # a plan over or out of the open list still opens when a row names it (an agent's own only)
    named = data.fetch(Call(plans.plan_record, f.scope, asked))
    if not named.empty and (user.role != "agent" or named.iloc[0]["staff_no"] == user.staff_no):
        plan_choices.insert(0, asked)
for key, choices in (("progress_plan", list(open_plans["plan_no"])), ("edit_plan", plan_choices),
                     ("correct_plan", plan_choices)):
    links.asked_once("plan", key, choices)


# each open plan's label, made once: the three plan pickers list the same thousands of plans (read
# column by column: row by row, pandas took 0.15 s for 8,500 plans)
_names = display.department_names()
PLAN_LABELS = {no: f"{no} · {value_label(kind, L)} · "
                   f"{staff if isinstance(staff, str) else _names.get(code, code) if code is not None else '—'}"
                   f" · {actual}/{planned}"
               for no, kind, staff, code, actual, planned in zip(*(open_plans[c].tolist() for c in (
                   "plan_no", "type", "staff_name", "department_code", "actual_count", "planned_count")))}


def plan_label(no: str) -> str:
    return PLAN_LABELS.get(no, no)


def show_entries(plan_no: str, key: str) -> None:
    """The plan's record: figures, purpose and method, successes, progress entries with their corrections."""
    rows = open_plans[open_plans["plan_no"] == plan_no]
    if rows.empty:
        rows = data.fetch(Call(plans.tracked_plan, f.scope, session.today(), plan_no))
    if not rows.empty:
        plan_record.show(rows.iloc[0], f.scope, L, key)


with tabs[1]:
    if open_plans.empty:
        st.info(t("no_items", L))
    else:
        slots = {}
        with st.form("tasks_progress"):
            plan_no = st.selectbox(t("f_plan_no", L), list(PLAN_LABELS), format_func=plan_label, key="progress_plan")
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
        show_entries(plan_no, f"progress_entries_{plan_no}")
        with st.expander(t("record_history", L)):
            forms.show_history("plans", plan_no, L)

with tabs[2]:
    st.caption(t("edit_intro", L))
    if not plan_choices:
        st.info(t("edit_none", L))
    else:
        edit_no = st.selectbox(t("f_plan_no", L), plan_choices, format_func=plan_label, key="edit_plan")
        record = data.fetch(Call(plans.plan_record, f.scope, edit_no))
        if record.empty:
            st.info(t("no_items", L))
        else:
            r = record.iloc[0]
            name = lambda n: n if isinstance(n, str) else "—"  # noqa: E731
            st.caption(t("made_by", L, made=name(r["created_by_name"]), assigned=name(r["assigned_by_name"])))
            editable = plan_writes.may_edit(user, r["created_by_staff_no"] if isinstance(r["created_by_staff_no"], str) else None,
                                            r["assigned_by_staff_no"] if isinstance(r["assigned_by_staff_no"], str) else None)
            if not editable:
                st.info(t("err_not_plan_maker", L))
            version_key = f"plan_{edit_no}"
            loaded = forms.loaded_version(version_key, int(r["version"]))
            slots = {}
            with st.form(f"edit_{edit_no}"):
                left, right = st.columns(2)
                with left:
                    options = ([""] + list(staff["staff_no"])) if user.role != "agent" else [user.staff_no]
                    current = r["staff_no"] if isinstance(r["staff_no"], str) else ""
                    if current not in options:
                        options.append(current)
                    e_staff = st.selectbox(t("f_staff_no", L), options, index=options.index(current),
                                           key=f"edit_staff_{edit_no}",
                                           format_func=lambda s: f"{staff_names.get(s, '')} ({s})" if s else t("f_none", L))
                    forms.slot(slots, "staff_no")
                    e_start = st.date_input(column_label("start_date", L),
                                            value=r["start_date"], key=f"edit_start_{edit_no}")
                    forms.slot(slots, "start_date")
                    e_end = st.date_input(column_label("end_date", L), value=r["end_date"], key=f"edit_end_{edit_no}")
                    forms.slot(slots, "end_date")
                    methods = [""] + list(v.PLAN_METHOD.codes)
                    stored_method = r["method"] if isinstance(r["method"], str) else ""
                    if stored_method not in methods:
                        methods.append(stored_method)  # free text kept as written
                    e_method = st.selectbox(t("f_method", L), methods, index=methods.index(stored_method),
                                            key=f"edit_method_{edit_no}",
                                            format_func=lambda m: value_label(m, L) if m else t("f_none", L))
                    forms.slot(slots, "method")
                with right:
                    e_planned = st.number_input(t("f_planned_count", L), min_value=0, step=1,
                                                value=int(r["planned_count"]), key=f"edit_planned_{edit_no}")
                    forms.slot(slots, "planned_count")
                    e_minimum = st.number_input(t("f_minimum_count", L), min_value=0, step=1,
                                                value=int(r["minimum_count"]), key=f"edit_minimum_{edit_no}")
                    forms.slot(slots, "minimum_count")
                    e_cost = st.text_input(t("f_planned_cost", L), value=f"{r['planned_cost']:.2f}",
                                           key=f"edit_cost_{edit_no}")
                    forms.slot(slots, "planned_cost")
                e_content = st.text_area(t("f_content", L), value=r["content"] if isinstance(r["content"], str) else "",
                                         key=f"edit_content_{edit_no}")
                forms.slot(slots, "content")
                e_purpose = st.text_area(t("f_purpose", L), value=r["purpose"] if isinstance(r["purpose"], str) else "",
                                         key=f"edit_purpose_{edit_no}")
                forms.slot(slots, "purpose")
                forms.slot(slots, "plan_no")
                if st.form_submit_button(t("save", L), type="primary", disabled=not editable):
                    forms.submit(L, slots, lambda conn: plan_writes.update_plan(
                        conn, user, plan_no=edit_no, version=loaded, staff_no=e_staff or None, start_date=e_start,
                        end_date=e_end, planned_count=e_planned, minimum_count=e_minimum, planned_cost=e_cost,
                        content=e_content, purpose=e_purpose, method=e_method or None), edit_no, version_key=version_key)
            forms.conflict_choice(version_key, L, record)

with tabs[3]:
    st.caption(t("correct_intro", L))
    if not plan_choices:
        st.info(t("no_items", L))
    else:
        fix_no = st.selectbox(t("f_plan_no", L), plan_choices, format_func=plan_label, key="correct_plan")
        entries = data.fetch(Call(plans.progress_entries, f.scope, fix_no))
        originals = entries[entries["entry"] == "entry"] if not entries.empty else entries
        if originals.empty:
            st.caption(t("no_progress_yet", L))
        else:
            by_day = {str(row.recorded_on): row for row in originals.itertuples()}
            day = st.selectbox(t("f_correct_entry", L), list(by_day), key=f"correct_day_{fix_no}",
                               format_func=lambda d: f"{d} · {by_day[d].net_completed} · {by_day[d].net_cost:.2f}")
            entry = by_day[day]
            slots = {}
            with st.form(f"correct_{fix_no}_{day}"):
                left, right = st.columns(2)
                c_completed = left.number_input(t("f_completed_count", L), min_value=0, step=1,
                                                value=int(entry.net_completed), key=f"correct_completed_{fix_no}_{day}")
                forms.slot(slots, "completed_count")
                c_success = right.number_input(t("f_success_count", L), min_value=0, step=1,
                                               value=int(entry.net_success) if pd.notna(entry.net_success) else 0,
                                               key=f"correct_success_{fix_no}_{day}")
                forms.slot(slots, "success_count")
                c_cost = left.text_input(t("f_cost", L), value=f"{entry.net_cost:.2f}", key=f"correct_cost_{fix_no}_{day}")
                forms.slot(slots, "cost")
                c_reason = st.text_area(t("f_correction_reason", L), key=f"correct_reason_{fix_no}_{day}")
                forms.slot(slots, "reason")
                forms.slot(slots, "recorded_on")
                forms.slot(slots, "plan_no")
                seen = int(entry.corrections)
                if st.form_submit_button(t("correct_save", L), type="primary"):
                    forms.submit(L, slots, lambda conn: plan_writes.correct_progress(
                        conn, user, plan_no=fix_no, recorded_on=entry.recorded_on, completed_count=c_completed,
                        cost=c_cost, success_count=c_success, reason=c_reason, corrections_seen=seen), fix_no)
        show_entries(fix_no, f"correct_entries_{fix_no}")

if user.role != "agent":
    with tabs[BULK_TAB]:
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
