"""`python -m dashboard`: documented columns for every view, formats, exit codes, import messages."""
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.exports import VIEWS
from tests.conftest import _throwaway
from tests.test_import import GOOD, write

ROOT = Path(__file__).resolve().parent.parent

DOCUMENTED = {
    "complaints": "complaint_no, customer_code, department_code, priority, received_at, deadline, resolved_at, state, resolution_hours",
    "complaint_summary": "department_code, received, met, breached, pending, achievement_rate, overdue_open, median_resolution_hours",
    "plans": "plan_no, kind, type, department_code, staff_no, start_date, end_date, planned_count, minimum_count, actual_count, expected_count, completion_rate, status, planned_cost, actual_cost, cost_variance",
    "fluctuation": "customer_code, volume, previous_volume, change, change_pct, yoy_volume, yoy_pct, flag",
    "tiers": "customer_code, tier_previous, tier_current, change",
    "retention": "reason, cases, retained, lost, pending, success_rate, total_cost, cost_per_retained",
    "grading": "customer_code, recency_days, frequency, monetary, r_score, f_score, m_score, rfm_segment, value_class, abc_class",
    "callbacks_due": "reason, customer_code, department_code, owner_staff_no, abc_class, last_callback_on, surveyed_on, due_on, days_overdue",
    "callback_rates": "department_code, staff_no, customers, on_schedule, overdue, on_schedule_rate",
    "service_cost": "department_code, category, budget, actual, variance, budget_usage",
    "quality": "department_code, staff_no, complaints, achievement_rate, callback_on_time_rate, mean_satisfaction, plan_completion, service_success_rate, retention_success_rate, surveys, csat, nps",
    "evaluation": "staff_no, department_code, score, superior_mean, peer_mean, subordinate_mean, self_score, raters",
    "customer_log": "log_no, logged_at, customer_code, staff_no, source, service_type, category, content, handling, summary, satisfaction",
    "call_summary": "queue, offered, answered, abandoned, short_abandoned, service_level, asa_seconds, aht_seconds, acw_seconds, abandon_rate, fcr_rate",
}
ARGS = {"complaints": ["--start", "2026-05-01", "--end", "2026-05-31"],
        "complaint_summary": ["--start", "2026-05-01", "--end", "2026-05-31"],
        "plans": ["--as-of", "2026-05-20"], "fluctuation": ["--period", "2026-05"], "tiers": ["--period", "2026-05"],
        "retention": ["--start", "2026-05-01", "--end", "2026-05-31"], "grading": ["--as-of", "2026-05-31"],
        "callbacks_due": ["--as-of", "2026-05-31"], "callback_rates": ["--as-of", "2026-05-31"],
        "service_cost": ["--period", "2026-05"],
        "quality": ["--start", "2026-05-01", "--end", "2026-05-31"], "evaluation": ["--cycle", "2026-Q2"],
        "customer_log": ["--start", "2026-05-01", "--end", "2026-05-31", "--customer", "C1"],
        "call_summary": ["--period", "2026-05"]}
# the customer log's file, beside the round-1 files
WORK_LOGS = {"work_logs.csv": "log_no,logged_at,staff_no,customer_code,source,service_type,content\n"
                              "L-1,2026-05-03 09:00:00,S1,C1,phone,consultation,询价\n",
             # a call answered in 20 s (within the service level) and one abandoned after 30 s
             "calls.csv": "call_id,direction,started_at,answered_at,ended_at,queue,customer_code\n"
                          "K1,inbound,2026-05-03 09:00:00,2026-05-03 09:00:20,2026-05-03 09:04:00,hotline,C1\n"
                          "K2,inbound,2026-05-03 09:10:00,,2026-05-03 09:10:30,hotline,\n"}


def run(database_url, *args):
    env = dict(os.environ, DATABASE_URL=database_url, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "dashboard", *args], capture_output=True, text=True, env=env, cwd=ROOT)


@pytest.fixture(scope="module")
def loaded(admin, template_db, tmp_path_factory):
    # one imported database for the module's tests, which only read it (exports, bad arguments):
    # importing through the command line for each of them took 3 s apiece
    for database_url in _throwaway(admin, template_db, "dashboard_cli"):
        result = run(database_url, "import", str(write(tmp_path_factory.mktemp("cli") / "in", GOOD | WORK_LOGS)))
        assert result.returncode == 0, result.stderr
        yield database_url


def test_views_cover_the_interface():
    assert set(VIEWS) == set(DOCUMENTED)
    for name, columns in DOCUMENTED.items():
        assert ", ".join(VIEWS[name].columns) == columns


@pytest.mark.parametrize("view", sorted(DOCUMENTED))
def test_export_prints_exactly_the_documented_columns(loaded, view):
    result = run(loaded, "export", view, *ARGS[view])
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert ", ".join(rows[0]) == DOCUMENTED[view]
    assert len(rows) >= 2


def test_export_figures_and_formats(loaded, tmp_path):
    out = run(loaded, "export", "complaints", "--start", "2026-05-01", "--end", "2026-05-31")
    row = next(csv.DictReader(io.StringIO(out.stdout)))
    assert row["received_at"] == "2026-05-01T09:00:00+08:00" and row["deadline"] == "2026-05-01T11:00:00+08:00"
    assert row["state"] == "met" and row["resolution_hours"] == "2.00"
    plans = json.loads(run(loaded, "export", "plans", "--as-of", "2026-05-20", "--format", "json").stdout)
    assert plans == [{"plan_no": "P1", "kind": "task", "type": "visit", "department_code": "EAST", "staff_no": "S1",
                      "start_date": "2026-05-01", "end_date": "2026-05-31", "planned_count": 10, "minimum_count": 8,
                      "actual_count": 4, "expected_count": 6.45, "completion_rate": 0.4, "status": "behind",
                      "planned_cost": 500.0, "actual_cost": 100.0, "cost_variance": -400.0}]
    summary = json.loads(run(loaded, "export", "complaint_summary", "--start", "2026-06-01", "--end", "2026-06-30",
                             "--format", "json").stdout)
    assert summary[0]["achievement_rate"] is None and summary[0]["department_code"] == "ALL"
    calls = run(loaded, "export", "call_summary", "--period", "2026-05", "--format", "json")
    assert calls.returncode == 0, calls.stderr
    assert [(r["queue"], r["offered"], r["answered"], r["service_level"], r["asa_seconds"], r["aht_seconds"])
            for r in json.loads(calls.stdout)] == [("hotline", 2, 1, 0.5, 20.0, 220.0), ("ALL", 2, 1, 0.5, 20.0, 220.0)]
    target = tmp_path / "tiers.csv"
    assert run(loaded, "export", "tiers", "--period", "2026-05", "--out", str(target)).returncode == 0
    assert target.read_text(encoding="utf-8").splitlines() == ["customer_code,tier_previous,tier_current,change",
                                                               "C1,none,Gold,new"]  # 1000.00 is exactly Gold's minimum


@pytest.mark.parametrize("args,code,message", [
    (["export", "plans", "--as-of", "2026-02-30"], 1, "--as-of: '2026-02-30' is not a date"),
    (["export", "fluctuation", "--period", "2026-13"], 1, "month 13"),
    (["export", "fluctuation"], 1, "fluctuation needs --period"),
    (["export", "complaints", "--start", "2026-05-01", "--end", "2026-05-31", "--department", "NOPE"], 1,
     "department: 'NOPE' does not exist"),
    (["export", "nonsense"], 2, "invalid choice"),
    (["export", "plans", "--format", "xml"], 2, "invalid choice"),
    (["frobnicate"], 2, "invalid choice"),
])
def test_exit_codes_and_messages(loaded, args, code, message):
    result = run(loaded, *args)
    assert result.returncode == code
    assert message in result.stderr


def test_import_failure_lists_problems_and_exits_1(database_url, tmp_path):
    result = run(database_url, "import", str(write(tmp_path / "bad", {"departments.csv": "code,name,x\nHQ,总部,1\n"})))
    assert result.returncode == 1
    assert "departments.csv:1: x: unknown column" in result.stderr and "nothing was written" in result.stderr


def test_migrate_is_idempotent_and_help_works(database_url):
    assert run(database_url, "migrate").returncode == 0
    assert run(database_url, "migrate").returncode == 0
    for command in ("migrate", "demo", "import", "export"):
        assert run(database_url, command, "--help").returncode == 0


def test_csv_written_in_chunks_is_the_same_file():
    """The command line writes CSV chunk by chunk (no whole view's text in memory); the pieces
    join to exactly the text a page's download gets, quotes, empty cells and dates included."""
    from datetime import date
    from decimal import Decimal

    import pandas as pd

    from dashboard import exports

    frame = pd.DataFrame({"code": ["C1", 'a,"b"', "多行\ntext", None, "C5"],
                          "amount": [Decimal("1.50"), None, Decimal("0"), Decimal("-2.25"), Decimal("3")],
                          "on": [date(2026, 5, 1), None, date(2026, 5, 3), date(2026, 5, 4), date(2026, 5, 5)]})
    pieces = list(exports.csv_chunks(frame, chunk_rows=2))
    assert len(pieces) == 4  # the header, then rows 1-2, 3-4 and 5
    assert "".join(pieces) == exports.render(frame, "csv")
    handle = io.StringIO()
    exports.write(frame, "csv", handle)
    assert handle.getvalue() == exports.render(frame, "csv")
    assert handle.getvalue().splitlines()[0] == "code,amount,on"
    assert list(csv.reader(io.StringIO(handle.getvalue())))[2] == ['a,"b"', "", ""]
