"""Accounts and sign-in (账号与登录): argon2 password hashes, the password rules, throttling, roles.

Messages never reveal whether a username exists: a wrong password and an unknown user get
the same answer, take about as long (an unknown user still costs one hash check), and count
towards the same throttle.

The password rules (`password_problem`): at least MIN_PASSWORD_LENGTH characters, at most
MAX_PASSWORD_LENGTH, not the username, not one of the 10,000 most common passwords (the list in
dashboard/data/common-passwords.txt, compared without regard to case), and the demo password
only on a demo database. The demo password `demo1234` signs in only on a demo database (the
settings table has the key 'demo'); anywhere else it is refused like a wrong password.

Creating and changing accounts is in dashboard/writes/users.py; sessions in dashboard/sessions.py.
"""
from __future__ import annotations

import functools
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from dashboard.core import vocabulary
from dashboard.core.user import User

ROLES = vocabulary.ROLE.codes
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200
MAX_FAILURES = 5  # per username in THROTTLE_WINDOW
MAX_CLIENT_FAILURES = 50  # per client address in THROTTLE_WINDOW, when the address is known
THROTTLE_WINDOW = timedelta(minutes=15)
DEMO_PASSWORD = "demo1234"
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")


class UserError(ValueError):
    """Bad input for an account (the command line's message); the message names the field."""


class SignInRefused(Exception):
    """Sign-in refused. `reason` is 'invalid' or 'throttled' (then `retry_after` is set)."""

    def __init__(self, reason: str, retry_after: timedelta | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


# -- passwords ---------------------------------------------------------------------------------

def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    """Whether `password` is the one hashed in `stored`; the same work when there is none."""
    try:
        _hasher.verify(stored or _DUMMY_HASH, password or "")
        return stored is not None
    except (VerifyMismatchError, InvalidHashError):
        return False


@functools.cache
def common_passwords() -> frozenset[str]:
    """The most common passwords, lower-cased (SecLists' 10k-most-common.txt, see docs/accounts.md)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def is_demo_database(conn) -> bool:
    return bool(conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM settings WHERE key = 'demo')")).scalar())


def password_problem(conn, password: str, username: str) -> tuple[str, dict] | None:
    """Why `password` may not be `username`'s new password (an i18n key and its parameters), or None."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "err_password_short", {"minimum": MIN_PASSWORD_LENGTH}
    if len(password) > MAX_PASSWORD_LENGTH:
        return "err_password_long", {"maximum": MAX_PASSWORD_LENGTH}
    if "\x00" in password:
        return "err_nul", {}
    if password.strip().lower() in common_passwords() or password.strip().lower() == (username or "").strip().lower():
        return "err_password_common", {}
    if password == DEMO_PASSWORD and not is_demo_database(conn):
        return "err_password_demo", {}
    return None


# -- accounts ----------------------------------------------------------------------------------

def create_user(conn, username: str, password: str, role: str, staff_no: str | None = None,
                actor: str = "cli") -> User:
    """Create an account from the command line or the demo (the checks of writes.users.create_account).

    Raises UserError naming the field, in English. Heads and agents need a staff record: it
    gives their department.
    """
    from dashboard.i18n import t
    from dashboard.writes.users import create_account
    from dashboard.writes.validation import Invalid

    try:
        return create_account(conn, actor, username=username, role=role, staff_no=staff_no, password=password,
                              must_change=False)
    except Invalid as invalid:
        raise UserError("; ".join(f"{field}: {t(key, 'en', **params)}" for field, (key, params)
                                  in invalid.errors.items())) from None


_USER_SQL = """
    SELECT u.username, u.role, s.staff_no, coalesce(s.name, u.username) AS name, d.code AS department_code,
           u.must_change_password
    FROM users u LEFT JOIN staff s ON s.id = u.staff_id LEFT JOIN departments d ON d.id = s.department_id
    WHERE u.username = :u AND u.active"""


def load_user(conn, username: str) -> User | None:
    """The active account `username` as every read and write sees it (None when unknown or inactive)."""
    row = conn.execute(sa.text(_USER_SQL), {"u": username}).mappings().first()
    return User(**row) if row else None


def account_exists(conn, username: str) -> bool:
    """Whether an account `username` exists, active or not (accounts are deactivated, never deleted)."""
    return bool(conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM users WHERE username = :u)"), {"u": username}).scalar())


def user_id(conn, username: str) -> int | None:
    return conn.execute(sa.text("SELECT id FROM users WHERE username = :u AND active"), {"u": username}).scalar()


def account_for_email(conn, email: str | None) -> tuple[User | None, str]:
    """The account a single sign-on identity's e-mail maps to: its staff record's (staff.email,
    without regard to case) active account. (user, '') or (None, why): 'no_staff', 'ambiguous'
    (several staff records share the address), 'no_account'."""
    email = (email or "").strip()
    if not email:
        return None, "no_staff"
    staff = conn.execute(sa.text("SELECT id FROM staff WHERE lower(email) = lower(:e) AND email IS NOT NULL"),
                         {"e": email}).scalars().all()
    if not staff:
        return None, "no_staff"
    if len(staff) > 1:
        return None, "ambiguous"
    username = conn.execute(sa.text("SELECT username FROM users WHERE staff_id = :s AND active ORDER BY id LIMIT 1"),
                            {"s": staff[0]}).scalar()
    user = load_user(conn, username) if username else None
    return (user, "") if user else (None, "no_account")


# -- sign-in -----------------------------------------------------------------------------------

def _record(conn, username: str, succeeded: bool, client: str | None) -> None:
    conn.execute(sa.text("INSERT INTO sign_in_attempts (username, succeeded, client) VALUES (:u, :s, :c)"),
                 {"u": username, "s": succeeded, "c": client})


def _window() -> str:
    return f"{int(THROTTLE_WINDOW.total_seconds())} seconds"


def _throttled(conn, username: str, client: str | None) -> timedelta | None:
    """How long until the username (or the client, when its address is known) may try again; None: now."""
    user_failures = conn.execute(sa.text("""
        SELECT count(*), min(at) FROM sign_in_attempts
        WHERE username = :u AND NOT succeeded AND at > clock_timestamp() - CAST(:window AS interval)
          AND at > coalesce((SELECT max(at) FROM sign_in_attempts WHERE username = :u AND succeeded), '-infinity')"""),
        {"u": username, "window": _window()}).one()
    oldest = user_failures[1] if user_failures[0] >= MAX_FAILURES else None
    if client is not None:
        # One password tried across many usernames: the same address failing over and over. Only the
        # failures count here, and the limit is high, as a proxy may put many people behind one address.
        client_failures = conn.execute(sa.text("""
            SELECT count(*), min(at) FROM (
                SELECT at FROM sign_in_attempts
                WHERE client = :c AND NOT succeeded AND at > clock_timestamp() - CAST(:window AS interval)
                ORDER BY at DESC LIMIT :limit) recent"""),
            {"c": client, "window": _window(), "limit": MAX_CLIENT_FAILURES}).one()
        if client_failures[0] >= MAX_CLIENT_FAILURES:
            oldest = client_failures[1] if oldest is None else max(oldest, client_failures[1])
    if oldest is None:
        return None
    now = conn.execute(sa.text("SELECT clock_timestamp()")).scalar()
    return oldest + THROTTLE_WINDOW - now


def sign_in(engine, username: str, password: str, client: str | None = None) -> User:
    """Check the password; raise SignInRefused('invalid' | 'throttled'). Records every attempt.

    Each attempt is recorded in a transaction of its own, committed before the answer is given:
    a refusal raised inside the caller's transaction would otherwise roll its own record back,
    and the throttle would never see a failure. `client` is the client's address when known.
    The demo password is refused outside a demo database, even for an account that has it.
    """
    username = (username or "").strip()
    with engine.connect() as conn:
        wait = _throttled(conn, username, client)
        stored = conn.execute(sa.text("SELECT password_hash FROM users WHERE username = :u AND active"),
                              {"u": username}).scalar()
        demo_refused = password == DEMO_PASSWORD and not is_demo_database(conn)
    if wait is not None:
        raise SignInRefused("throttled", retry_after=wait)
    ok = password_matches(stored, password) and not demo_refused
    with engine.begin() as conn:
        _record(conn, username, ok, client)
    if not ok:
        raise SignInRefused("invalid")
    with engine.begin() as conn:
        if _hasher.check_needs_rehash(stored):
            conn.execute(sa.text("UPDATE users SET password_hash = :h WHERE username = :u"),
                         {"h": _hasher.hash(password), "u": username})
        conn.execute(sa.text("UPDATE users SET last_sign_in = clock_timestamp() WHERE username = :u"), {"u": username})
        return load_user(conn, username)


def signed_in_by_sso(engine, username: str) -> None:
    """Note a single sign-on (the provider checked who it is): the account's last sign-in."""
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE users SET last_sign_in = clock_timestamp() WHERE username = :u"), {"u": username})


DEMO_USERNAMES = ("manager", "head", "agent", "hruser")


def demo_accounts(conn) -> list[dict]:
    """The demo's accounts (one per role), listed on the sign-in page of a demo database only."""
    if not is_demo_database(conn):
        return []
    rows = conn.execute(sa.text("""
        SELECT u.username, u.role, d.code AS department_code FROM users u
        LEFT JOIN staff s ON s.id = u.staff_id LEFT JOIN departments d ON d.id = s.department_id
        WHERE u.username = ANY(:names) AND u.active ORDER BY array_position(:names, u.username)"""),
                        {"names": list(DEMO_USERNAMES)})
    return [dict(r._mapping, password=DEMO_PASSWORD) for r in rows]
