"""The weekly review: figures equal the metric functions; HTML and Excel files; the report command."""
import io
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

import dashboard.metrics.complaints  # noqa: F401 (metrics.complaints)
import dashboard.metrics.fluctuation  # noqa: F401 (metrics.fluctuation)
import dashboard.metrics.grading  # noqa: F401 (metrics.grading)
import dashboard.metrics.plans  # noqa: F401 (metrics.plans)
import dashboard.metrics.retention  # noqa: F401 (metrics.retention)
import dashboard.metrics.tiers  # noqa: F401 (metrics.tiers)
from dashboard import metrics, report
from dashboard.core.periods import Period, range_label
from dashboard.core.scope import Scope
from db.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(demo_url):
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def figure(sections, section_key, label):
    section = next(s for s in sections if s.key == section_key)
    return next(f for f in section.figures if f.label == label)


def test_figures_equal_the_metric_functions(demo):
    today = date.today()
    week = Period.containing("week", today - timedelta(days=7))  # a finished week
    prev = week.previous()
    sections = report.weekly_review(demo, Scope.company(), week, today=today)
    kpis = metrics.complaints.complaint_kpis(demo, Scope.company(), week.start, week.end, week.end).iloc[0]
    before = metrics.complaints.complaint_kpis(demo, Scope.company(), prev.start, prev.end, prev.end).iloc[0]
    assert figure(sections, "complaints", "kpi_received").now == kpis["received"]
    assert figure(sections, "complaints", "kpi_received").before == before["received"]
    assert figure(sections, "overview", "kpi_achievement_rate").now == kpis["achievement_rate"]
    assert figure(sections, "complaints", "kpi_median_duration").now == kpis["median_resolution_hours"]
    assert figure(sections, "overview", "kpi_overdue_open").now == len(metrics.complaints.overdue_open(demo, Scope.company(), week.end))
    statuses = metrics.plans.plan_status_counts(demo, Scope.company(), week.end, None, week.start, week.end)
    assert figure(sections, "plans", "kpi_plans_behind").now == dict(zip(statuses["status"], statuses["plans"])).get("behind", 0)
    changes = metrics.tiers.tier_change_counts(demo, Scope.company(), week)
    assert figure(sections, "tiers", "kpi_upgraded").now == dict(zip(changes["change"], changes["customers"])).get("upgrade", 0)
    retention = metrics.retention.retention(demo, Scope.company(), week.start, week.end).set_index("reason").loc["ALL"]
    assert figure(sections, "retention", "kpi_cases").now == retention["cases"]
    abc = metrics.grading.grading_abc(demo, Scope.company(), week.end).set_index("abc_class")
    assert figure(sections, "grading", "kpi_a_share").now == abc.loc["A", "revenue_share"]
    flags = metrics.fluctuation.fluctuation(demo, Scope.company(), week)["flag"].value_counts()
    assert figure(sections, "drops", "kpi_drops").now == flags.get("drop", 0)


def test_html_report_is_self_contained_and_shows_the_figures(demo):
    week = Period.containing("week", date.today() - timedelta(days=7))
    sections = report.weekly_review(demo, Scope("CS-EAST"), week)
    page = report.report_html(sections, week, Scope("CS-EAST"), "en")
    assert page.startswith("<!DOCTYPE html>") and "@page { size: A4" in page
    assert "<svg" in page and "<script" not in page and "http" not in page.split("<svg", 1)[0].lower().replace("https", "")
    rate = figure(sections, "overview", "kpi_achievement_rate")
    assert report.fmt(rate.now, "rate") in page and report.fmt_delta(rate) in page
    assert f"Customer service weekly report {week.label}" in page and "CS-EAST" in page


def test_excel_report_has_one_sheet_per_table(demo):
    week = Period.containing("week", date.today() - timedelta(days=7))
    sections = report.weekly_review(demo, Scope.company(), week)
    book = openpyxl.load_workbook(io.BytesIO(report.report_excel(sections, week, "zh")))
    assert book.sheetnames == ["figures"] + [s.key for s in sections if s.table is not None]
    rows = list(book["figures"].values)
    # the figure columns are named by the ranges compared, as ISO dates
    assert rows[0] == ("section", "figure", range_label(week), range_label(week.previous()))
    received = next(r for r in rows if r[1] == "受理投诉")
    assert received[2] == figure(sections, "complaints", "kpi_received").now


def test_report_command(demo_url, tmp_path):
    env = dict(os.environ, DATABASE_URL=demo_url, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "dashboard", "report", *args], capture_output=True, text=True,
                              env=env, cwd=ROOT)

    week = Period.containing("week", date.today()).label
    assert run("--week", week, "--out", str(tmp_path / "r.html")).returncode == 0
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert run("--week", week, "--department", "CS-EAST", "--out", str(tmp_path / "r.xlsx")).returncode == 0
    assert openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames[0] == "figures"
    bad = run("--week", "2026-05", "--out", str(tmp_path / "x.html"))
    assert bad.returncode == 1 and "not an ISO week" in bad.stderr
    assert run("--week", week, "--out", str(tmp_path / "x.pdf")).returncode == 1
    assert run("--week", week, "--department", "NOPE", "--out", str(tmp_path / "x.html")).returncode == 1
