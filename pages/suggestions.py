"""Suggestions (建议): staff write to their superior; the superior answers."""
import streamlit as st

from dashboard.core.calls import Call
from dashboard.i18n import t
from dashboard.metrics import plans, records
from dashboard.ui import data, filters, forms, session
from dashboard.writes import suggestions

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_suggestions", L))
if user.staff_no is None:
    st.info(t("no_items", L))
    st.stop()

slots: dict = {}
with st.form("suggestion_send"):
    subject = st.text_input(t("f_subject", L), key="suggestion_subject")
    forms.slot(slots, "subject")
    body = st.text_area(t("f_body", L), key="suggestion_body")
    forms.slot(slots, "body")
    open_plans = data.fetch(Call(plans.open_plans, f.scope, session.today()))
    linkable = [r.plan_no for r in open_plans.itertuples()
                if suggestions.may_link(user, r.kind, r.staff_no if isinstance(r.staff_no, str) else None,
                                        r.department_code)]
    plan_no = st.selectbox(t("f_plan_no", L), [""] + linkable, key="suggestion_plan",
                           format_func=lambda p: p or t("f_none", L), help=t("feedback_intro", L))
    forms.slot(slots, "plan_no")
    if st.form_submit_button(t("send", L), type="primary"):
        forms.submit(L, slots, lambda conn: suggestions.send_suggestion(conn, user, subject=subject, body=body,
                                                                 plan_no=plan_no or None), t("nav_suggestions", L))

items = data.fetch(Call(records.suggestions_for, user.staff_no))
inbox = items[items["to_staff_no"] == user.staff_no]
outbox = items[items["from_staff_no"] == user.staff_no]
st.subheader(t("inbox", L))
if inbox.empty:
    st.caption(t("no_items", L))
for item in inbox.itertuples():
    with st.container(border=True):
        # subjects, bodies and answers are the users' own text: shown plain, never as Markdown
        st.text(f"{item.subject} — {item.from_name} · {item.created_at:%Y-%m-%d %H:%M}"
                + (f" · {item.plan_no}" if item.plan_no else ""))
        st.text(item.body)
        if item.answer:
            st.text(f"{t('answer', L)}: {item.answer}")
        else:
            answer_slots: dict = {}
            with st.form(f"suggestion_answer_{item.id}"):
                answer = st.text_area(t("f_answer", L), key=f"suggestion_answer_text_{item.id}")
                forms.slot(answer_slots, "answer")
                if st.form_submit_button(t("answer", L)):
                    forms.submit(L, answer_slots, lambda conn, i=item.id, a=answer: suggestions.answer_suggestion(
                        conn, user, suggestion_id=i, answer=a), t("answer", L))
st.subheader(t("outbox", L))
if outbox.empty:
    st.caption(t("no_items", L))
for item in outbox.itertuples():
    with st.container(border=True):
        st.text(f"{item.subject} → {item.to_name} · {item.created_at:%Y-%m-%d %H:%M}")
        st.text(item.body)
        st.text(f"{t('answer', L)}: {item.answer}" if item.answer else "…")
