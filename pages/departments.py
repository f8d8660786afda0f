"""Departments (部门管理, managers): the tree with head, staff and customers; create, rename, move,
deactivate (its staff and customers move to a receiving department, stated before it is done)."""
import streamlit as st

from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.i18n import t
from dashboard.metrics import archives, records
from dashboard.ui import data, display, filters, forms, session
from dashboard.writes import departments

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_departments", L))
if user.role != "manager":
    st.warning(t("departments_managers_only", L))
    st.stop()
st.caption(t("departments_intro", L))

tree = data.fetch(Call(archives.departments_overview, f.scope))
staff = data.fetch(Call(records.staff_list, f.scope))
staff_options = [""] + list(staff["staff_no"])
staff_names = {r.staff_no: f"{r.name} ({r.staff_no})" for r in staff.itertuples()}
codes = list(tree["code"])
active_codes = list(tree.loc[tree["active"], "code"])
names = {r.code: f"{'　' * r.depth}{r.name} ({r.code})" for r in tree.itertuples()}


def staff_label(no: str) -> str:
    return t("f_none", L) if not no else staff_names.get(no, no)


def department_label(code: str) -> str:
    return t("top_level", L) if not code else names.get(code, code)


shown = tree.assign(
    name=[f"{'　' * d}{n}" for d, n in zip(tree["depth"], tree["name"])],
    head_name=tree["head_name"].fillna(""),
    active=tree["active"].map(lambda a: t("status_active" if a else "status_inactive", L)))
display.show_table(shown[["code", "name", "work_scope", "head_name", "staff_count", "customer_count", "active"]], L,
                   key="departments_tree")
st.caption(t("departments_totals", L, departments=formats.fmt_number(len(active_codes)),
             staff=formats.fmt_number(int(tree["staff_count"].sum())),
             customers=formats.fmt_number(int(tree["customer_count"].sum()))))

tab_edit, tab_create, tab_deactivate = st.tabs([t("tab_department_edit", L), t("tab_department_create", L),
                                                t("tab_department_deactivate", L)])
with tab_edit:
    if codes:
        chosen = st.selectbox(t("f_department", L), codes, key="dept_pick", format_func=department_label)
        row = tree[tree["code"] == chosen].iloc[0]
        version = forms.loaded_version(f"departments:{chosen}", int(row["version"]))
        forms.conflict_choice(f"departments:{chosen}", L, tree[tree["code"] == chosen])
        slots: dict = {}
        parents = [""] + [c for c in active_codes if c != chosen]
        current_parent = row["parent_code"] if isinstance(row["parent_code"], str) else ""
        if current_parent and current_parent not in parents:
            parents.append(current_parent)
        head = row["head_staff_no"] if isinstance(row["head_staff_no"], str) else ""
        with st.form(f"dept_edit_{chosen}"):
            left, right = st.columns(2)
            name = left.text_input(t("f_name", L), value=row["name"], key=f"dept_name_{chosen}")
            forms.slot(slots, "name")
            parent = right.selectbox(t("f_parent", L), parents, index=parents.index(current_parent),
                                     key=f"dept_parent_{chosen}", format_func=department_label)
            forms.slot(slots, "parent_code")
            head_staff = left.selectbox(t("f_head", L), staff_options,
                                        index=staff_options.index(head) if head in staff_options else 0,
                                        key=f"dept_head_{chosen}", format_func=staff_label)
            forms.slot(slots, "head_staff_no")
            work_scope = st.text_area(t("f_work_scope", L), value=row["work_scope"] or "", key=f"dept_scope_{chosen}")
            forms.slot(slots, "work_scope")
            if st.form_submit_button(t("save", L), type="primary") and forms.submit(
                    L, slots, lambda conn: departments.update_department(
                        conn, user, code_=chosen, version=version, name=name, work_scope=work_scope,
                        parent_code=parent or None, head_staff_no=head_staff or None),
                    t("nav_departments", L), version_key=f"departments:{chosen}"):
                st.rerun()
        with st.expander(t("record_history", L)):
            forms.show_history("departments", chosen, L)

with tab_create:
    slots = {}
    with st.form("dept_create"):
        left, right = st.columns(2)
        new_code = left.text_input(t("f_code", L), key="dept_new_code")
        forms.slot(slots, "code")
        new_name = right.text_input(t("f_name", L), key="dept_new_name")
        forms.slot(slots, "name")
        new_parent = left.selectbox(t("f_parent", L), [""] + active_codes, key="dept_new_parent",
                                    format_func=department_label)
        forms.slot(slots, "parent_code")
        new_head = right.selectbox(t("f_head", L), staff_options, key="dept_new_head", format_func=staff_label)
        forms.slot(slots, "head_staff_no")
        new_scope = st.text_area(t("f_work_scope", L), key="dept_new_scope")
        forms.slot(slots, "work_scope")
        if st.form_submit_button(t("create", L), type="primary") and forms.submit(
                L, slots, lambda conn: departments.create_department(
                    conn, user, code_=new_code, name=new_name, work_scope=new_scope, parent_code=new_parent or None,
                    head_staff_no=new_head or None), t("nav_departments", L)):
            st.rerun()

with tab_deactivate:
    if active_codes:
        target = st.selectbox(t("f_department", L), active_codes, key="dept_off_pick", format_func=department_label)
        effect = data.fetch(Call(archives.deactivation_effect, f.scope, target)).iloc[0]
        row = tree[tree["code"] == target].iloc[0]
        receivers = [c for c in active_codes if c != target]
        default = effect["parent_code"] if effect["parent_code"] in receivers else (receivers[0] if receivers else "")
        slots = {}
        receiving = st.selectbox(t("f_receiving", L), receivers, index=receivers.index(default) if default else 0,
                                 key=f"dept_off_to_{target}", format_func=department_label)
        forms.slot(slots, "receiving_code")
        if int(effect["active_children"]):
            st.warning(t("deactivate_children_first", L, count=int(effect["active_children"])))
        st.info(t("deactivate_effect", L, department=names.get(target, target).strip(),
                  staff=formats.fmt_number(int(effect["staff_count"])),
                  customers=formats.fmt_number(int(effect["customer_count"])),
                  receiving=names.get(receiving, receiving or "—").strip()))
        forms.slot(slots, "code")
        if st.button(t("deactivate_department", L), key=f"dept_off_{target}", icon=":material/block:") and forms.submit(
                L, slots, lambda conn: departments.deactivate_department(
                    conn, user, code_=target, version=int(row["version"]), receiving_code=receiving or None),
                t("nav_departments", L)):
            st.rerun()
    inactive = [c for c in codes if c not in active_codes]
    if inactive:
        again = st.selectbox(t("f_inactive_department", L), inactive, key="dept_on_pick", format_func=department_label)
        on_slots = {"code": st.empty()}
        if st.button(t("dept_reactivate", L), key=f"dept_on_{again}") and forms.submit(
                L, on_slots, lambda conn: departments.reactivate_department(conn, user, code_=again),
                t("nav_departments", L)):
            st.rerun()
