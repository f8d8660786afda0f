"""Customer log (客户日志): record contact with a customer."""
import streamlit as st

from dashboard.core import vocabulary as v
from dashboard.i18n import t, value_label
from dashboard.ui import filters, forms, session
from dashboard.writes import logs

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_work_log", L))
slots: dict = {}
with st.form("work_log"):
    left, right = st.columns(2)
    customer = left.text_input(t("f_customer_code", L), value=st.query_params.get("customer", ""), key="log_customer")
    forms.slot(slots, "customer_code")
    day = left.date_input(t("f_date", L), value=session.today(), key="log_day")
    clock = left.time_input(t("f_time", L), value=session.now_minute(), key="log_time", step=60)
    forms.slot(slots, "logged_at")
    source = right.selectbox(t("f_source", L), v.LOG_SOURCE.codes, key="log_source", format_func=lambda v: value_label(v, L))
    service_type = right.selectbox(t("f_service_type", L), v.SERVICE_TYPE.codes, key="log_type",
                                   format_func=lambda v: value_label(v, L))
    rating = right.selectbox(t("f_satisfaction", L), [None, 1, 2, 3, 4, 5], key="log_rating",
                             format_func=lambda v: t("f_none", L) if v is None else str(v))
    category = left.text_input(t("f_log_category", L), key="log_category", help=t("log_category_hint", L))
    forms.slot(slots, "category")
    content = st.text_area(t("f_log_content", L), key="log_content")
    forms.slot(slots, "content")
    handling = st.text_area(t("f_log_handling", L), key="log_handling")
    forms.slot(slots, "handling")
    summary = st.text_area(t("f_log_summary", L), key="log_summary")
    forms.slot(slots, "summary")
    if st.form_submit_button(t("save", L), type="primary"):
        forms.submit(L, slots, lambda conn: logs.add_work_log(
            conn, user, customer_code=customer.strip() or None, logged_at=forms.local_datetime(day, clock), source=source,
            service_type=service_type, content=content, handling=handling, satisfaction=rating, category=category,
            summary=summary), t("nav_work_log", L))
