"""Migrations from an empty database, integrity rules in the database, and demo data."""
import hashlib

import pytest
import sqlalchemy as sa

import dashboard.metrics.complaints  # noqa: F401 (metrics.complaints)
import dashboard.metrics.fluctuation  # noqa: F401 (metrics.fluctuation)
import dashboard.metrics.grading  # noqa: F401 (metrics.grading)
import dashboard.metrics.plans  # noqa: F401 (metrics.plans)
import dashboard.metrics.retention  # noqa: F401 (metrics.retention)
import dashboard.metrics.tiers  # noqa: F401 (metrics.tiers)
from dashboard import metrics
from dashboard.core.periods import Period
from dashboard.core.scope import Scope
from db.migrate import upgrade
from seeds.demo import generate
from tests.builders import base, exec_

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent


def test_migrations_from_an_empty_database(admin, engine):
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    upgrade(engine)
    upgrade(engine)
    with engine.connect() as conn:
        tables = {r[0] for r in conn.execute(sa.text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))}
        assert {"departments", "staff", "staff_training", "staff_work_history", "customers", "customer_owner_history",
                "orders", "tier_rules", "sla_policies", "settings", "plans", "plan_progress", "suggestions",
                "work_logs", "complaints", "retention_cases", "service_budgets", "cost_entries",
                "satisfaction_surveys", "evaluations_360", "reminders", "users", "audit_log"} <= tables
        assert conn.execute(sa.text("SELECT count(*) FROM sla_policies")).scalar() == 4


def test_a_reading_command_migrates_only_when_behind(engine):
    """The command line's start (db.migrate.ensure_current): the head read from the migration file
    names is Alembic's own; a database behind it, or empty, is migrated; one at the head is left alone."""
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config, ensure_current, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    ensure_current(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        assert conn.execute(sa.text("SELECT count(*) FROM sla_policies")).scalar() == 4
    # at the head, a new process checks the version without loading Alembic or any migration
    import subprocess
    import sys

    probe = ("import sys; from sqlalchemy import create_engine; from db.migrate import ensure_current; "
             f"ensure_current(create_engine({engine.url.render_as_string(False)!r})); print('alembic' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=str(ROOT))
    assert done.stdout.strip() == "False", done.stderr


def test_the_database_refuses_department_cycles_and_bad_values(conn):
    base(conn)
    with pytest.raises(sa.exc.DBAPIError, match="own ancestor"):
        with conn.begin_nested():
            exec_(conn, "UPDATE departments SET parent_id = (SELECT id FROM departments WHERE code = 'EAST-1') "
                        "WHERE code = 'HQ'")
    for sql in ("UPDATE complaints SET satisfaction = 6",
                "INSERT INTO complaints (complaint_no, customer_id, received_at, priority, content, resolved_at) "
                "SELECT 'X', id, now(), 'low', 'x', now() - interval '1 hour' FROM customers LIMIT 1",
                "INSERT INTO tier_rules VALUES ('Zero', 9, 0)",
                "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'S9', 'x', id, 'boss' FROM departments LIMIT 1"):
        with pytest.raises(sa.exc.IntegrityError):
            with conn.begin_nested():
                exec_(conn, "INSERT INTO complaints (complaint_no, customer_id, received_at, priority, content) "
                            "SELECT 'OK', id, now(), 'low', 'x' FROM customers LIMIT 1") if "satisfaction" in sql else None
                exec_(conn, sql)


def fingerprint(engine) -> str:
    with engine.connect() as conn:
        text = "|".join(str(conn.execute(sa.text(q)).fetchall()) for q in (
            "SELECT count(*), sum(amount), min(order_date), max(order_date) FROM orders",
            "SELECT count(*), count(resolved_at), min(received_at) FROM complaints",
            "SELECT string_agg(name, ',' ORDER BY id) FROM customers",
        ))
    return hashlib.sha256(text.encode()).hexdigest()


def test_demo_is_deterministic_for_a_seed(admin, template_db):
    from datetime import date

    from db.engine import make_engine
    from tests.conftest import _recreate

    prints = []
    for name, seed in (("dashboard_demo_a", 3), ("dashboard_demo_b", 3), ("dashboard_demo_c", 4)):
        engine = make_engine(_recreate(admin, name, template_db))
        generate(engine, customers=60, seed=seed, today=date(2026, 5, 20), progress=lambda m: None)
        prints.append(fingerprint(engine))
        engine.dispose()
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    assert prints[0] == prints[1] != prints[2]


@pytest.mark.parametrize("today", ["2026-11-23", "2026-11-24"])
def test_the_demo_agent_has_a_plan_in_progress_whatever_the_date(admin, template_db, today):
    """With the tests' seed these dates once left the agent's progress form empty."""
    from datetime import date

    from db.engine import make_engine
    from tests.conftest import _recreate

    day = date.fromisoformat(today)
    engine = make_engine(_recreate(admin, "dashboard_demo_day", template_db))
    generate(engine, customers=300, seed=11, today=day, progress=lambda m: None)
    with engine.connect() as conn:
        staff_no, department = conn.execute(sa.text(
            "SELECT s.staff_no, d.code FROM users u JOIN staff s ON s.id = u.staff_id "
            "JOIN departments d ON d.id = s.department_id WHERE u.username = 'agent'")).one()
        assert not metrics.plans.open_plans(conn, Scope(department), day, staff_no).empty
    engine.dispose()
    with admin.connect() as c:
        c.execute(sa.text('DROP DATABASE "dashboard_demo_day" WITH (FORCE)'))


def test_the_demo_writes_the_running_totals_its_orders_give(admin, template_db):
    """The demo writes the running totals itself (the orders' trigger is off while it loads):
    they must be what migration 0003's function computes from the orders, and so must the
    departments' monthly volume summed from them. On the 1st the running month may have no
    orders yet, so the rows stop at the latest month with orders."""
    from datetime import date

    from db.engine import make_engine
    from tests.conftest import _recreate

    engine = make_engine(_recreate(admin, "dashboard_demo_totals", template_db))
    generate(engine, customers=60, seed=5, today=date(2026, 6, 1), progress=lambda m: None)
    with engine.begin() as conn:
        demo = {t: set(conn.execute(sa.text(f"TABLE {t}")).all())
                for t in ("customer_running_totals", "department_monthly_volume")}
        assert len(demo["customer_running_totals"]) > 1000
        conn.execute(sa.text("TRUNCATE customer_running_totals"))
        conn.execute(sa.text("""
            SELECT refresh_customer_running_totals(array_agg(customer_id), array_agg(from_month))
            FROM (SELECT customer_id, date_trunc('month', min(order_date))::date AS from_month
                  FROM orders GROUP BY customer_id) c"""))
        for table, rows in demo.items():
            assert set(conn.execute(sa.text(f"TABLE {table}")).all()) == rows, table
        # and the trigger is on again: a new order moves its customer's totals
        conn.execute(sa.text("INSERT INTO orders (order_no, customer_id, order_date, amount) VALUES ('X1', 1, '2026-06-01', 10)"))
        assert conn.execute(sa.text(
            "SELECT month_orders FROM customer_running_totals WHERE customer_id = 1 AND month = '2026-06-01'")).scalar() >= 1
    engine.dispose()
    with admin.connect() as c:
        c.execute(sa.text('DROP DATABASE "dashboard_demo_totals" WITH (FORCE)'))


def test_demo_refuses_a_database_with_data(engine):
    with engine.begin() as conn:
        base(conn)
    with pytest.raises(ValueError, match="already holds data"):
        generate(engine, customers=60, progress=lambda m: None)


def test_demo_contains_every_state_status_segment_flag_and_tier_change(demo_url):
    from dashboard.ui.session import today
    from db.engine import make_engine

    engine = make_engine(demo_url)
    d = today()
    with engine.connect() as conn:
        month = Period.containing("month", d)
        year = Period.containing("year", d)
        assert set(metrics.complaints.complaints(conn, Scope.company(), year.start - __import__("datetime").timedelta(days=365), d)["state"]) == {"met", "breached", "pending"}
        assert set(metrics.plans.plans(conn, Scope.company(), d)["status"]) == {"not_started", "achieved", "met_minimum", "below_minimum",
                                                        "behind", "at_risk", "on_track"}
        assert set(metrics.fluctuation.fluctuation(conn, Scope.company(), month)["flag"]) == {"new", "stopped", "drop", "surge", "steady"}
        changes = set()
        for kind in ("month", "quarter"):
            changes |= set(metrics.tiers.tiers(conn, Scope.company(), Period.containing(kind, d))["change"])
        assert changes == {"upgrade", "downgrade", "unchanged", "new", "lost"}
        graded = metrics.grading.grading(conn, Scope.company(), d)
        assert len(set(graded["rfm_segment"])) == 8
        assert set(graded["abc_class"]) == {"A", "B", "C"} and set(graded["value_class"]) == {"high", "general", "low"}
        assert set(metrics.retention.retention(conn, Scope.company(), year.start.replace(year=year.start.year - 2), d)["reason"]) == {
            "price", "service", "quality", "competitor", "relocation", "other", "ALL"}
        assert len(metrics.complaints.overdue_open(conn, Scope.company(), d)) > 0
    engine.dispose()
