"""Excel workbooks the product writes (downloads, exports, the weekly report): text stays text.

A cell whose text starts with '=' would be stored as a live formula by openpyxl (and by
pandas' `to_excel`, which goes through it): a customer named `=HYPERLINK(...)` would become
a link in the reader's Excel. Every string here is written as a string cell, whatever it
starts with; no cell of ours is ever a formula.
"""
from __future__ import annotations

import io
import math
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import WriteOnlyCell


def _value(sheet, value):
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones: the exact instant, as in the CSV
    if isinstance(value, str):
        if value.startswith("="):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"  # openpyxl took it for a formula
            return cell
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, (int, float, date, bool)):
        return value
    return str(value)


def workbook_bytes(sheets: list[tuple[str, pd.DataFrame]]) -> bytes:
    """An .xlsx with one sheet per (name, frame): a header row, then the rows as they are."""
    book = Workbook(write_only=True)
    for name, frame in sheets:
        sheet = book.create_sheet(title=name[:31])
        sheet.append([_value(sheet, str(column)) for column in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_value(sheet, v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
