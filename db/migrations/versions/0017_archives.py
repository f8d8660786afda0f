"""Archives and the customer file: a department's head and active flag, earlier employers in
staff work history, the customer record of seed 003, and the customer log's number, category,
summary and the time an entry was recorded.

Revision ID: 0017
Revises: 0012
"""
from alembic import op

revision = "0017"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    ALTER TABLE departments ADD COLUMN head_staff_id integer REFERENCES staff(id);
    ALTER TABLE departments ADD COLUMN active boolean NOT NULL DEFAULT true;
    ALTER TABLE departments ADD COLUMN version integer NOT NULL DEFAULT 1;

    -- a row with an employer is a job before the company (no department then)
    ALTER TABLE staff_work_history ADD COLUMN employer text;
    CREATE UNIQUE INDEX staff_work_history_key ON staff_work_history(staff_id, started_on);
    CREATE UNIQUE INDEX staff_training_key ON staff_training(staff_id, course, trained_on);

    ALTER TABLE customers ADD COLUMN company_phone text;
    ALTER TABLE customers ADD COLUMN contact_title text;
    ALTER TABLE customers ADD COLUMN contact_gender text CHECK (contact_gender IN ('F', 'M'));
    ALTER TABLE customers ADD COLUMN contact_birthday date;
    ALTER TABLE customers ADD COLUMN best_contact_time text;

    -- the customer log: a number, what kind of event, a summary, and when it was recorded
    -- (logged_at is when the event happened); an imported entry is not judged for timeliness
    ALTER TABLE work_logs ADD COLUMN log_no text UNIQUE CHECK (log_no <> '');
    ALTER TABLE work_logs ADD COLUMN category text;
    ALTER TABLE work_logs ADD COLUMN summary text;
    ALTER TABLE work_logs ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
    ALTER TABLE work_logs ADD COLUMN imported boolean NOT NULL DEFAULT false;
    UPDATE work_logs SET log_no = 'L' || lpad(id::text, 8, '0'), recorded_at = logged_at, imported = true;
    ALTER TABLE work_logs ALTER COLUMN log_no SET NOT NULL;
    -- an entry belongs to its customer's department (it took the writer's before)
    UPDATE work_logs w SET department_id = c.department_id FROM customers c
    WHERE c.id = w.customer_id AND w.department_id <> c.department_id;
    -- an entry written without a number (a form, the demo) is numbered after its id: L00000042
    CREATE FUNCTION work_logs_number() RETURNS trigger AS $$
    BEGIN
        NEW.log_no := coalesce(NEW.log_no, 'L' || lpad(NEW.id::text, 8, '0'));
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    CREATE TRIGGER work_logs_number BEFORE INSERT ON work_logs FOR EACH ROW EXECUTE FUNCTION work_logs_number();
    CREATE INDEX work_logs_customer_logged_idx ON work_logs(customer_id, logged_at);
    CREATE INDEX work_logs_department_logged_idx ON work_logs(department_id, logged_at);
    CREATE INDEX complaints_customer_received_idx ON complaints(customer_id, received_at);
    -- the customer's surveys on the timeline use 0014's satisfaction_surveys_customer_idx
    """)


def downgrade():
    op.execute("""
    DROP TRIGGER work_logs_number ON work_logs;
    DROP FUNCTION work_logs_number();
    DROP INDEX complaints_customer_received_idx;
    DROP INDEX work_logs_department_logged_idx;
    DROP INDEX work_logs_customer_logged_idx;
    ALTER TABLE work_logs DROP COLUMN imported, DROP COLUMN recorded_at, DROP COLUMN summary,
        DROP COLUMN category, DROP COLUMN log_no;
    ALTER TABLE customers DROP COLUMN best_contact_time, DROP COLUMN contact_birthday, DROP COLUMN contact_gender,
        DROP COLUMN contact_title, DROP COLUMN company_phone;
    DROP INDEX staff_training_key;
    DROP INDEX staff_work_history_key;
    ALTER TABLE staff_work_history DROP COLUMN employer;
    ALTER TABLE departments DROP COLUMN version, DROP COLUMN active, DROP COLUMN head_staff_id;
    """)
