"""The import's rules through every way in: labels from the one vocabulary, Chinese headers, typed
cells, and each bad-input rule refused with file:line (or BOOK.xlsx:SHEET:ROW), nothing written."""
import pytest
import sqlalchemy as sa

from dashboard.core import vocabulary
from dashboard.imports import ImportFailed, import_directory, import_workbook
from dashboard.imports.parsers import BadValue, one_of
from tests.import_books import ENGLISH, workbook, write_files
from tests.test_import import BAD_CASES, GOOD, snapshot


def test_labels_accept_code_english_label_and_chinese_names_ignoring_case_and_spaces():
    priority = one_of(*vocabulary.PRIORITY.codes)  # as a FileSpec declares it
    assert [priority(v) for v in ("urgent", " URGENT ", "紧急", "特急", "重要", "一般", "中", "低")] == \
        ["urgent", "urgent", "urgent", "urgent", "high", "normal", "normal", "low"]
    role = one_of(*vocabulary.STAFF_ROLE.codes)
    assert [role(v) for v in ("Department Head", "部门主管", "负责人", "客服", "ｍａｎａｇｅｒ")] == \
        ["head", "head", "agent", "manager"][:0] + ["head", "head", "head", "agent", "manager"]
    with pytest.raises(BadValue) as refused:
        role("boss")
    assert str(refused.value) == ("'boss' is not one of manager, head, agent (accepted: manager: 经理; "
                                  "head: department head, 部门主管, 主管, 部门负责人, 负责人; agent: 客服专员, 客服, 专员)")


def test_no_name_means_two_codes_of_one_enumeration():
    for enumeration in vocabulary.ALL:
        seen = {}
        for member in enumeration.members:
            for name in enumeration.names(member.code):
                assert seen.setdefault(vocabulary.fold(name), member.code) == member.code, (enumeration.name, name)


def test_a_plans_method_is_free_text(engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "base", ENGLISH))
    plans = ("plan_no,kind,type,horizon,start_date,end_date,department_code,planned_count,minimum_count,planned_cost,method\n"
             "P7,计划,拜访,周,2026/5/4,2026/5/10,EAST,5,3,0,短消息\nP8,任务,拜访,周,2026/5/4,2026/5/10,EAST,5,3,0,企业微信\n"
             "P9,任务,拜访,周,2026/5/4,2026/5/10,EAST,5,3,0,上门\n")
    import_directory(engine, write_files(tmp_path / "more", {"plans.csv": plans}))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT string_agg(method, ',' ORDER BY plan_no) FROM plans "
                                    "WHERE plan_no IN ('P7', 'P8', 'P9')")).scalar() == "sms,企业微信,interview"


def test_the_issues_refusals_now_import(engine, tmp_path):
    """plans.csv:61: method: '电话' is not one of ... and the same with 紧急, 计划, 季度, 挽留成功."""
    import_directory(engine, write_files(tmp_path / "base", ENGLISH))
    files = {
        "plans.csv": "plan_no,kind,type,horizon,start_date,end_date,department_code,planned_count,minimum_count,"
                     "planned_cost,method\nP5,计划,拜访,季度,2026-04-01,2026-06-30,EAST,5,3,0,电话\n",
        "complaints.csv": "complaint_no,customer_code,received_at,priority,content\nT5,C1,2026-05-01 09:00,紧急,x\n",
        "retention_cases.csv": "case_no,customer_code,reason,intent,method,started_on,cost,result\n"
                               "R5,C1,价格,流失,促销,2026-05-01,0,挽留成功\n",
    }
    import_directory(engine, write_files(tmp_path / "zh", files))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT kind, horizon, method FROM plans WHERE plan_no = 'P5'")).one() == \
            ("plan", "quarter", "phone")
        assert conn.execute(sa.text("SELECT result FROM retention_cases WHERE case_no = 'R5'")).scalar() == "retained"


def test_an_unknown_label_lists_the_accepted_names_naming_file_and_line(engine, tmp_path):
    files = {"departments.csv": "code,name\nEAST,华东\n",
             "staff.csv": "工号,姓名,部门编号,角色\nS1,王芳,EAST,客服\nS2,刘洋,EAST,老板\n"}
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, write_files(tmp_path / "in", files))
    assert failure.value.problems == ["staff.csv:3: role: '老板' is not one of manager, head, agent (accepted: "
                                      "manager: 经理; head: department head, 部门主管, 主管, 部门负责人, 负责人; "
                                      "agent: 客服专员, 客服, 专员)"]


def test_chinese_headers_follow_the_column_rules(engine, tmp_path):
    cases = {"订单编号,客户编号,订单日期,金额,颜色\n": "orders.csv:1: 颜色: unknown column",
             "订单编号,order_no,客户编号,订单日期,金额\n": "orders.csv:1: order_no: column appears more than once",
             "订单编号,客户编号,订单日期\n": "orders.csv:1: amount: required column is missing"}
    for header, message in cases.items():
        with pytest.raises(ImportFailed) as failure:
            import_directory(engine, write_files(tmp_path / str(len(message)), {"orders.csv": header}))
        assert failure.value.problems == [message]


def test_chinese_dates_are_checked_as_iso_dates_are(engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "base", GOOD))
    orders = "order_no,customer_code,order_date,amount\nO7,C1,2026/2/30,1\nO8,C1,2026年5月1,1\nO9,C1,1989年12月31日,1\n"
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, write_files(tmp_path / "in", {"orders.csv": orders}))
    assert failure.value.problems == [
        "orders.csv:2: order_date: '2026/2/30' is not a valid date",
        "orders.csv:3: order_date: '2026年5月1' is not a date YYYY-MM-DD (or 2026/5/1, 2026年5月1日)",
        "orders.csv:4: order_date: 1989-12-31 is outside 1990-01-01 .. 2099-12-31"]


def test_a_large_file_with_chinese_dates_takes_the_sql_path_with_the_same_messages(engine, tmp_path, monkeypatch):
    from dashboard.imports import staged

    import_directory(engine, write_files(tmp_path / "base", GOOD))
    taken = []
    original = staged.stage
    monkeypatch.setattr(staged, "stage", lambda *a: taken.append(a[1].name) or original(*a))
    lines = ["订单编号,客户编号,订单日期,金额"] + [f"N{i},C1,2026年6月{i % 28 + 1}日,{i}.5" for i in range(3000)]
    lines[10] = "N9,C1,2026/2/30,1"
    lines[11] = "N10,C1,2026年5月1,1"
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, write_files(tmp_path / "big", {"orders.csv": "\n".join(lines) + "\n"}))
    assert taken == ["orders.csv"]
    assert failure.value.problems == [
        "orders.csv:11: order_date: '2026/2/30' is not a valid date",
        "orders.csv:12: order_date: '2026年5月1' is not a date YYYY-MM-DD (or 2026/5/1, 2026年5月1日)"]
    lines[10], lines[11] = "N9,C1,2026/2/28,1", "N10,C1,2026年5月1日,1"
    assert import_directory(engine, write_files(tmp_path / "big", {"orders.csv": "\n".join(lines) + "\n"}))
    with engine.connect() as conn:
        assert str(conn.execute(sa.text("SELECT order_date FROM orders WHERE order_no = 'N10'")).scalar()) == "2026-05-01"


def _sheet_cases():
    for name, files, message in BAD_CASES:
        if not all(isinstance(c, str) for c in files.values()) or name in ("short row", "unknown file"):
            continue
        file = message.split(":")[0]
        yield name, files, message.replace(f"{file}:", f"BOOK.xlsx:{file.removesuffix('.csv')}:", 1)


SHEET_CASES = list(_sheet_cases())


@pytest.mark.parametrize("name,files,message", SHEET_CASES, ids=[c[0] for c in SHEET_CASES])
def test_each_rule_is_refused_in_a_workbook_naming_sheet_and_row(engine, tmp_path, name, files, message):
    import_directory(engine, write_files(tmp_path / "base", GOOD))
    before = snapshot(engine)
    sheets = {f: f.removesuffix(".csv") for f in files}
    good = {} if "orders.csv" in files else {"orders.csv": "order_no,customer_code,order_date,amount\nO50,C1,2026-06-01,5\n"}
    sheets.update({f: f.removesuffix(".csv") for f in good})
    book = tmp_path / "BOOK.xlsx"
    book.write_bytes(workbook({**good, **files}, sheets=sheets))
    with pytest.raises(ImportFailed) as failure:
        import_workbook(engine, book)
    assert any(problem.startswith(message) for problem in failure.value.problems), failure.value.problems
    assert snapshot(engine) == before


def test_typed_cells_are_read_as_the_spec_says(engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "base", GOOD))
    before = snapshot(engine)
    orders = ("order_no,customer_code,order_date,amount\nO7,C1,2026-05-01,1.005\nO8,C1,46143.5,2\n"
              "O9,C1,2026-05-01,=1+1\n=O10,C1,2026-05-01,3\n")
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook({"orders.csv": orders}, sheets={"orders.csv": "订单"},
                              formulas={("orders.csv", 4, 4): ("=1+1", None)}))
    with pytest.raises(ImportFailed) as failure:
        import_workbook(engine, book)
    assert failure.value.problems == [
        "book.xlsx:订单:2: amount: '1.005' is not an amount with up to 2 decimal places",
        "book.xlsx:订单:3: order_date: '46143.5' is not a date YYYY-MM-DD (or 2026/5/1, 2026年5月1日)",
        "book.xlsx:订单:4: amount: a formula without a saved value (open the file in Excel and save it, or type the value)",
        "book.xlsx:订单:5: order_no: '=O10' starts with '=': a code may not start with = + - or @"]
    assert snapshot(engine) == before
    fine = "order_no,customer_code,order_date,amount\nO7,C1,46143,0.30000000000000004\n\n\n"
    book.write_bytes(workbook({"orders.csv": fine}, sheets={"orders.csv": "orders"}))
    import_workbook(engine, book)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT order_date::text, amount::text FROM orders WHERE order_no = 'O7'")).one() \
            == ("2026-05-01", "0.30")  # a serial date; a float within 1e-6 of 0.30


def test_an_unknown_sheet_and_two_sheets_of_one_file_are_refused(engine, tmp_path):
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook({"a": "code,name\nHQ,总部\n", "b": "code,name\nHQ,总部\n", "c": "x\n1\n"},
                              sheets={"a": "部门", "b": "departments", "c": "说明"}))
    with pytest.raises(ImportFailed) as failure:
        import_workbook(engine, book)
    assert failure.value.problems[0] == "book.xlsx:departments:1: -: sheet 部门 holds departments already"
    assert failure.value.problems[1].startswith("book.xlsx:说明:1: -: unknown sheet (expected one of departments (部门), ")


def test_a_plain_orders_sheet_takes_the_sql_path_and_one_with_gaps_the_python_path(engine, tmp_path, monkeypatch):
    from dashboard.imports import staged

    import_directory(engine, write_files(tmp_path / "base", GOOD))
    taken = []
    original = staged.stage
    monkeypatch.setattr(staged, "stage", lambda *a: taken.append(a[1].name) or original(*a))
    rows = "".join(f"N{i},C1,2026-06-{i % 28 + 1:02d},{i}.5\n" for i in range(200))
    orders = "订单编号,客户编号,订单日期,金额\n" + rows + "N9,C9,2026-06-01,1.234\n"
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook({"orders.csv": orders}, sheets={"orders.csv": "订单"}))
    expected = ["book.xlsx:订单:202: order_no: duplicate key N9 (first on line 11)",
                "book.xlsx:订单:202: customer_code: customer 'C9' does not exist"]
    with pytest.raises(ImportFailed) as failure:
        import_workbook(engine, book)
    assert taken == ["orders.csv"]
    assert failure.value.problems == ["book.xlsx:订单:202: amount: '1.234' is not an amount with up to 2 decimal places"] \
        + expected
    # an empty row in the middle: the Python path, with the same rows named
    book.write_bytes(workbook({"orders.csv": orders.replace("N5,", ",,,\nN5,", 1).replace("\n,,,\n", "\n \n")},
                              sheets={"orders.csv": "订单"}))
    with pytest.raises(ImportFailed) as failure:
        import_workbook(engine, book)
    assert failure.value.problems[-1] == "book.xlsx:订单:203: customer_code: customer 'C9' does not exist"
