"""Getting a database ready for the app: migrate, and load the demo on a new embedded one.

With DATABASE_URL set we never write demo data unasked: a missing schema is reported so the
user can run `python -m dashboard migrate` themselves.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from db.engine import uses_embedded
from db.migrate import is_empty, upgrade

DEMO_CUSTOMERS = 2000


class NotMigrated(RuntimeError):
    pass


def needs_demo(engine: Engine) -> bool:
    return uses_embedded() and is_empty(engine)


def prepare(engine: Engine, load_demo=None) -> None:
    """Make the schema current (embedded) or check it exists (DATABASE_URL); demo if new and embedded."""
    if uses_embedded():
        upgrade(engine)
        if is_empty(engine) and load_demo is not None:
            load_demo()
        return
    with engine.connect() as conn:
        if conn.execute(sa.text("SELECT to_regclass('public.alembic_version')")).scalar() is None:
            raise NotMigrated("no schema")
