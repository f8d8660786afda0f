"""Service quality and evaluation: survey numbers, evaluation cycles and their participants,
skill assessments and scorecard appeals, and the indexes the per-staff figures read.

Revision ID: 0014
Revises: 0012
"""
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    -- a survey answer has a number (surveys.csv's key); rows from before get S + their id
    ALTER TABLE satisfaction_surveys ADD COLUMN survey_no text;
    UPDATE satisfaction_surveys SET survey_no = 'S' || lpad(id::text, 8, '0');
    -- a survey written without a number (the demo, other forms) draws the next from a sequence
    CREATE SEQUENCE satisfaction_surveys_no_seq OWNED BY satisfaction_surveys.survey_no;
    SELECT setval('satisfaction_surveys_no_seq', coalesce((SELECT max(id) FROM satisfaction_surveys), 0) + 1, false);
    ALTER TABLE satisfaction_surveys ALTER COLUMN survey_no
        SET DEFAULT 'S' || lpad(nextval('satisfaction_surveys_no_seq')::text, 8, '0');
    ALTER TABLE satisfaction_surveys ALTER COLUMN survey_no SET NOT NULL;
    ALTER TABLE satisfaction_surveys ADD CONSTRAINT satisfaction_surveys_survey_no_key UNIQUE (survey_no);
    ALTER TABLE satisfaction_surveys ADD CONSTRAINT satisfaction_surveys_survey_no_check CHECK (survey_no <> '');
    CREATE INDEX satisfaction_surveys_customer_idx ON satisfaction_surveys(customer_id, surveyed_on);
    CREATE INDEX satisfaction_surveys_staff_idx ON satisfaction_surveys(staff_id, surveyed_on);

    -- the 360 dimensions are the seed's four (metrics.md); the first schema stored five others as
    -- the rule: that untouched row goes, so the documented default applies
    DELETE FROM settings WHERE key = 'evaluation_weights'
       AND value = '{"quality": 0.3, "efficiency": 0.25, "attitude": 0.2, "teamwork": 0.15, "learning": 0.1}'::jsonb;

    -- the per-staff figures: retention cases by their staff member
    CREATE INDEX retention_cases_staff_idx ON retention_cases(staff_id, started_on);
    -- service success reads the progress records dated in a range
    CREATE INDEX plan_progress_recorded_idx ON plan_progress(recorded_on) INCLUDE (plan_id, completed_count, success_count);

    -- A cycle opened in the app: open until closed. A cycle named only by ratings is closed.
    CREATE TABLE evaluation_cycles (
        id          serial PRIMARY KEY,
        cycle       text NOT NULL UNIQUE CHECK (cycle <> ''),
        opened_at   timestamptz NOT NULL DEFAULT now(),
        opened_by   text NOT NULL,
        closed_at   timestamptz,
        closed_by   text,
        version     integer NOT NULL DEFAULT 1,
        CHECK ((closed_at IS NULL) = (closed_by IS NULL))
    );
    CREATE TABLE evaluation_participants (
        cycle_id    integer NOT NULL REFERENCES evaluation_cycles(id) ON DELETE CASCADE,
        staff_id    integer NOT NULL REFERENCES staff(id),
        PRIMARY KEY (cycle_id, staff_id)
    );
    CREATE INDEX evaluations_360_period_idx ON evaluations_360(period, evaluator_staff_id);

    -- Skill assessments (书面测试、情景测试、服务回访、日常观察): a score 0-100 per staff member,
    -- period and kind; they feed the scorecard.
    CREATE TABLE skill_assessments (
        id           serial PRIMARY KEY,
        staff_id     integer NOT NULL REFERENCES staff(id),
        period       text NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('written', 'scenario', 'callback_check', 'observation')),
        score        numeric(5,2) NOT NULL CHECK (score BETWEEN 0 AND 100),
        assessed_on  date NOT NULL,
        note         text,
        recorded_by  text NOT NULL,
        version      integer NOT NULL DEFAULT 1,
        UNIQUE (staff_id, period, kind)
    );

    -- An appeal of a scorecard result, and its answer, kept.
    CREATE TABLE scorecard_appeals (
        id           serial PRIMARY KEY,
        staff_id     integer NOT NULL REFERENCES staff(id),
        period       text NOT NULL,
        reason       text NOT NULL CHECK (reason <> ''),
        created_at   timestamptz NOT NULL DEFAULT now(),
        answer       text,
        answered_by  text,
        answered_at  timestamptz,
        UNIQUE (staff_id, period),
        CHECK ((answer IS NULL) = (answered_at IS NULL))
    );
    """)


def downgrade():
    op.execute("""
    DROP TABLE IF EXISTS scorecard_appeals, skill_assessments, evaluation_participants, evaluation_cycles;
    DROP INDEX IF EXISTS evaluations_360_period_idx;
    DROP INDEX IF EXISTS retention_cases_staff_idx;
    DROP INDEX IF EXISTS plan_progress_recorded_idx;
    DROP INDEX IF EXISTS satisfaction_surveys_customer_idx;
    DROP INDEX IF EXISTS satisfaction_surveys_staff_idx;
    ALTER TABLE satisfaction_surveys DROP COLUMN IF EXISTS survey_no;
    """)
