"""Service cost: budgets named by their period, proposed and approved, with their adjustment
history; cost entries numbered, with a purpose and a link to a plan, task or retention case.

A budget row covers one named period (a year, quarter, month or ISO week), so its length in
days is one of 7, 28-31, 90-92, 365, 366 (the figures pro-rate by days with a common
denominator, see dashboard/metrics/cost.py). `amount` is the current approved amount (or the
proposed one while `status` is 'proposed'); `original_amount` the first approved amount;
`proposed_amount` a head's change waiting for a manager. `budget_adjustments` keeps every
change: who, when, before, after.

Revision ID: 0012
Revises: 0013
"""
from alembic import op

revision = "0012"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    ALTER TABLE service_budgets
        ADD COLUMN period text,
        ADD COLUMN status text NOT NULL DEFAULT 'approved' CHECK (status IN ('proposed', 'approved', 'rejected')),
        ADD COLUMN original_amount numeric(14,2) CHECK (original_amount >= 0),
        ADD COLUMN proposed_amount numeric(14,2) CHECK (proposed_amount >= 0),
        ADD COLUMN note text,
        ADD COLUMN proposed_by text,
        ADD COLUMN proposed_at timestamptz,
        ADD COLUMN decided_by text,
        ADD COLUMN decided_at timestamptz,
        ADD COLUMN version integer NOT NULL DEFAULT 1;
    UPDATE service_budgets SET original_amount = amount, period = CASE
        WHEN period_start = date_trunc('year', period_start)::date
             AND period_end = (date_trunc('year', period_start) + interval '1 year - 1 day')::date
            THEN to_char(period_start, 'YYYY')
        WHEN period_start = date_trunc('quarter', period_start)::date
             AND period_end = (date_trunc('quarter', period_start) + interval '3 months - 1 day')::date
            THEN to_char(period_start, 'YYYY-"Q"Q')
        WHEN period_start = date_trunc('month', period_start)::date
             AND period_end = (date_trunc('month', period_start) + interval '1 month - 1 day')::date
            THEN to_char(period_start, 'YYYY-MM')
        WHEN extract(isodow FROM period_start) = 1 AND period_end = period_start + 6
            THEN to_char(period_start, 'IYYY-"W"IW')
        ELSE period_start::text || '..' || period_end::text END;
    ALTER TABLE service_budgets ALTER COLUMN period SET NOT NULL,
        ADD CONSTRAINT service_budgets_period_days CHECK (array_position(ARRAY[7, 28, 29, 30, 31, 90, 91, 92, 365, 366], period_end - period_start + 1) IS NOT NULL);
    -- an approved budget has its original amount
    ALTER TABLE service_budgets ADD CONSTRAINT service_budgets_original
        CHECK (status <> 'approved' OR original_amount IS NOT NULL);
    -- the budgets overlapping a range: by start and end
    CREATE INDEX service_budgets_range_idx ON service_budgets (period_start, period_end) WHERE status = 'approved';

    CREATE TABLE budget_adjustments (
        id            bigserial PRIMARY KEY,
        budget_id     integer NOT NULL REFERENCES service_budgets(id) ON DELETE CASCADE,
        at            timestamptz NOT NULL DEFAULT now(),
        actor         text NOT NULL,
        action        text NOT NULL CHECK (action IN ('propose', 'approve', 'reject', 'adjust', 'import')),
        amount_before numeric(14,2),
        amount_after  numeric(14,2),
        note          text
    );
    CREATE INDEX budget_adjustments_budget_idx ON budget_adjustments (budget_id, at);

    ALTER TABLE cost_entries
        ADD COLUMN entry_no text,
        ADD COLUMN purpose text,
        ADD COLUMN created_by text,
        ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();
    UPDATE cost_entries SET entry_no = 'E' || lpad(id::text, 7, '0');
    ALTER TABLE cost_entries ALTER COLUMN entry_no SET NOT NULL,
        ADD CONSTRAINT cost_entries_entry_no_key UNIQUE (entry_no),
        ADD CONSTRAINT cost_entries_entry_no_check CHECK (entry_no <> '');
    -- the range over all departments (the company's page), and the cost per linked record
    CREATE INDEX cost_entries_entry_date_idx ON cost_entries (entry_date) INCLUDE (department_id, category, amount);
    CREATE INDEX cost_entries_plan_idx ON cost_entries (plan_id) WHERE plan_id IS NOT NULL;
    CREATE INDEX cost_entries_case_idx ON cost_entries (retention_case_id) WHERE retention_case_id IS NOT NULL;
    """)


def downgrade():
    op.execute("""
    DROP INDEX cost_entries_case_idx; DROP INDEX cost_entries_plan_idx; DROP INDEX cost_entries_entry_date_idx;
    ALTER TABLE cost_entries DROP COLUMN entry_no, DROP COLUMN purpose, DROP COLUMN created_by, DROP COLUMN created_at;
    DROP TABLE budget_adjustments;
    DROP INDEX service_budgets_range_idx;
    ALTER TABLE service_budgets DROP CONSTRAINT service_budgets_period_days, DROP CONSTRAINT service_budgets_original,
        DROP COLUMN period, DROP COLUMN status, DROP COLUMN original_amount, DROP COLUMN proposed_amount,
        DROP COLUMN note, DROP COLUMN proposed_by, DROP COLUMN proposed_at, DROP COLUMN decided_by,
        DROP COLUMN decided_at, DROP COLUMN version;
    """)
