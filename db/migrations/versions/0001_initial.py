"""The whole schema of the customer-service system.

Revision ID: 0001
Revises:
"""
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = r"""
-- Archives ---------------------------------------------------------------
CREATE TABLE departments (
    id          serial PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code <> ''),
    name        text NOT NULL CHECK (name <> ''),
    scope       text,
    parent_id   integer REFERENCES departments(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX departments_parent_idx ON departments(parent_id);

-- A department may not be its own ancestor.
CREATE FUNCTION departments_no_cycle() RETURNS trigger AS $$
BEGIN
    IF NEW.parent_id IS NOT NULL AND EXISTS (
        WITH RECURSIVE up(id, parent_id) AS (
            SELECT id, parent_id FROM departments WHERE id = NEW.parent_id
            UNION
            SELECT d.id, d.parent_id FROM departments d JOIN up ON d.id = up.parent_id
        ) SELECT 1 FROM up WHERE id = NEW.id
    ) THEN
        RAISE EXCEPTION 'department % would be its own ancestor', NEW.code
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER departments_no_cycle BEFORE INSERT OR UPDATE OF parent_id ON departments
    FOR EACH ROW EXECUTE FUNCTION departments_no_cycle();

CREATE TABLE staff (
    id              serial PRIMARY KEY,
    staff_no        text NOT NULL UNIQUE CHECK (staff_no <> ''),
    name            text NOT NULL CHECK (name <> ''),
    department_id   integer NOT NULL REFERENCES departments(id),
    role            text NOT NULL CHECK (role IN ('manager', 'head', 'agent')),
    title           text,
    gender          text CHECK (gender IN ('F', 'M')),
    birth_date      date,
    email           text,
    phone           text,
    address         text,
    hired_on        date,
    left_on         date,
    personal_notes  text,
    version         integer NOT NULL DEFAULT 1,
    CHECK (left_on IS NULL OR hired_on IS NULL OR left_on >= hired_on)
);
CREATE INDEX staff_department_idx ON staff(department_id);

CREATE TABLE staff_training (
    id          serial PRIMARY KEY,
    staff_id    integer NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    course      text NOT NULL,
    trained_on  date NOT NULL,
    hours       numeric(6,1) CHECK (hours >= 0),
    result      text
);
CREATE INDEX staff_training_staff_idx ON staff_training(staff_id);

CREATE TABLE staff_work_history (
    id              serial PRIMARY KEY,
    staff_id        integer NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    department_id   integer REFERENCES departments(id),
    role            text CHECK (role IN ('manager', 'head', 'agent')),
    title           text,
    started_on      date NOT NULL,
    ended_on        date,
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX staff_work_history_staff_idx ON staff_work_history(staff_id);

CREATE TABLE customers (
    id              serial PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code <> ''),
    name            text NOT NULL CHECK (name <> ''),
    department_id   integer NOT NULL REFERENCES departments(id),
    owner_staff_id  integer REFERENCES staff(id),
    industry        text,
    region          text,
    address         text,
    created_on      date,
    contact_name    text,
    contact_phone   text,
    contact_email   text,
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX customers_department_idx ON customers(department_id);
CREATE INDEX customers_owner_idx ON customers(owner_staff_id);

-- Who owned a customer when: the customer stays the company's when staff change.
CREATE TABLE customer_owner_history (
    id          serial PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    staff_id    integer NOT NULL REFERENCES staff(id),
    started_on  date NOT NULL,
    ended_on    date,
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX customer_owner_history_customer_idx ON customer_owner_history(customer_id, started_on);

-- Business ---------------------------------------------------------------
CREATE TABLE orders (
    id          bigserial PRIMARY KEY,
    order_no    text NOT NULL UNIQUE CHECK (order_no <> ''),
    customer_id integer NOT NULL REFERENCES customers(id),
    order_date  date NOT NULL,
    amount      numeric(14,2) NOT NULL,      -- refunds are negative
    category    text
);
CREATE INDEX orders_customer_date_idx ON orders(customer_id, order_date) INCLUDE (amount);
CREATE INDEX orders_date_idx ON orders(order_date) INCLUDE (customer_id, amount);

-- Rules and settings -----------------------------------------------------------
CREATE TABLE tier_rules (
    name        text PRIMARY KEY CHECK (name <> '' AND name <> 'none'),
    rank        integer NOT NULL UNIQUE CHECK (rank >= 1),
    min_amount  numeric(14,2) NOT NULL UNIQUE CHECK (min_amount > 0)
);
INSERT INTO tier_rules VALUES ('VIP', 1, 500000), ('Gold', 2, 100000), ('Silver', 3, 20000), ('Regular', 4, 0.01);

CREATE TABLE sla_policies (
    priority            text PRIMARY KEY CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    resolution_hours    numeric(8,2) NOT NULL CHECK (resolution_hours > 0),
    response_hours      numeric(8,2) NOT NULL CHECK (response_hours > 0)
);
INSERT INTO sla_policies VALUES ('urgent', 4, 1), ('high', 24, 4), ('normal', 72, 24), ('low', 168, 48);

CREATE TABLE settings (
    key     text PRIMARY KEY,
    value   jsonb NOT NULL
);
INSERT INTO settings VALUES
    ('fluctuation_threshold', '0.30'),
    ('value_band_high', '1.25'),
    ('value_band_low', '0.75'),
    ('abc_method', '"count"'),
    ('evaluation_weights', '{"quality": 0.3, "efficiency": 0.25, "attitude": 0.2, "teamwork": 0.15, "learning": 0.1}');

-- Plans and tasks --------------------------------------------------------------
CREATE TABLE plans (
    id                      serial PRIMARY KEY,
    plan_no                 text NOT NULL UNIQUE CHECK (plan_no <> ''),
    kind                    text NOT NULL CHECK (kind IN ('plan', 'task')),
    type                    text NOT NULL CHECK (type IN ('visit', 'activity', 'service', 'publicity', 'discount')),
    horizon                 text NOT NULL CHECK (horizon IN ('year', 'quarter', 'month', 'week')),
    start_date              date NOT NULL,
    end_date                date NOT NULL,
    department_id           integer NOT NULL REFERENCES departments(id),
    staff_id                integer REFERENCES staff(id),
    assigned_by_staff_id    integer REFERENCES staff(id),
    planned_count           integer NOT NULL CHECK (planned_count > 0),
    minimum_count           integer NOT NULL CHECK (minimum_count >= 0),
    planned_cost            numeric(14,2) NOT NULL CHECK (planned_cost >= 0),
    content                 text,
    purpose                 text,
    method                  text CHECK (method IN ('interview', 'phone', 'sms', 'letter', 'email')),
    created_at              timestamptz NOT NULL DEFAULT now(),
    version                 integer NOT NULL DEFAULT 1,
    CHECK (minimum_count <= planned_count),
    CHECK (start_date <= end_date)
);
CREATE INDEX plans_department_idx ON plans(department_id);
CREATE INDEX plans_staff_idx ON plans(staff_id);
CREATE INDEX plans_period_idx ON plans(start_date, end_date);

CREATE TABLE plan_progress (
    id              serial PRIMARY KEY,
    plan_id         integer NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    recorded_on     date NOT NULL,
    completed_count integer NOT NULL CHECK (completed_count >= 0),
    success_count   integer CHECK (success_count >= 0),
    cost            numeric(14,2) NOT NULL CHECK (cost >= 0),
    note            text,
    recorded_by     integer REFERENCES staff(id),
    UNIQUE (plan_id, recorded_on),
    CHECK (success_count IS NULL OR success_count <= completed_count)
);
CREATE INDEX plan_progress_plan_idx ON plan_progress(plan_id, recorded_on) INCLUDE (completed_count, success_count, cost);

CREATE TABLE suggestions (
    id              serial PRIMARY KEY,
    from_staff_id   integer NOT NULL REFERENCES staff(id),
    to_staff_id     integer NOT NULL REFERENCES staff(id),
    plan_id         integer REFERENCES plans(id),
    subject         text NOT NULL CHECK (subject <> ''),
    body            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    answer          text,
    answered_at     timestamptz,
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX suggestions_to_idx ON suggestions(to_staff_id, created_at);

-- Customer / work logs -----------------------------------------------------------
CREATE TABLE work_logs (
    id              bigserial PRIMARY KEY,
    department_id   integer NOT NULL REFERENCES departments(id),
    staff_id        integer NOT NULL REFERENCES staff(id),
    customer_id     integer REFERENCES customers(id),
    logged_at       timestamptz NOT NULL,
    source          text NOT NULL CHECK (source IN ('phone', 'visit', 'email', 'wechat', 'web', 'other')),
    service_type    text NOT NULL CHECK (service_type IN ('consultation', 'after_sales', 'complaint', 'visit', 'other')),
    content         text,
    handling        text,
    satisfaction    smallint CHECK (satisfaction BETWEEN 1 AND 5)
);
CREATE INDEX work_logs_logged_idx ON work_logs(logged_at);
CREATE INDEX work_logs_staff_idx ON work_logs(staff_id, logged_at);
CREATE INDEX work_logs_customer_idx ON work_logs(customer_id);

-- Complaints --------------------------------------------------------------------
CREATE TABLE complaints (
    id                  bigserial PRIMARY KEY,
    complaint_no        text NOT NULL UNIQUE CHECK (complaint_no <> ''),
    customer_id         integer NOT NULL REFERENCES customers(id),
    received_at         timestamptz NOT NULL,
    priority            text NOT NULL REFERENCES sla_policies(priority),
    channel             text,
    category            text,
    content             text NOT NULL,
    handler_staff_id    integer REFERENCES staff(id),
    first_response_at   timestamptz,
    resolved_at         timestamptz,
    resolution          text,
    satisfaction        smallint CHECK (satisfaction BETWEEN 1 AND 5),
    callback_at         timestamptz,
    version             integer NOT NULL DEFAULT 1,
    CHECK (first_response_at IS NULL OR first_response_at >= received_at),
    CHECK (resolved_at IS NULL OR resolved_at >= received_at),
    CHECK (callback_at IS NULL OR (resolved_at IS NOT NULL AND callback_at >= resolved_at))
);
CREATE INDEX complaints_received_idx ON complaints(received_at);
CREATE INDEX complaints_customer_idx ON complaints(customer_id);
CREATE INDEX complaints_handler_idx ON complaints(handler_staff_id);
-- The overdue-open list scans only the unresolved ones.
CREATE INDEX complaints_open_idx ON complaints(received_at) WHERE resolved_at IS NULL;

-- Retention ----------------------------------------------------------------------
CREATE TABLE retention_cases (
    id          serial PRIMARY KEY,
    case_no     text NOT NULL UNIQUE CHECK (case_no <> ''),
    customer_id integer NOT NULL REFERENCES customers(id),
    reason      text NOT NULL CHECK (reason IN ('price', 'service', 'quality', 'competitor', 'relocation', 'other')),
    intent      text NOT NULL CHECK (intent IN ('churned', 'at_risk')),
    method      text NOT NULL CHECK (method IN ('promotion', 'service_improvement', 'visit', 'discount', 'other')),
    started_on  date NOT NULL,
    cost        numeric(14,2) NOT NULL CHECK (cost >= 0),
    result      text NOT NULL CHECK (result IN ('retained', 'lost', 'pending')),
    closed_on   date,
    staff_id    integer REFERENCES staff(id),
    note        text,
    version     integer NOT NULL DEFAULT 1,
    CHECK (closed_on IS NULL OR closed_on >= started_on)
);
CREATE INDEX retention_cases_started_idx ON retention_cases(started_on);
CREATE INDEX retention_cases_customer_idx ON retention_cases(customer_id);

-- Service cost ------------------------------------------------------------------
CREATE TABLE service_budgets (
    id              serial PRIMARY KEY,
    department_id   integer NOT NULL REFERENCES departments(id),
    period_start    date NOT NULL,
    period_end      date NOT NULL,
    category        text NOT NULL CHECK (category IN ('people', 'equipment', 'funds')),
    amount          numeric(14,2) NOT NULL CHECK (amount >= 0),
    UNIQUE (department_id, period_start, period_end, category),
    CHECK (period_start <= period_end)
);

CREATE TABLE cost_entries (
    id                  bigserial PRIMARY KEY,
    entry_date          date NOT NULL,
    department_id       integer NOT NULL REFERENCES departments(id),
    staff_id            integer REFERENCES staff(id),
    category            text NOT NULL CHECK (category IN ('people', 'equipment', 'funds')),
    amount              numeric(14,2) NOT NULL,
    plan_id             integer REFERENCES plans(id),
    retention_case_id   integer REFERENCES retention_cases(id),
    note                text
);
CREATE INDEX cost_entries_date_idx ON cost_entries(department_id, entry_date);

-- Service quality and evaluation -----------------------------------------------------
CREATE TABLE satisfaction_surveys (
    id              bigserial PRIMARY KEY,
    customer_id     integer NOT NULL REFERENCES customers(id),
    staff_id        integer REFERENCES staff(id),
    department_id   integer NOT NULL REFERENCES departments(id),
    surveyed_on     date NOT NULL,
    csat            smallint CHECK (csat BETWEEN 1 AND 5),
    nps             smallint CHECK (nps BETWEEN 0 AND 10),
    comment         text,
    CHECK (csat IS NOT NULL OR nps IS NOT NULL)
);
CREATE INDEX satisfaction_surveys_date_idx ON satisfaction_surveys(surveyed_on);

CREATE TABLE evaluations_360 (
    id                  serial PRIMARY KEY,
    period              text NOT NULL,
    evaluator_staff_id  integer NOT NULL REFERENCES staff(id),
    evaluatee_staff_id  integer NOT NULL REFERENCES staff(id),
    relation            text NOT NULL CHECK (relation IN ('superior', 'peer', 'subordinate', 'self')),
    scores              jsonb NOT NULL,
    comment             text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (period, evaluator_staff_id, evaluatee_staff_id),
    CHECK ((relation = 'self') = (evaluator_staff_id = evaluatee_staff_id))
);
CREATE INDEX evaluations_360_evaluatee_idx ON evaluations_360(evaluatee_staff_id, period);

CREATE TABLE reminders (
    id          serial PRIMARY KEY,
    staff_id    integer NOT NULL REFERENCES staff(id),
    due_at      timestamptz NOT NULL,
    subject     text NOT NULL,
    body        text,
    done        boolean NOT NULL DEFAULT false,
    plan_id     integer REFERENCES plans(id),
    complaint_id bigint REFERENCES complaints(id)
);
CREATE INDEX reminders_staff_idx ON reminders(staff_id, due_at) WHERE NOT done;

-- Users and audit -------------------------------------------------------------------
CREATE TABLE users (
    id              serial PRIMARY KEY,
    username        text NOT NULL UNIQUE CHECK (username <> ''),
    password_hash   text NOT NULL,
    role            text NOT NULL CHECK (role IN ('manager', 'head', 'agent')),
    staff_id        integer REFERENCES staff(id),
    active          boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL,
    action      text NOT NULL,
    table_name  text NOT NULL,
    record_key  text NOT NULL,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_log_record_idx ON audit_log(table_name, record_key, at);
"""


def upgrade():
    op.execute(SCHEMA)


def downgrade():
    op.execute("""
    DROP TABLE IF EXISTS audit_log, users, reminders, evaluations_360, satisfaction_surveys,
        cost_entries, service_budgets, retention_cases, complaints, work_logs, suggestions,
        plan_progress, plans, settings, sla_policies, tier_rules, orders, customer_owner_history,
        customers, staff_work_history, staff_training, staff, departments CASCADE;
    DROP FUNCTION IF EXISTS departments_no_cycle();
    """)
