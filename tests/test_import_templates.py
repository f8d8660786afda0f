"""The import template: a sheet per file, headers the import accepts, an example row that imports,
the accepted names of each enumerated column, and text cells only (never a formula)."""
import io

import openpyxl
import pytest
import sqlalchemy as sa

from dashboard.core import vocabulary
from dashboard.imports import import_workbook
from dashboard.imports.files import specs
from dashboard.imports.templates import template_workbook


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_template_imports_as_it_is_into_an_empty_database(engine, tmp_path, lang):
    book = tmp_path / f"template_{lang}.xlsx"
    book.write_bytes(template_workbook(lang))
    written = import_workbook(engine, book)
    assert written["orders.csv"] == 1 and written["retention_cases.csv"] == 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT priority FROM complaints")).scalar() == "urgent"
        assert conn.execute(sa.text("SELECT kind, horizon, method FROM plans")).one() == ("task", "month", "phone")


def test_the_template_names_every_file_column_and_accepted_value_in_text_cells():
    zh = openpyxl.load_workbook(io.BytesIO(template_workbook("zh")))
    en = openpyxl.load_workbook(io.BytesIO(template_workbook("en")))
    assert zh.sheetnames[:3] == ["部门", "员工", "客户"] and en.sheetnames[:3] == ["departments", "staff", "customers"]
    for spec, sheet in zip(specs(), en.worksheets):
        assert [c.value for c in sheet[1]] == list(spec.columns)
    staff = zh["员工"]
    role = next(c for c in staff[1] if c.value == "角色")
    assert "必填" in role.comment.text and "head = department head, 部门主管, 主管, 部门负责人, 负责人" in role.comment.text
    method = next(c for c in zh["计划"][1] if c.value == "方式")
    assert "其他文字照原样保存" in method.comment.text
    for book in (zh, en):
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                assert all(cell.data_type in ("s", "n") and not str(cell.value or "").startswith("=") for cell in row)
                assert all(cell.value is None or isinstance(cell.value, str) for cell in row)
    assert vocabulary.PRIORITY.read(zh["投诉"]["D2"].value) == "urgent"
