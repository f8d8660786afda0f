"""Retention cases (挽留案例): open a case (customer pre-filled from the at-risk list), record the outcome."""
import streamlit as st

from dashboard.core import vocabulary as v
from dashboard.core.calls import Call
from dashboard.i18n import t, value_label
from dashboard.metrics import retention
from dashboard.ui import data, filters, forms, session
from dashboard.writes import retention as retention_writes

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_retention_entry", L))
open_tab, close_tab = st.tabs([t("tab_open_case", L), t("tab_close_case", L)])

with open_tab:
    slots: dict = {}
    with st.form("case_open"):
        left, right = st.columns(2)
        customer = left.text_input(t("f_customer_code", L), value=st.query_params.get("customer", ""), key="case_customer")
        forms.slot(slots, "customer_code")
        reason = left.selectbox(t("f_reason", L), v.RETENTION_REASON.codes, key="case_reason", format_func=lambda v: value_label(v, L))
        intent = left.selectbox(t("f_intent", L), v.RETENTION_INTENT.codes, index=1, key="case_intent",
                                format_func=lambda v: value_label(v, L))
        method = right.selectbox(t("f_retention_method", L), v.RETENTION_METHOD.codes, key="case_method",
                                 format_func=lambda v: value_label(v, L))
        started = right.date_input(t("f_started_on", L), value=session.today(), key="case_started")
        cost = right.text_input(t("f_cost", L), value="0.00", key="case_cost")
        forms.slot(slots, "cost")
        note = st.text_area(t("f_note", L), key="case_note")
        if st.form_submit_button(t("save", L), type="primary"):
            forms.submit(L, slots, lambda conn: retention_writes.open_retention_case(
                conn, user, customer_code=customer.strip(), reason=reason, intent=intent, method=method,
                started_on=started, cost=cost, note=note), t("nav_retention_entry", L))

with close_tab:
    cases = data.fetch(Call(retention.retention_cases_open, f.scope))
    if cases.empty:
        st.info(t("no_items", L))
    else:
        labels = {r.case_no: f"{r.case_no} · {r.customer_code} {r.customer_name} · {value_label(r.reason, L)} · {r.started_on}"
                  for r in cases.itertuples()}
        case_no = st.selectbox(t("f_case_no", L), list(labels), format_func=labels.get, key="case_pick")
        case = cases[cases["case_no"] == case_no].iloc[0]
        version_key = f"case_{case_no}"
        loaded = forms.loaded_version(version_key, int(case["version"]))
        slots = {}
        with st.form(f"case_close_{case_no}"):  # widget keys name the case: another case gets its own values
            result = st.selectbox(t("f_result", L), v.RETENTION_RESULT.codes, key=f"case_result_{case_no}",
                                  format_func=lambda v: value_label(v, L))
            forms.slot(slots, "result")
            closed = st.date_input(t("f_closed_on", L), value=session.today(), key=f"case_closed_{case_no}")
            forms.slot(slots, "closed_on")
            cost = st.text_input(t("f_cost", L), value=f"{case['cost']}", key=f"case_close_cost_{case_no}")
            forms.slot(slots, "cost")
            note = st.text_area(t("f_note", L), key=f"case_close_note_{case_no}")
            forms.slot(slots, "note")
            if st.form_submit_button(t("save", L), type="primary"):
                forms.submit(L, slots, lambda conn: retention_writes.close_retention_case(
                    conn, user, case_no=case_no, version=loaded, result=result, closed_on=closed, cost=cost,
                    note=note), case_no, version_key=version_key)
        forms.conflict_choice(version_key, L, cases[cases["case_no"] == case_no])
        with st.expander(t("record_history", L)):
            forms.show_history("retention_cases", case_no, L)
