"""Stored tier-change counts per scope and pair of 365-day windows.

The overview's and the weekly review's tier cards count the customers per change (upgrade,
downgrade, new, lost, unchanged) between two period ends. From the stored windows (0021) that is
still a pass over every customer in scope on each request: 1-3 s at 500,000 customers. Here the
counts are stored once per (scope_key, current window, previous window), the first time they are
asked for, in `customer_tier_count_sets` (one row, the counts as a JSON object).

Invalidation, with the same writers' lock 7411021 as 0021:
- a set names its two windows with foreign keys ON DELETE CASCADE: a window dropped (by a large
  statement, TRUNCATE orders) drops its sets;
- orders dated lo..hi: `invalidate_customer_figures` now also drops every set one of whose
  windows overlaps [lo, hi] (the windows themselves are updated in place for small statements);
- tier rules (any change): every set;
- customers whose department changes, departments whose parent or code changes: every set (the
  scopes' customers change), as 0021 does for graded sets.

Revision ID: 0023
Revises: 0021
"""
from alembic import op

revision = "0023"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    CREATE TABLE customer_tier_count_sets (
        scope_key  text NOT NULL,                 -- department code; '' for the whole company
        cur_from   date NOT NULL,
        cur_to     date NOT NULL,
        prev_from  date NOT NULL,
        prev_to    date NOT NULL,
        counts     jsonb NOT NULL,                -- {"upgrade": 12, "new": 3, ...}; a change with none is absent
        filled_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (scope_key, cur_from, cur_to, prev_from, prev_to),
        FOREIGN KEY (cur_from, cur_to) REFERENCES customer_window_ranges ON DELETE CASCADE,
        FOREIGN KEY (prev_from, prev_to) REFERENCES customer_window_ranges ON DELETE CASCADE
    );
    -- the cascades from customer_window_ranges look sets up by either window
    CREATE INDEX customer_tier_count_sets_cur_idx ON customer_tier_count_sets (cur_from, cur_to);
    CREATE INDEX customer_tier_count_sets_prev_idx ON customer_tier_count_sets (prev_from, prev_to);

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

    CREATE OR REPLACE FUNCTION customer_grades_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'customers' THEN
            IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                           WHERE n.department_id IS DISTINCT FROM o.department_id OR n.code <> o.code) THEN
                RETURN NULL;
            END IF;
        ELSIF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                          WHERE n.parent_id IS DISTINCT FROM o.parent_id OR n.code <> o.code) THEN
            RETURN NULL;
        END IF;
        PERFORM pg_advisory_xact_lock(7411021);
        DELETE FROM customer_grade_sets;
        DELETE FROM customer_tier_count_sets;
        RETURN NULL;
    END $$;

    CREATE FUNCTION tier_counts_cleared() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(7411021);
        DELETE FROM customer_tier_count_sets;
        RETURN NULL;
    END $$;

    CREATE TRIGGER tier_rules_counts_cleared AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON tier_rules
        FOR EACH STATEMENT EXECUTE FUNCTION tier_counts_cleared();
    """)


def downgrade():
    op.execute("""
    DROP TRIGGER tier_rules_counts_cleared ON tier_rules;
    DROP FUNCTION tier_counts_cleared();
    DROP TABLE customer_tier_count_sets;
    CREATE OR REPLACE FUNCTION invalidate_customer_figures(customer_ids integer[], lo date, hi date) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        IF lo IS NULL THEN
            RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock(7411021);
        DELETE FROM customer_grade_sets WHERE as_of >= lo AND as_of - 364 <= hi;
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
    CREATE OR REPLACE FUNCTION customer_grades_moved() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'customers' THEN
            IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                           WHERE n.department_id IS DISTINCT FROM o.department_id OR n.code <> o.code) THEN
                RETURN NULL;
            END IF;
        ELSIF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                          WHERE n.parent_id IS DISTINCT FROM o.parent_id OR n.code <> o.code) THEN
            RETURN NULL;
        END IF;
        PERFORM pg_advisory_xact_lock(7411021);
        DELETE FROM customer_grade_sets;
        RETURN NULL;
    END $$;
    """)
