"""Alembic environment: runs on the connection handed over by db.migrate, or on database_url()."""
from alembic import context
import sqlalchemy as sa

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    from db.engine import get_engine

    with get_engine().connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()
