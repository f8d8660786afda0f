"""My reviews (我的考评): rate whom the open cycles say you rate; your scorecard, and an appeal of it."""
import streamlit as st

from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.core.settings import EVALUATION_DIMENSIONS
from dashboard.i18n import t, value_label
from dashboard.metrics import evaluation, scorecard
from dashboard.ui import data, display, filters, forms, session
from dashboard.writes import evaluation as evaluation_writes

DIMENSION_LABELS = {"service_skill": ("服务技巧", "Service skill"), "communication": ("沟通技巧", "Communication"),
                    "business_knowledge": ("业务知识", "Business knowledge"),
                    "professional_knowledge": ("专业知识", "Professional knowledge")}

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_my_reviews", L))
if user.staff_no is None:
    st.info(t("no_open_cycle", L))
    st.stop()

cycles = data.fetch(Call(evaluation.cycles, Scope.company()))
mine = {c: data.fetch(Call(evaluation.to_rate, c, user.staff_no)) for c in cycles.loc[cycles["state"] == "open", "cycle"]}
mine = {c: table for c, table in mine.items() if not table.empty}
if not mine:
    st.info(t("no_open_cycle", L))
for cycle, people in mine.items():
    st.subheader(f"{t('rate_whom', L)} · {cycle}")
    st.caption(t("rating_confidential", L))
    for person in people.itertuples():
        mark = t("rated_mark", L) if person.rated else t("not_rated_mark", L)
        title = f"{person.evaluatee_staff_no} {person.evaluatee_name} · {t('rating_as', L, relation=value_label(person.relation, L))} · {mark}"
        with st.expander(title, expanded=not person.rated):
            given = person.scores or {}
            slots: dict = {}
            key = f"rate_{cycle}_{person.evaluatee_staff_no}"  # the widgets name the person rated
            with st.form(key):
                columns = st.columns(len(EVALUATION_DIMENSIONS))
                scores = {}
                for column, dimension in zip(columns, EVALUATION_DIMENSIONS):
                    zh, en = DIMENSION_LABELS[dimension]
                    scores[dimension] = column.number_input(zh if L == "zh" else en, 0, 100, int(given.get(dimension, 80)),
                                                            1, key=f"{key}_{dimension}")
                    with column:
                        forms.slot(slots, dimension)
                if st.form_submit_button(t("save", L), type="primary"):
                    forms.submit(L, slots, lambda conn, x=person.evaluatee_staff_no, s=scores: evaluation_writes.submit_rating(
                        conn, user, cycle=cycle, evaluatee_staff_no=x, scores=s), person.evaluatee_staff_no)

st.subheader(t("my_scorecard", L))
last_month = Period.containing("month", session.today()).previous()
period = f"{last_month.start:%Y-%m}"
own = Scope(user.department_code)
book = data.fetch(Call(scorecard.scorecard_book, own, period, session.today()))
kpis = scorecard.kpis_of(book, user.staff_no)
if kpis.empty:
    st.caption(t("no_items", L))
else:
    me = book[book["staff_no"] == user.staff_no].iloc[0]
    st.caption(t("scorecard_of", L, who=user.name, period=period, score=me["score"] if me["score"] is not None else "—",
                 grade=value_label(me["grade"], L)))
    display.show_table(kpis.drop(columns=["staff_no", "staff_name", "department_code"]).assign(
        kpi=kpis["kpi"].map(lambda k: value_label(k, L)), band=kpis["band"].map(lambda b: value_label(b, L))),
        L, key=f"my_scorecard_{period}")
appeals = data.fetch(Call(evaluation.appeals, Scope(user.department_code), user.staff_no))
if not appeals.empty:
    display.show_table(appeals[["period", "reason", "created_at", "answer", "answered_by", "answered_at"]], L,
                       key="my_appeals")
st.caption(t("appeal_window", L))
slots = {}
with st.form(f"appeal_{period}"):
    reason = st.text_area(f"{t('f_reason_appeal', L)} · {period}", key=f"appeal_reason_{period}")
    forms.slot(slots, "reason")
    forms.slot(slots, "period")
    if st.form_submit_button(t("appeal", L)):
        forms.submit(L, slots, lambda conn: evaluation_writes.appeal_scorecard(
            conn, user, period=period, reason=reason, today=session.today()), period)
