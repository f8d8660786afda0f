"""Work records that can be corrected: who created a plan, and progress corrections.

A plan or task remembers the staff member who created it (the creator or the assigner may edit
it later). A progress entry is corrected or withdrawn by a correcting entry of its own: a row of
plan_progress that names the entry it corrects (`corrects_id`), carries signed amounts and the
same date, and says who entered it, when and why. One original entry per plan and day stays the
rule (a partial unique index, which the import's upsert of plan_no + recorded_on targets).

Revision ID: 0018
Revises: 0017
"""
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    ALTER TABLE plans ADD COLUMN created_by_staff_id integer REFERENCES staff(id);
    ALTER TABLE plan_progress ADD COLUMN corrects_id integer REFERENCES plan_progress(id) ON DELETE CASCADE;
    ALTER TABLE plan_progress ADD COLUMN reason text;
    ALTER TABLE plan_progress ADD COLUMN entered_at timestamptz NOT NULL DEFAULT now();
    ALTER TABLE plan_progress DROP CONSTRAINT IF EXISTS plan_progress_plan_id_recorded_on_key;
    ALTER TABLE plan_progress DROP CONSTRAINT IF EXISTS plan_progress_completed_count_check;
    ALTER TABLE plan_progress DROP CONSTRAINT IF EXISTS plan_progress_success_count_check;
    ALTER TABLE plan_progress DROP CONSTRAINT IF EXISTS plan_progress_cost_check;
    ALTER TABLE plan_progress DROP CONSTRAINT IF EXISTS plan_progress_check;
    CREATE UNIQUE INDEX plan_progress_entry_key ON plan_progress(plan_id, recorded_on) WHERE corrects_id IS NULL;
    CREATE INDEX plan_progress_corrects_idx ON plan_progress(corrects_id) WHERE corrects_id IS NOT NULL;
    ALTER TABLE plan_progress ADD CONSTRAINT plan_progress_entry_check CHECK (
        corrects_id IS NOT NULL
        OR (completed_count >= 0 AND cost >= 0
            AND (success_count IS NULL OR (success_count >= 0 AND success_count <= completed_count))));
    ALTER TABLE plan_progress ADD CONSTRAINT plan_progress_correction_reason_check CHECK (
        corrects_id IS NULL OR coalesce(reason, '') <> '');
    """)


def downgrade():
    # corrections cannot live in the old table: they are removed first
    op.execute("""
    DELETE FROM plan_progress WHERE corrects_id IS NOT NULL;
    ALTER TABLE plan_progress DROP CONSTRAINT plan_progress_correction_reason_check;
    ALTER TABLE plan_progress DROP CONSTRAINT plan_progress_entry_check;
    DROP INDEX plan_progress_corrects_idx;
    DROP INDEX plan_progress_entry_key;
    ALTER TABLE plan_progress ADD CONSTRAINT plan_progress_plan_id_recorded_on_key UNIQUE (plan_id, recorded_on);
    ALTER TABLE plan_progress ADD CONSTRAINT plan_progress_completed_count_check CHECK (completed_count >= 0);
    ALTER TABLE plan_progress ADD CONSTRAINT plan_progress_success_count_check CHECK (success_count >= 0);
    ALTER TABLE plan_progress ADD CONSTRAINT plan_progress_cost_check CHECK (cost >= 0);
    ALTER TABLE plan_progress ADD CONSTRAINT plan_progress_check
        CHECK (success_count IS NULL OR success_count <= completed_count);
    ALTER TABLE plan_progress DROP COLUMN entered_at;
    ALTER TABLE plan_progress DROP COLUMN reason;
    ALTER TABLE plan_progress DROP COLUMN corrects_id;
    ALTER TABLE plans DROP COLUMN created_by_staff_id;
    """)
