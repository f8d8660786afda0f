"""Sign-in, roles and department scope; 360 anonymity."""
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

import dashboard.metrics.evaluation  # noqa: F401 (metrics.evaluation)
from dashboard import accounts, exports, metrics
from dashboard.core.scope import AccessDenied, Scope, resolve
from tests.builders import add_complaint, base, exec_, local
from tests.test_app import APP, PAGES, assert_clean, open_page, use_database  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def staffed(conn):
    """base() plus a head of EAST, an agent in EAST-1 and a head of SOUTH."""
    base(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'H-EAST', '华东主管', id, 'head' FROM departments WHERE code='EAST'")
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'H-SOUTH', '华南主管', id, 'head' FROM departments WHERE code='SOUTH'")
    head = accounts.create_user(conn, "east", "east-pass-1", "head", "H-EAST")
    agent = accounts.create_user(conn, "agent1", "agent-pass-1", "agent", "S1")
    boss = accounts.create_user(conn, "boss", "boss-pass-1", "manager")
    return boss, head, agent


def test_passwords_are_stored_as_argon2_hashes(engine):
    with engine.begin() as conn:
        staffed(conn)
        for username, password in (("east", "east-pass-1"), ("boss", "boss-pass-1")):
            stored = conn.execute(sa.text("SELECT password_hash FROM users WHERE username = :u"), {"u": username}).scalar()
            assert stored.startswith("$argon2id$") and password not in stored
    assert accounts.sign_in(engine, "east", "east-pass-1").department_code == "EAST"


@pytest.mark.parametrize("kwargs,message", [
    (dict(username="ab", password="long-enough", role="agent", staff_no="S1"), "username:"),
    (dict(username="someone", password="short", role="agent", staff_no="S1"), "password: at least 8"),
    (dict(username="someone", password="long-enough", role="boss", staff_no="S1"), "role: 'boss'"),
    (dict(username="someone", password="long-enough", role="head"), "staff_no: a head needs a staff record"),
    (dict(username="someone", password="long-enough", role="agent", staff_no="NOPE"), "staff_no: staff member 'NOPE'"),
    (dict(username="east", password="long-enough", role="agent", staff_no="S1"), "username: 'east' is taken"),
])
def test_create_user_refuses_bad_input(conn, kwargs, message):
    staffed(conn)
    with pytest.raises(accounts.UserError, match=message):
        accounts.create_user(conn, **kwargs)


def test_unknown_user_and_wrong_password_look_the_same_and_are_throttled(engine):
    """Through the real path: each attempt commits on its own, as the app's sign-in does."""
    with engine.begin() as conn:
        staffed(conn)
    for username in ("east", "nobody"):
        for _ in range(accounts.MAX_FAILURES):
            with pytest.raises(accounts.SignInRefused) as refused:
                accounts.sign_in(engine, username, "wrong-password")
            assert refused.value.reason == "invalid"
        with pytest.raises(accounts.SignInRefused) as refused:
            accounts.sign_in(engine, username, "east-pass-1")  # even the right password waits now
        assert refused.value.reason == "throttled"
        assert timedelta(minutes=14) < refused.value.retry_after <= timedelta(minutes=15)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM sign_in_attempts WHERE NOT succeeded")).scalar() == 10
    # failures older than the window no longer count
    with engine.begin() as conn:
        exec_(conn, "UPDATE sign_in_attempts SET at = at - interval '16 minutes'")
    assert accounts.sign_in(engine, "east", "east-pass-1").username == "east"


def test_a_refused_sign_in_is_recorded_even_when_the_caller_rolls_back(engine):
    with engine.begin() as conn:
        staffed(conn)
    with pytest.raises(accounts.SignInRefused):
        with engine.begin():  # a caller's transaction that the refusal rolls back
            accounts.sign_in(engine, "east", "wrong-password")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM sign_in_attempts WHERE NOT succeeded")).scalar() == 1


def test_one_client_trying_many_usernames_is_slowed_down(engine):
    with engine.begin() as conn:
        staffed(conn)
    client = "192.0.2.7"
    for n in range(accounts.MAX_CLIENT_FAILURES):  # one password tried on many usernames, once each
        with pytest.raises(accounts.SignInRefused) as refused:
            accounts.sign_in(engine, f"guess{n}", "Password1", client=client)
        assert refused.value.reason == "invalid"
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.sign_in(engine, "east", "east-pass-1", client=client)  # that client now waits, whatever it tries
    assert refused.value.reason == "throttled"
    assert accounts.sign_in(engine, "east", "east-pass-1", client="192.0.2.8").username == "east"  # others do not
    assert accounts.sign_in(engine, "east", "east-pass-1").username == "east"  # nor an unknown address (localhost)


def test_scope_of_each_role(conn):
    boss, head, agent = staffed(conn)
    assert resolve(conn, boss).department is None
    assert resolve(conn, boss, "SOUTH").department == "SOUTH"
    assert resolve(conn, head).department == "EAST"
    assert resolve(conn, head, "EAST-1").department == "EAST-1"
    assert resolve(conn, agent).department == "EAST-1"
    for user, other in ((head, "SOUTH"), (head, "HQ"), (agent, "EAST"), (agent, "SOUTH")):
        with pytest.raises(AccessDenied, match=other):
            resolve(conn, user, other)


def test_exports_are_scoped_to_the_user(conn):
    boss, head, agent = staffed(conn)
    for customer in ("C1", "C2", "C3"):
        add_complaint(conn, f"T-{customer}", customer, local(2026, 5, 3, 9, 0))
    params = dict(start=date(2026, 5, 1), end=date(2026, 5, 31))
    view = exports.COMPLAINTS
    assert set(exports.export_frame(conn, view, resolve(conn, boss), **params)["customer_code"]) == {"C1", "C2", "C3"}
    assert set(exports.export_frame(conn, view, resolve(conn, head), **params)["customer_code"]) == {"C1", "C3"}
    assert set(exports.export_frame(conn, view, resolve(conn, agent), **params)["customer_code"]) == {"C1"}
    with pytest.raises(AccessDenied):
        resolve(conn, head, "SOUTH")


def test_subordinate_ratings_need_three_raters_and_are_never_individual(conn):
    boss, head, agent = staffed(conn)
    for no in ("A2", "A3"):
        exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT :n, :n, id, 'agent' FROM departments WHERE code='EAST-1'", n=no)

    def rate(evaluator, relation, score):
        exec_(conn, """INSERT INTO evaluations_360 (period, evaluator_staff_id, evaluatee_staff_id, relation, scores)
                       SELECT '2026-Q2', e.id, t.id, :rel, CAST(:scores AS jsonb) FROM staff e, staff t
                       WHERE e.staff_no = :e AND t.staff_no = 'H-EAST'""",
              e=evaluator, rel=relation, scores=f'{{"service_skill": {score}, "communication": {score}, "business_knowledge": {score}, "professional_knowledge": {score}}}')

    rate("S1", "subordinate", 60)
    rate("A2", "subordinate", 90)
    rate("H-SOUTH", "peer", 70)
    frame = metrics.evaluation.evaluation_360(conn, Scope.company(), "H-EAST", "2026-Q2").set_index("relation")
    assert list(frame.columns) == ["raters", "mean_score"]  # aggregates only, never who rated what
    assert frame.loc["subordinate", "raters"] == 2 and frame.loc["subordinate", "mean_score"] is None
    assert float(frame.loc["peer", "mean_score"]) == 70.0
    rate("A3", "subordinate", 30)
    frame = metrics.evaluation.evaluation_360(conn, Scope.company(), "H-EAST", "2026-Q2").set_index("relation")
    assert float(frame.loc["subordinate", "mean_score"]) == 60.0


def test_create_user_command_reads_the_password_from_stdin(database_url):
    env = dict(os.environ, DATABASE_URL=database_url, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore")
    run = lambda *a, stdin="": subprocess.run([sys.executable, "-m", "dashboard", "create-user", *a], input=stdin,  # noqa: E731
                                               capture_output=True, text=True, env=env, cwd=ROOT)
    created = run("chief", "--role", "manager", stdin="a-good-password\n")
    assert created.returncode == 0, created.stderr
    assert run("chief", "--role", "manager", stdin="a-good-password\n").returncode == 1
    short = run("deputy", "--role", "manager", stdin="short\n")
    assert short.returncode == 1 and "password: at least 8" in short.stderr
    assert run("x", "--role", "emperor").returncode == 2


# -- in the app --------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["manager", "head", "agent"])
@pytest.mark.parametrize("page", PAGES)
def test_each_role_on_each_page(demo_url, use_database, role, page):  # noqa: F811
    use_database(demo_url)
    at = open_page(page, "en", user=role)
    assert_clean(at)
    options = at.selectbox(key="f_dept").options
    if role != "manager":
        assert "All departments" not in options and all("CS-EAST" in o for o in options)


def test_a_head_cannot_widen_the_scope_through_the_url(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = open_page("complaints", "en", user="head", dept="CS-SOUTH")
    assert_clean(at)
    assert any("may not view department CS-SOUTH" in w.value.replace("\\", "") for w in at.warning)  # shown escaped
    assert at.selectbox(key="f_dept").value == "CS-EAST"
    assert at.query_params["dept"] in ("CS-EAST", ["CS-EAST"])


def test_sign_in_form(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "en"
    at.run()
    assert_clean(at)
    shown = at.table[0].value
    assert list(shown["Username"]) == ["manager", "head", "agent", "hruser"]
    at.text_input(key="signin_username").input("head")
    at.text_input(key="signin_password").input("wrong password")
    at.button[0].click().run()
    assert at.error[0].value == "The username or password is not correct."
    at.text_input(key="signin_password").input(accounts.DEMO_PASSWORD)
    at.button[0].click().run()
    assert_clean(at)
    assert at.title[0].value == "Overview"
    assert any("Signed in as" in c.value for c in at.caption)


def test_six_wrong_passwords_in_the_form_refuse_the_right_one(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "en"
    at.run()
    for _ in range(accounts.MAX_FAILURES + 1):
        at.text_input(key="signin_username").input("head")
        at.text_input(key="signin_password").input("wrong password")
        at.button[0].click().run()
    at.text_input(key="signin_password").input(accounts.DEMO_PASSWORD)
    at.button[0].click().run()
    assert "Too many" in at.error[0].value
    assert at.session_state["user"] is None if "user" in at.session_state else True
    with sa.create_engine(demo_url).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM sign_in_attempts WHERE username = 'head' AND NOT succeeded")
                            ).scalar() == accounts.MAX_FAILURES


def test_demo_accounts_are_not_listed_on_other_databases(database_url, use_database):  # noqa: F811
    use_database(database_url)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert_clean(at)
    assert len(at.table) == 0 and at.text_input(key="signin_username") is not None


def test_sessions_expire_after_inactivity(demo_url, use_database):  # noqa: F811
    use_database(demo_url)
    at = AppTest.from_file(APP, default_timeout=60)
    with sa.create_engine(demo_url).connect() as conn:
        at.session_state["user"] = accounts.load_user(conn, "manager")
    at.session_state["last_seen"] = datetime.now().astimezone() - timedelta(minutes=31)
    at.query_params["lang"] = "en"
    at.run()
    assert_clean(at)
    assert any("inactivity" in i.value for i in at.info)
    assert at.text_input(key="signin_username") is not None
