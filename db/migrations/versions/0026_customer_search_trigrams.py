"""Trigram indexes for the customer search (code, name, contact name, phones).

The customer file's search matches any part of a customer's code, name, contact name or phone
numbers (`ILIKE '%text%'`), which no b-tree can answer: at 500,000 customers every search read
the whole table, about 1 s. pg_trgm's GIN indexes answer a search of three characters or more
from the index (4-25 ms there). A search of one or two characters (a surname) has no trigram to
look up and still reads the customers in scope.

pg_trgm ships with PostgreSQL (contrib) and is a trusted extension, so a database owner may
create it. Where it cannot be created (a server without contrib, a role without the right),
the migration leaves the indexes out and the search still works, reading the table as before.

Revision ID: 0026
Revises: 0025
"""
import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

COLUMNS = ("code", "name", "contact_name", "contact_phone", "company_phone")


def upgrade() -> None:
    conn = op.get_bind()
    available = conn.execute(sa.text(
        "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm')")).scalar()
    if not available:
        return
    try:
        with conn.begin_nested():  # a refused CREATE EXTENSION must not end the migration
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        return
    for column in COLUMNS:
        op.execute(f"CREATE INDEX IF NOT EXISTS customers_{column}_trgm ON customers USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    for column in COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS customers_{column}_trgm")
