"""Issue 22's example: a Chinese office's records (Chinese headers, labels and dates; one workbook with
Chinese sheet names and typed cells) import and export exactly what the English-coded CSV records do."""
from datetime import date

import pytest
import sqlalchemy as sa

from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.exports import VIEWS, export_frame, render, resolve_parameters
from dashboard.imports import ImportFailed, import_directory, import_workbook
from db.engine import make_engine
from tests.import_books import CHINESE, ENGLISH, workbook, write_files

TABLES = ["departments", "staff", "customers", "orders", "complaints", "plans", "plan_progress", "retention_cases",
          "tier_rules", "sla_policies", "customer_owner_history", "customer_monthly_volume"]


def exports(engine) -> dict[str, str]:
    """Every export view, as the command line writes it, at fixed dates."""
    out = {}
    with engine.connect() as conn:
        for name, view in VIEWS.items():
            if view.needs == "period":
                parameters = resolve_parameters(view, period=Period.parse("2026-05"), today=date(2026, 6, 1))
            elif view.needs == "cycle":
                parameters = resolve_parameters(view, cycle="2026-Q2")
            elif view.needs == "as_of":
                parameters = resolve_parameters(view, as_of=date(2026, 5, 31), today=date(2026, 6, 1))
            else:
                parameters = resolve_parameters(view, start=date(2026, 4, 1), end=date(2026, 5, 31),
                                                today=date(2026, 6, 1))
            out[name] = render(export_frame(conn, view, Scope.company(), **parameters), "csv")
    return out


def contents(engine) -> dict[str, list]:
    """Each table's rows, without the moments of writing (ids match: the same rows in the same order)."""
    with engine.connect() as conn:
        existing = {r[0] for r in conn.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname='public'"))}
        return {t: sorted(str({k: v for k, v in row._mapping.items() if not k.endswith(("_at", "updated", "created"))})
                          for row in conn.execute(sa.text(f"SELECT * FROM {t}")))
                for t in TABLES if t in existing}


@pytest.fixture
def second_engine(admin, template_db):
    from tests.conftest import _throwaway

    urls = _throwaway(admin, template_db, "dashboard_test_b")
    engine = make_engine(next(urls))
    yield engine
    engine.dispose()
    next(urls, None)


def test_the_chinese_csv_and_the_chinese_workbook_import_as_the_english_codes_do(engine, second_engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "en", ENGLISH))
    english_exports, english_rows = exports(engine), contents(engine)
    assert [line.split(",")[0] for line in english_exports["plans"].splitlines()[1:]] == ["P1", "P2", "P3"]
    assert "ALL,2,1,0,1" in english_exports["retention"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT string_agg(method, ',' ORDER BY plan_no) FROM plans")).scalar() \
            == "phone,微信群,email"  # the free-text method kept as written

    import_directory(second_engine, write_files(tmp_path / "zh", CHINESE))
    assert exports(second_engine) == english_exports
    assert contents(second_engine) == english_rows


def test_the_workbook_with_chinese_sheet_names_and_typed_cells(second_engine, tmp_path):
    book = tmp_path / "客户资料.xlsx"
    # the order's amount is a formula (=600.25*2) whose cached value Excel saved
    book.write_bytes(workbook(CHINESE, formulas={("orders.csv", 2, 4): ("=600.25*2", "1200.5")}))
    written = import_workbook(second_engine, book)
    assert written["orders.csv"] == 4 and written["plans.csv"] == 3
    with second_engine.connect() as conn:
        assert conn.execute(sa.text("SELECT amount FROM orders WHERE order_no = 'O1'")).scalar() == 1200.5
        assert conn.execute(sa.text("SELECT code FROM customers WHERE name = '杭州云栖贸易'")).scalar() == "1001"
        received = conn.execute(sa.text("SELECT received_at FROM complaints WHERE complaint_no = 'T1'")).scalar()
        assert received.isoformat() == "2026-05-01T09:00:00+08:00"  # a date-time cell is local time in APP_TZ
    assert not any(import_workbook(second_engine, book).values())  # re-importing changes nothing


def test_the_workbook_exports_what_the_english_csv_does(engine, second_engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "en", ENGLISH))
    book = tmp_path / "book.xlsx"
    book.write_bytes(workbook(CHINESE))
    import_workbook(second_engine, book)
    assert exports(second_engine) == exports(engine)
    assert contents(second_engine) == contents(engine)


def test_a_directory_may_hold_name_xlsx_in_place_of_name_csv(engine, tmp_path):
    files = dict(ENGLISH)
    orders = files.pop("orders.csv")
    directory = write_files(tmp_path / "in", files)
    (directory / "orders.xlsx").write_bytes(workbook({"orders.csv": orders}, sheets={"orders.csv": "Sheet1"}))
    assert import_directory(engine, directory)["orders.csv"] == 4
    (directory / "orders.csv").write_text(orders)
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, directory)
    assert failure.value.problems == ["orders.xlsx:1: -: both orders.csv and orders.xlsx are given; keep one"]


def test_the_command_line_imports_a_workbook_and_names_its_problems(database_url, tmp_path):
    from tests.test_cli import run

    book = tmp_path / "客户资料.xlsx"
    book.write_bytes(workbook(CHINESE))
    result = run(database_url, "import", str(book))
    assert result.returncode == 0, result.stderr
    assert "orders.csv 4 rows written" in result.stdout
    bad = dict(CHINESE, **{"orders.csv": CHINESE["orders.csv"].replace("2026/5/1,1200.50", "2026/5/1,1200.505")})
    book.write_bytes(workbook(bad))
    result = run(database_url, "import", str(book))
    assert result.returncode == 1
    assert "客户资料.xlsx:订单:2: amount: '1200.505' is not an amount with up to 2 decimal places" in result.stderr
    assert "nothing was written" in result.stderr
    assert run(database_url, "import", "--help").stdout.count("BOOK.xlsx") >= 1
