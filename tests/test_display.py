"""Figures a manager can trust at a glance (issue 20): words in the user's language, the ranges
compared stated, names instead of codes, one number format, charts in their natural order."""
from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from tests.test_app import assert_clean, open_page, use_database  # noqa: F401 (fixture)

ALL_PAGES = ["overview", "plans", "complaints", "fluctuation", "retention", "grading", "present", "my_work",
             "tasks", "complaint_entry", "retention_entry", "work_log", "suggestions", "settings", "users",
             "customer_file", "customer_log", "staff", "departments"]
CARD_PAGES = ["overview", "plans", "complaints", "fluctuation", "retention", "grading"]
# words that showed on Chinese pages untranslated (issue 20), and Streamlit's own English defaults
UNTRANSLATED = ["Due at", "Choose options", "Choose an option", "group", "label", "Customers", "Customer share",
                "Revenue share", "Department name", "drop", "stopped", "important develop", "plans", "complaints",
                "complaint_summary", "fluctuation", "tiers", "retention", "grading", "None", "nan", "NaN"]


def visible_texts(at) -> list[str]:
    """Every string a user reads on the page AppTest ran: text, labels, options, table headers and cells."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "success", "warning", "error", "text"):
        texts += [str(e.value) for e in getattr(at, kind)]
    for m in at.metric:
        texts += [str(m.label), str(m.value)]
    for kind in ("button", "toggle", "checkbox", "radio", "selectbox", "multiselect", "text_input", "number_input",
                 "date_input", "text_area", "select_slider"):
        for widget in getattr(at, kind):
            texts.append(str(widget.label))
            for attribute in ("options", "placeholder"):
                value = getattr(widget, attribute, None) if attribute != "options" else \
                    getattr(widget, "proto", None) and list(getattr(widget.proto, "options", []))
                if value:
                    texts += [str(v) for v in (value if isinstance(value, list) else [value])]
    for frame in at.dataframe:
        value = frame.value
        if isinstance(value, pd.DataFrame):
            texts += [str(c) for c in value.columns]
            for column in value.columns:
                if value[column].dtype == object:
                    texts += [str(v) for v in value[column].dropna().unique()[:200]]
    texts += [str(d.proto.label) for d in at.get("download_button")]
    for element in at.get("html"):  # the slides: their text without the markup
        body = getattr(element.proto, "body", "")
        body = re.sub(r"<style.*?</style>|<img[^>]*>", " ", body, flags=re.S)
        texts += [part.strip() for part in re.split(r"<[^>]+>", body) if part.strip()]
    return texts


def table_headers(at) -> list[str]:
    """Each table's headers as shown: a column's configured label, else its name."""
    headers = []
    for frame in at.dataframe:
        if not isinstance(frame.value, pd.DataFrame):
            continue
        config = json.loads(frame.proto.columns or "{}")
        headers += [str(config.get(str(c), {}).get("label") or c) for c in frame.value.columns]
    return headers


CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_HEADERS = {"ABC", "R", "F", "M", "CSAT", "NPS"}  # the names a Chinese office uses too


def untranslated(texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        for word in UNTRANSLATED:
            if re.search(rf"(?<![A-Za-z_]){re.escape(word)}(?![A-Za-z_])", text):
                found.add(f"{word!r} in {text[:80]!r}")
    return found


@pytest.mark.parametrize("page", ALL_PAGES)
def test_chinese_pages_show_no_known_untranslated_word(demo_url, use_database, page):
    use_database(demo_url)
    at = open_page(page, "zh")
    assert_clean(at)
    assert not untranslated(visible_texts(at))
    # every table header in Chinese (a few letters are the terms themselves: ABC, R, F, M)
    assert [h for h in table_headers(at) if not CJK.search(h) and h not in LATIN_HEADERS] == []
    # Streamlit's own English placeholder of a multiselect ("Choose options") never shows
    assert all(m.proto.placeholder for m in at.multiselect)


def test_the_weekly_report_for_the_running_week_names_both_ranges_compared(demo_url, tmp_path):
    import os
    import subprocess
    import sys
    from datetime import date, timedelta
    from pathlib import Path

    import openpyxl

    from dashboard.core.periods import Period, compare, range_label
    from db.engine import app_timezone
    from datetime import datetime

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, DATABASE_URL=demo_url, PYTHONPATH=str(root), PYTHONWARNINGS="ignore")
    today = datetime.now(app_timezone()).date()
    week = Period.containing("week", today)
    c = compare(week, today)
    for lang in ("zh", "en"):
        out = tmp_path / f"weekly-{lang}.html"
        done = subprocess.run([sys.executable, "-m", "dashboard", "report", "--week", week.label, "--lang", lang,
                               "--out", str(out)], capture_output=True, text=True, env=env, cwd=root)
        assert done.returncode == 0, done.stderr
        page = out.read_text(encoding="utf-8")
        # the week so far, the same days of the week before and of last year, as ISO dates
        assert range_label(c.current) in page and range_label(c.previous) in page and range_label(c.last_year) in page
        if today.weekday() < 6:  # the week is still running: the days compared are cut like for like
            assert c.previous.end == c.previous.start + timedelta(days=today.weekday())
        if lang == "zh":  # the Chinese report's tables have Chinese headers
            headers = re.findall(r"<th>([^<]*)</th>", page)
            assert headers and [h for h in headers if not CJK.search(h) and h not in LATIN_HEADERS] == []
            assert not untranslated(re.split(r"<[^>]+>", page.split("</style>", 1)[1]))
    xlsx = tmp_path / "weekly.xlsx"
    subprocess.run([sys.executable, "-m", "dashboard", "report", "--week", week.label, "--out", str(xlsx)],
                   check=True, env=env, cwd=root, capture_output=True)
    header = next(openpyxl.load_workbook(xlsx)["figures"].values)
    assert header[2:] == (range_label(c.current), range_label(c.previous))


def test_every_slide_states_the_days_compared_with_last_weeks_values_in_chinese(demo_url, use_database):  # noqa: F811
    from datetime import datetime

    from dashboard.core.periods import Period, compare, range_label
    from db.engine import app_timezone

    use_database(demo_url)
    today = datetime.now(app_timezone()).date()
    c = compare(Period.containing("week", today), today)
    at = open_page("present", "zh", kind="week")
    assert_clean(at)
    seen = set()
    for _ in range(12):
        slide = next(e.proto.body for e in at.get("html") if "data-slide=" in e.proto.body)
        number = re.search(r"data-slide='(\d+)'", slide)[1]
        if number in seen:
            break
        seen.add(number)
        assert range_label(c.current) in slide and range_label(c.previous) in slide
        assert "上周 " in slide  # each figure shows last week's value, not only the change
        texts = [p.strip() for p in re.split(r"<[^>]+>", re.sub(r"<img[^>]*>", " ", slide)) if p.strip()]
        assert not untranslated(texts), number
        headers = re.findall(r"<th>([^<]*)</th>", slide)
        assert [h for h in headers if not CJK.search(h) and h not in LATIN_HEADERS] == [], number
        assert not re.search(r"¥\d{1,3}(,\d{3}){2,}", slide), number  # millions of yuan in 万 on a slide
        at.button(key="slide_next").click().run()
    assert len(seen) == 11  # the overdue complaints, service quality, service cost and the contact centre have slides of their own


def test_retention_roi_counts_only_the_windows_closed_by_the_as_of_day(conn):
    from datetime import date
    from decimal import Decimal

    from dashboard.core.scope import Scope
    from dashboard.metrics import retention
    from tests.builders import add_case, add_order, base

    base(conn)
    add_case(conn, "R1", "C1", date(2026, 5, 1), "retained", "300.00", "price", closed=date(2026, 5, 10))
    add_case(conn, "R2", "C2", date(2026, 5, 31), "lost", "100.00", "price", closed=date(2026, 6, 3))
    add_case(conn, "R3", "C3", date(2026, 5, 15), "pending", "50.00", "service")
    add_order(conn, "after", "C1", date(2026, 5, 11), "600.00")

    def outcome(as_of):
        return retention.retention_outcome(conn, Scope.company(), date(2026, 5, 1), date(2026, 5, 31), as_of).iloc[0]

    # 6 November is day 180 after 10 May: R1's window closes that day, not the day before
    early = outcome(date(2026, 11, 5))
    assert (early["windows_closed"], early["windows_open"], early["roi_closed"]) == (0, 3, None)  # not yet known
    day_180 = outcome(date(2026, 11, 6))
    assert (day_180["windows_closed"], day_180["windows_open"]) == (1, 2)
    assert day_180["closed_cost"] == Decimal("300.00") and day_180["roi_closed"] == Decimal("2.0000")
    # R2 (lost, closed 3 June) closes on 30 November; R3 is pending and stays open
    later = outcome(date(2026, 11, 30))
    assert (later["windows_closed"], later["windows_open"], later["closed_cost"]) == (2, 1, Decimal("400.00"))
    assert later["roi_closed"] == Decimal("1.5000")
    assert later["roi"] == Decimal("1.3333")  # the whole-period ROI of the spec stays as it was


def test_the_demo_fills_the_month_so_far_at_the_usual_daily_rate(demo_url):
    import calendar
    from datetime import datetime, timedelta

    import sqlalchemy as sa

    from db.engine import app_timezone, make_engine

    today = datetime.now(app_timezone()).date()
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        now, before = conn.execute(sa.text(
            "SELECT count(*) FILTER (WHERE order_date BETWEEN :first AND :today),"
            "       count(*) FILTER (WHERE order_date BETWEEN :lm_first AND :lm_end) FROM orders"),
            {"first": first, "today": today, "lm_first": last_month_end.replace(day=1), "lm_end": last_month_end}).one()
    engine.dispose()
    per_day_now = now / today.day
    per_day_before = before / calendar.monthrange(last_month_end.year, last_month_end.month)[1]
    # a whole month's orders in its first days read as a surge of 10-15 times (issue 20)
    assert 0.4 < per_day_now / per_day_before < 2.5, (now, before)


def test_the_demo_loading_steps_read_in_chinese():
    from dashboard.ui.first_start import step_label

    steps = ["demo: departments and staff", "demo: 2,000 customers", "demo: orders", "demo: 500,000 orders",
             "demo: complaints", "demo: plans and progress", "demo: retention cases",
             "demo: work logs, surveys, budgets and evaluations", "demo: done (79,100 orders, 8,000 complaints)"]
    assert all(CJK.search(step_label(step, "zh")) and "demo" not in step_label(step, "zh") for step in steps)
    assert step_label("demo: 2,000 customers", "zh") == "演示数据：2,000 个客户"
    assert step_label("demo: orders", "en") == "demo: orders"


def _text_width(value) -> float:
    """Pixels a cell's text takes in the table's 14 px font, roughly: CJK 14, others 7.5."""
    text = f"{value:,.2f}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)
    return sum(14 if CJK.match(ch) else 7.5 for ch in text)


def _table_width(frame: pd.DataFrame, headers: list[str]) -> float:
    """The width the grid sizes its columns to: each one's widest text (header or cell) and its padding."""
    width = 0.0
    for column, header in zip(frame.columns, headers):
        cells = frame[column].dropna().head(200)
        widest = max([_text_width(header)] + [_text_width(v) for v in cells])
        width += widest + 16  # the cell's padding
    return width


MAIN_WIDTH = 1280 - 300 - 2 * 80  # the sidebar, and the wide layout's margins
TABLE_POSITION = {"plans_attention": 0, "plans_table": 1, "complaints_overdue": 0, "complaints_table": 1,
                  "fluct_drops": 0}


@pytest.mark.parametrize("page, key, needed", [
    ("plans", "plans_table", ["状态", "实际成本", "员工", "完成率"]),
    ("plans", "plans_attention", ["状态", "实际成本", "员工"]),
    ("complaints", "complaints_overdue", ["处理人", "超时(天)", "优先级"]),
    ("complaints", "complaints_table", ["状态", "处理人", "时限"]),
    ("fluctuation", "fluct_drops", ["变化率", "标记", "本期业务量"]),
])
def test_key_columns_fit_a_1280_pixel_screen(demo_url, use_database, page, key, needed):  # noqa: F811
    use_database(demo_url)
    at = open_page(page, "zh")
    assert_clean(at)
    # AppTest names no table by its key: the one at its position on the page
    frame = at.dataframe[TABLE_POSITION[key]]
    config = json.loads(frame.proto.columns or "{}")
    headers = [str(config.get(str(c), {}).get("label") or c) for c in frame.value.columns]
    assert set(needed) <= set(headers), headers
    assert _table_width(frame.value, headers) <= MAIN_WIDTH, headers


def test_a_customers_tier_chart_runs_from_the_highest_tier_down(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = open_page("fluctuation", "zh")
    assert_clean(at)
    from dashboard.i18n import value_label

    from db.engine import make_engine
    import sqlalchemy as sa

    engine = make_engine(demo_url)
    with engine.connect() as conn:
        by_rank = [value_label(n, "zh") for n in conn.execute(sa.text("SELECT name FROM tier_rules ORDER BY rank")).scalars()]
    engine.dispose()
    by_rank.append(value_label("none", "zh"))
    def walk(node):
        for child in getattr(node, "children", {}).values():
            yield child
            yield from walk(child)

    specs = [json.loads(e.proto.spec) for e in walk(at.main) if getattr(e, "type", "") == "vega_lite_chart"]
    tier_chart = next(s for s in specs if s.get("encoding", {}).get("y", {}).get("field") == "tier_label")
    order = tier_chart["encoding"]["y"]["sort"]
    assert order == [name for name in by_rank if name in order]  # Gold above Silver: a rise is drawn upwards
    assert len(order) >= 1


def test_long_durations_read_in_days_and_quick_periods_are_whole():
    from datetime import date

    from dashboard.core.formats import fmt_hours
    from dashboard.core.periods import Period
    from dashboard.metrics.fluctuation import every_month
    from dashboard.ui.filters import quick_period

    assert (fmt_hours(47.94, "zh"), fmt_hours(48, "en"), fmt_hours(655.54, "zh"), fmt_hours(655.54, "en")) == (
        "47.9 小时", "48.0 h", "27.3 天", "27.3 d")
    day = date(2026, 12, 2)
    shown = {q: Period.containing(*quick_period(q, day)) for q in ("last_week", "last_month", "month_to_date")}
    assert {q: p.label for q, p in shown.items()} == {"last_week": "2026-W48", "last_month": "2026-11",
                                                    "month_to_date": "2026-12"}
    assert Period.containing(*quick_period("last_month", date(2026, 1, 31))).label == "2025-12"
    # the volume chart of one customer: every month of the range, one without orders at zero
    trend = pd.DataFrame({"month": [date(2026, 9, 1), date(2026, 11, 1)], "volume": [5.0, 7.0], "orders": [1, 2],
                          "customers": [1, 1]})
    months = every_month(trend, date(2026, 9, 1), date(2026, 12, 2))
    assert [m.strftime("%Y-%m") for m in months["month"]] == ["2026-09", "2026-10", "2026-11", "2026-12"]
    assert list(months["volume"]) == [5.0, 0.0, 7.0, 0.0]
