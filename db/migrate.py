"""Create or upgrade the schema with Alembic (idempotent)."""
from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> "Config":
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """The newest migration's revision, read from the file names (`NNNN_name.py` holds revision
    "NNNN", tests/test_database.py checks it) without loading Alembic and every migration script."""
    return max(path.name.split("_")[0] for path in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def ensure_current(engine: Engine) -> None:
    """upgrade(engine) unless the schema is at the head already and the working calendar current:
    a command that only reads (an export, a report) then starts without Alembic's start-up."""
    import sqlalchemy as sa

    from db.calendar import is_current

    with engine.connect() as conn:
        at_head = conn.execute(sa.text("SELECT to_regclass('public.alembic_version') IS NOT NULL")).scalar() and \
            conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        if at_head and is_current(conn):
            return
    upgrade(engine)


def upgrade(engine: Engine) -> None:
    """Bring the database at `engine` to the newest schema."""
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        # a newer chinese-calendar knows more years: the working calendar follows it
        from db.calendar import fill, is_current

        if not is_current(conn):
            fill(conn)


def is_empty(engine: Engine) -> bool:
    """True when the schema is missing or holds no customers (nothing to show yet)."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        if conn.execute(sa.text("SELECT to_regclass('public.customers')")).scalar() is None:
            return True
        return conn.execute(sa.text("SELECT NOT EXISTS (SELECT 1 FROM customers)")).scalar()
