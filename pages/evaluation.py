"""Evaluation (业绩考核): HR and managers run cycles and participants; who has rated; the published
results (public once a cycle closes, within each reader's departments); for HR, managers and heads
also scorecards, skill assessments and appeals. Everyone with a staff record reaches My reviews."""

import streamlit as st

from dashboard import exports
from dashboard.core import vocabulary as v
from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.i18n import t, value_label
from dashboard.metrics import evaluation, records, scorecard
from dashboard.ui import data, display, filters, forms, session
from dashboard.writes import evaluation as evaluation_writes

f = filters.page_filters()
L, scope, user = f.lang, f.scope, session.signed_in()
st.title(t("nav_evaluation", L))
st.caption(t("evaluation_intro", L))
runs_cycles = user.role in evaluation_writes.RUNS_CYCLES
if user.staff_no is not None:  # rating, one's own scorecard and an appeal
    st.page_link("pages/my_reviews.py", label=t("open_my_reviews", L), icon=":material/reviews:")

cycles = data.fetch(Call(evaluation.cycles, scope))
# agents read the cycles, who has rated and the published results; people's scorecards, assessments
# and appeals are for those who evaluate (HR, managers, heads over their departments)
evaluates = user.role in ("manager", "hr", "head")
tabs = st.tabs([t("tab_cycles", L), t("tab_rating_progress", L), t("tab_results", L)]
               + ([t("tab_scorecards", L), t("tab_assessments", L), t("tab_appeals", L)] if evaluates else []))

with tabs[0]:
    if cycles.empty:
        st.info(t("no_cycles", L))
    else:
        display.show_table(cycles.drop(columns=["version"]), L, key="evaluation_cycles")
    if runs_cycles:
        slots: dict = {}
        with st.form("cycle_open"):
            upcoming = Period.containing("quarter", session.today()).next()
            name = st.text_input(t("f_new_cycle", L), value=f"{upcoming.start.year}-Q{(upcoming.start.month - 1) // 3 + 1}",
                                 key="cycle_new")
            forms.slot(slots, "cycle")
            if st.form_submit_button(t("open_cycle", L), type="primary"):
                forms.submit(L, slots, lambda conn: evaluation_writes.open_cycle(conn, user, cycle=name.strip()), name)
        open_cycles = cycles[cycles["state"] == "open"]
        for row in open_cycles.itertuples():
            with st.expander(f"{row.cycle} · {value_label('open', L)}", expanded=True):
                staff = data.fetch(Call(records.staff_list, scope))
                chosen = data.fetch(Call(evaluation.participants, scope, row.cycle))["staff_no"].tolist()
                labels = dict(zip(staff["staff_no"], staff["staff_no"] + " " + staff["name"] + " · " + staff["department_code"]))
                slots = {}
                with st.form(f"participants_{row.cycle}"):
                    picked = st.multiselect(t("f_participants", L), list(labels), default=chosen,
                                            format_func=labels.get, key=f"participants_pick_{row.cycle}")
                    forms.slot(slots, "participants")
                    if st.form_submit_button(t("save_participants", L)):
                        forms.submit(L, slots, lambda conn, c=row.cycle, p=picked: evaluation_writes.set_participants(
                            conn, user, cycle=c, staff_nos=p), row.cycle)
                version_key = f"cycle_{row.cycle}"
                loaded = forms.loaded_version(version_key, int(row.version))
                if st.button(t("close_cycle", L), key=f"cycle_close_{row.cycle}"):
                    forms.submit(L, {}, lambda conn, c=row.cycle: evaluation_writes.close_cycle(
                        conn, user, cycle=c, version=loaded), row.cycle, version_key=version_key)

names = cycles["cycle"].tolist()
with tabs[1]:
    if not names:
        st.info(t("no_cycles", L))
    else:
        cycle = st.selectbox(t("f_cycle", L), names, key="progress_cycle")
        progress = data.fetch(Call(evaluation.cycle_progress, scope, cycle))
        display.show_table(progress, L, key=f"progress_{cycle}") if not progress.empty else st.caption(t("no_items", L))

with tabs[2]:
    if not names:
        st.info(t("no_cycles", L))
    else:
        cycle = st.selectbox(t("f_cycle", L), names, key="results_cycle")
        if cycles.loc[cycles["cycle"] == cycle, "state"].iloc[0] == "open":
            st.info(t("cycle_open_note", L, cycle=cycle))
        else:
            results = data.fetch(Call(evaluation.evaluation, scope, cycle))
            st.caption(t("raters_note", L))
            if results.empty:
                display.empty(L)
            else:
                display.show_table(results, L, key=f"results_{cycle}")
                display.downloads(exports.EVALUATION, scope, L, f"evaluation_dl_{cycle}", cycle=cycle)

if not evaluates:
    st.stop()

with tabs[3]:
    last_month = Period.containing("month", session.today()).previous()
    period = st.text_input(t("f_period", L), value=f"{last_month.start:%Y-%m}", key="scorecard_period").strip()
    try:
        book = data.fetch(Call(scorecard.scorecard_book, scope, period, session.today()))
        cards = scorecard.cards_of(book)
    except ValueError:  # a period written wrongly (PeriodError)
        st.error(t("err_cycle", L))
        cards = None
    if cards is not None:
        if cards.empty:
            display.empty(L)
        else:
            picked = display.show_table(cards.assign(grade=cards["grade"].map(lambda g: value_label(g, L))), L,
                                        key=f"scorecards_{period}", pick_row=True)
            person = cards.iloc[picked or 0]
            kpis = scorecard.kpis_of(book, person["staff_no"])
            st.subheader(t("scorecard_of", L, who=f"{person['staff_no']} {person['staff_name']}", period=period,
                           score=person["score"] if person["score"] is not None else "—",
                           grade=value_label(person["grade"], L)))
            display.show_table(kpis.drop(columns=["staff_no", "staff_name", "department_code"]).assign(
                kpi=kpis["kpi"].map(lambda k: value_label(k, L)),
                target=[scorecard.kpi_text(k, v) for k, v in zip(kpis["kpi"], kpis["target"])],
                actual=[scorecard.kpi_text(k, v) for k, v in zip(kpis["kpi"], kpis["actual"])],
                base=[scorecard.base_text(k, v, L) for k, v in zip(kpis["kpi"], kpis["base"])],
                band=kpis["band"].map(lambda b: value_label(b, L) if isinstance(b, str) else None)),
                L, key=f"scorecard_{period}_{person['staff_no']}", height=(len(kpis) + 1) * 35 + 3)  # every KPI in view

with tabs[4]:
    staff = data.fetch(Call(records.staff_list, scope))
    if not staff.empty:
        labels = dict(zip(staff["staff_no"], staff["staff_no"] + " " + staff["name"]))
        slots = {}
        with st.form("assessment_new"):
            left, right = st.columns(2)
            who = left.selectbox(t("f_staff", L), list(labels), format_func=labels.get, key="assessment_staff")
            forms.slot(slots, "staff_no")
            a_period = left.text_input(t("f_period", L), value=f"{Period.containing('month', session.today()).previous().start:%Y-%m}",
                                       key="assessment_period")
            forms.slot(slots, "cycle")
            kind = right.selectbox(t("f_assessment_kind", L), v.SKILL_ASSESSMENT.codes, key="assessment_kind",
                                   format_func=lambda k: value_label(k, L))
            score = right.number_input(t("f_score", L), 0.0, 100.0, 80.0, 0.5, key="assessment_score")
            forms.slot(slots, "score")
            day = right.date_input(t("f_assessed_on", L), value=session.today(), key="assessment_day")
            note = st.text_input(t("f_note", L), key="assessment_note")
            if st.form_submit_button(t("save", L), type="primary"):
                forms.submit(L, slots, lambda conn: evaluation_writes.record_assessment(
                    conn, user, staff_no=who, period=a_period.strip(), kind=kind, score=score, assessed_on=day,
                    note=note), f"{who} {a_period}")
        shown = data.fetch(Call(evaluation.assessments, scope, a_period.strip()))
        display.show_table(shown, L, key=f"assessments_{a_period}") if not shown.empty else st.caption(t("no_items", L))

with tabs[5]:
    appeals = data.fetch(Call(evaluation.appeals, scope))
    if appeals.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(appeals, L, key="appeals_list")
        for row in appeals[appeals["answer"].isna()].itertuples():
            slots = {}
            with st.form(f"appeal_answer_{row.staff_no}_{row.period}"):
                st.markdown(f"**{row.staff_no} {display.escape_markdown(row.staff_name)} · {row.period}**")
                st.text(row.reason)  # the person's words, as plain text
                answer = st.text_area(t("f_answer", L), key=f"appeal_answer_text_{row.staff_no}_{row.period}")
                forms.slot(slots, "answer")
                if st.form_submit_button(t("answer_appeal", L)):
                    forms.submit(L, slots, lambda conn, s=row.staff_no, p=row.period, a=answer: evaluation_writes.answer_appeal(
                        conn, user, staff_no=s, period=p, answer=a), f"{row.staff_no} {row.period}")
