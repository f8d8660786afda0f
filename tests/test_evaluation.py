"""Evaluation (metrics.md "Evaluation"): cycles and who rates whom, the weighted scores, the
anonymity of the subordinates' ratings (2 and 3 raters) on every path a rating could leave by,
open cycles hidden, hr writing the evaluation tables and nothing else, scope, appeals."""
import json
from decimal import Decimal

import pandas as pd
import re
import logging
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from dashboard import exports
from dashboard.core.scope import AccessDenied, Scope
from dashboard.core.user import User
from dashboard.imports import ImportFailed, import_directory
from dashboard.metrics import evaluation
from dashboard.writes import evaluation as writes
from dashboard.writes.retention import open_retention_case
from dashboard.writes.surveys import record_survey
from dashboard.writes.validation import Invalid
from tests.builders import base, exec_

HR = User("hr1", "hr", None, "人事", None)
MANAGER = User("boss", "manager", "M", "经理", "HQ")
CYCLE = "2026-Q2"
DIMENSIONS = ("service_skill", "communication", "business_knowledge", "professional_knowledge")
# distinctive scores, so that a leak of one can be searched for in any text
SECRET = {1: 61, 2: 73, 3: 47}


def person(no: str, department: str = "EAST") -> User:
    return User(no.lower(), "agent" if no.startswith("A") else "head", no, no, department)


def staff(conn, no, department, role):
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT :n, :n || '名', id, :r "
                "FROM departments WHERE code = :d", n=no, d=department, r=role)


@pytest.fixture
def org(conn):
    base(conn)
    staff(conn, "M", "HQ", "manager")
    staff(conn, "H", "EAST", "head")
    for no in ("A1", "A2", "A3"):
        staff(conn, no, "EAST", "agent")
    staff(conn, "SH", "SOUTH", "head")
    return conn


def rate(conn, evaluator, evaluatee, score, relation, cycle=CYCLE):
    exec_(conn, """INSERT INTO evaluations_360 (period, evaluator_staff_id, evaluatee_staff_id, relation, scores)
                   SELECT :c, (SELECT id FROM staff WHERE staff_no = :e), (SELECT id FROM staff WHERE staff_no = :x),
                          :r, CAST(:s AS jsonb)""",
          c=cycle, e=evaluator, x=evaluatee, r=relation, s=json.dumps(dict.fromkeys(DIMENSIONS, score)))


def of(table, staff_no):
    return table[table["staff_no"] == staff_no].iloc[0]


def test_scores_weight_dimensions_and_relations_and_spread_missing_weights(org):
    conn = org
    exec_(conn, """INSERT INTO evaluations_360 (period, evaluator_staff_id, evaluatee_staff_id, relation, scores)
                   SELECT :c, (SELECT id FROM staff WHERE staff_no = 'H'), (SELECT id FROM staff WHERE staff_no = 'A1'),
                          'superior', CAST(:s AS jsonb)""",
          c=CYCLE, s=json.dumps({"service_skill": 100, "communication": 80, "business_knowledge": 60,
                                 "professional_knowledge": 41}))
    rate(conn, "A1", "A1", 90, "self")
    rate(conn, "A2", "A1", 70, "peer")
    rate(conn, "A3", "A1", 80, "peer")
    a1 = of(evaluation.evaluation(conn, Scope.company(), CYCLE), "A1")
    assert float(a1["superior_mean"]) == 70.25 and float(a1["peer_mean"]) == 75.0 and float(a1["self_score"]) == 90.0
    assert a1["subordinate_mean"] is None and a1["raters"] == 4
    # superior 50, peer 20, self 10 (subordinate's 20 spread): (70.25*50 + 75*20 + 90*10) / 80 = 73.90625
    assert float(a1["score"]) == 73.91
    exec_(conn, "INSERT INTO settings (key, value) VALUES ('evaluation_weights', CAST(:v AS jsonb))",
          v=json.dumps({"service_skill": 1, "communication": 0, "business_knowledge": 0, "professional_knowledge": 0}))
    assert float(of(evaluation.evaluation(conn, Scope.company(), CYCLE), "A1")["superior_mean"]) == 100.0


@pytest.mark.parametrize("raters", [2, 3])
def test_the_subordinates_mean_needs_three_raters_and_no_single_rating_ever_shows(org, raters, tmp_path, caplog):
    conn = org
    caplog.set_level(logging.DEBUG)
    writes.open_cycle(conn, HR, cycle=CYCLE)
    writes.set_participants(conn, HR, cycle=CYCLE, staff_nos=["H", "A1", "A2", "A3"])
    for i in range(1, raters + 1):
        writes.submit_rating(conn, person(f"A{i}"), cycle=CYCLE, evaluatee_staff_no="H",
                             scores=dict.fromkeys(DIMENSIONS, SECRET[i]))
    writes.submit_rating(conn, person("H"), cycle=CYCLE, evaluatee_staff_no="H", scores=dict.fromkeys(DIMENSIONS, 88))
    # open: nobody sees a mean, only who has rated
    with pytest.raises(evaluation.CycleOpen):
        evaluation.evaluation(conn, Scope.company(), CYCLE)
    with pytest.raises(ValueError, match="still open"):
        exports.export_frame(conn, exports.EVALUATION, Scope.company(), cycle=CYCLE)
    assert evaluation.evaluation_360(conn, Scope.company(), "H", CYCLE)["mean_score"].isna().all()
    progress = evaluation.cycle_progress(conn, Scope.company(), CYCLE)
    assert int(of(progress, "A1")["given"]) == 1 and int(of(progress, "H")["given"]) == 1
    writes.close_cycle(conn, HR, cycle=CYCLE, version=1)

    h = of(evaluation.evaluation(conn, Scope.company(), CYCLE), "H")
    mean = sum(SECRET[i] for i in range(1, raters + 1)) / raters
    if raters == 2:
        assert h["subordinate_mean"] is None and float(h["score"]) == 88.0  # self alone
    else:
        assert float(h["subordinate_mean"]) == round(mean, 2)
        assert float(h["score"]) == round((mean * 20 + 88 * 10) / 30, 2)
    assert h["raters"] == raters + 1
    shown = evaluation.evaluation_360(conn, Scope.company(), "H", CYCLE)
    sub = shown[shown["relation"] == "subordinate"].iloc[0]
    assert sub["raters"] == raters and (sub["mean_score"] is None) == (raters == 2)

    # every path a rating could leave by: the export (CSV and JSON), the weekly report, the audit
    # trail and histories, the import's messages and the logs hold no single subordinate rating
    texts = [exports.render(exports.export_frame(conn, exports.EVALUATION, Scope.company(), cycle=CYCLE), fmt)
             for fmt in ("csv", "json")]
    texts += [json.dumps([dict(r) for r in conn.execute(sa.text(
        "SELECT actor, action, table_name, record_key, before, after FROM audit_log")).mappings()], default=str)]
    from dashboard.writes.audit import history
    from dashboard import report
    from dashboard.core.periods import Period

    week = Period.parse("2026-W20")
    texts += [report.report_html(report.weekly_review(conn, Scope.company(), week, date(2026, 6, 1)), week,
                                 Scope.company(), lang) for lang in ("zh", "en")]
    entries = history(conn, MANAGER, "evaluations_360", f"{CYCLE}/A1/H")
    assert len(entries) == 1  # the rating is in the history, without its scores
    texts += [json.dumps([dict(entry) for entry in entries], default=str)]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "evaluations.csv").write_text(
        "cycle,evaluator_staff_no,evaluatee_staff_no,relation," + ",".join(DIMENSIONS) + "\n"
        f"{CYCLE},A1,H,subordinate,{SECRET[1]},{SECRET[1]},{SECRET[1]},1{SECRET[1]}\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as e:
        import_directory(conn.engine, bad)
    texts += e.value.problems + [caplog.text]
    assert "professional_knowledge" in e.value.problems[0]
    for text in texts:
        text = re.sub(r"\d{4}-\d{2}-\d{2}[T ][\d:.+]+", "", text)  # timestamps are no ratings
        for i in range(1, raters + 1):
            assert str(SECRET[i]) not in text, text
    if raters == 2:
        assert str(round(mean, 2)).rstrip("0").rstrip(".") not in "".join(texts[:2])


def test_who_rates_whom_follows_the_organisation(org):
    conn = org
    writes.open_cycle(conn, MANAGER, cycle=CYCLE)
    writes.set_participants(conn, MANAGER, cycle=CYCLE, staff_nos=["M", "H", "A1", "A2", "SH"])
    relations = dict(zip(*[evaluation.to_rate(conn, CYCLE, "A1")[c] for c in ("evaluatee_staff_no", "relation")]))
    assert relations == {"A1": "self", "H": "subordinate", "M": "subordinate", "A2": "peer"}
    relations = dict(zip(*[evaluation.to_rate(conn, CYCLE, "H")[c] for c in ("evaluatee_staff_no", "relation")]))
    assert relations == {"H": "self", "A1": "superior", "A2": "superior", "M": "subordinate", "SH": "peer"}
    with pytest.raises(Invalid) as e:  # SH is no one A1 rates
        writes.submit_rating(conn, person("A1"), cycle=CYCLE, evaluatee_staff_no="SH", scores=dict.fromkeys(DIMENSIONS, 50))
    assert "evaluatee_staff_no" in e.value.errors
    with pytest.raises(Invalid) as e:
        writes.submit_rating(conn, person("A1"), cycle=CYCLE, evaluatee_staff_no="H",
                             scores={"service_skill": 101, "communication": "x", "business_knowledge": 50})
    assert set(e.value.errors) == {"service_skill", "communication", "professional_knowledge"}
    assert conn.execute(sa.text("SELECT count(*) FROM evaluations_360")).scalar() == 0
    # a second rating replaces the first
    for score in (40, 60):
        writes.submit_rating(conn, person("A1"), cycle=CYCLE, evaluatee_staff_no="A2", scores=dict.fromkeys(DIMENSIONS, score))
    assert conn.execute(sa.text("SELECT count(*), max((scores->>'communication')::int) FROM evaluations_360")).one() == (1, 60)
    writes.close_cycle(conn, MANAGER, cycle=CYCLE, version=1)
    with pytest.raises(Invalid):  # closed: no more ratings
        writes.submit_rating(conn, person("A1"), cycle=CYCLE, evaluatee_staff_no="A2", scores=dict.fromkeys(DIMENSIONS, 1))
    with pytest.raises(Invalid):  # a cycle once opened is not opened again
        writes.open_cycle(conn, MANAGER, cycle=CYCLE)


def test_hr_writes_the_evaluation_tables_and_no_operational_data(org):
    conn = org
    writes.open_cycle(conn, HR, cycle=CYCLE)
    writes.set_participants(conn, HR, cycle=CYCLE, staff_nos=["H", "A1"])
    writes.record_assessment(conn, HR, staff_no="A1", period="2026-05", kind="written", score="85.5",
                             assessed_on=date(2026, 5, 20))
    writes.close_cycle(conn, HR, cycle=CYCLE, version=1)
    assert conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE actor = 'hr1'")).scalar() == 4
    # refused at the audit, which every write passes: the form's transaction rolls back
    with pytest.raises(AccessDenied), conn.begin_nested():
        record_survey(conn, HR, customer_code="C1", surveyed_on=date(2026, 5, 3), csat=4)
    with pytest.raises(AccessDenied), conn.begin_nested():
        open_retention_case(conn, HR, customer_code="C1", reason="price", intent="at_risk", method="visit",
                            started_on=date(2026, 5, 3))
    assert conn.execute(sa.text("SELECT count(*) FROM satisfaction_surveys")).scalar() == 0
    # an agent does not run cycles
    with pytest.raises(AccessDenied):
        writes.open_cycle(conn, person("A1"), cycle="2026-Q3")


def test_a_cycle_known_only_from_imported_ratings_is_closed_and_imports_check_their_rows(org, tmp_path):
    conn = org
    conn.commit()
    good = tmp_path / "good"
    good.mkdir()
    header = "cycle,evaluator_staff_no,evaluatee_staff_no,relation," + ",".join(DIMENSIONS) + "\n"
    (good / "evaluations.csv").write_text(header + "2026-H1,H,A1,上级评价,80,80,80,80\n2026-H1,A1,A1,自评,70,70,70,70\n",
                                          encoding="utf-8")
    assert import_directory(conn.engine, good)["evaluations.csv"] == 2  # the Chinese names of the relations
    assert import_directory(conn.engine, good)["evaluations.csv"] == 0  # again: nothing changes
    with conn.engine.connect() as other:
        assert evaluation.cycle_state(other, "2026-H1") == "closed"
        a1 = of(evaluation.evaluation(other, Scope.company(), "2026-H1"), "A1")
        assert float(a1["score"]) == round((80 * 50 + 70 * 10) / 60, 2)
        # scope: SOUTH reads nothing of EAST's people
        assert evaluation.evaluation(other, Scope("SOUTH"), "2026-H1").empty
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "evaluations.csv").write_text(header + "2026-Q5,H,A1,superior,80,80,80,80\n2026-H1,H,H,peer,1,2,3,4\n"
                                         "2026-H1,A1,H,subordinate,80,80,80,80\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as e:
        import_directory(conn.engine, bad)
    assert e.value.problems == [
        "evaluations.csv:2: cycle: '2026-Q5' is not a cycle like 2026-Q2, 2026-H1 or 2026",
        "evaluations.csv:3: relation: 'self' is for a staff member rating themselves, and only then"]


def test_a_scorecard_appeal_within_a_week_and_its_answer_are_kept(org):
    conn = org
    a1 = person("A1")
    with pytest.raises(Invalid) as e:
        writes.appeal_scorecard(conn, a1, period="2026-05", reason="我不同意", today=date(2026, 6, 8))
    assert e.value.errors["period"][0] == "err_appeal_too_late"
    with pytest.raises(Invalid) as e:
        writes.appeal_scorecard(conn, a1, period="2026-05", reason="我不同意", today=date(2026, 5, 31))
    assert e.value.errors["period"][0] == "err_appeal_too_early"
    writes.appeal_scorecard(conn, a1, period="2026-05", reason="回访数据有误", today=date(2026, 6, 7))
    with pytest.raises(Invalid):
        writes.appeal_scorecard(conn, a1, period="2026-05", reason="再次", today=date(2026, 6, 7))
    with pytest.raises(Invalid):  # SOUTH's head answers no EAST appeal
        writes.answer_appeal(conn, User("sh", "head", "SH", "SH", "SOUTH"), staff_no="A1", period="2026-05", answer="x")
    writes.answer_appeal(conn, HR, staff_no="A1", period="2026-05", answer="已核实，维持原结果")
    assert conn.execute(sa.text("SELECT reason, answer, answered_by FROM scorecard_appeals")).one() == (
        "回访数据有误", "已核实，维持原结果", "hr1")


def test_the_demo_rates_as_the_organisation_says_with_this_quarter_open(demo_url):
    from db.engine import make_engine

    engine = make_engine(demo_url)
    with engine.connect() as conn:
        table = evaluation.cycles(conn, Scope.company())
        assert table["state"].tolist() == ["open", "closed"]
        open_cycle, closed_cycle = table["cycle"].tolist()
        results = evaluation.evaluation(conn, Scope.company(), closed_cycle)
        # a score is empty only where nothing but fewer than three subordinates rated
        assert len(results) > 5
        assert (results["score"].notna() | (results["raters"] == results["subordinate_raters"])).all()
        assert results["subordinate_mean"].notna().any()
        # every demo rating of the open cycle is one the form would have allowed
        given = conn.execute(sa.text("""SELECT ev.staff_no, ee.staff_no, e.relation FROM evaluations_360 e
            JOIN staff ev ON ev.id = e.evaluator_staff_id JOIN staff ee ON ee.id = e.evaluatee_staff_id
            WHERE e.period = :c LIMIT 40"""), {"c": open_cycle}).all()
        assert given
        for evaluator, evaluatee, relation in given:
            assert evaluation.relation_between(conn, open_cycle, evaluator, evaluatee) == relation
        assert conn.execute(sa.text("SELECT count(*) FROM satisfaction_surveys WHERE survey_no LIKE 'S%'")).scalar() > 100
    engine.dispose()


def test_a_scorecard_bands_each_kpi_against_its_target_and_grades_the_total(org):
    from dashboard.metrics import scorecard
    from tests.builders import add_complaint, local

    conn = org
    assert [scorecard.band(a, t) for a, t in ((1.09, 0.9), (1.08, 0.9), (0.91, 0.9), (0.9, 0.9), (0.89, 0.9))] == \
        ["far_above", "above", "above", "at", "below"]  # 0.9 × 1.2 = 1.08 exactly is not more than 20 % above
    floors = {"excellent": 90, "good": 80, "fair": 60}
    assert [scorecard.grade(s, floors) for s in (90, 89.99, 80, 60, 59.99, None)] == \
        ["excellent", "good", "good", "fair", "poor", None]
    # A1 handles two complaints in May, both on time; written test 80 (at target)
    for no in ("T1", "T2"):
        add_complaint(conn, no, "C3", local(2026, 5, 3, 9), "urgent", resolved=local(2026, 5, 3, 10))
    exec_(conn, "UPDATE complaints SET handler_staff_id = (SELECT id FROM staff WHERE staff_no = 'A1')")
    writes.record_assessment(conn, HR, staff_no="A1", period="2026-05", kind="written", score=80,
                             assessed_on=date(2026, 5, 20))
    kpis = scorecard.scorecard(conn, Scope.company(), "A1", "2026-05", date(2026, 6, 30)).set_index("kpi")
    # 100 % against 90 %: above, but not more than 20 % above (108 %)
    assert kpis.loc["achievement_rate", "band"] == "above" and kpis.loc["achievement_rate", "points"] == 90
    assert kpis.loc["skills", "band"] == "at" and kpis.loc["skills", "points"] == 80
    assert kpis.loc["workload", "band"] == "below" and kpis.loc["workload", "target"] == 40
    assert kpis.loc["csat", "points"] is None or pd.isna(kpis.loc["csat", "points"])  # no survey: left out
    # achievement 90 × 20, callbacks (0 of 2) 50 × 10, workload 50 × 5, skills 80 × 10, the rest left out:
    # 3350 / 45 = 74.444 → 74.44, 中
    score, grade = scorecard.total_of(kpis.reset_index(), conn)
    assert score == Decimal("74.44") and grade == "fair"
    assert scorecard.scorecard(conn, Scope("SOUTH"), "A1", "2026-05", date(2026, 6, 30)).empty


def test_the_evaluation_export_of_an_open_cycle_fails_naming_it(database_url, tmp_path):
    from tests.test_cli import run
    from db.engine import make_engine

    engine = make_engine(database_url)
    with engine.begin() as conn:
        base(conn)
        writes.open_cycle(conn, HR, cycle=CYCLE)
    engine.dispose()
    result = run(database_url, "export", "evaluation", "--cycle", CYCLE)
    assert result.returncode == 1 and "still open" in result.stderr and result.stdout == ""
    assert run(database_url, "export", "evaluation").returncode == 1  # --cycle is required
