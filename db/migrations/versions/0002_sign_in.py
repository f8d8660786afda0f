"""Sign-in attempts for throttling; last sign-in on users.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    CREATE TABLE sign_in_attempts (
        id          bigserial PRIMARY KEY,
        username    text NOT NULL,
        at          timestamptz NOT NULL DEFAULT clock_timestamp(),
        succeeded   boolean NOT NULL
    );
    CREATE INDEX sign_in_attempts_user_idx ON sign_in_attempts(username, at);
    ALTER TABLE users ADD COLUMN last_sign_in timestamptz;
    ALTER TABLE users ADD CONSTRAINT users_staff_for_scoped_roles CHECK (role = 'manager' OR staff_id IS NOT NULL);
    """)


def downgrade():
    op.execute("""
    ALTER TABLE users DROP CONSTRAINT users_staff_for_scoped_roles;
    ALTER TABLE users DROP COLUMN last_sign_in;
    DROP TABLE sign_in_attempts;
    """)
