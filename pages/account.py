"""My account (我的账号): every user changes their own password here (current one first)."""
import streamlit as st

from dashboard import accounts
from dashboard.i18n import t
from dashboard.ui import filters, forms, session
from dashboard.writes import users

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_account", L))
if user.must_change_password and session.session_origin() == "password":
    st.warning(t("must_change", L))
if session.session_origin() == "oidc":
    st.caption(t("sso_account_note", L))
st.caption(t("account_intro", L))
st.text(f"{t('f_username', L)}: {user.username} · {t('role_' + user.role, L)}")

slots: dict = {}
with st.form("account_password", clear_on_submit=False):
    current = st.text_input(t("f_current", L), type="password", key="account_current")
    forms.slot(slots, "current")
    new = st.text_input(t("f_new", L), type="password", key="account_new",
                        help=t("password_rules", L, minimum=accounts.MIN_PASSWORD_LENGTH))
    forms.slot(slots, "new")
    repeated = st.text_input(t("f_repeated", L), type="password", key="account_repeated")
    forms.slot(slots, "repeated")
    st.caption(t("password_rules", L, minimum=accounts.MIN_PASSWORD_LENGTH))
    submitted = st.form_submit_button(t("change_password", L), type="primary")
if submitted:
    changed = forms.submit(L, slots, lambda conn: users.change_own_password(
        conn, user, current=current, new=new, repeated=repeated, keep_token=session.session_token()),
        t("password_changed", L))
    if changed and user.must_change_password:
        session.notice("password_changed")
        st.rerun()  # the menu comes back, and the page a signed-out link asked for
