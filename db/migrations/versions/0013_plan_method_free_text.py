"""A plan's method is free text (interfaces.md): the known names map to codes, any other text is kept.

Revision ID: 0013
Revises: 0011
"""
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TABLE plans DROP CONSTRAINT IF EXISTS plans_method_check")


def downgrade():
    # methods written as free text cannot satisfy the old list: they are cleared first
    op.execute("""
    UPDATE plans SET method = NULL WHERE method NOT IN ('interview', 'phone', 'sms', 'letter', 'email');
    ALTER TABLE plans ADD CONSTRAINT plans_method_check CHECK (method IN ('interview', 'phone', 'sms', 'letter', 'email'));
    """)
