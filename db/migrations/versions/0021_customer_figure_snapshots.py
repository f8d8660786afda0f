"""Stored per-customer figures over a date range and graded populations as of a date.

Tiers at a period end and grading read each customer's figures over the 365 days ending a date.
Built from the running totals on every request that is some 200,000 rows aggregated per date,
and grading then ranks the whole population five times: 0.5-1.2 s at L on every request. Here
each is computed once, on the first request for its date, and kept (docs/snapshots.md):

- `customer_window_ranges` names each date range [range_from, range_to] whose figures are
  stored; `customer_window_figures` holds, for every customer with an order in the range, its
  total (refunds negative), purchases, orders and latest purchase in the range.
- `customer_grade_sets` names each (as_of, scope_key) whose graded population is stored
  (scope_key: the department code, '' for the whole company); `customer_grades` holds every
  graded customer's recency, frequency, monetary, R/F/M scores and highs, ABC position and the
  population's sums. Settings (value band, ABC method) and tier rules are applied when read,
  so changing them invalidates nothing.

Invalidation, by statement-level triggers:
- orders: a statement touching orders dated lo..hi recomputes, in place, the touched customers'
  rows of every stored range overlapping [lo, hi] (up to 500 customers; a larger statement, an
  import, drops those ranges instead), and drops every graded set whose window
  [as_of - 364, as_of] overlaps [lo, hi] (one order moves every customer's ranks);
  TRUNCATE drops everything;
- customers whose department or code changes, and departments whose parent or code changes,
  drop every graded set (populations and ABC ties change); the range figures hold no department.

Writers take advisory lock 7411021 exclusively; a read or a fill takes it shared and never
waits for it (it computes the figure live instead), so a reader never sees a half-invalidated
set and a fill never stores figures a concurrent write has made stale. The triggers here are
named to fire before those of 0003 and 0005 on the same table, so a writer always takes this
lock before the running totals' lock 7411003 and two writers cannot wait on each other.

Revision ID: 0021
Revises: 0020
"""
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    CREATE TABLE customer_window_ranges (
        range_from date NOT NULL,
        range_to   date NOT NULL,
        filled_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (range_from, range_to)
    );
    CREATE TABLE customer_window_figures (
        range_from       date NOT NULL,
        range_to         date NOT NULL,
        customer_id      integer NOT NULL,       -- no foreign key, as for the running totals
        total            numeric(18,2) NOT NULL,  -- orders dated in the range, refunds negative
        purchases        integer NOT NULL,        -- of those, orders with amount >= 0
        orders           integer NOT NULL,
        last_purchase_on date,                    -- latest purchase in the range
        PRIMARY KEY (range_from, range_to, customer_id),
        FOREIGN KEY (range_from, range_to) REFERENCES customer_window_ranges ON DELETE CASCADE
    );
    CREATE TABLE customer_grade_sets (
        as_of     date NOT NULL,
        scope_key text NOT NULL,                  -- department code; '' for the whole company
        filled_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (as_of, scope_key)
    );
    CREATE TABLE customer_grades (
        as_of          date NOT NULL,
        scope_key      text NOT NULL,
        abc_rank       integer NOT NULL,          -- position by monetary desc, ties by code
        customer_id    integer NOT NULL,
        customer_code  text NOT NULL,
        recency_days   integer NOT NULL,
        frequency      integer NOT NULL,
        monetary       numeric(18,2) NOT NULL,
        r_score        integer NOT NULL,
        f_score        integer NOT NULL,
        m_score        integer NOT NULL,
        rfm_segment    text NOT NULL,
        cum_before     numeric NOT NULL,          -- positive revenue before this customer
        positive_total numeric NOT NULL,
        n              integer NOT NULL,          -- the population and its monetary sum, for
        sum_m          numeric NOT NULL,          -- the value class, banded when read
        cum_monetary   numeric NOT NULL,          -- monetary of the customers up to this one: a
                                                  -- class's revenue is two lookups by position
        PRIMARY KEY (as_of, scope_key, abc_rank),
        FOREIGN KEY (as_of, scope_key) REFERENCES customer_grade_sets ON DELETE CASCADE
    );
    -- per set: customers, revenue and first ABC position per RFM segment (kind 'segment') and
    -- customers per score (kind 'score', key R1..M5), counted once when the set is filled
    CREATE TABLE customer_grade_groups (
        as_of     date NOT NULL,
        scope_key text NOT NULL,
        kind      text NOT NULL,
        key       text NOT NULL,
        customers integer NOT NULL,
        monetary  numeric,
        position  integer,
        PRIMARY KEY (as_of, scope_key, kind, key),
        FOREIGN KEY (as_of, scope_key) REFERENCES customer_grade_sets ON DELETE CASCADE
    );

    CREATE FUNCTION invalidate_customer_figures(customer_ids integer[], lo date, hi date) RETURNS void
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

    CREATE FUNCTION orders_figures_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM invalidate_customer_figures(array_agg(DISTINCT customer_id), min(order_date), max(order_date))
        FROM new_rows;
        RETURN NULL;
    END $$;

    CREATE FUNCTION orders_figures_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM invalidate_customer_figures(array_agg(DISTINCT customer_id), min(order_date), max(order_date))
        FROM (SELECT customer_id, order_date FROM old_rows UNION ALL SELECT customer_id, order_date FROM new_rows) r;
        RETURN NULL;
    END $$;

    CREATE FUNCTION orders_figures_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM invalidate_customer_figures(array_agg(DISTINCT customer_id), min(order_date), max(order_date))
        FROM old_rows;
        RETURN NULL;
    END $$;

    CREATE FUNCTION customer_figures_cleared() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(7411021);
        DELETE FROM customer_grade_sets;
        DELETE FROM customer_window_ranges;
        RETURN NULL;
    END $$;

    -- a customer's department or code, or a department's place or code: the populations graded
    -- per department and the ABC ties by code change, so every graded set goes
    CREATE FUNCTION customer_grades_moved() RETURNS trigger LANGUAGE plpgsql AS $$
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

    CREATE TRIGGER orders_figures_insert AFTER INSERT ON orders
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION orders_figures_inserted();
    CREATE TRIGGER orders_figures_update AFTER UPDATE ON orders
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION orders_figures_updated();
    CREATE TRIGGER orders_figures_delete AFTER DELETE ON orders
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION orders_figures_deleted();
    CREATE TRIGGER orders_figures_truncate AFTER TRUNCATE ON orders
        FOR EACH STATEMENT EXECUTE FUNCTION customer_figures_cleared();
    CREATE TRIGGER customers_grades_moved AFTER UPDATE ON customers
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION customer_grades_moved();
    CREATE TRIGGER departments_grades_moved AFTER UPDATE ON departments
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION customer_grades_moved();
    """)


def downgrade():
    op.execute("""
    DROP TRIGGER orders_figures_insert ON orders;
    DROP TRIGGER orders_figures_update ON orders;
    DROP TRIGGER orders_figures_delete ON orders;
    DROP TRIGGER orders_figures_truncate ON orders;
    DROP TRIGGER customers_grades_moved ON customers;
    DROP TRIGGER departments_grades_moved ON departments;
    DROP FUNCTION orders_figures_inserted(), orders_figures_updated(), orders_figures_deleted(),
                  customer_figures_cleared(), customer_grades_moved();
    DROP FUNCTION invalidate_customer_figures(integer[], date, date);
    DROP TABLE customer_grade_groups, customer_grades, customer_grade_sets, customer_window_figures, customer_window_ranges;
    """)
