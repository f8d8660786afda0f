"""DATABASE_READ_URL against a real streaming replica of the test server (bench/replica.py).

The replica is a hot standby made by pg_basebackup of this worker's embedded server, so every
database a test creates on the primary reaches it by streaming. Skipped when the binaries or
the server cannot do it (a DATABASE_URL server elsewhere, no pg_basebackup).
"""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import make_url

from bench.replica import Replica
from dashboard import cli
from dashboard.core.calls import Call
from dashboard.ui import data
from dashboard.writes.audit import audit
from db import engine as engine_module
from db.engine import embedded_server, get_engine, get_read_engine
from tests.builders import add_complaint, base
from tests.conftest import TEST_DATA_DIR
from tests.test_app import assert_clean, open_page, use_database  # noqa: F401


@pytest.fixture(scope="module")
def replica(admin):
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the replica is made of the embedded test server; DATABASE_URL names another")
    server = embedded_server(TEST_DATA_DIR)
    info = server.get_postmaster_info()
    standby = Replica(info.socket_dir, int(info.port), server.system_user)
    try:
        standby.start()
    except (OSError, RuntimeError, KeyError) as error:  # no binaries, no replication, no system user
        standby.stop()
        pytest.skip(f"no streaming replica on this machine: {error}")
    yield standby
    for url in [u for u in engine_module._engines if standby.socket_dir.as_posix() in u]:
        engine_module._engines.pop(url).dispose()
    data._awaited[0] = None
    standby.stop()


def complaints_seen(conn) -> pd.DataFrame:
    """A figure naming the server it was read on: the complaints, and whether it is a standby."""
    return pd.DataFrame([conn.execute(sa.text(
        "SELECT count(*) AS complaints, pg_is_in_recovery() AS on_replica FROM complaints")).one()._asdict()])


def seen() -> tuple[int, bool]:
    row = data.fetch(Call(complaints_seen)).iloc[0]
    return int(row["complaints"]), bool(row["on_replica"])


@pytest.fixture
def statements():
    """(engine, statement) of every statement sent while the test runs."""
    sent = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append((conn.engine, statement))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
    yield sent
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)


def _on_replica(replica, database_url, monkeypatch, use_database):
    """DATABASE_URL on the primary, DATABASE_READ_URL on the same database on the replica, replayed."""
    use_database(database_url)
    name = make_url(database_url).database
    monkeypatch.setenv("DATABASE_READ_URL", replica.url(name))
    data.follow_changes()  # the audit entries of this database, seen (another test's were seen before)
    _caught_up(replica, name)
    return name


def _caught_up(replica, name: str) -> None:
    """Wait until the replica has replayed what the primary holds now; then figures come from it."""
    with get_engine().connect() as conn:
        position = conn.execute(sa.text("SELECT pg_current_wal_lsn()::text")).scalar()
    assert replica.wait_for(name, position), "the replica did not replay the primary's WAL"
    st.cache_data.clear()
    assert seen()[1], "a replica that holds every write seen here is read"
    st.cache_data.clear()


def _another_write(no: str) -> None:
    """A complaint registered as a form or an import writes one: the record and its audit entry."""
    with get_engine().begin() as conn:
        add_complaint(conn, no, "C1", datetime.now(timezone.utc))
        audit(conn, "cli", "insert", "complaints", no)


def test_pages_read_their_figures_from_the_replica(replica, database_url, monkeypatch, use_database, statements):
    with engine_module.make_engine(database_url).begin() as conn:
        base(conn)
        add_complaint(conn, "K1", "C1", datetime.now(timezone.utc))
    _on_replica(replica, database_url, monkeypatch, use_database)
    read = get_read_engine()
    assert read is not get_engine()
    with read.connect() as conn:
        assert conn.execute(sa.text("SELECT pg_is_in_recovery()")).scalar()

    at = open_page("complaints")
    assert_clean(at)
    on_replica = [s for e, s in statements if e is read]
    on_primary = [s for e, s in statements if e is get_engine()]
    assert len(on_replica) >= 5, "the page's figures come from the replica"
    assert all(s.lstrip().upper().startswith(("SELECT", "WITH")) for s in on_replica)
    assert any("audit_log" in s for s in on_primary), "following changes reads the primary"
    assert not any("audit_log" in s for s in on_replica)


def test_a_write_is_read_from_the_primary_until_the_replica_has_replayed_it(
        replica, database_url, monkeypatch, use_database):
    with engine_module.make_engine(database_url).begin() as conn:
        base(conn)
    name = _on_replica(replica, database_url, monkeypatch, use_database)
    assert seen() == (0, True)

    with get_read_engine().connect() as standby:
        standby.execute(sa.text("SELECT pg_wal_replay_pause()"))  # the replica lags as long as we like
        try:
            # a write by another process (the command line, another server), found on the next run
            _another_write("K1")
            data.follow_changes()
            assert seen() == (1, False), "the next run shows the write, read from the primary"
            # a write of this app: its user's next run shows it too
            _another_write("K2")
            data.written_here()
            assert seen() == (2, False)
            with cli._reading(get_engine()) as conn:  # an export started after the write
                assert conn.execute(sa.text("SELECT count(*), pg_is_in_recovery() FROM complaints")).one() == (2, False)
        finally:
            standby.execute(sa.text("SELECT pg_wal_replay_resume()"))
    _caught_up(replica, name)
    assert seen() == (2, True), "once replayed, the write is read from the replica"
    assert data._awaited[0] is None


def test_without_the_variable_everything_uses_one_engine(database_url, monkeypatch, use_database, statements):
    monkeypatch.delenv("DATABASE_READ_URL", raising=False)
    use_database(database_url)
    assert get_read_engine() is get_engine()
    data.written_here()
    assert data._awaited[0] is None
    assert seen() == (0, False)
    at = open_page("complaints")
    assert_clean(at)
    assert {e for e, _ in statements} == {get_engine()}
    assert not any("pg_current_wal_lsn" in s or "pg_last_wal_replay_lsn" in s for _, s in statements)


def test_an_unreachable_replica_leaves_the_reads_on_the_primary(database_url, monkeypatch, use_database, caplog, tmp_path):
    use_database(database_url)
    monkeypatch.setenv("DATABASE_READ_URL", f"postgresql+psycopg2://postgres@/nowhere?host={tmp_path}")
    monkeypatch.setattr(engine_module, "_replica_down_until", [0.0])
    try:
        assert seen() == (0, False)
        assert "replica unreachable, reading from the primary" in caplog.text
        caplog.clear()
        st.cache_data.clear()
        assert seen() == (0, False)
        assert "replica unreachable" not in caplog.text, "within the next 30 seconds the replica is not tried again"
    finally:
        engine_module._engines.pop(engine_module.read_database_url(), None)


def test_grading_on_the_replica_stores_its_figures_on_the_primary(replica, database_url, monkeypatch, use_database):
    # a standby takes no writes: the stored graded population is written on the primary and
    # streamed back, and the page never fails for it
    with engine_module.make_engine(database_url).begin() as conn:
        base(conn)
        conn.execute(sa.text("INSERT INTO orders (order_no, customer_id, order_date, amount) "
                             "SELECT 'O1', id, current_date - 3, 100.00 FROM customers WHERE code = 'C1'"))
    name = _on_replica(replica, database_url, monkeypatch, use_database)
    at = open_page("grading")
    assert_clean(at)
    with get_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM customer_grade_sets")).scalar() >= 1
    _caught_up(replica, name)
    with get_read_engine().connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM customer_grade_sets")).scalar() >= 1
