"""Feedback on tasks: a suggestion linked to the task it answers, found by the task.

suggestions.plan_id (nullable) names the plan or task a suggestion is about; the index serves the
task record's list of its feedback (by task, oldest first).

Revision ID: 0020
Revises: 0018
"""
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    ALTER TABLE suggestions ADD COLUMN IF NOT EXISTS plan_id integer REFERENCES plans(id);
    CREATE INDEX IF NOT EXISTS suggestions_plan_idx ON suggestions(plan_id, created_at) WHERE plan_id IS NOT NULL;
    """)


def downgrade():
    op.execute("DROP INDEX IF EXISTS suggestions_plan_idx")
