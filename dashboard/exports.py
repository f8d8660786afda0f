"""Export views of interfaces.md: the documented columns of each metric function's table.

The page's download buttons and `python -m dashboard export` both go through `export_frame`
and `render`, so a downloaded file and an exported file are identical.
"""
from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Callable

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.calls import Call
from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from dashboard.metrics import archives, callbacks, calls, complaints, cost, evaluation, fluctuation, grading, plans, quality, retention, tiers
from db.engine import app_timezone


@dataclass(frozen=True)
class View:
    """A documented export view: its parameters, its columns, and the figure it writes."""
    name: str
    needs: str            # 'range' (start/end, as-of), 'as_of', 'period', or 'cycle'
    columns: tuple[str, ...]
    call: Callable[[Scope, dict], Call]  # the figure, for a scope and the resolved parameters


COMPLAINTS = View("complaints", "range",
                  ("complaint_no", "customer_code", "department_code", "priority", "received_at", "deadline",
                   "resolved_at", "state", "resolution_hours"),
                  lambda s, p: Call(complaints.complaints, s, p["start"], p["end"], p["as_of"]))
COMPLAINT_SUMMARY = View("complaint_summary", "range",
                         ("department_code", "received", "met", "breached", "pending", "achievement_rate",
                          "overdue_open", "median_resolution_hours"),
                         lambda s, p: Call(complaints.complaint_summary, s, p["start"], p["end"], p["as_of"]))
PLANS = View("plans", "as_of",
             ("plan_no", "kind", "type", "department_code", "staff_no", "start_date", "end_date", "planned_count",
              "minimum_count", "actual_count", "expected_count", "completion_rate", "status", "planned_cost",
              "actual_cost", "cost_variance"),
             lambda s, p: Call(plans.plans, s, p["as_of"], start=p["start"], end=p["end"]))
FLUCTUATION = View("fluctuation", "period",
                   ("customer_code", "volume", "previous_volume", "change", "change_pct", "yoy_volume", "yoy_pct",
                    "flag"),
                   lambda s, p: Call(fluctuation.fluctuation, s, p["period"], as_of=p["as_of"]))
TIERS = View("tiers", "period", ("customer_code", "tier_previous", "tier_current", "change"),
             lambda s, p: Call(tiers.tiers, s, p["period"], as_of=p["as_of"]))
RETENTION = View("retention", "range",
                 ("reason", "cases", "retained", "lost", "pending", "success_rate", "total_cost", "cost_per_retained"),
                 lambda s, p: Call(retention.retention, s, p["start"], p["end"]))
GRADING = View("grading", "as_of",
               ("customer_code", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score",
                "rfm_segment", "value_class", "abc_class"),
               lambda s, p: Call(grading.grading, s, p["as_of"]))
SERVICE_COST = View("service_cost", "range",
                    ("department_code", "category", "budget", "actual", "variance", "budget_usage"),
                    lambda s, p: Call(cost.service_cost, s, p["start"], p["end"]))

CALLBACKS_DUE = View("callbacks_due", "as_of",
                     ("reason", "customer_code", "department_code", "owner_staff_no", "abc_class", "last_callback_on",
                      "surveyed_on", "due_on", "days_overdue"),
                     lambda s, p: Call(callbacks.callback_due, s, p["as_of"]))
CALLBACK_RATES = View("callback_rates", "as_of",
                      ("department_code", "staff_no", "customers", "on_schedule", "overdue", "on_schedule_rate"),
                      lambda s, p: Call(callbacks.callback_rates, s, p["as_of"]))

QUALITY = View("quality", "range", quality.QUALITY_COLUMNS,
               lambda s, p: Call(quality.quality, s, p["start"], p["end"], p["as_of"]))
# refused (evaluation.CycleOpen, a ValueError) while the cycle is open
EVALUATION = View("evaluation", "cycle", evaluation.EVALUATION_COLUMNS,
                  lambda s, p: Call(evaluation.evaluation, s, p["cycle"]))
CUSTOMER_LOG = View("customer_log", "range",
                    ("log_no", "logged_at", "customer_code", "staff_no", "source", "service_type", "category", "content",
                     "handling", "summary", "satisfaction"),
                    lambda s, p: Call(archives.customer_log, s, p["start"], p["end"], p.get("customer"), limit=None))

# The views by their documented names, for the command line.
VIEWS: dict[str, View] = {v.name: v for v in (COMPLAINTS, COMPLAINT_SUMMARY, PLANS, FLUCTUATION, TIERS, RETENTION,
                                              GRADING, SERVICE_COST, CUSTOMER_LOG)}
VIEWS |= {v.name: v for v in (CALLBACKS_DUE, CALLBACK_RATES)}
VIEWS |= {v.name: v for v in (QUALITY, EVALUATION)}
CALL_SUMMARY = View("call_summary", "range", calls.SUMMARY_COLUMNS,
                    lambda s, p: Call(calls.call_summary, s, p["start"], p["end"], p["as_of"]))
VIEWS |= {CALL_SUMMARY.name: CALL_SUMMARY}


def resolve_parameters(view: View, *, start: date | None = None, end: date | None = None,
                       as_of: date | None = None, period: Period | None = None,
                       today: date | None = None, cycle: str | None = None, customer: str | None = None) -> dict:
    """Fill defaults the way interfaces.md says; raise ValueError naming what is missing."""
    today = today or datetime.now(app_timezone()).date()  # today in the company time zone
    if view.needs == "cycle":
        if not cycle:
            raise ValueError(f"{view.name} needs --cycle (e.g. 2026-Q2, 2026-H1 or 2026)")
        return {"cycle": cycle}
    if view.needs == "range":
        if period is not None and start is None and end is None:
            start, end = period.start, period.end
        if start is None or end is None:
            raise ValueError(f"{view.name} needs --start and --end (or --period)")
        if start > end:
            raise ValueError(f"--start {start} is after --end {end}")
        as_of = as_of or end
    elif view.needs == "period":
        if period is None:
            if start is not None and end is not None:
                period = Period.custom(start, end)
            else:
                raise ValueError(f"{view.name} needs --period (e.g. 2026-05, 2026-W21, 2026-Q2, 2026)")
        # a running period is compared like for like as of today, a past one whole
        as_of = as_of or min(period.end, today)
    else:
        if period is not None and start is None and end is None:
            start, end = period.start, period.end
        if (start is None) != (end is None):
            raise ValueError(f"{view.name}: give both --start and --end, or neither")
        as_of = as_of or today
    return {"start": start, "end": end, "as_of": as_of, "period": period, "customer": customer}


def export_frame(conn: Connection, view: View, scope: Scope, **parameters) -> pd.DataFrame:
    """The documented columns of a view over `scope`, computed by its figure's function.

    The pages pass the signed-in user's resolved scope; the command line the department it
    names, or the whole company (`Scope.company()`).
    """
    frame = view.call(scope, resolve_parameters(view, **parameters)).run(conn)
    return frame.loc[:, list(view.columns)] if not frame.empty else pd.DataFrame(columns=list(view.columns))


def _cell(value):
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def rows(frame: pd.DataFrame) -> list[dict]:
    return [{col: _cell(v) for col, v in zip(frame.columns, rec)} for rec in frame.itertuples(index=False)]


# Rows per CSV chunk: large enough that the writer's per-chunk overhead is nothing, small enough
# that a chunk's cells (a dict per row) stay a few MB however long the view is.
CHUNK_ROWS = 10_000


def csv_chunks(frame: pd.DataFrame, chunk_rows: int = CHUNK_ROWS):
    """The CSV of `frame` as consecutive pieces of text (the header first): joined, they are
    exactly `render(frame, "csv")`. The command line writes each piece as it comes, so neither
    every row's cells nor the whole text are ever held at once."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    yield buffer.getvalue()
    for first in range(0, len(frame), chunk_rows):
        buffer.seek(0)
        buffer.truncate()
        # column by column, as `rows` converts cells (csv writes None as an empty cell): a list per
        # column and one writerows, not a dict per row
        part = frame.iloc[first:first + chunk_rows]
        writer.writerows(zip(*(_column_cells(part.iloc[:, i]) for i in range(part.shape[1]))))
        yield buffer.getvalue()


def _column_cells(column: pd.Series) -> list:
    """The cells of one column as `_cell` gives them: whole numbers and booleans as they are, a
    float's NaN as None, anything else (text, Decimal, dates, timestamps) through `_cell`."""
    values = column.tolist()
    kind = column.dtype.kind
    if kind in "iub":
        return values
    if kind == "f":
        return [None if v != v else v for v in values]
    if isinstance(column.dtype, pd.StringDtype):  # text as it is, a missing one (NA, NaN) as None
        return [v if type(v) is str else None for v in values]
    return [_cell(v) for v in values]


def write(frame: pd.DataFrame, fmt: str, handle) -> None:
    """Write the view to an open text file: CSV chunk by chunk, JSON whole (one document)."""
    if fmt == "csv":
        for piece in csv_chunks(frame):
            handle.write(piece)
    else:
        handle.write(render(frame, fmt))


def render(frame: pd.DataFrame, fmt: str) -> str:
    """CSV (empty values as empty cells) or JSON (a list of row objects, empty as null)."""
    if fmt == "csv":
        return "".join(csv_chunks(frame))
    if fmt == "json":
        records = rows(frame)
        def default(o):
            if isinstance(o, Decimal):
                return float(o)
            raise TypeError(type(o))
        return json.dumps(records, ensure_ascii=False, default=default, indent=1) + "\n"
    raise ValueError(f"format: '{fmt}' is not csv or json")


def to_excel(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """The same table as an Excel workbook (timestamps as ISO text, as in the CSV; text as text)."""
    # openpyxl is imported here, not with the module: the command line's CSV export does not need
    # its 0.25 s of start-up
    from dashboard.workbook import workbook_bytes

    table = pd.DataFrame([list(r.values()) for r in rows(frame)], columns=frame.columns, dtype=object)
    return workbook_bytes([(sheet, table)])
