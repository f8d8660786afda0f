"""Users (用户管理, managers): create accounts, change roles and staff records, deactivate and
reactivate, reset passwords. Every change is audited; the list follows the department filter."""
import streamlit as st

from dashboard import accounts
from dashboard.core.calls import Call
from dashboard.core.vocabulary import ROLE
from dashboard.i18n import t
from dashboard.metrics import records
from dashboard.metrics import users as user_list
from dashboard.ui import data, display, filters, forms, session
from dashboard.writes import users

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_users", L))
if user.role != "manager":
    st.warning(t("users_managers_only", L))
    st.stop()
st.caption(t("users_intro", L))
st.caption(t("role_rights_hr", L))

listing = data.fetch(Call(user_list.accounts, f.scope))
staff = data.fetch(Call(records.staff_list, f.scope))
staff_names = {row.staff_no: f"{row.name} ({row.staff_no}, {row.department_code})" for row in staff.itertuples()}
staff_options = [""] + list(staff["staff_no"])


def staff_label(code: str) -> str:
    return t("f_no_staff", L) if not code else staff_names.get(code, code)


def role_label(code: str) -> str:
    return t(f"role_{code}", L)


rules = t("password_rules", L, minimum=accounts.MIN_PASSWORD_LENGTH)
tab_list, tab_create, tab_edit = st.tabs([t("tab_users_list", L), t("tab_users_create", L), t("tab_users_edit", L)])

with tab_list:
    shown = listing.assign(role=listing["role"].map(role_label),
                           active=listing["active"].map(lambda a: t("status_active" if a else "status_inactive", L)),
                           must_change_password=listing["must_change_password"].map(lambda m: "✓" if m else ""))
    if shown.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(shown, L, key="users_table")

with tab_create:
    slots: dict = {}
    with st.form("users_create", clear_on_submit=False):
        left, right = st.columns(2)
        username = left.text_input(t("f_username", L), key="users_new_username")
        forms.slot(slots, "username")
        role = right.selectbox(t("f_role", L), ROLE.codes, index=ROLE.codes.index("agent"), key="users_new_role",
                               format_func=role_label)
        forms.slot(slots, "role")
        staff_no = left.selectbox(t("f_staff_record", L), staff_options, key="users_new_staff", format_func=staff_label,
                                  help=t("staff_no_hint", L))
        forms.slot(slots, "staff_no")
        password = right.text_input(t("f_password", L), type="password", key="users_new_password", help=rules)
        forms.slot(slots, "password")
        st.caption(t("staff_no_hint", L) + " " + rules)
        if st.form_submit_button(t("create_account", L), type="primary") and forms.submit(
                L, slots, lambda conn: users.create_account(conn, user, username=username, role=role,
                                                            staff_no=staff_no or None, password=password).username,
                t("nav_users", L)):
            st.session_state["users_created"] = username.strip()
            st.rerun()  # the list and the account picker show the new account at once
    if st.session_state.get("users_created"):
        st.success(t("saved", L, what=st.session_state.pop("users_created")))

with tab_edit:
    names = list(listing["username"])
    if not names:
        st.caption(t("no_items", L))
        st.stop()
    chosen = st.selectbox(t("f_account", L), names, key="users_pick")
    row = listing[listing["username"] == chosen].iloc[0]
    row_staff = row["staff_no"] if isinstance(row["staff_no"], str) else ""
    st.text(f"{chosen} · {role_label(row['role'])} · {staff_label(row_staff)} · "
            + t("status_active" if row["active"] else "status_inactive", L))
    key = chosen  # the widgets of this account's forms carry its username
    slots = {}
    with st.form(f"users_edit_{key}"):
        left, right = st.columns(2)
        new_role = left.selectbox(t("f_role", L), ROLE.codes, index=ROLE.codes.index(row["role"]),
                                  key=f"users_role_{key}", format_func=role_label)
        forms.slot(slots, "role")
        current_staff = row_staff if row_staff in staff_options else ""
        new_staff = right.selectbox(t("f_staff_record", L), staff_options, index=staff_options.index(current_staff),
                                    key=f"users_staff_{key}", format_func=staff_label)
        forms.slot(slots, "staff_no")
        if st.form_submit_button(t("save_account", L), type="primary"):
            forms.submit(L, slots, lambda conn: users.update_account(
                conn, user, username=chosen, role=new_role, staff_no=new_staff or None), t("nav_users", L))

    status_slots: dict = {"username": st.empty()}
    if row["active"]:
        st.caption(t("deactivate_hint", L))
        if st.button(t("deactivate", L), key=f"users_deactivate_{key}", icon=":material/person_off:"):
            if forms.submit(L, status_slots, lambda conn: users.set_active(conn, user, username=chosen, active=False),
                            t("nav_users", L)):
                st.rerun()
    elif st.button(t("reactivate", L), key=f"users_reactivate_{key}", icon=":material/person_check:"):
        if forms.submit(L, status_slots, lambda conn: users.set_active(conn, user, username=chosen, active=True),
                        t("nav_users", L)):
            st.rerun()

    reset_slots: dict = {}
    with st.form(f"users_reset_{key}"):
        st.caption(t("reset_hint", L))
        temporary = st.text_input(t("f_temporary", L), type="password", key=f"users_temporary_{key}", help=rules)
        forms.slot(reset_slots, "password")
        if st.form_submit_button(t("reset_password", L)):
            forms.submit(L, reset_slots, lambda conn: users.reset_password(conn, user, username=chosen, password=temporary),
                         t("nav_users", L))
    with st.expander(t("record_history", L)):
        forms.show_history("users", chosen, L)
