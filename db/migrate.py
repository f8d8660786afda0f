"""Create or upgrade the schema with Alembic (idempotent)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database at `engine` to the newest schema."""
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
