"""Benchmark (not a test): the Excel import on a 100,000-row sheet.

    python bench/excel.py [--rows 100000]

1. The readers, on the same 100,000-row orders sheet: python-calamine (the import's reader) against
   openpyxl's read-only mode, each reading every cell's value.
2. The import of that workbook (Chinese sheet name, date cells, number cells) into a database holding
   its customers, all checks included; goal ≤ 10 s. And the peak memory of this process up to the
   end of the import (bench/benchmark.py runs this file as a child process, for that figure to be
   the import's alone).

Uses a fresh database `dashboard_bench_excel` on the embedded server (or DATABASE_URL's), dropped afterwards.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

NAME = "dashboard_bench_excel"


def orders_workbook(rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("订单")
    sheet.append(["订单编号", "客户编号", "订单日期", "金额", "类别"])
    start = date(2024, 1, 1)
    for i in range(rows):
        sheet.append([f"X{i:07d}", f"BC{i % 1000:04d}", start + timedelta(days=i % 700), round(10 + (i * 37 % 100000) / 100, 2),
                      "产品"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def time_readers(data: bytes) -> list:
    import openpyxl
    import python_calamine

    started = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = sum(len(r) for r in book.get_sheet_by_index(0).to_python())
    calamine = time.perf_counter() - started
    started = time.perf_counter()
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    cells_o = sum(len(r) for r in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    openpyxl_time = time.perf_counter() - started
    assert cells == cells_o
    return [(f"read {cells:,} cells: python-calamine", "", calamine, None),
            (f"read {cells:,} cells: openpyxl read-only ({openpyxl_time / calamine:.1f}× calamine's time)", "",
             openpyxl_time, None)]


def excel_rows(admin, rows: int = 100_000) -> list:
    from bench.memory import peak_resident_mb
    from db.engine import make_engine
    from db.migrate import upgrade
    from dashboard.imports import import_workbook

    data = orders_workbook(rows)
    out = []
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{NAME}"'))
    engine = make_engine(str(make_url(str(admin.url.render_as_string(False))).set(database=NAME).render_as_string(False)))
    try:
        upgrade(engine)
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO departments (code, name) VALUES ('BD', '基准部门')"))
            conn.execute(sa.text("INSERT INTO customers (code, name, department_id) SELECT 'BC' || lpad(g::text, 4, '0'), "
                                 "'客户' || g, (SELECT id FROM departments) FROM generate_series(0, 999) g"))
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            book = Path(directory) / "orders-book.xlsx"
            book.write_bytes(data)
            started = time.perf_counter()
            written = import_workbook(engine, book)
            took = time.perf_counter() - started
        assert written["orders.csv"] == rows
        out.append((f"import of a {rows:,}-row workbook", "≤ 10 s", took, took / 10))
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))
    # the import's peak (VmHWM of this process: the workbook made, then imported), before the
    # readers' comparison reads the whole sheet into lists
    peak = peak_resident_mb()
    memory = (f"peak memory of a process importing a {rows:,}-row workbook (MB)", "≤ 500", peak, peak / 500)
    return time_readers(data) + out + [memory]


def main() -> int:
    from bench.benchmark import database_url

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print the rows as one JSON list (bench/benchmark.py)")
    args = parser.parse_args()
    admin = sa.create_engine(database_url()[0], isolation_level="AUTOCOMMIT")
    if args.json:
        import json

        print(json.dumps(excel_rows(admin, args.rows)))
        return 0
    for figure, goal, measured, ratio in excel_rows(admin, args.rows):
        unit = "" if "MB" in figure else "s"
        print(f"{figure:<62} {goal:>8} {measured:>9.2f}{unit or ' '} {'' if ratio is None else f'{ratio:.2f}':>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
