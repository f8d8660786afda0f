"""Call records from the phone system (metrics.md "Contact centre"): one row a call.

A call belongs to its customer's department, else to its staff member's (set when it is
written); one with neither has no department and is seen by managers only.

Revision ID: 0019
Revises: 0018
"""
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    CREATE TABLE calls (
        id bigserial PRIMARY KEY,
        call_id text NOT NULL UNIQUE CHECK (call_id <> ''),
        direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        started_at timestamptz NOT NULL,
        answered_at timestamptz CHECK (answered_at >= started_at),
        ended_at timestamptz NOT NULL CHECK (ended_at >= started_at AND ended_at >= coalesce(answered_at, started_at)),
        wrap_up_seconds integer CHECK (wrap_up_seconds >= 0),
        queue text,
        staff_id integer REFERENCES staff(id),
        customer_id integer REFERENCES customers(id),
        caller text,
        department_id integer REFERENCES departments(id)
    );
    CREATE INDEX calls_started_idx ON calls(started_at) WHERE direction = 'inbound';
    CREATE INDEX calls_department_started_idx ON calls(department_id, started_at) WHERE direction = 'inbound';
    -- first-contact resolution looks for the same customer's (else caller's) next inbound call
    CREATE INDEX calls_customer_started_idx ON calls(customer_id, started_at) WHERE direction = 'inbound';
    CREATE INDEX calls_caller_started_idx ON calls(caller, started_at) WHERE direction = 'inbound';
    """)


def downgrade():
    op.execute("DROP TABLE calls")
