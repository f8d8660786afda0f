"""Getting a database ready for the app: migrate, and load the demo on a new embedded one.

With DATABASE_URL set we never write demo data unasked: a missing schema is reported so the
user can run `python -m dashboard migrate` themselves.
"""
from __future__ import annotations

import threading

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from db.engine import uses_embedded
from db.migrate import is_empty, upgrade

DEMO_CUSTOMERS = 2000
DEMO_LOCK = threading.Lock()  # two first sessions must not both load the demo


class NotMigrated(RuntimeError):
    pass


def needs_demo(engine: Engine) -> bool:
    return uses_embedded() and is_empty(engine)


def prepare(engine: Engine) -> None:
    """Make the schema current (embedded) or check that it exists (DATABASE_URL)."""
    if uses_embedded():
        upgrade(engine)
        return
    with engine.connect() as conn:
        if conn.execute(sa.text("SELECT to_regclass('public.alembic_version')")).scalar() is None:
            raise NotMigrated("no schema")
