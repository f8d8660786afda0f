"""Accounts and sign-in (账号与登录): argon2 password hashes, throttling, roles.

Messages never reveal whether a username exists: a wrong password and an unknown user get
the same answer, take about as long (an unknown user still costs one hash check), and count
towards the same throttle.
"""
from __future__ import annotations

import json
import re
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from dashboard.core import vocabulary
from dashboard.core.user import User

ROLES = vocabulary.ROLE.codes
MIN_PASSWORD_LENGTH = 8
MAX_FAILURES = 5  # per username in THROTTLE_WINDOW
MAX_CLIENT_FAILURES = 50  # per client address in THROTTLE_WINDOW, when the address is known
THROTTLE_WINDOW = timedelta(minutes=15)
DEMO_PASSWORD = "demo1234"

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a real password")


class UserError(ValueError):
    """Bad input for an account; the message names the field."""


class SignInRefused(Exception):
    """Sign-in refused. `reason` is 'invalid' or 'throttled' (then `retry_after` is set)."""

    def __init__(self, reason: str, retry_after: timedelta | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


def _audit(conn, actor: str, action: str, key: str, after: dict | None) -> None:
    conn.execute(sa.text("INSERT INTO audit_log (actor, action, table_name, record_key, after) "
                         "VALUES (:actor, :action, 'users', :key, CAST(:after AS jsonb))"),
                 {"actor": actor, "action": action, "key": key, "after": json.dumps(after) if after else None})


def create_user(conn, username: str, password: str, role: str, staff_no: str | None = None,
                actor: str = "cli") -> User:
    """Create an account. Heads and agents need a staff record: it gives their department."""
    username = (username or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{3,40}", username):
        raise UserError("username: use 3-40 letters, digits, '.', '_' or '-'")
    if role not in ROLES:
        raise UserError(f"role: '{role}' is not one of {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    staff_id = None
    if staff_no:
        staff_id = conn.execute(sa.text("SELECT id FROM staff WHERE staff_no = :s"), {"s": staff_no}).scalar()
        if staff_id is None:
            raise UserError(f"staff_no: staff member '{staff_no}' does not exist")
    elif role != "manager":
        raise UserError(f"staff_no: a {role} needs a staff record (it sets the department)")
    if conn.execute(sa.text("SELECT 1 FROM users WHERE username = :u"), {"u": username}).scalar():
        raise UserError(f"username: '{username}' is taken")
    conn.execute(sa.text("INSERT INTO users (username, password_hash, role, staff_id) VALUES (:u, :h, :r, :s)"),
                 {"u": username, "h": _hasher.hash(password), "r": role, "s": staff_id})
    _audit(conn, actor, "create", username, {"role": role, "staff_no": staff_no})
    return load_user(conn, username)


def load_user(conn, username: str) -> User | None:
    row = conn.execute(sa.text("""
        SELECT u.username, u.role, s.staff_no, coalesce(s.name, u.username) AS name, d.code AS department_code
        FROM users u LEFT JOIN staff s ON s.id = u.staff_id LEFT JOIN departments d ON d.id = s.department_id
        WHERE u.username = :u AND u.active"""), {"u": username}).mappings().first()
    return User(**row) if row else None


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
    """
    username = (username or "").strip()
    with engine.connect() as conn:
        wait = _throttled(conn, username, client)
        stored = conn.execute(sa.text("SELECT password_hash FROM users WHERE username = :u AND active"),
                              {"u": username}).scalar()
    if wait is not None:
        raise SignInRefused("throttled", retry_after=wait)
    try:
        _hasher.verify(stored or _DUMMY_HASH, password or "")
        ok = stored is not None
    except (VerifyMismatchError, InvalidHashError):
        ok = False
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


def demo_accounts(conn) -> list[dict]:
    """The demo's accounts (one per role), listed on the sign-in page of a demo database only."""
    if not conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM settings WHERE key = 'demo')")).scalar():
        return []
    rows = conn.execute(sa.text("""
        SELECT u.username, u.role, d.code AS department_code FROM users u
        LEFT JOIN staff s ON s.id = u.staff_id LEFT JOIN departments d ON d.id = s.department_id
        WHERE u.username IN ('manager', 'head', 'agent') ORDER BY array_position(ARRAY['manager','head','agent'], u.username)"""))
    return [dict(r._mapping, password=DEMO_PASSWORD) for r in rows]
