"""What every metric module's SQL shares: the department scope, reading frames, rates, settings.

Thresholds compare exact values: ratios are never compared after division; instead both
sides are multiplied out in integer or numeric arithmetic (e.g. `actual < minimum *
elapsed` becomes `actual * days_total < minimum * days_elapsed`). A rate is written once
here (`rate`, and the named ones below) and rounded once, to 4 places.
"""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import psycopg2.extensions
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard.core.scope import Scope

# Departments in scope: the scope's department and its sub-departments, or all when it has none.
SCOPE_CTE = """
scope(id) AS (
    SELECT id FROM departments WHERE CAST(:department AS text) IS NULL OR code = :department
    UNION
    SELECT d.id FROM departments d JOIN scope s ON d.parent_id = s.id
)"""

# The customers in scope, for joining to a per-customer aggregate of orders. Materialized so the
# planner knows its size: it cannot estimate the groups of such an aggregate, guesses 200, and
# would otherwise probe the customers' index once per customer instead of hashing them.
SCOPED_CUSTOMERS_CTE = SCOPE_CTE + """,
scoped_customers AS MATERIALIZED (
    SELECT cu.id, cu.code FROM customers cu JOIN scope ON scope.id = cu.department_id
)"""


def scoped(scope: Scope) -> dict:
    """The SQL parameter SCOPE_CTE reads."""
    return {"department": scope.department}


def in_scope(customer_id: str) -> str:
    """The customer `customer_id` is in scope (needs SCOPE_CTE).

    Without a department the test folds to true when the query is planned (the driver sends
    the NULL inline), so a count over all customers never touches the customers table.
    """
    return (f"(CAST(:department AS text) IS NULL OR {customer_id} IN "
            f"(SELECT cu.id FROM customers cu JOIN scope ON scope.id = cu.department_id))")


def rate(numerator: str, denominator: str, places: int = 4) -> str:
    """numerator / denominator rounded once, empty when the denominator is 0."""
    return f"round(({numerator})::numeric / nullif({denominator}, 0), {places})"


def achievement_rate(count: str = "count(*)") -> str:
    """met / (met + breached) over `states` rows (`count` may be a sum of per-state counts)."""
    return rate(f"{count} FILTER (WHERE state = 'met')", f"{count} FILTER (WHERE state IN ('met', 'breached'))")


def success_rate(result: str) -> str:
    """retained / (retained + lost) over retention cases whose result is the column `result`."""
    return rate(f"count(*) FILTER (WHERE {result} = 'retained')",
                f"count(*) FILTER (WHERE {result} IN ('retained', 'lost'))")


def setting_sql(key: str) -> str:
    """A numeric setting's stored value (NULL when unset)."""
    return f"(SELECT (value #>> '{{}}')::numeric FROM settings WHERE key = '{key}')"


# timestamptz read as its text: psycopg2 would build a datetime per value and pandas would then
# take them apart again, a quarter of the time of a list of complaints. psycopg2 picks a
# column's converter when the statement runs, so the cursor learns it just before.
_TIMESTAMPTZ = psycopg2.extensions.new_type((1184,), "TIMESTAMPTZ_TEXT", lambda value, cursor: value)


@sa.event.listens_for(Engine, "before_cursor_execute")
def _timestamptz_as_text(conn, cursor, statement, parameters, context, executemany) -> None:
    if context is not None and context.execution_options.get("timestamptz_as_text"):
        psycopg2.extensions.register_type(_TIMESTAMPTZ, cursor)


def frame(conn: Connection, sql: str, params: dict) -> pd.DataFrame:
    """The rows of `sql` as a DataFrame: exact decimals, timestamps in the session's zone."""
    result = conn.execute(sa.text(sql).execution_options(timestamptz_as_text=True), params)
    try:
        # Rows straight from the DBAPI cursor: SQLAlchemy's per-row objects cost a third of the
        # time of a 50,000-row view.
        cursor = result.cursor
        columns = list(result.keys())
        stamped = [column for column, d in zip(columns, cursor.description) if d.type_code in _TIMESTAMPTZ.values]
        table = _records(cursor, columns)
    finally:
        result.close()
    for column in stamped:
        table[column] = _timestamps(table[column])
    return table


# Rows turned into columns this many at a time: a list's text held as Python objects, one per
# cell, took ten times the memory of its columns (310,000 open complaints: 465 MB at the peak
# for a frame of 48 MB).
CHUNK_ROWS = 20_000


def _records(cursor, columns: list[str]) -> pd.DataFrame:
    """The cursor's rows as DataFrame.from_records makes them, converted a chunk at a time.

    A text column of every chunk is kept as its chunks' (Arrow) columns; any other column keeps
    its values and gets its type from all of them, as from_records gives it; so does a text
    column that one chunk did not read as text (all empty there).
    """
    rows = cursor.fetchmany(CHUNK_ROWS)
    if len(rows) < CHUNK_ROWS:
        return pd.DataFrame.from_records(rows, columns=columns)
    pieces: list[list] = [[] for _ in columns]  # per column: its chunks' text columns, or values
    while rows:
        part = pd.DataFrame.from_records(rows, columns=columns)
        for i, column in enumerate(pieces):
            values = part.iloc[:, i]
            column.append(values if isinstance(values.dtype, pd.StringDtype) else [row[i] for row in rows])
        rows = cursor.fetchmany(CHUNK_ROWS)
    del part, values
    built = {}
    for i, chunks in enumerate(pieces):
        if all(isinstance(chunk, pd.Series) for chunk in chunks):
            built[i] = pd.concat(chunks, ignore_index=True)
            continue
        values = [value for chunk in chunks for value in (
            chunk if not isinstance(chunk, pd.Series) else [None if pd.isna(v) else v for v in chunk])]
        chunks.clear()
        built[i] = pd.DataFrame.from_records([(value,) for value in values], columns=[0]).iloc[:, 0]
    table = pd.DataFrame(built)
    table.columns = columns
    return table


def _timestamps(texts: pd.Series) -> pd.Series:
    """Postgres's text of timestamptz values as the column psycopg2's datetimes would have made."""
    if texts.isna().all():
        return texts  # as before: None, not NaT
    try:
        return pd.to_datetime(texts, format="ISO8601")
    except ValueError:  # offsets differ (a zone with summer time): datetimes, each with its own offset
        return pd.Series([None if pd.isna(text) else datetime.fromisoformat(text) for text in texts],
                         index=texts.index, dtype=object, name=texts.name)


def split(table: pd.DataFrame, by: str, value: str, columns: list[str], counts: tuple[str, ...] = (),
          renames: dict[str, str] | None = None) -> pd.DataFrame:
    """The rows of a one-pass figure whose `by` column is `value`: `columns`, renamed, with `counts` as integers.

    Each part fills only its own columns, so its counts arrive as floats beside the other parts' NULLs.
    """
    rows = table.loc[table[by] == value, columns].rename(columns=renames or {})
    return rows.astype({c: "int64" for c in counts}).reset_index(drop=True)
