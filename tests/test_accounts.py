"""Accounts that fit a company: the password rules, user admin, sessions kept in the database behind an
HttpOnly cookie (the store, the HTTP routes, and the app's cookie path in AppTest), the hr role, and
single sign-on's mapping of an e-mail to an account."""
from __future__ import annotations

import re
from unittest.mock import patch

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from dashboard import accounts, sessions, web
from dashboard.i18n import t
from dashboard.core.scope import AccessDenied, Scope, department_options, may_open, record_visible, resolve
from dashboard.metrics import records
from dashboard.metrics import users as user_list
from dashboard.writes import logs, users
from dashboard.writes.validation import Invalid
from tests.builders import base, exec_, local
from tests.test_app import APP, assert_clean, use_database  # noqa: F401

MANAGER = "boss"


def company(conn):
    """base() (HQ > EAST > EAST-1, HQ > SOUTH; agent S1 in EAST-1) plus a head of SOUTH and a manager account."""
    base(conn)
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role, email) "
                "SELECT 'H-SOUTH', '华南主管', id, 'head', 'Head.South@Example.cn' FROM departments WHERE code='SOUTH'")
    exec_(conn, "INSERT INTO staff (staff_no, name, department_id, role) SELECT 'S2', '李娜', id, 'agent' "
                "FROM departments WHERE code='EAST-1'")
    return accounts.create_user(conn, MANAGER, "boss-pass-1", "manager")


def errors_of(call) -> dict:
    with pytest.raises(Invalid) as invalid:
        call()
    return {field: key for field, (key, _) in invalid.value.errors.items()}


def audit_entries(conn, username: str) -> list:
    return conn.execute(sa.text("SELECT actor, action, before, after FROM audit_log WHERE table_name = 'users' "
                                "AND record_key = :u ORDER BY id"), {"u": username}).all()


# -- the password rules ------------------------------------------------------------------------

def test_the_common_password_list_is_the_ten_thousand_most_common():
    common = accounts.common_passwords()
    assert len(common) >= 9_990  # 10,000 lines; a few differ only in case
    assert {"password", "123456", "qwerty123", "iloveyou1"} <= common


@pytest.mark.parametrize("password,key", [
    ("short1!", "err_password_short"), ("x" * 201, "err_password_long"), ("qwerty123", "err_password_common"),
    ("QWERTY123", "err_password_common"),  # without regard to case
    ("newperson", "err_password_common"),  # the username itself
    ("demo1234", "err_password_demo"),  # the demo password, on a database that is not a demo
])
def test_a_password_that_breaks_a_rule_is_refused(conn, password, key):
    assert accounts.password_problem(conn, password, "newperson")[0] == key
    assert accounts.password_problem(conn, "Harbour-lights-77", "newperson") is None


def test_the_demo_password_signs_in_only_on_a_demo_database(engine):
    with engine.begin() as conn:
        base(conn)
        exec_(conn, "INSERT INTO users (username, password_hash, role) VALUES ('manager', :h, 'manager')",
              h=accounts.hash_password(accounts.DEMO_PASSWORD))
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.sign_in(engine, "manager", accounts.DEMO_PASSWORD)
    assert refused.value.reason == "invalid"  # answered like a wrong password, and counted as one
    with engine.begin() as conn:
        exec_(conn, "INSERT INTO settings VALUES ('demo', '{}')")
        assert accounts.password_problem(conn, accounts.DEMO_PASSWORD, "someone") is None
    assert accounts.sign_in(engine, "manager", accounts.DEMO_PASSWORD).username == "manager"


# -- user admin --------------------------------------------------------------------------------

def test_a_manager_creates_an_account_that_must_change_its_password_audited_without_the_hash(conn):
    boss = company(conn)
    created = users.create_account(conn, boss, username="newagent", role="agent", staff_no="S2",
                                   password="Spring-tide-2026")
    assert created.department_code == "EAST-1" and created.must_change_password
    (actor, action, before, after), = audit_entries(conn, "newagent")
    assert (actor, action, before) == ("boss", "create", None)
    assert after["role"] == "agent" and after["staff_no"] == "S2" and "password_hash" not in after
    assert "Spring" not in str(after)


def test_creating_an_account_checks_every_field_and_writes_nothing_on_bad_input(conn):
    boss = company(conn)
    users.create_account(conn, boss, username="taken", role="agent", staff_no="S1", password="Spring-tide-2026")
    count = conn.execute(sa.text("SELECT count(*) FROM users")).scalar()
    assert errors_of(lambda: users.create_account(conn, boss, username="x", role="boss", staff_no="NOPE",
                                                  password="qwerty123")) == {
        "username": "err_username", "role": "err_role", "staff_no": "err_staff_unknown", "password": "err_password_common"}
    assert errors_of(lambda: users.create_account(conn, boss, username="taken", role="head", staff_no=None,
                                                  password="Spring-tide-2026")) == {
        "username": "err_username_taken", "staff_no": "err_staff_needed"}
    assert errors_of(lambda: users.create_account(conn, boss, username="other", role="agent", staff_no="S1",
                                                  password="Spring-tide-2026")) == {"staff_no": "err_staff_taken"}
    assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar() == count
    agent = accounts.load_user(conn, "taken")
    with pytest.raises(AccessDenied):
        users.create_account(conn, agent, username="mine", role="manager", staff_no=None, password="Spring-tide-2026")


def test_roles_change_but_the_last_manager_stays(conn):
    boss = company(conn)
    users.create_account(conn, boss, username="person", role="agent", staff_no="S2", password="Spring-tide-2026")
    users.update_account(conn, boss, username="person", role="hr", staff_no=None)  # hr needs no staff record
    assert accounts.load_user(conn, "person").role == "hr"
    assert errors_of(lambda: users.update_account(conn, boss, username="person", role="head", staff_no=None)) == {
        "staff_no": "err_staff_needed"}
    assert errors_of(lambda: users.update_account(conn, boss, username=MANAGER, role="agent", staff_no="S1")) == {
        "role": "err_last_manager"}
    assert errors_of(lambda: users.set_active(conn, boss, username=MANAGER, active=False)) == {
        "username": "err_own_account"}
    assert [entry.action for entry in audit_entries(conn, "person")] == ["create", "update"]


def test_deactivation_ends_every_session_at_once_and_reactivation_allows_signing_in_again(engine):
    with engine.begin() as conn:
        boss = company(conn)
        users.create_account(conn, boss, username="leaver", role="agent", staff_no="S2", password="Spring-tide-2026")
        user_id = accounts.user_id(conn, "leaver")
    tokens = [sessions.create_session(engine, user_id) for _ in range(2)]  # two browsers
    assert all(sessions.resolve(engine, token) for token in tokens)
    with engine.begin() as conn:
        users.set_active(conn, boss, username="leaver", active=False)
    assert not any(sessions.resolve(engine, token) for token in tokens)
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(engine, "leaver", "Spring-tide-2026")
    with engine.begin() as conn:
        users.set_active(conn, boss, username="leaver", active=True)
        assert [e.action for e in audit_entries(conn, "leaver")] == ["create", "deactivate", "reactivate"]
    assert accounts.sign_in(engine, "leaver", "Spring-tide-2026").username == "leaver"
    assert not any(sessions.resolve(engine, token) for token in tokens)  # the old sessions stay ended


def test_a_reset_password_must_be_changed_and_ends_the_open_sessions(engine):
    with engine.begin() as conn:
        boss = company(conn)
        users.create_account(conn, boss, username="forgetful", role="agent", staff_no="S2",
                             password="Spring-tide-2026", must_change=False)
        forgetful = accounts.user_id(conn, "forgetful")
    token = sessions.create_session(engine, forgetful)
    with engine.begin() as conn:
        assert errors_of(lambda: users.reset_password(conn, boss, username="forgetful", password="letmein1")) == {
            "password": "err_password_common"}
        users.reset_password(conn, boss, username="forgetful", password="Temporary-2026")
    assert sessions.resolve(engine, token) is None
    with pytest.raises(accounts.SignInRefused):
        accounts.sign_in(engine, "forgetful", "Spring-tide-2026")
    assert accounts.sign_in(engine, "forgetful", "Temporary-2026").must_change_password


def test_changing_ones_own_password_needs_the_current_one_and_keeps_this_browser_only(engine):
    with engine.begin() as conn:
        boss = company(conn)
        users.create_account(conn, boss, username="myself", role="agent", staff_no="S2", password="Spring-tide-2026")
        me, me_id = accounts.load_user(conn, "myself"), accounts.user_id(conn, "myself")
    here, elsewhere = sessions.create_session(engine, me_id), sessions.create_session(engine, me_id)
    with engine.begin() as conn:
        change = lambda current, new, repeated: users.change_own_password(  # noqa: E731
            conn, me, current=current, new=new, repeated=repeated, keep_token=here)
        assert errors_of(lambda: change("wrong", "Harbour-lights-77", "Harbour-lights-77")) == {
            "current": "err_password_wrong"}
        assert errors_of(lambda: change("Spring-tide-2026", "Harbour-lights-77", "Harbour-lights-78")) == {
            "repeated": "err_password_differs"}
        assert errors_of(lambda: change("Spring-tide-2026", "Spring-tide-2026", "Spring-tide-2026")) == {
            "new": "err_password_same"}
        assert errors_of(lambda: change("Spring-tide-2026", "abc123", "abc123")) == {"new": "err_password_short"}
        change("Spring-tide-2026", "Harbour-lights-77", "Harbour-lights-77")
        assert not accounts.load_user(conn, "myself").must_change_password
        assert audit_entries(conn, "myself")[-1].action == "change_password"
    assert sessions.resolve(engine, here) and not sessions.resolve(engine, elsewhere)
    assert accounts.sign_in(engine, "myself", "Harbour-lights-77").username == "myself"


def test_the_account_list_follows_the_scope(conn):
    boss = company(conn)
    users.create_account(conn, boss, username="east", role="agent", staff_no="S1", password="Spring-tide-2026")
    users.create_account(conn, boss, username="south", role="head", staff_no="H-SOUTH", password="Spring-tide-2026")
    assert list(user_list.accounts(conn, Scope.company())["username"]) == [MANAGER, "east", "south"]
    assert list(user_list.accounts(conn, Scope("EAST"))["username"]) == ["east"]
    assert list(user_list.accounts(conn, Scope("SOUTH"))["username"]) == ["south"]


# -- the hr role --------------------------------------------------------------------------------

def test_hr_reads_every_department_and_changes_no_data(conn):
    boss = company(conn)
    users.create_account(conn, boss, username="people", role="hr", staff_no="S2", password="Spring-tide-2026")
    hr = accounts.load_user(conn, "people")
    assert resolve(conn, hr).department is None and resolve(conn, hr, "SOUTH").department == "SOUTH"
    tree = records.department_tree(conn, Scope.company())
    assert len(department_options(conn, hr, tree)) == len(tree)
    assert may_open(hr, None, work_form=False) and not may_open(hr, None, work_form=True)
    assert not may_open(hr, ("manager",), work_form=False)
    exec_(conn, "INSERT INTO complaints (complaint_no, customer_id, received_at, priority, content) "
                "SELECT 'T-S', id, now(), 'normal', '投诉' FROM customers WHERE code = 'C2'")
    assert record_visible(conn, hr, "complaints", "T-S") and not record_visible(conn, hr, "settings", "rules")
    savepoint = conn.begin_nested()
    with pytest.raises(AccessDenied, match="changes no data"):
        logs.add_work_log(conn, hr, customer_code="C1", logged_at=local(2026, 5, 3, 9, 0), source="phone",
                          service_type="consultation", content="来电", handling=None, satisfaction=None)
    savepoint.rollback()
    assert conn.execute(sa.text("SELECT count(*) FROM work_logs")).scalar() == 0
    # their own password, though, they change
    users.change_own_password(conn, hr, current="Spring-tide-2026", new="Harbour-lights-77", repeated="Harbour-lights-77")


# -- single sign-on: an e-mail maps to a staff record's account --------------------------------------

def test_a_single_sign_on_email_maps_to_the_staff_records_account(conn):
    boss = company(conn)
    assert accounts.account_for_email(conn, "head.south@example.cn") == (None, "no_account")
    users.create_account(conn, boss, username="south", role="head", staff_no="H-SOUTH", password="Spring-tide-2026")
    user, why = accounts.account_for_email(conn, "HEAD.SOUTH@example.cn")  # without regard to case
    assert (user.username, user.department_code, why) == ("south", "SOUTH", "")
    assert accounts.account_for_email(conn, "nobody@example.cn") == (None, "no_staff")
    assert accounts.account_for_email(conn, "") == (None, "no_staff")
    exec_(conn, "UPDATE staff SET email = 'head.south@example.cn' WHERE staff_no = 'S2'")
    assert accounts.account_for_email(conn, "head.south@example.cn") == (None, "ambiguous")


# -- the session store ----------------------------------------------------------------------------

def test_a_session_is_stored_hashed_idles_out_and_is_revoked(engine):
    with engine.begin() as conn:
        company(conn)
        user_id = accounts.user_id(conn, MANAGER)
    token = sessions.create_session(engine, user_id)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM auth_sessions")).scalar()
    assert bytes(stored) == __import__("hashlib").sha256(token.encode()).digest() and token.encode() not in bytes(stored)
    assert sessions.resolve(engine, token) == sessions.Live(MANAGER, "password")
    with engine.begin() as conn:
        exec_(conn, "UPDATE auth_sessions SET last_used_at = clock_timestamp() - interval '29 minutes'")
    assert sessions.resolve(engine, token) is not None  # and that use moved last_used_at to now
    with engine.begin() as conn:
        exec_(conn, "UPDATE auth_sessions SET last_used_at = clock_timestamp() - interval '31 minutes'")
    assert sessions.resolve(engine, token) is None and sessions.ended_by_inactivity(engine, token)
    token = sessions.create_session(engine, user_id)
    with engine.begin() as conn:
        exec_(conn, "UPDATE auth_sessions SET created_at = clock_timestamp() - interval '13 hours'")
    assert sessions.resolve(engine, token) is None
    token = sessions.create_session(engine, user_id)
    sessions.revoke(engine, token)
    assert sessions.resolve(engine, token) is None and not sessions.ended_by_inactivity(engine, token)
    assert sessions.resolve(engine, "forged") is None and sessions.resolve(engine, None) is None


def test_a_sign_in_code_is_single_use_bound_to_its_browser_and_lives_a_minute(engine):
    with engine.begin() as conn:
        company(conn)
        user_id = accounts.user_id(conn, MANAGER)
    code = sessions.issue_code(engine, user_id, "browser-a", next_path="//evil.example/")
    assert sessions.redeem_code(engine, code, "browser-a") == (user_id, "password", "/")  # only paths of this site
    assert sessions.redeem_code(engine, code, "browser-a") is None
    code = sessions.issue_code(engine, user_id, "browser-a")
    assert sessions.redeem_code(engine, code, "browser-b") is None
    assert sessions.redeem_code(engine, code, "browser-a") is None  # the wrong browser burned it
    code = sessions.issue_code(engine, user_id, "browser-a", "oidc", "/plans?lang=en")
    with engine.begin() as conn:
        exec_(conn, "UPDATE auth_codes SET expires_at = clock_timestamp() - interval '1 second'")
    assert sessions.redeem_code(engine, code, "browser-a") is None
    code = sessions.issue_code(engine, user_id, "browser-a", "oidc", "/plans?lang=en")
    assert sessions.redeem_code(engine, code, "browser-a") == (user_id, "oidc", "/plans?lang=en")


# -- the HTTP routes (Starlette's TestClient, without Streamlit) ------------------------------------

@pytest.fixture
def routes(engine, monkeypatch):
    monkeypatch.setattr(web, "_engine", lambda: engine)
    with engine.begin() as conn:
        company(conn)
        user_id = accounts.user_id(conn, MANAGER)
    client = TestClient(Starlette(routes=web.ROUTES, middleware=[Middleware(web.SigninBindingMiddleware)]),
                        base_url="http://localhost")
    return client, user_id


def test_session_start_trades_a_code_for_an_httponly_cookie(routes, engine):
    client, user_id = routes
    code = sessions.issue_code(engine, user_id, "b", next_path="/complaints?lang=en")
    stale = sessions.create_session(engine, user_id)
    response = client.get(f"/session/start?code={code}", cookies={"cs_signin": "b", "cs_session": stale},
                          headers={"Sec-Fetch-Site": "same-origin"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/complaints?lang=en"
    set_cookie = response.headers["set-cookie"]
    assert "cs_session=" in set_cookie and "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie
    assert "Path=/" in set_cookie and "Max-Age" not in set_cookie and "Secure" not in set_cookie
    assert response.headers["cache-control"] == "no-store" and response.headers["referrer-policy"] == "no-referrer"
    token = response.cookies["cs_session"]
    assert sessions.resolve(engine, token).username == MANAGER
    assert sessions.resolve(engine, stale) is None  # the session the browser still carried ended (no fixation)


@pytest.mark.parametrize("cookies,headers", [
    ({"cs_signin": "b"}, {"Sec-Fetch-Site": "cross-site"}),  # a link from another site
    ({"cs_signin": "someone-else"}, {"Sec-Fetch-Site": "same-origin"}),  # another browser
    ({}, {}),  # no binding cookie at all
])
def test_session_start_refuses_a_code_from_elsewhere(routes, engine, cookies, headers):
    client, user_id = routes
    code = sessions.issue_code(engine, user_id, "b")
    response = client.get(f"/session/start?code={code}", cookies=cookies, headers=headers, follow_redirects=False)
    assert response.headers["location"] == "/?signin=failed" and "set-cookie" not in response.headers


def test_session_end_drops_only_a_session_already_ended(routes, engine):
    client, user_id = routes
    token = sessions.create_session(engine, user_id)
    response = client.get("/session/end?lang=en", cookies={"cs_session": token}, follow_redirects=False)
    assert response.headers["location"] == "/?lang=en" and "set-cookie" not in response.headers  # a forged link
    assert sessions.resolve(engine, token) is not None
    sessions.revoke(engine, token)
    response = client.get("/session/end", cookies={"cs_session": token}, follow_redirects=False)
    assert 'cs_session=""' in response.headers["set-cookie"] and "Max-Age=0" in response.headers["set-cookie"]


def test_the_binding_cookie_is_set_on_pages_only():
    async def page(request):
        return HTMLResponse("<html></html>")

    app = Starlette(routes=[Route("/", page), Route("/plans", page), Route("/_stcore/health", page)],
                    middleware=[Middleware(web.SigninBindingMiddleware)])
    first = TestClient(app).get("/plans")
    assert "cs_signin=" in first.headers["set-cookie"] and "HttpOnly" in first.headers["set-cookie"]
    assert "set-cookie" not in TestClient(app).get("/", cookies={"cs_signin": "x"}).headers
    assert "set-cookie" not in TestClient(app).get("/_stcore/health").headers


# -- the app with cookie sessions, in AppTest (the cookie seam patched) ----------------------------

@pytest.fixture
def cookie_app(demo_url, use_database, monkeypatch):  # noqa: F811
    """The app as serve.py runs it (routes mounted), on a demo database; `run(cookies)` runs it."""
    use_database(demo_url)
    monkeypatch.setattr(web, "ROUTES_MOUNTED", True)
    engine = sa.create_engine(demo_url)
    cookies: dict = {}

    def run(at: AppTest | None = None, **query) -> AppTest:
        at = at or AppTest.from_file(APP, default_timeout=90)
        at.query_params.update({"lang": "en", **query})
        return at.run()

    with patch("dashboard.ui.session.request_cookies", lambda: dict(cookies)):
        yield run, cookies, engine


def redirect(at: AppTest) -> str | None:
    """The address the app sent the browser to (st.html's script), if any."""
    for element in at.get("html"):
        found = re.search(r'location\.replace\("([^"]+)"\)', element.proto.body)
        if found:
            return found.group(1)
    return None


def test_the_cookie_path_signs_in_through_a_code_and_signs_out_everywhere(cookie_app):
    run, cookies, engine = cookie_app
    cookies["cs_signin"] = "browser-1"
    at = run()
    at.text_input(key="signin_username").input("manager")
    at.text_input(key="signin_password").input(accounts.DEMO_PASSWORD)
    at.button[0].click().run()
    assert_clean(at)
    url = redirect(at)
    assert url.startswith("/session/start?code=")
    code = url.split("code=")[1]
    user_id, origin, next_path = sessions.redeem_code(engine, code, "browser-1")
    assert origin == "password" and next_path == "/?lang=en"
    cookies["cs_session"] = sessions.create_session(engine, user_id)  # what the route does
    tab = run()  # a reload, a new tab: each is a new Streamlit session with the same cookie
    assert_clean(tab)
    assert tab.title[0].value == "Overview" and any("Signed in as" in c.value for c in tab.caption)
    other_tab = run()
    tab.button(key="sign_out").click().run()
    assert redirect(tab) == "/session/end?lang=en"
    assert sessions.resolve(engine, cookies["cs_session"]) is None
    other_tab.run()
    assert other_tab.text_input(key="signin_username") is not None  # signed out at its next run


def test_a_deactivated_or_idle_session_ends_at_its_next_run(cookie_app):
    run, cookies, engine = cookie_app
    with engine.begin() as conn:
        agent_id = accounts.user_id(conn, "agent")
    cookies["cs_session"] = sessions.create_session(engine, agent_id)
    at = run()
    assert at.title[0].value == "Overview"
    with engine.begin() as conn:
        users.set_active(conn, accounts.load_user(conn, "manager"), username="agent", active=False)
    at.run()
    assert at.text_input(key="signin_username") is not None
    with engine.begin() as conn:
        users.set_active(conn, accounts.load_user(conn, "manager"), username="agent", active=True)
    cookies["cs_session"] = sessions.create_session(engine, agent_id)
    with engine.begin() as conn:
        exec_(conn, "UPDATE auth_sessions SET last_used_at = clock_timestamp() - interval '31 minutes'")
    at = run()
    assert any("inactivity" in i.value for i in at.info)


def test_a_new_account_sees_only_the_account_page_until_its_password_is_changed(cookie_app):
    run, cookies, engine = cookie_app
    with engine.begin() as conn:
        boss = accounts.load_user(conn, "manager")
        staff_no = conn.execute(sa.text("SELECT staff_no FROM staff s WHERE role = 'agent' AND NOT EXISTS "
                                        "(SELECT 1 FROM users u WHERE u.staff_id = s.id) ORDER BY staff_no LIMIT 1")).scalar()
        users.create_account(conn, boss, username="fresh", role="agent", staff_no=staff_no, password="Spring-tide-2026")
        fresh_id = accounts.user_id(conn, "fresh")
    cookies["cs_session"] = sessions.create_session(engine, fresh_id)
    at = run()  # the address asks for English, which every page and each switch keeps
    at.switch_page("pages/complaints.py")
    run(at)
    assert at.title[0].value == t("nav_account", "en") and t("must_change", "en") in at.warning[0].value
    at.switch_page("pages/account.py")  # where the browser now is (AppTest does not follow the app's switch)
    run(at)
    at.text_input(key="account_current").input("Spring-tide-2026")
    at.text_input(key="account_new").input("Harbour-lights-77")
    at.text_input(key="account_repeated").input("Harbour-lights-77")
    next(b for b in at.button if b.label == t("change_password", "en")).click().run()
    assert_clean(at)
    assert sessions.resolve(engine, cookies["cs_session"]) is not None  # this browser stays signed in
    at.switch_page("pages/complaints.py")
    run(at)
    assert at.title[0].value == t("nav_complaints", "en")
    with engine.connect() as conn:
        home = accounts.load_user(conn, "fresh").department_code
    assert at.selectbox(key="f_dept").options and all(home in o for o in at.selectbox(key="f_dept").options)


def test_the_user_admin_page_is_for_managers_and_creates_accounts(demo_url, use_database):  # noqa: F811
    from tests.test_app import open_page

    use_database(demo_url)
    at = open_page("users", "en", user="manager")
    assert_clean(at)
    assert at.title[0].value == "Users" and "hruser" in list(at.dataframe[0].value["Username"])
    at.text_input(key="users_new_username").input("newhr")
    at.selectbox(key="users_new_role").set_value("hr")
    at.text_input(key="users_new_password").input("Spring-tide-2026")
    next(b for b in at.button if b.label == "Create account").click().run()
    assert_clean(at)
    assert any("newhr" in s.value for s in at.success)
    with sa.create_engine(demo_url).connect() as conn:
        assert accounts.load_user(conn, "newhr").role == "hr"
    for role in ("head", "agent", "hruser"):
        at = open_page("users", "en", user=role)  # not in their menu: the default page runs instead
        assert at.title[0].value != "Users"


def test_hr_sees_the_analysis_pages_company_wide_and_no_work_forms(demo_url, use_database):  # noqa: F811
    from tests.test_app import open_page

    use_database(demo_url)
    at = open_page("complaints", "en", user="hruser")
    assert_clean(at)
    assert at.title[0].value == "Complaint timeliness" and "All departments" in at.selectbox(key="f_dept").options
    at = open_page("complaint_entry", "en", user="hruser")
    assert at.title[0].value == "Overview"  # the work forms are not theirs


def test_in_process_sessions_end_when_the_account_is_deactivated(demo_url, use_database):  # noqa: F811
    from tests.test_app import open_page

    use_database(demo_url)
    at = open_page("overview", "en", user="agent")
    assert at.title[0].value == "Overview"
    with sa.create_engine(demo_url).begin() as conn:
        users.set_active(conn, accounts.load_user(conn, "manager"), username="agent", active=False)
    at.run()
    assert at.text_input(key="signin_username") is not None
