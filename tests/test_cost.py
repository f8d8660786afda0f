"""Service cost: budgets pro-rated by days at period edges, rounded once; rows not rolled up;
budgets proposed, approved and adjusted with their history; entries within scope; import and export."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from dashboard import exports
from dashboard.core.periods import Period
from dashboard.core.scope import AccessDenied, Scope
from dashboard.core.user import User
from dashboard.imports import ImportFailed, import_directory
from dashboard.metrics import cost
from dashboard.writes import cost as cost_writes
from dashboard.writes.validation import Conflict, Invalid
from tests.builders import add_case, add_plan, base, exec_
from tests.test_import import write

MANAGER = User("boss", "manager", None, "经理", None)
EAST_HEAD = User("east_head", "head", "S-EH", "华东主管", "EAST")
EAST1_AGENT = User("agent1", "agent", "S1", "张伟", "EAST-1")
HR = User("hr1", "hr", None, "人事", None)


def budget(conn, department: str, period: str, category: str, amount, status: str = "approved") -> None:
    p = Period.parse(period)
    exec_(conn, """INSERT INTO service_budgets (department_id, period, period_start, period_end, category, amount,
                   status, original_amount) SELECT id, :p, :s, :e, :c, :a, :st, :a FROM departments WHERE code = :d""",
          d=department, p=p.label, s=p.start, e=p.end, c=category, a=amount, st=status)


def entry(conn, no: str, day: date, department: str, category: str, amount) -> None:
    exec_(conn, """INSERT INTO cost_entries (entry_no, entry_date, department_id, category, amount)
                   SELECT :no, :d, id, :c, :a FROM departments WHERE code = :dep""",
          no=no, d=day, dep=department, c=category, a=amount)


def cell(table, department: str, category: str, column: str = "budget"):
    rows = table[(table["department_code"] == department) & (table["category"] == category)]
    assert len(rows) == 1, f"{department}/{category}: {len(rows)} rows"
    return rows.iloc[0][column]


def over(conn, period: str, scope: Scope = Scope.company()):
    p = Period.parse(period)
    return cost.service_cost(conn, scope, p.start, p.end)


def build_tree(conn):
    base(conn)  # HQ > EAST > EAST-1, HQ > SOUTH; agent S1 in EAST-1
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'S-EH', '华东主管', id, 'head' "
                "FROM departments WHERE code = 'EAST'")
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'S-SO', '华南专员', id, 'agent' "
                "FROM departments WHERE code = 'SOUTH'")
    return conn


@pytest.fixture
def tree(conn):
    return build_tree(conn)


@pytest.fixture
def committed(engine):
    """The tree committed, for the tests that import (the import runs its own transaction)."""
    with engine.begin() as conn:
        build_tree(conn)
    return engine


# -- pro-rating at the edges of periods ------------------------------------------------------------

def test_a_yearly_budget_over_a_month_is_its_share_of_days(tree):
    budget(tree, "EAST", "2026", "people", "10000.00")
    # 10,000 × 28 / 365 = 767.1232… ; × 31 / 365 = 849.3150…
    assert cell(over(tree, "2026-02"), "EAST", "people") == Decimal("767.12")
    assert cell(over(tree, "2026-05"), "EAST", "people") == Decimal("849.32")
    assert cell(over(tree, "2026"), "EAST", "people") == Decimal("10000.00")


def test_a_quarter_over_a_week_that_straddles_it(tree):
    budget(tree, "EAST", "2026-Q2", "equipment", "9100.00")  # 91 days: 100.00 a day
    budget(tree, "EAST", "2026-Q3", "equipment", "9200.00")  # 92 days: 100.00 a day
    week = Period.parse("2026-W27")  # Monday 29 June – Sunday 5 July: 2 days of Q2, 5 of Q3
    assert (week.start, week.end) == (date(2026, 6, 29), date(2026, 7, 5))
    assert cell(over(tree, "2026-W27"), "EAST", "equipment") == Decimal("700.00")
    only_q2 = cost.service_cost(tree, Scope.company(), week.start, date(2026, 6, 30))
    assert cell(only_q2, "EAST", "equipment") == Decimal("200.00")


def test_29_february(tree):
    budget(tree, "EAST", "2028", "funds", "36600.00")      # a leap year: 366 days of 100.00
    budget(tree, "EAST", "2028-02", "people", "2900.00")   # 29 days of 100.00
    assert cell(over(tree, "2028-02"), "EAST", "funds") == Decimal("2900.00")
    leap_day = cost.service_cost(tree, Scope.company(), date(2028, 2, 29), date(2028, 2, 29))
    assert cell(leap_day, "EAST", "funds") == Decimal("100.00")
    assert cell(leap_day, "EAST", "people") == Decimal("100.00")
    # 2028-W09 runs Monday 28 February – Sunday 5 March: 2 days of February's budget
    assert cell(over(tree, "2028-W09"), "EAST", "people") == Decimal("200.00")
    assert cell(over(tree, "2028-W09"), "EAST", "funds") == Decimal("700.00")


def test_a_supplement_adds_to_the_year_and_only_approved_budgets_count(tree):
    budget(tree, "EAST", "2026", "people", "36500.00")
    budget(tree, "EAST", "2026-Q2", "people", "9100.00")          # 季度追加
    budget(tree, "EAST", "2026-05", "people", "99999.00", "proposed")
    assert cell(over(tree, "2026-05"), "EAST", "people") == Decimal("6200.00")  # 3,100 + 3,100


def test_totals_are_the_exact_sums_rounded_once(tree):
    for department in ("EAST", "SOUTH", "HQ"):
        budget(tree, department, "2026-06", "funds", "0.15")  # 0.005 a day
    day = cost.service_cost(tree, Scope.company(), date(2026, 6, 10), date(2026, 6, 10))
    assert cell(day, "EAST", "funds") == Decimal("0.01")      # half away from zero
    assert cell(day, "ALL", "funds") == Decimal("0.02")       # 0.015, not 0.01 + 0.01 + 0.01
    assert cell(day, "ALL", "ALL") == Decimal("0.02")


def test_rows_are_not_rolled_up_and_a_filter_keeps_the_subtree(tree):
    budget(tree, "EAST", "2026-05", "people", "1000.00")
    budget(tree, "EAST-1", "2026-05", "people", "500.00")
    entry(tree, "E1", date(2026, 5, 3), "EAST", "people", "400.00")
    entry(tree, "E2", date(2026, 5, 31), "EAST-1", "people", "600.00")
    entry(tree, "E3", date(2026, 5, 4), "EAST-1", "people", "-100.00")   # a correction
    entry(tree, "E4", date(2026, 6, 1), "EAST-1", "people", "999.00")    # the next month
    entry(tree, "E5", date(2026, 5, 5), "SOUTH", "funds", "50.00")
    table = over(tree, "2026-05", Scope("EAST"))
    assert list(zip(table["department_code"], table["category"])) == [
        ("EAST", "people"), ("EAST-1", "people"), ("ALL", "people"), ("ALL", "ALL")]
    east = table.iloc[0]
    assert (east["budget"], east["actual"], east["variance"], east["budget_usage"]) == (
        Decimal("1000.00"), Decimal("400.00"), Decimal("-600.00"), Decimal("0.4000"))
    assert cell(table, "EAST-1", "people", "actual") == Decimal("500.00")
    assert cell(table, "EAST-1", "people", "budget_usage") == Decimal("1.0000")
    assert cell(table, "ALL", "ALL", "actual") == Decimal("900.00")
    assert cell(table, "ALL", "ALL", "budget") == Decimal("1500.00")
    # the company: SOUTH's cost without a budget has no usage
    company = over(tree, "2026-05")
    assert cell(company, "SOUTH", "funds", "budget") == Decimal("0.00")
    assert cell(company, "SOUTH", "funds", "budget_usage") is None
    assert cell(company, "ALL", "funds", "actual") == Decimal("50.00")


def test_the_trend_pro_rates_each_month_of_the_range(tree):
    budget(tree, "EAST", "2026-Q2", "people", "9100.00")
    entry(tree, "E1", date(2026, 5, 3), "EAST", "people", "400.00")
    trend = cost.cost_trend(tree, Scope.company(), date(2026, 4, 15), date(2026, 6, 30))
    assert list(trend["month"]) == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert list(trend["budget"]) == [Decimal("1600.00"), Decimal("3100.00"), Decimal("3000.00")]
    assert list(trend["actual"]) == [Decimal("0.00"), Decimal("400.00"), Decimal("0.00")]


# -- budgets: proposed, approved, adjusted ------------------------------------------------------------

def history(conn, department, period, category):
    rows = cost.budget_history(conn, Scope.company(), department, period, category)
    return [(r.actor, r.action, r.amount_before, r.amount_after) for r in rows.itertuples()]


def test_a_head_proposes_and_a_manager_approves(tree):
    cost_writes.save_budget(tree, EAST_HEAD, department_code="EAST-1", period="2026-05", category="people",
                            amount="3100.00", note="新增人员")
    assert cell(over(tree, "2026-05"), "ALL", "ALL") == Decimal("0.00")  # not counted while proposed
    proposal = cost.budget_proposals(tree, Scope("EAST")).iloc[0]
    assert (proposal["status"], proposal["amount"]) == ("proposed", Decimal("3100.00"))
    with pytest.raises(AccessDenied):
        cost_writes.decide_budget(tree, EAST_HEAD, budget_id=int(proposal["id"]), version=int(proposal["version"]),
                                  approve=True)
    cost_writes.decide_budget(tree, MANAGER, budget_id=int(proposal["id"]), version=int(proposal["version"]), approve=True)
    assert cell(over(tree, "2026-05"), "EAST-1", "people") == Decimal("3100.00")
    # the head proposes a change: the approved amount counts until a manager approves it
    cost_writes.save_budget(tree, EAST_HEAD, department_code="EAST-1", period="2026-05", category="people",
                            amount="4000.00")
    assert cell(over(tree, "2026-05"), "EAST-1", "people") == Decimal("3100.00")
    row = cost.budget_proposals(tree, Scope.company()).iloc[0]
    cost_writes.decide_budget(tree, MANAGER, budget_id=int(row["id"]), version=int(row["version"]), approve=False)
    assert cell(over(tree, "2026-05"), "EAST-1", "people") == Decimal("3100.00")
    assert cost.budget_proposals(tree, Scope.company()).empty
    assert history(tree, "EAST-1", "2026-05", "people") == [
        ("east_head", "propose", None, Decimal("3100.00")), ("boss", "approve", None, Decimal("3100.00")),
        ("east_head", "propose", Decimal("3100.00"), Decimal("4000.00")),
        ("boss", "reject", Decimal("3100.00"), Decimal("4000.00"))]


def test_adjustments_keep_the_original_and_every_change(committed, tmp_path):
    engine = committed
    with engine.begin() as conn:
        key = cost_writes.save_budget(conn, MANAGER, department_code="EAST", period="2026-q2", category="funds",
                                      amount="9100.00")
    assert key == "EAST/2026-Q2/funds"
    with engine.begin() as conn:
        version = int(cost.budgets(conn, Scope.company(), date(2026, 4, 1), date(2026, 4, 1)).iloc[0]["version"])
        cost_writes.save_budget(conn, MANAGER, department_code="EAST", period="2026-Q2", category="funds",
                                amount="9555.00", note="季度追加", version=version)
    with pytest.raises(Conflict), engine.begin() as conn:  # saved on the version before the adjustment
        cost_writes.save_budget(conn, MANAGER, department_code="EAST", period="2026-Q2", category="funds",
                                amount="1.00", version=version)
    write(tmp_path / "in", {"service_budgets.csv": "department_code,period,category,amount,note\n"
                                                   "EAST,2026-Q2,资金投入,9282.00,年中调整\n"})
    import_directory(engine, tmp_path / "in", actor="cli")
    again = import_directory(engine, tmp_path / "in", actor="cli")
    assert not any(again.values())  # the same file again changes nothing
    with engine.connect() as conn:
        row = cost.budgets(conn, Scope.company(), date(2026, 4, 1), date(2026, 6, 30)).iloc[0]
        assert (row["original_amount"], row["amount"], row["status"]) == (
            Decimal("9100.00"), Decimal("9282.00"), "approved")
        assert history(conn, "EAST", "2026-Q2", "funds") == [
            ("boss", "adjust", None, Decimal("9100.00")), ("boss", "adjust", Decimal("9100.00"), Decimal("9555.00")),
            ("cli", "import", Decimal("9555.00"), Decimal("9282.00"))]
        assert cell(over(conn, "2026-04"), "EAST", "funds") == Decimal("3060.00")  # 9,282 × 30 / 91
        audit = conn.execute(sa.text("SELECT count(*) FROM audit_log WHERE table_name = 'service_budgets' "
                                     "AND record_key = 'EAST/2026-Q2/funds'")).scalar()
    assert audit == 2
    # another department's budget and its history read as if they did not exist
    with engine.connect() as conn:
        assert cost.budget_history(conn, Scope("SOUTH"), "EAST", "2026-Q2", "funds").empty
        assert cost.budgets(conn, Scope("SOUTH"), date(2026, 4, 1), date(2026, 6, 30)).empty


@pytest.mark.parametrize("changes, field, message", [
    ({"amount": "-1.00"}, "amount", "err_not_negative"),
    ({"amount": "12.345"}, "amount", "err_amount"),
    ({"category": "travel"}, "category", "err_choice"),
    ({"period": "2026-13"}, "period", "err_named_period"),
    ({"period": "2026-05-01..2026-05-31"}, "period", "err_named_period"),
    ({"period": "五月"}, "period", "err_named_period"),
    ({"department_code": "SOUTH"}, "department_code", "err_out_of_scope"),
    ({"department_code": "NOWHERE"}, "department_code", "err_unknown"),
])
def test_bad_budgets_are_refused_and_nothing_is_written(tree, changes, field, message):
    values = {"department_code": "EAST", "period": "2026-05", "category": "people", "amount": "100.00"} | changes
    with pytest.raises(Invalid) as refused:
        cost_writes.save_budget(tree, EAST_HEAD, **values)
    assert refused.value.errors[field][0] == message
    assert tree.execute(sa.text("SELECT count(*) FROM service_budgets")).scalar() == 0


def test_agents_and_hr_set_no_budgets(tree):
    for user in (EAST1_AGENT, HR):
        with pytest.raises(AccessDenied):
            cost_writes.save_budget(tree, user, department_code="EAST-1", period="2026", category="people", amount="1")


# -- cost entries ---------------------------------------------------------------------------------

def test_entries_within_scope_with_their_links(tree):
    add_plan(tree, "P-E", date(2026, 5, 1), date(2026, 5, 31), 10, 8, planned_cost="800.00", department="EAST-1")
    add_plan(tree, "P-S", date(2026, 5, 1), date(2026, 5, 31), 10, 8, department="SOUTH")
    add_case(tree, "R-E", "C1", date(2026, 5, 2), "pending", "300.00")
    add_case(tree, "R-S", "C2", date(2026, 5, 2), "pending", "300.00")
    no = cost_writes.add_cost_entry(tree, EAST1_AGENT, spent_on=date(2026, 5, 6), department_code="EAST-1",
                                    category="funds", amount="250.50", staff_no="S1", plan_no="P-E",
                                    description="<b>礼品</b> **采购**", purpose="拜访客户")
    assert no == "E0000001"
    cost_writes.add_cost_entry(tree, EAST_HEAD, spent_on=date(2026, 5, 7), department_code="EAST",
                               category="equipment", amount="-20.00", case_no="R-E")
    for changes, field, message in (
            ({"plan_no": "P-S"}, "plan_no", "err_unknown"),           # SOUTH's plan reads as none at all
            ({"case_no": "R-S"}, "case_no", "err_unknown"),
            ({"plan_no": "P-NONE"}, "plan_no", "err_unknown"),
            ({"department_code": "SOUTH"}, "department_code", "err_out_of_scope"),
            ({"staff_no": "S-SO"}, "staff_no", "err_out_of_scope"),
            ({"category": "人力"}, "category", "err_choice"),
            ({"amount": "0"}, "amount", "err_not_zero"),
            ({"spent_on": date(1980, 1, 1)}, "spent_on", "err_date_range")):
        values = {"spent_on": date(2026, 5, 8), "department_code": "EAST", "category": "people", "amount": "1"} | changes
        with pytest.raises(Invalid) as refused:
            cost_writes.add_cost_entry(tree, EAST_HEAD, **values)
        assert refused.value.errors[field][0] == message, changes
    with pytest.raises(AccessDenied):
        cost_writes.add_cost_entry(tree, HR, spent_on=date(2026, 5, 8), department_code="EAST", category="people",
                                   amount="1")
    assert tree.execute(sa.text("SELECT count(*) FROM cost_entries")).scalar() == 2
    listed = cost.cost_entries(tree, Scope("EAST"), date(2026, 5, 1), date(2026, 5, 31))
    assert list(listed["entry_no"]) == ["E0000002", "E0000001"]
    assert listed.iloc[1]["description"] == "<b>礼品</b> **采购**"  # verbatim
    # the drill-down of one cell: the department's own entries only
    own = cost.cost_entries(tree, Scope("EAST"), date(2026, 5, 1), date(2026, 5, 31), department="EAST",
                            category="equipment")
    assert list(own["entry_no"]) == ["E0000002"]
    assert cost.cost_entries(tree, Scope("EAST-1"), date(2026, 5, 1), date(2026, 5, 31), department="EAST").empty
    links = cost.cost_links(tree, Scope("EAST"), date(2026, 5, 1), date(2026, 5, 31))
    assert [(r.link_kind, r.link_no, r.entry_cost, r.own_planned_cost, r.own_recorded_cost) for r in links.itertuples()] == [
        ("plan", "P-E", Decimal("250.50"), Decimal("800.00"), Decimal("0.00")),
        ("case", "R-E", Decimal("-20.00"), None, Decimal("300.00"))]


# -- import and export ----------------------------------------------------------------------------

IMPORT = {
    "service_budgets.csv": "department_code,period,category,amount,note\n"
                           "EAST,2026,人力资源,36500.00,年度预算\nEAST,2026-Q2,People,9100,季度追加\n"
                           "EAST-1,2026-W19,设备,70.00,\n",
    "cost_entries.csv": "entry_no,spent_on,department_code,category,amount,staff_no,plan_no,case_no,description,purpose\n"
                        "X1,2026-05-06,EAST,people,1234.56,S-EH,,,培训讲师费,新员工培训\n"
                        "X2,2026-05-07,EAST,people,-34.56,,,,冲正,\n"
                        "X3,2026-05-08,EAST-1,equipment,80.00,S1,,,耳机,\n",
}


def test_import_and_export_exact_decimals(committed, tmp_path):
    engine = committed
    written = import_directory(engine, write(tmp_path / "in", IMPORT))
    assert written == {"service_budgets.csv": 3, "cost_entries.csv": 3}
    with engine.connect() as conn:
        frame = exports.export_frame(conn, exports.SERVICE_COST, Scope.company(), period=Period.parse("2026-05"))
        csv_text = exports.render(frame, "csv")
    assert csv_text == (
        "department_code,category,budget,actual,variance,budget_usage\n"
        "EAST,people,6200.00,1200.00,-5000.00,0.1935\n"        # 3,100 + 3,100
        "EAST-1,equipment,70.00,80.00,10.00,1.1429\n"          # W19 lies in May
        "ALL,people,6200.00,1200.00,-5000.00,0.1935\n"
        "ALL,equipment,70.00,80.00,10.00,1.1429\n"
        "ALL,ALL,6270.00,1280.00,-4990.00,0.2041\n")


@pytest.mark.parametrize("name, content, message", [
    ("service_budgets.csv", "department_code,period,category,amount\nEAST,2026-05,people,-5\n",
     "service_budgets.csv:2: amount: '-5' must not be negative"),
    ("service_budgets.csv", "department_code,period,category,amount\nEAST,2026-05,travel,5\n",
     "service_budgets.csv:2: category: 'travel'"),
    ("service_budgets.csv", "department_code,period,category,amount\nEAST,2026-5-01,people,5\n",
     "service_budgets.csv:2: period: '2026-5-01' is not a named period"),
    ("service_budgets.csv", "department_code,period,category,amount\nMARS,2026-05,people,5\n",
     "service_budgets.csv:2: department_code: department 'MARS' does not exist"),
    ("cost_entries.csv", "entry_no,spent_on,department_code,category,amount,plan_no\nX9,2026-05-01,EAST,people,5,P-NONE\n",
     "cost_entries.csv:2: plan_no: plan 'P-NONE' does not exist"),
    ("cost_entries.csv", "entry_no,spent_on,department_code,category,amount,case_no\nX9,2026-05-01,EAST,people,5,R-NONE\n",
     "cost_entries.csv:2: case_no: retention case 'R-NONE' does not exist"),
    ("cost_entries.csv", "entry_no,spent_on,department_code,category,amount\n=X9,2026-05-01,EAST,people,5\n",
     "cost_entries.csv:2: entry_no:"),
])
def test_bad_import_rows_are_named_and_nothing_is_written(committed, tmp_path, name, content, message):
    engine = committed
    files = dict(IMPORT, **{name: content})
    with pytest.raises(ImportFailed) as failed:
        import_directory(engine, write(tmp_path / "bad", files))
    assert any(problem.startswith(message) for problem in failed.value.problems), failed.value.problems
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT (SELECT count(*) FROM service_budgets) + (SELECT count(*) FROM cost_entries)"
                                    )).scalar() == 0


# -- the pages (in-process, on demo data) -------------------------------------------------------------

from tests.test_app import assert_clean, open_page, use_database  # noqa: E402,F401 (the fixture)


def test_the_cost_page_renders_in_both_languages(demo_url, use_database):
    use_database(demo_url)
    for lang, title in (("zh", "服务成本"), ("en", "Service cost")):
        at = open_page("cost", lang)
        assert_clean(at)
        assert at.title[0].value == title
        assert len(at.metric) == 4
        assert at.dataframe, "the table of departments and categories"


def test_the_cost_page_on_an_empty_database(database_url, use_database):
    use_database(database_url)
    at = open_page("cost")
    assert_clean(at)
    assert at.info


def test_the_entry_forms_as_a_head_and_an_agent(demo_url, use_database):
    use_database(demo_url)
    for user in ("head", "agent"):
        at = open_page("cost_entry", "en", user=user)
        assert_clean(at)
        at.text_input(key="cost_amount").set_value("123.45")
        at.text_area(key="cost_purpose").set_value("**bold** <i>x</i>")
        at.button[0].click().run()  # the entry form's save button comes first
        assert_clean(at)
        assert at.success, "saved"
    with sa.create_engine(demo_url).connect() as conn:
        saved = conn.execute(sa.text("SELECT created_by, amount, purpose FROM cost_entries WHERE created_by IS NOT NULL "
                                     "ORDER BY entry_no")).all()
    assert saved == [("head", Decimal("123.45"), "**bold** <i>x</i>"), ("agent", Decimal("123.45"), "**bold** <i>x</i>")]


# -- in Chromium at 1280x720: the page, the forms and the slide, in both languages -------------------

from tests.browser import SHOTS, assert_no_error, launch, needs_chromium, open_from_menu, serving, sign_in  # noqa: E402
from tests.browser import wait_until_done  # noqa: E402


@needs_chromium
def test_cost_page_forms_and_slide_in_chromium(demo_url):
    from playwright.sync_api import sync_playwright

    from dashboard.accounts import DEMO_PASSWORD
    from dashboard.i18n import t

    SHOTS.mkdir(exist_ok=True)
    with serving(demo_url) as server, sync_playwright() as p:
        browser = launch(p)
        for user in ("manager", "head"):
            for lang in ("zh", "en"):
                page = browser.new_page(viewport={"width": 1280, "height": 720})
                page.goto(f"{server}/?lang={lang}")
                wait_until_done(page)
                sign_in(page, user, DEMO_PASSWORD, lang)
                # the menu still shows the language switch on a 720-pixel projector
                english = page.locator("[data-testid='stSidebar']").get_by_text("English").bounding_box()
                assert english["y"] + english["height"] <= 720
                open_from_menu(page, t("nav_cost", lang))
                assert page.locator("h1").first.inner_text() == t("nav_cost", lang)
                assert_no_error(page, f"cost/{user}/{lang}")
                page.screenshot(path=str(SHOTS / f"cost-{user}-{lang}.png"))
                if user == "manager":  # the rest of the page, a screen at a time
                    for step in range(1, 5):
                        page.mouse.move(800, 400)
                        page.mouse.wheel(0, 650)
                        page.wait_for_timeout(400)
                        page.screenshot(path=str(SHOTS / f"cost-{user}-{lang}-{step}.png"))
                # the forms: linked from the page
                page.locator("[data-testid='stMain'] a[href*='cost_entry']").first.click()
                wait_until_done(page)
                assert page.locator("h1").first.inner_text() == t("nav_cost_entry", lang)
                assert_no_error(page, f"cost_entry/{user}/{lang}")
                page.screenshot(path=str(SHOTS / f"cost_entry-{user}-{lang}.png"))
                if user == "manager":
                    page.locator("[data-testid='stSidebarNav'] a[href$='present']").click()
                    wait_until_done(page)
                    for _ in range(12):  # to the service cost slide
                        if page.locator(".slide h1").inner_text() == t("slide_cost", lang):
                            break
                        number = page.locator(".slide").get_attribute("data-slide")
                        page.keyboard.press("ArrowRight")
                        page.wait_for_function(f"document.querySelector('.slide') && "
                                               f"document.querySelector('.slide').dataset.slide !== '{number}'",
                                               timeout=30_000)
                    slide = page.locator(".slide")
                    assert slide.locator("h1").inner_text() == t("slide_cost", lang)
                    box = slide.bounding_box()
                    assert box["y"] + box["height"] <= 721
                    page.screenshot(path=str(SHOTS / f"slide-cost-{lang}.png"))
                page.close()
        browser.close()


def test_a_budget_proposed_in_the_form_and_approved_there(demo_url, use_database):
    use_database(demo_url)
    at = open_page("cost_entry", "en", user="head")
    assert_clean(at)
    at.text_input(key="budget_period_new").set_value("2030-Q1")
    at.text_input(key="budget_amount_new").set_value("-5")
    next(b for b in at.button if b.label == "Propose for approval").click().run()
    assert any("negative" in e.value for e in at.error), [e.value for e in at.error]  # beside the field, nothing written
    at.text_input(key="budget_amount_new").set_value("9000.00")
    next(b for b in at.button if b.label == "Propose for approval").click().run()
    assert_clean(at)
    assert at.success
    at = open_page("cost_entry", "en", user="manager")
    approve = [b for b in at.button if b.label == "Approve" and "2030-Q1" in (b.key or "")]
    assert len(approve) == 1 and len([b for b in at.button if b.label == "Approve"]) == 2  # the demo's proposal too
    approve[0].click().run()
    assert_clean(at)
    with sa.create_engine(demo_url).connect() as conn:
        row = conn.execute(sa.text("SELECT status, amount, original_amount, proposed_by, decided_by FROM service_budgets "
                                   "WHERE period = '2030-Q1'")).one()
        actions = conn.execute(sa.text("SELECT actor, action FROM budget_adjustments a JOIN service_budgets b "
                                       "ON b.id = a.budget_id WHERE b.period = '2030-Q1' ORDER BY a.id")).all()
    assert tuple(row) == ("approved", Decimal("9000.00"), Decimal("9000.00"), "head", "manager")
    assert actions == [("head", "propose"), ("manager", "approve")]


def test_the_weekly_review_and_report_carry_service_cost(committed, tmp_path):
    from dashboard import report

    engine = committed
    with engine.begin() as conn:
        budget(conn, "EAST", "2026-Q2", "people", "9100.00")
        entry(conn, "E1", date(2026, 6, 30), "EAST", "people", "150.00")
    week = Period.parse("2026-W27")  # 29 June – 5 July, a past week: whole
    with engine.connect() as conn:
        sections = report.weekly_review(conn, Scope.company(), week, today=date(2026, 7, 20))
    section = next(s for s in sections if s.key == "cost")
    figures = {f.label: (f.now, f.before) for f in section.figures}
    assert figures["kpi_cost_budget"] == (Decimal("200.00"), Decimal("700.00"))  # 2 days of Q2; W26 is 7 days
    assert figures["kpi_cost_actual"] == (Decimal("150.00"), Decimal("0.00"))
    assert figures["kpi_budget_usage"][0] == Decimal("0.7500")
    assert list(section.table["category"]) == ["people", "ALL"]
    page = report.report_html(sections, week, Scope.company(), "zh")
    assert "服务成本：预算与实际" in page and "人力" in page and "75.0%" in page


def test_the_command_line_export_equals_the_download(committed, tmp_path):
    from tests.test_cli import run

    engine = committed
    with engine.begin() as conn:
        budget(conn, "EAST", "2026", "equipment", "10000.00")
        entry(conn, "E1", date(2026, 2, 3), "EAST-1", "equipment", "12.34")
    result = run(str(engine.url.render_as_string(hide_password=False)), "export", "service_cost", "--period", "2026-02",
                 "--department", "EAST")
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        download = exports.render(exports.export_frame(conn, exports.SERVICE_COST, Scope("EAST"),
                                                       period=Period.parse("2026-02")), "csv")
    assert result.stdout == download
    assert "EAST,equipment,767.12,0.00,-767.12,0.0000\n" in download
    assert "EAST-1,equipment,0.00,12.34,12.34,\n" in download


def test_a_head_sees_the_rows_of_their_subtree_only(demo_url, use_database):
    from dashboard.core.scope import subtree
    from dashboard.accounts import load_user

    use_database(demo_url)
    at = open_page("cost", "en", user="head")
    assert_clean(at)
    with sa.create_engine(demo_url).connect() as conn:
        head = load_user(conn, "head")
        names = dict(conn.execute(sa.text("SELECT code, name FROM departments")).all())
        allowed = {names[code] for code in subtree(conn, head.department_code)}
        everyone = set(names.values())
    shown = set(at.dataframe[0].value.iloc[:, 0]) - {"Total"}  # departments by name
    assert shown and shown <= allowed and allowed < everyone


def test_a_heads_import_of_cost_stays_in_the_subtree(committed):
    from dashboard.imports import import_uploads

    engine = committed
    budgets = "部门编号,期间,类别,金额\nSOUTH,2026-05,人力,100\n".encode()
    with pytest.raises(ImportFailed) as failure:
        import_uploads(engine, [("service_budgets.csv", budgets)], EAST_HEAD)
    assert failure.value.problems == ["service_budgets.csv:2: department_code: department 'SOUTH' does not exist"]
    entries = "成本编号,发生日期,部门编号,类别,金额\nX1,2026/5/6,EAST-1,资金,12.50\n".encode()
    import_uploads(engine, [("cost_entries.csv", entries)], EAST_HEAD)
    with engine.connect() as conn:
        assert cell(over(conn, "2026-05"), "EAST-1", "funds", "actual") == Decimal("12.50")
