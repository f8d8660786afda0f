"""Reading a statement's rows into a DataFrame (dashboard.metrics.sql.frame): a long list is
converted a chunk at a time, and comes out as one conversion of all its rows would make it."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.metrics import sql


class Cursor:
    def __init__(self, rows):
        self.rows = list(rows)

    def fetchmany(self, size):
        taken, self.rows = self.rows[:size], self.rows[size:]
        return taken


COLUMNS = ["text", "gaps", "empty_first", "ints", "ints_gaps", "floats", "money", "day", "flag", "mixed", "same"]


def rows(n):
    for i in range(n):
        yield (f"名{i}", None if i % 3 else f"t{i}", None if i < 4 else f"x{i}", i, None if i % 4 == 1 else i,
               i / 2, Decimal(i) / 100 if i % 5 else None, date(2026, 1, 1 + i % 28), i % 2 == 0 if i < 6 else None,
               i if i < 5 else str(i), "same")


@pytest.mark.parametrize("n", [0, 1, 5, 9, 10, 23])
def test_chunks_give_the_frame_of_all_rows_at_once(monkeypatch, n):
    monkeypatch.setattr(sql, "CHUNK_ROWS", 4)
    whole = pd.DataFrame.from_records(list(rows(n)), columns=COLUMNS)
    chunked = sql._records(Cursor(rows(n)), COLUMNS)
    pd.testing.assert_frame_equal(chunked, whole, check_index_type=True, check_exact=True)
    assert list(chunked.dtypes) == list(whole.dtypes)
    for column in COLUMNS:  # None stays None (not NaN) in a column of Python objects
        if whole[column].dtype == object:
            assert [type(v) for v in chunked[column]] == [type(v) for v in whole[column]]
    assert isinstance(chunked.index, pd.RangeIndex)


def test_a_statements_frame_is_the_same_in_chunks(monkeypatch, engine):
    statement = """
        SELECT i, 'c' || i AS code, CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i END AS name,
               CASE WHEN i > 6 THEN i / 7.0 END AS ratio, timestamptz '2026-03-01 08:00+08' + i * interval '1 hour' AS at,
               CASE WHEN i > 3 THEN timestamptz '2026-03-01 08:00+08' END AS later, date '2026-01-01' + i AS day
        FROM generate_series(1, 11) AS i ORDER BY i"""
    with engine.connect() as conn:
        whole = sql.frame(conn, statement, {})
        monkeypatch.setattr(sql, "CHUNK_ROWS", 3)
        chunked = sql.frame(conn, statement, {})
    pd.testing.assert_frame_equal(chunked, whole, check_exact=True)
    assert list(chunked.dtypes) == list(whole.dtypes)
