"""Sign-in (登录): username and password, or single sign-on when configured; demo accounts listed on a demo database."""
import streamlit as st

from dashboard.i18n import t
from dashboard.ui import session

L = st.radio("语言 / Language", ["zh", "en"], key="signin_lang", horizontal=True,
             index=["zh", "en"].index(session.current_language()),
             format_func=lambda code: {"zh": "中文", "en": "English"}[code])
st.session_state["lang"] = L  # the sidebar's switch takes it over once signed in

st.title(t("sign_in_title", L))
if not session.cookie_sessions():
    st.caption(t("plain_run", L))
if st.query_params.get("signin") == "failed":
    st.warning(t("signin_failed", L))
if st.session_state.pop("session_expired", False):
    st.info(t("session_expired", L))

if session.sso_configured():
    identity = session.sso_identity()
    if identity is not None:
        # Back from the identity provider: its e-mail maps to a staff record and its account.
        refused = session.bridge_sso(identity)  # on success the browser goes on to the dashboard
        if refused:
            st.error(refused)
            if st.button(t("sso_other_account", L), key="signin_sso_other"):
                st.logout()
            st.stop()
    if st.button(t("sso_button", L), key="signin_sso", type="primary", icon=":material/key:"):
        st.login()
    st.caption(t("or_password", L))

with st.form("signin"):
    username = st.text_input(t("username", L), key="signin_username")
    password = st.text_input(t("password", L), type="password", key="signin_password")
    submitted = st.form_submit_button(t("sign_in", L), type="primary")
if submitted:
    outcome = session.attempt_sign_in(username, password)  # with cookie sessions, the browser moves on
    if outcome is None:
        st.rerun()
    st.error(outcome)

accounts = session.demo_accounts()
if accounts:
    st.subheader(t("demo_accounts", L))
    st.caption(t("demo_accounts_note", L) + " " + t("demo_password_note", L))
    st.table({t("username", L): [a["username"] for a in accounts],
              t("password", L): [a["password"] for a in accounts],
              t("role", L): [t(f"role_{a['role']}", L) for a in accounts],
              t("department", L): [a["department_code"] or "—" for a in accounts]})
