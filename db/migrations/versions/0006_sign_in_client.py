"""Sign-in attempts remember the client's address, for a per-client limit.

Revision ID: 0006
Revises: 0005
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    ALTER TABLE sign_in_attempts ADD COLUMN client text;
    CREATE INDEX sign_in_attempts_client_idx ON sign_in_attempts(client, at) WHERE client IS NOT NULL;
    """)


def downgrade():
    op.execute("""
    DROP INDEX sign_in_attempts_client_idx;
    ALTER TABLE sign_in_attempts DROP COLUMN client;
    """)
