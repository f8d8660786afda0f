"""Stored figures: small results of heavy reads, kept per figure, scope and parameters.

A page's cards (the fluctuation flags and largest movers, the tier matrix, the grading
aggregates) are a few dozen rows computed from every customer in scope: 1-3 s each at 500,000
customers, on every first render. From the stored windows and ranges (0021) they are still a
pass over those customers. Here the result itself is kept, the first time it is asked for, in
`stored_figures` (snapshots.stored_frame): its columns with their types and its rows as JSON.

A stored result depends only on the orders within [orders_from, orders_to], the customers and
departments (names, codes, places) and the tier rules; the settings it reads are part of its key.
Invalidation, with the same writers' lock 7411021 as 0021:
- orders dated lo..hi (`invalidate_customer_figures`, called by the orders triggers): every
  result whose span overlaps [lo, hi]; TRUNCATE orders: every result;
- a customer's name, code or department, a department's name, code or parent, and a deleted
  customer or department: every result (their scopes' members and the names shown change);
- tier rules (any change): every result.

Revision ID: 0025
Revises: 0024
"""
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# 0023's invalidate_customer_figures, with the stored figures' delete added
_INVALIDATE = """
    CREATE OR REPLACE FUNCTION invalidate_customer_figures(customer_ids integer[], lo date, hi date) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        IF lo IS NULL THEN
            RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock(7411021);
        DELETE FROM customer_grade_sets WHERE as_of >= lo AND as_of - 364 <= hi;
        DELETE FROM customer_tier_count_sets
        WHERE (cur_to >= lo AND cur_from <= hi) OR (prev_to >= lo AND prev_from <= hi);
        {stored}
        IF cardinality(customer_ids) > 500 THEN
            DELETE FROM customer_window_ranges WHERE range_to >= lo AND range_from <= hi;
            RETURN;
        END IF;
        DELETE FROM customer_window_figures f USING customer_window_ranges r
        WHERE f.range_from = r.range_from AND f.range_to = r.range_to
          AND r.range_to >= lo AND r.range_from <= hi AND f.customer_id = ANY(customer_ids);
        INSERT INTO customer_window_figures
        SELECT r.range_from, r.range_to, o.customer_id, sum(o.amount), count(*) FILTER (WHERE o.amount >= 0),
               count(*), max(o.order_date) FILTER (WHERE o.amount >= 0)
        FROM customer_window_ranges r
        JOIN orders o ON o.customer_id = ANY(customer_ids) AND o.order_date BETWEEN r.range_from AND r.range_to
        WHERE r.range_to >= lo AND r.range_from <= hi
        GROUP BY 1, 2, 3;
    END $$;
"""


def upgrade():
    op.execute("""
    CREATE TABLE stored_figures (
        figure       text NOT NULL,               -- the function's name, e.g. 'fluctuation.fluctuation_summary'
        scope_key    text NOT NULL,               -- department code; '' for the whole company
        params       text NOT NULL,               -- the call's parameters and the settings read, as canonical JSON
        orders_from  date NOT NULL,               -- the order dates the result reads
        orders_to    date NOT NULL,
        columns      jsonb NOT NULL,              -- [[name, type], ...] in order
        rows         jsonb NOT NULL,              -- [[value, ...], ...] in order, values as text
        filled_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (figure, scope_key, params)
    );

    CREATE FUNCTION stored_figures_cleared() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            IF TG_TABLE_NAME = 'customers' THEN
                IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                               WHERE n.department_id IS DISTINCT FROM o.department_id OR n.code <> o.code
                                  OR n.name IS DISTINCT FROM o.name) THEN
                    RETURN NULL;
                END IF;
            ELSIF TG_TABLE_NAME = 'departments' THEN
                IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                               WHERE n.parent_id IS DISTINCT FROM o.parent_id OR n.code <> o.code
                                  OR n.name IS DISTINCT FROM o.name) THEN
                    RETURN NULL;
                END IF;
            END IF;
        END IF;
        PERFORM pg_advisory_xact_lock(7411021);
        DELETE FROM stored_figures;
        RETURN NULL;
    END $$;

    CREATE TRIGGER customers_stored_figures_update AFTER UPDATE ON customers
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION stored_figures_cleared();
    CREATE TRIGGER customers_stored_figures_delete AFTER DELETE OR TRUNCATE ON customers
        FOR EACH STATEMENT EXECUTE FUNCTION stored_figures_cleared();
    CREATE TRIGGER departments_stored_figures_update AFTER UPDATE ON departments
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION stored_figures_cleared();
    CREATE TRIGGER departments_stored_figures_delete AFTER DELETE OR TRUNCATE ON departments
        FOR EACH STATEMENT EXECUTE FUNCTION stored_figures_cleared();
    CREATE TRIGGER tier_rules_stored_figures AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tier_rules
        FOR EACH STATEMENT EXECUTE FUNCTION stored_figures_cleared();
    CREATE TRIGGER orders_stored_figures_truncate AFTER TRUNCATE ON orders
        FOR EACH STATEMENT EXECUTE FUNCTION stored_figures_cleared();
    """)
    op.execute(_INVALIDATE.format(stored="DELETE FROM stored_figures WHERE orders_to >= lo AND orders_from <= hi;"))


def downgrade():
    op.execute(_INVALIDATE.format(stored=""))
    op.execute("""
    DROP TRIGGER customers_stored_figures_update ON customers;
    DROP TRIGGER customers_stored_figures_delete ON customers;
    DROP TRIGGER departments_stored_figures_update ON departments;
    DROP TRIGGER departments_stored_figures_delete ON departments;
    DROP TRIGGER tier_rules_stored_figures ON tier_rules;
    DROP TRIGGER orders_stored_figures_truncate ON orders;
    DROP FUNCTION stored_figures_cleared();
    DROP TABLE stored_figures;
    """)
