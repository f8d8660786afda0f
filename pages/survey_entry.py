"""Surveys (满意度调查): record a customer's answer (CSAT 1-5, NPS 0-10, comment); the quarter's survey:
who was surveyed and who is due (seed 003)."""
import streamlit as st

from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.i18n import t
from dashboard.metrics import quality, records
from dashboard.ui import data, display, filters, forms, session
from dashboard.writes import surveys

DUE_SHOWN = 500

f = filters.page_filters()
L, user, scope = f.lang, session.signed_in(), f.scope
st.title(t("nav_survey_entry", L))
new_tab, due_tab = st.tabs([t("tab_survey_new", L), t("tab_survey_due", L)])

with new_tab:
    staff = data.fetch(Call(records.staff_list, scope))
    choices = [""] + staff["staff_no"].tolist()
    names = dict(zip(staff["staff_no"], staff["staff_no"] + " " + staff["name"]))
    slots: dict = {}
    with st.form("survey_new"):
        left, right = st.columns(2)
        customer = left.text_input(t("f_customer_code", L), value=st.query_params.get("customer", ""), key="survey_customer")
        forms.slot(slots, "customer_code")
        day = left.date_input(t("f_surveyed_on", L), value=session.today(), key="survey_day")
        forms.slot(slots, "surveyed_on")
        who = left.selectbox(t("f_survey_staff", L), choices, key="survey_staff",
                             format_func=lambda s: names.get(s, t("none_chosen", L)))
        forms.slot(slots, "staff_no")
        csat = right.selectbox(t("f_csat", L), [None, 1, 2, 3, 4, 5], key="survey_csat",
                               format_func=lambda v: "—" if v is None else str(v))
        forms.slot(slots, "csat")
        nps = right.selectbox(t("f_nps", L), [None, *range(11)], key="survey_nps",
                              format_func=lambda v: "—" if v is None else str(v))
        forms.slot(slots, "nps")
        comment = st.text_area(t("f_comment", L), key="survey_comment")
        forms.slot(slots, "comment")
        if st.form_submit_button(t("save", L), type="primary"):
            forms.submit(L, slots, lambda conn: surveys.record_survey(
                conn, user, customer_code=customer.strip(), surveyed_on=day, csat=csat, nps=nps, comment=comment,
                staff_no=who or None), t("nav_survey_entry", L))

with due_tab:
    quarter = Period.containing("quarter", session.today())
    counts = data.fetch(Call(quality.survey_counts, scope, quarter, session.today())).iloc[0]
    st.caption(t("survey_due_intro", L, surveyed=int(counts["surveyed"]), customers=int(counts["customers"]),
                 due=int(counts["due"])))
    due = data.fetch(Call(quality.survey_coverage, scope, quarter, session.today(), DUE_SHOWN))
    if due.empty:
        st.success(t("no_items", L))
    else:
        if int(counts["due"]) > len(due):
            st.caption(t("survey_due_shown", L, shown=len(due)))
        display.show_table(due.drop(columns=["customers", "surveyed", "due"]), L, height=360, key="survey_due")
