"""Reading Excel workbooks for the import (interfaces.md, "Spreadsheets and labels").

python-calamine (Rust's calamine) reads the sheets: it is several times faster than openpyxl's
read-only mode and keeps little beside the values (docs/import.md has the measurements). Each
typed cell becomes the text the CSV parsers read, so one set of rules serves both:

- a date cell is that date; a date-time cell is that local time (read in APP_TZ by the timestamp
  parser); a number cell in a date or timestamp column is an Excel serial date;
- a number is its stored value: a whole number is its digits (so a code 1001 is '1001'), a binary
  float within 1e-6 of a decimal with at most 2 places is that decimal, anything else its full
  value (which an amount column then refuses);
- a formula is its cached value; calamine cannot tell a formula without one from an empty cell,
  so the sheet's XML is searched for such cells (only when it holds formulas at all).
"""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from xml.etree import ElementTree

_EPOCH = datetime(1899, 12, 30)  # Excel's 1900 date system, as every Excel since 1900-03-01 counts
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


class NotAWorkbook(ValueError):
    pass


def number_text(value: float | int) -> str:
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    near = round(value, 2)
    if abs(value - near) <= 1e-6:
        return format(Decimal(repr(near)).normalize(), "f")
    return repr(value)


def _seconds(value: datetime) -> datetime:
    """calamine's date-times carry the float's noise (09:29:59.999998): to the nearest second."""
    return (value + timedelta(microseconds=500_000)).replace(microsecond=0)


def cell_text(value, kind: str | None) -> str:
    """The text a parser of `kind` ('date', 'timestamp' or None) reads for a typed cell."""
    if type(value) is str:  # the common case first: most cells are text
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        value = _seconds(value)
        if value.time() == time(0) and kind != "timestamp":
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)):
        if kind == "date" and float(value).is_integer() and 1 <= value < 2958466:
            return (_EPOCH + timedelta(days=int(value))).date().isoformat()
        if kind == "timestamp" and 1 <= value < 2958466:
            return _seconds(_EPOCH + timedelta(days=float(value))).isoformat(sep=" ")
        return number_text(value)
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


_UNCACHED = re.compile(rb'<(?:\w+:)?c r="([A-Z]+)(\d+)"[^>]*>\s*<(?:\w+:)?f(?:\s[^>]*)?(?:/>|>[^<]*</(?:\w+:)?f>)'
                       rb'\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>')


def uncached_formulas(data: bytes) -> dict[str, list[tuple[int, int]]]:
    """sheet name -> (row, column index) of each formula cell without a cached value (.xlsx only)."""
    found: dict[str, list[tuple[int, int]]] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            book = ElementTree.fromstring(z.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target") for r in rels}
            for sheet in book.iter(f"{_MAIN}sheet"):
                target = targets.get(sheet.get(f"{_REL}id"), "")
                path = target.lstrip("/") if target.startswith("/") else "xl/" + target
                if path not in z.namelist():
                    continue
                xml = z.read(path)
                if b"<f" not in xml and b":f" not in xml:
                    continue
                cells = [(int(row), _column_index(col.decode())) for col, row in _UNCACHED.findall(xml)]
                if cells:
                    found[sheet.get("name")] = cells
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        return {}
    return found


def read_workbook(data: bytes) -> tuple[list[str], dict[str, list[list]], dict[str, list[tuple[int, int]]]]:
    """The sheet names in order, each sheet's rows (row 1 first, empty rows kept so positions are
    row numbers) and the formulas without a cached value. Raises NotAWorkbook."""
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as e:  # calamine raises its own error types, and zip/XML ones
        raise NotAWorkbook(f"not an Excel workbook ({type(e).__name__})") from None
    with book:
        names = [m.name for m in book.sheets_metadata
                 if m.typ == python_calamine.SheetTypeEnum.WorkSheet]
        sheets = {}
        for name in names:
            sheet = book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            sheets[name] = rows
    return names, sheets, uncached_formulas(data)
