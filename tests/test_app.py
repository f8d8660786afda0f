"""Every page in-process with Streamlit's AppTest, on demo data and on an empty database."""
from pathlib import Path

import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.testing.v1 import AppTest

import dashboard.metrics.complaints  # noqa: F401 (metrics.complaints)
import dashboard.metrics.grading  # noqa: F401 (metrics.grading)
import dashboard.metrics.retention  # noqa: F401 (metrics.retention)
from dashboard import accounts, exports, metrics
from dashboard.core import formats
from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.core.user import User
from dashboard.imports import import_directory
from dashboard.ui import data, session
from db.engine import get_engine, make_engine

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ["overview", "plans", "complaints", "fluctuation", "retention", "grading"]


def signed_in(username: str = "manager"):
    """A demo account, or a manager without a staff record on a database without accounts."""
    with get_engine().connect() as conn:
        return accounts.load_user(conn, username) or User(username, "manager", None, username, None)


def open_page(page: str, lang: str = "zh", user: str | None = "manager", **query) -> AppTest:
    """Open a page as a link would (the page's URL with filters in the query string), signed in."""
    at = AppTest.from_file(APP, default_timeout=90)
    if user:
        at.session_state["user"] = signed_in(user)
    at.query_params.update({"lang": lang, **query})
    if page != "overview":
        at.switch_page(f"pages/{page}.py")
    return at.run()


def assert_clean(at: AppTest):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def use_database(monkeypatch):
    def use(url: str):
        monkeypatch.setenv("DATABASE_URL", url)
        st.cache_data.clear()
        st.cache_resource.clear()
    yield use
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_demo_data_in_both_languages(demo_url, use_database, page):
    use_database(demo_url)
    for lang in ("zh", "en"):
        at = open_page(page, lang)
        assert_clean(at)
        assert len(at.metric) >= 2
        title = at.title[0].value
        assert title == {"zh": {"overview": "总览", "plans": "计划跟踪", "complaints": "投诉及时性",
                                "fluctuation": "业务波动与级别", "retention": "挽留成本", "grading": "客户分级"},
                         "en": {"overview": "Overview", "plans": "Plan tracking", "complaints": "Complaint timeliness",
                                "fluctuation": "Fluctuation & tiers", "retention": "Retention cost",
                                "grading": "Customer grading"}}[lang][page]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_an_empty_database_with_a_sentence(database_url, use_database, page):
    use_database(database_url)
    at = open_page(page)
    assert_clean(at)
    texts = [i.value for i in at.info] + [s.value for s in at.success] + [m.value for m in at.metric]
    assert texts, "an empty database shows a sentence or empty figures, never nothing"


def test_overview_figures_equal_the_metric_functions(demo_url, use_database):
    use_database(demo_url)
    at = open_page("overview", "en")
    assert_clean(at)
    period = Period.containing("month", session.today())
    as_of = min(period.end, session.today())
    with make_engine(demo_url).connect() as conn:
        kpis = metrics.complaints.complaint_kpis(conn, Scope.company(), period.start, period.end, as_of)
        overdue = metrics.complaints.overdue_open(conn, Scope.company(), as_of)
        abc = metrics.grading.grading_abc(conn, Scope.company(), as_of)
    cards = {m.label.split(" · ")[0]: m.value for m in at.metric}  # a rate's label names its base after " · "
    assert cards["Complaint achievement rate"] == formats.fmt_rate(kpis["achievement_rate"][0])
    assert cards["Overdue open complaints"] == formats.fmt_number(len(overdue))
    assert cards["A-class revenue share"] == formats.fmt_rate(abc[abc["abc_class"] == "A"]["revenue_share"].iloc[0])


def test_changing_a_filter_changes_the_figures_and_the_url(demo_url, use_database):
    use_database(demo_url)
    at = open_page("complaints", "en")
    month_received = next(m.value for m in at.metric if m.label == "Complaints received")
    at.selectbox(key="f_kind").set_value("year").run()
    assert_clean(at)
    year_received = next(m.value for m in at.metric if m.label == "Complaints received")
    assert year_received != month_received
    period = Period.containing("year", session.today())
    with make_engine(demo_url).connect() as conn:
        expected = metrics.complaints.complaint_kpis(conn, Scope.company(), period.start, period.end, min(period.end, session.today()))["received"][0]
    assert year_received == formats.fmt_number(expected)
    assert at.query_params["period"] == [period.label] or at.query_params["period"] == period.label


def test_a_command_line_import_shows_on_the_next_run(demo_url, use_database, tmp_path):
    """The import is another process: the app learns of it from the database alone."""
    use_database(demo_url)
    at = open_page("complaints", "en")
    received = next(m.value for m in at.metric if m.label == "Complaints received")
    engine = make_engine(demo_url)
    with engine.connect() as conn:
        customer = conn.execute(sa.text("SELECT code FROM customers ORDER BY code LIMIT 1")).scalar()
    (tmp_path / "complaints.csv").write_text(
        "complaint_no,customer_code,received_at,priority,content,resolved_at,satisfaction\n"
        f"CLI-1,{customer},{session.today()} 00:00:00,normal,夜间导入,,\n", encoding="utf-8")
    assert import_directory(engine, tmp_path)["complaints.csv"] == 1
    at.run()
    assert_clean(at)
    now = next(m.value for m in at.metric if m.label == "Complaints received")
    assert int(now.replace(",", "")) == int(received.replace(",", "")) + 1


def test_a_link_reproduces_the_view(demo_url, use_database):
    use_database(demo_url)
    last_year = Period.containing("year", session.today()).previous()
    at = open_page("retention", "en", period=last_year.label, dept="CS-EAST")
    assert_clean(at)
    with make_engine(demo_url).connect() as conn:
        frame = metrics.retention.retention(conn, Scope("CS-EAST"), last_year.start, last_year.end)
    cases = next(m.value for m in at.metric if m.label == "Cases")
    assert cases == formats.fmt_number(frame[frame["reason"] == "ALL"]["cases"].iloc[0])


def test_department_filter_restricts_figures(demo_url, use_database):
    use_database(demo_url)
    at = open_page("plans", "en")
    everything = next(m.value for m in at.metric if m.label == "Plans and tasks")
    at.selectbox(key="f_dept").set_value("CS-EAST").run()
    assert_clean(at)
    east = next(m.value for m in at.metric if m.label == "Plans and tasks")
    assert int(east.replace(",", "")) < int(everything.replace(",", ""))


def test_unreachable_database_shows_one_banner(use_database, tmp_path):
    use_database(f"postgresql+psycopg2://nobody@/nothing?host={tmp_path}")
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = User("manager", "manager", None, "manager", None)
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "暂时无法连接数据库" in at.error[0].value


def test_page_downloads_equal_the_command_line_export(demo_url, use_database):
    """The download buttons' files are the export views: same CSV as `python -m dashboard export`."""
    import io
    import subprocess
    import sys

    import openpyxl

    use_database(demo_url)
    period = Period.containing("month", session.today())
    east = Scope("CS-EAST")  # what the filters resolve for a manager choosing CS-EAST
    csv_bytes = data.export_bytes(exports.FLUCTUATION, "csv", east, period=period)
    cli = subprocess.run([sys.executable, "-m", "dashboard", "export", "fluctuation", "--period", period.label,
                          "--department", "CS-EAST"], capture_output=True, text=True, cwd=Path(APP).parent,
                         env=dict(__import__("os").environ, PYTHONWARNINGS="ignore"))
    assert cli.returncode == 0 and csv_bytes.decode("utf-8") == cli.stdout
    book = openpyxl.load_workbook(io.BytesIO(data.export_bytes(exports.FLUCTUATION, "xlsx", east, period=period)))
    sheet = list(book.active.values)
    assert list(sheet[0]) == cli.stdout.splitlines()[0].split(",") and len(sheet) == len(cli.stdout.splitlines())


def test_an_unchanged_figure_is_grey_without_an_arrow():
    """A delta is written text ("+0", "-0.0 pp"); Streamlit reads only its sign, so "+0" would be a red rise."""
    from streamlit.proto.Metric_pb2 import Metric

    def cards():
        from dashboard.ui import display
        display.kpi_row([{"label": "open", "value": "1", "delta": "+0", "inverse": True},
                    {"label": "rate", "value": "75%", "delta": "-0.0 pp"},
                    {"label": "overdue", "value": "3", "delta": "+5", "inverse": True},
                    {"label": "cost", "value": "¥1", "delta": "-¥0.50"}])

    at = AppTest.from_function(cards).run()
    shown = {m.label: (Metric.MetricDirection.Name(m.proto.direction), Metric.MetricColor.Name(m.proto.color))
             for m in at.metric}
    assert shown == {"open": ("NONE", "GRAY"), "rate": ("NONE", "GRAY"), "overdue": ("UP", "RED"),
                     "cost": ("DOWN", "RED")}


def test_tables_show_amounts_with_cents_and_a_dash_for_a_missing_number():
    import json

    def table():
        from decimal import Decimal

        import pandas as pd

        from dashboard.ui import display
        display.show_table(pd.DataFrame({"customer_code": ["C1", "C2"], "volume": [Decimal("629394"), Decimal("1.50")],
                                    "change": [Decimal("-2.10"), None], "yoy_pct": [Decimal("0.3"), None]}), "zh")
        display.show_table(pd.DataFrame({"customer_code": ["C1"], "change": ["upgrade"]}), "zh")

    at = AppTest.from_function(table).run()
    amounts, tiers = at.dataframe
    formats = {label: (c["type_config"].get("format"), c["type_config"].get("step"))
               for label, c in json.loads(amounts.proto.columns).items() if "type_config" in c}
    # ¥1,039,087.57: thousands separators, the currency sign and the cents; rates with one decimal
    assert formats == {"本期业务量": ("yen", 0.01), "变化": ("yen", 0.01), "同比": ("percent", 0.001)}
    assert amounts.proto.placeholder == "—"  # Streamlit's own placeholder is the English "None"
    # a volume's change is a number (it sorts as one); a tier's change is a translated label
    assert amounts.value["变化"].dtype == "float64" and amounts.value["变化"].iloc[0] == -2.1
    assert tiers.value.iloc[0, 1] == "升级"


def test_complaints_by_priority_run_from_the_most_urgent(demo_url, use_database):
    import json

    use_database(demo_url)
    at = open_page("complaints", "zh")
    y_sorts = [json.loads(chart.proto.spec)["encoding"]["y"].get("sort") for chart in at.get("vega_lite_chart")
               if json.loads(chart.proto.spec).get("encoding", {}).get("y", {}).get("field") == "group"]
    assert ["紧急", "高", "普通", "低"] in y_sorts  # not 低, 高, 紧急, 普通 (by character)


def test_rfm_segments_are_listed_in_their_usual_order_with_their_service(demo_url, use_database):
    from dashboard.i18n import SEGMENT_APPROACH, value_label

    use_database(demo_url)
    at = open_page("grading", "zh")
    table = next(d.value for d in at.dataframe if d.value.columns[0] == "RFM 分类")
    usual = [value_label(segment, "zh") for segment in SEGMENT_APPROACH]
    assert list(table["RFM 分类"]) == [label for label in usual if label in set(table["RFM 分类"])]
    service = {value_label(segment, "zh"): approach[0] for segment, approach in SEGMENT_APPROACH.items()}
    assert len(table) >= 4 and list(table["服务策略"]) == [service[label] for label in table["RFM 分类"]]


def test_hr_reads_the_analysis_pages_without_the_work_forms_links(demo_url, use_database):
    # hr's menu has no Work pages: a link to one (the retention case form from the at-risk list)
    # raised StreamlitPageNotFoundError on the page instead of being left out
    use_database(demo_url)
    for page in PAGES + ["cost", "quality", "contact_centre"]:
        at = open_page(page, "en", user="hruser")
        assert_clean(at)
        assert not [link for link in at.get("page_link") if "_entry" in link.proto.page], page


def test_a_long_list_shows_its_first_rows_and_says_so():
    def lists():
        import pandas as pd

        from dashboard.ui import display
        display.show_table(display.first_rows(pd.DataFrame({"customer_code": [f"C{i}" for i in range(1, 1201)]}),
                                              1000, "en", "tier_changes_shown"), "en")
        display.show_table(display.first_rows(pd.DataFrame({"customer_code": ["C1", "C2"]}), 2, "zh",
                                              "tier_changes_shown"), "zh")

    at = AppTest.from_function(lists).run()
    cut, whole = at.dataframe
    assert list(cut.value.iloc[:, 0]) == [f"C{i}" for i in range(1, 1001)] and len(whole.value) == 2
    assert [c.value for c in at.caption] == [
        "1,200 customers; the first 1,000 by customer code are listed. The download has them all."]
