"""Reminders that say what they are about, customer callbacks and gifts, and the working calendar.

- work_calendar: one row per day 2000-2100 for the business-hours SLA clock (db/calendar.py).
- reminders: a kind and the record it is about (one reminder per person, kind and record, so a
  condition that still holds on the next run makes no second one), read / dismissed / resolved /
  e-mailed times. The subject is rendered from the kind in the reader's language.
- customer_callbacks: a callback (回访) of a customer, by date, method, result and note.
- customer_gifts: a gift sent to a customer and the confirmation of its delivery.

Revision ID: 0015
Revises: 0013
"""
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    CREATE TABLE work_calendar (
        day     date PRIMARY KEY,
        working boolean NOT NULL,
        before  integer NOT NULL,      -- working days before this day, since the table's first day
        known   boolean NOT NULL       -- from chinese-calendar (true) or Monday-Friday (false)
    );
    CREATE UNIQUE INDEX work_calendar_nth_idx ON work_calendar (before) INCLUDE (day) WHERE working;

    ALTER TABLE reminders ALTER COLUMN subject DROP NOT NULL;
    ALTER TABLE reminders
        ADD COLUMN kind          text,
        ADD COLUMN ref           text,
        ADD COLUMN customer_id   integer REFERENCES customers(id) ON DELETE CASCADE,
        ADD COLUMN created_at    timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN read_at       timestamptz,
        ADD COLUMN dismissed_at  timestamptz,
        ADD COLUMN resolved_at   timestamptz,
        ADD COLUMN emailed_at    timestamptz;
    CREATE UNIQUE INDEX reminders_condition_idx ON reminders (staff_id, kind, ref) WHERE kind IS NOT NULL;
    CREATE INDEX reminders_open_idx ON reminders (staff_id) WHERE resolved_at IS NULL AND dismissed_at IS NULL;

    CREATE TABLE customer_callbacks (
        id              bigserial PRIMARY KEY,
        customer_id     integer NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        staff_id        integer REFERENCES staff(id),
        called_on       date NOT NULL,
        method          text NOT NULL CHECK (method IN ('phone', 'visit', 'email', 'wechat', 'sms', 'other')),
        result          text NOT NULL CHECK (result IN ('satisfied', 'neutral', 'dissatisfied', 'unreachable')),
        note            text,
        survey_id       bigint REFERENCES satisfaction_surveys(id) ON DELETE SET NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        created_by      text
    );
    CREATE INDEX customer_callbacks_customer_idx ON customer_callbacks (customer_id, called_on)
        WHERE result <> 'unreachable';
    CREATE INDEX customer_callbacks_date_idx ON customer_callbacks (called_on);

    CREATE TABLE customer_gifts (
        id              bigserial PRIMARY KEY,
        customer_id     integer NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
        staff_id        integer REFERENCES staff(id),
        sent_on         date NOT NULL,
        item            text NOT NULL CHECK (item <> ''),
        note            text,
        confirmed_on    date,
        created_at      timestamptz NOT NULL DEFAULT now(),
        CHECK (confirmed_on IS NULL OR confirmed_on >= sent_on)
    );
    CREATE INDEX customer_gifts_open_idx ON customer_gifts (sent_on) WHERE confirmed_on IS NULL;
    CREATE INDEX customer_gifts_customer_idx ON customer_gifts (customer_id);

    -- detractors (0-6) become callbacks due
    CREATE INDEX satisfaction_surveys_detractor_idx ON satisfaction_surveys (customer_id, surveyed_on) WHERE nps <= 6;
    -- complaints resolved without a callback: the callback list has no 30-day cut-off any more
    CREATE INDEX complaints_no_callback_idx ON complaints (resolved_at) WHERE resolved_at IS NOT NULL AND callback_at IS NULL;
    """)
    from db.calendar import fill

    fill(op.get_bind())


def downgrade():
    op.execute("""
    DROP TABLE customer_gifts, customer_callbacks, work_calendar;
    DROP INDEX satisfaction_surveys_detractor_idx, complaints_no_callback_idx;
    DROP INDEX reminders_condition_idx, reminders_open_idx;
    ALTER TABLE reminders DROP COLUMN kind, DROP COLUMN ref, DROP COLUMN customer_id, DROP COLUMN created_at,
        DROP COLUMN read_at, DROP COLUMN dismissed_at, DROP COLUMN resolved_at, DROP COLUMN emailed_at;
    """)
