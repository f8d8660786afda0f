"""Each department's order volume per month, kept current from the running totals.

The volume trend on the fluctuation page sums 24 months of every customer's monthly figures:
at L some 880,000 rows of `customer_running_totals`, about 0.2-0.3 s of a page that must
render in a second. Per department and month there are some 1,800 rows in all.

`department_monthly_volume` holds, for every department and month in which its customers
have orders, the sum of their orders (refunds negative), the number of orders and the
number of customers with orders. It is a sum over the running totals' monthly figures, so:

- statement triggers on `customer_running_totals` add what each statement inserts and
  subtract what it deletes (the running totals are rewritten by delete and insert);
- a statement trigger on `customers` moves a customer's months from the old department to
  the new one when their department changes;
- truncating the running totals truncates it.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("""
    CREATE TABLE department_monthly_volume (
        department_id integer NOT NULL,   -- no foreign key, as for the running totals it derives from
        month         date NOT NULL CHECK (extract(day FROM month) = 1),
        volume        numeric(18,2) NOT NULL,
        orders        bigint NOT NULL,
        customers     integer NOT NULL,
        PRIMARY KEY (month, department_id)
    );

    -- Adds signed monthly figures (department, month, month_total, month_orders, sign) to the
    -- table. A row whose customers reach zero has no orders left (its volume and orders are zero
    -- too) and is removed. The transition tables are visible to EXECUTE here, though not to a
    -- function this one would call, so both tables' triggers share this one.
    CREATE FUNCTION department_volume_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        changes text;
    BEGIN
        IF TG_TABLE_NAME = 'customers' THEN
            -- customers moved to another department: their months leave the old one and join the new
            IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                           WHERE n.department_id <> o.department_id) THEN
                RETURN NULL;
            END IF;
            -- the running totals' lock orders this against an import recomputing the same customers
            PERFORM pg_advisory_xact_lock(7411003);
            changes := 'SELECT m.department_id, r.month, r.month_total, r.month_orders, m.sign
                        FROM old_rows o JOIN new_rows n ON n.id = o.id AND n.department_id <> o.department_id
                        CROSS JOIN LATERAL (VALUES (n.department_id, 1), (o.department_id, -1)) AS m(department_id, sign)
                        JOIN customer_running_totals r ON r.customer_id = o.id';
        ELSE
            -- the running totals' rows a statement inserted (+) and deleted (-), in each customer's
            -- department now
            changes := 'SELECT cu.department_id, c.month, c.month_total, c.month_orders, c.sign FROM ('
                || CASE TG_OP
                   WHEN 'INSERT' THEN 'SELECT customer_id, month, month_total, month_orders, 1 AS sign FROM new_rows'
                   WHEN 'DELETE' THEN 'SELECT customer_id, month, month_total, month_orders, -1 AS sign FROM old_rows'
                   ELSE 'SELECT customer_id, month, month_total, month_orders, 1 AS sign FROM new_rows
                         UNION ALL SELECT customer_id, month, month_total, month_orders, -1 FROM old_rows' END
                || ') c JOIN customers cu ON cu.id = c.customer_id';
        END IF;
        EXECUTE format($sql$
            INSERT INTO department_monthly_volume AS d (department_id, month, volume, orders, customers)
            SELECT c.department_id, c.month, sum(c.sign * c.month_total), sum(c.sign * c.month_orders), sum(c.sign)
            FROM (%s) AS c(department_id, month, month_total, month_orders, sign)
            WHERE c.month_orders > 0
            GROUP BY 1, 2
            ON CONFLICT (month, department_id) DO UPDATE
            SET volume = d.volume + excluded.volume, orders = d.orders + excluded.orders,
                customers = d.customers + excluded.customers
            $sql$, changes);
        DELETE FROM department_monthly_volume WHERE customers = 0;
        RETURN NULL;
    END $$;

    CREATE FUNCTION running_totals_volume_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE department_monthly_volume;
        RETURN NULL;
    END $$;

    CREATE TRIGGER running_totals_volume_insert AFTER INSERT ON customer_running_totals
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION department_volume_changed();
    CREATE TRIGGER running_totals_volume_update AFTER UPDATE ON customer_running_totals
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION department_volume_changed();
    CREATE TRIGGER running_totals_volume_delete AFTER DELETE ON customer_running_totals
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION department_volume_changed();
    CREATE TRIGGER running_totals_volume_truncate AFTER TRUNCATE ON customer_running_totals
        FOR EACH STATEMENT EXECUTE FUNCTION running_totals_volume_truncated();

    CREATE TRIGGER customers_volume_moved AFTER UPDATE ON customers
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION department_volume_changed();

    -- the months already there
    INSERT INTO department_monthly_volume
    SELECT cu.department_id, r.month, sum(r.month_total), sum(r.month_orders), count(*)
    FROM customer_running_totals r JOIN customers cu ON cu.id = r.customer_id
    WHERE r.month_orders > 0
    GROUP BY 1, 2;
    """)


def downgrade():
    op.execute("""
    DROP TRIGGER customers_volume_moved ON customers;
    DROP TRIGGER running_totals_volume_insert ON customer_running_totals;
    DROP TRIGGER running_totals_volume_update ON customer_running_totals;
    DROP TRIGGER running_totals_volume_delete ON customer_running_totals;
    DROP TRIGGER running_totals_volume_truncate ON customer_running_totals;
    DROP FUNCTION department_volume_changed(), running_totals_volume_truncated();
    DROP TABLE department_monthly_volume;
    """)
