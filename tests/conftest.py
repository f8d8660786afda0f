"""Tests run against real Postgres: a throwaway database per test.

Without DATABASE_URL an embedded server is started with its data in `.pgdata-test/`.
With DATABASE_URL, the tests create and drop databases on that server (the user needs
CREATEDB); the database named in the URL itself is never touched.
The schema is migrated once into a template; each test gets `CREATE DATABASE ... TEMPLATE`.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from dashboard.ui.entry import entry_file_only
from db.engine import PROJECT_ROOT, embedded_server, make_engine, normalise_url
from db.migrate import upgrade

# AppTest starts every run at app.py, as serve.py makes the server do (see dashboard/ui/entry.py).
entry_file_only()

# Under pytest-xdist (`-n 2`, what `python3 dev.py test` runs) each worker has its own embedded
# server and its own templates, so two workers never migrate or drop the same database.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
TEST_DATA_DIR = PROJECT_ROOT / (f".pgdata-test-{WORKER}" if WORKER else ".pgdata-test")
TEMPLATE = f"dashboard_test_template{'_' + WORKER if WORKER else ''}"
DEMO_TEMPLATE = f"dashboard_test_demo{'_' + WORKER if WORKER else ''}"


def _server_url() -> str:
    """URL of the maintenance database `postgres` on the test server."""
    if os.environ.get("DATABASE_URL"):
        return str(make_url(normalise_url(os.environ["DATABASE_URL"])).set(database="postgres"))
    server = embedded_server(TEST_DATA_DIR)
    return f"postgresql+psycopg2://postgres@/postgres?host={server.get_postmaster_info().socket_dir}"


def _url_for(server_url: str, database: str) -> str:
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def admin():
    engine = sa.create_engine(_server_url(), isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def _recreate(admin, name: str, template: str = "template0") -> str:
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" ENCODING \'UTF8\''))
    return _url_for(str(admin.url.render_as_string(hide_password=False)), name)


@pytest.fixture(scope="session")
def template_db(admin) -> str:
    """A migrated, empty database used as the template of every test database."""
    url = _recreate(admin, TEMPLATE)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return TEMPLATE


def _throwaway(admin, template: str, prefix: str):
    """Yield the URL of a fresh copy of `template`; drop it (and its pooled engine) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    url = _recreate(admin, name, template)
    yield url
    from db import engine as engine_module

    with engine_module._lock:
        engine = engine_module._engines.pop(url, None)
    if engine is not None:
        engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def database_url(admin, template_db):
    """A fresh migrated database for one test; dropped afterwards."""
    yield from _throwaway(admin, template_db, "dashboard_test")


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def conn(engine):
    with engine.begin() as connection:
        yield connection


@pytest.fixture(scope="session")
def demo_template(admin, template_db) -> str:
    """A database holding a small demo anchored on today, built once per session."""
    from seeds.demo import generate

    url = _recreate(admin, DEMO_TEMPLATE, template_db)
    engine = make_engine(url)
    generate(engine, customers=300, seed=11, progress=lambda message: None)
    engine.dispose()
    return DEMO_TEMPLATE


@pytest.fixture
def demo_url(admin, demo_template):
    """A fresh copy of the demo database for one test."""
    yield from _throwaway(admin, demo_template, "dashboard_demo")


FIXTURES = Path(__file__).resolve().parent / "fixtures"
