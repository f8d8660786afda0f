"""Signed-in sessions kept in the database (会话): a random token in an HttpOnly cookie, stored hashed.

No Streamlit here: the HTTP routes (dashboard/web.py) and the script side (dashboard/ui/session.py)
both use these functions, each in a transaction of its own.

- A session token and a one-time sign-in code are 32 random bytes (`secrets.token_urlsafe(32)`).
  Only their SHA-256 is stored: random secrets of that size need no salt or slow hash, and a
  leaked table holds nothing that could be replayed as a cookie. Passwords keep argon2id.
- A session ends after IDLE without a run, after ABSOLUTE at the latest, at sign-out, and when
  its account is deactivated, reset or changes its password elsewhere (`revoke_user`).
- A code is made by the sign-in form inside a script run (which cannot set a cookie), lives
  CODE_LIFETIME, is redeemed once by /session/start, and only together with the `cs_signin`
  cookie of the browser whose run made it (`binding`).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

IDLE = timedelta(minutes=30)         # 30 minutes without a run ends a session
ABSOLUTE = timedelta(hours=12)       # and none lives longer, active or not: a working day
CODE_LIFETIME = timedelta(seconds=60)  # the redirect takes milliseconds; a minute allows a slow machine
KEEP_ENDED = timedelta(days=7)       # ended sessions and used codes are purged after this


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def _seconds(span: timedelta) -> str:
    return f"{int(span.total_seconds())} seconds"


@dataclass(frozen=True)
class Live:
    """A live session: its account and how it began."""
    username: str
    origin: str  # vocabulary.SESSION_ORIGIN: 'password' or 'oidc'


def safe_next(path: str | None) -> str:
    """A path within this site to go to after sign-in ('/' when it is anything else)."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path or any(
            ord(c) < 32 for c in path):
        return "/"
    return path


# -- one-time sign-in codes ---------------------------------------------------------------------

def issue_code(engine, user_id: int, binding: str, origin: str = "password", next_path: str = "/") -> str:
    """A single-use code for `user_id`, valid CODE_LIFETIME, usable only with the same binding cookie."""
    code = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM auth_codes WHERE expires_at < clock_timestamp() - CAST(:keep AS interval)"),
                     {"keep": _seconds(KEEP_ENDED)})
        conn.execute(sa.text("""
            INSERT INTO auth_codes (code_hash, user_id, binding_hash, origin, next_path, expires_at)
            VALUES (:c, :u, :b, :o, :n, clock_timestamp() + CAST(:life AS interval))"""),
                     {"c": _hash(code), "u": user_id, "b": _hash(binding), "o": origin, "n": safe_next(next_path),
                      "life": _seconds(CODE_LIFETIME)})
    return code


def redeem_code(engine, code: str | None, binding: str | None) -> tuple[int, str, str] | None:
    """Use up `code` at once: (user_id, origin, next_path) when it was unused, unexpired and bound
    to `binding`, the account still active; else None. A wrong binding burns the code too (it has
    reached another browser)."""
    if not code or not binding:
        return None
    with engine.begin() as conn:
        row = conn.execute(sa.text("""
            UPDATE auth_codes c SET used_at = clock_timestamp()
            WHERE c.code_hash = :c AND c.used_at IS NULL AND c.expires_at >= clock_timestamp()
            RETURNING c.user_id, c.binding_hash, c.origin, c.next_path,
                      (SELECT active FROM users u WHERE u.id = c.user_id) AS active"""),
                           {"c": _hash(code)}).first()
    if row is None or not row.active or not hmac.compare_digest(bytes(row.binding_hash), _hash(binding)):
        return None
    return row.user_id, row.origin, safe_next(row.next_path)


# -- sessions -----------------------------------------------------------------------------------

def create_session(engine, user_id: int, origin: str = "password", client: str | None = None) -> str:
    """A new session for `user_id`; returns its token (the cookie's value; only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(sa.text("""DELETE FROM auth_sessions WHERE last_used_at < clock_timestamp() - CAST(:keep AS interval)"""),
                     {"keep": _seconds(KEEP_ENDED)})
        conn.execute(sa.text("INSERT INTO auth_sessions (token_hash, user_id, origin, client) VALUES (:t, :u, :o, :c)"),
                     {"t": _hash(token), "u": user_id, "o": origin, "c": client})
    return token


def resolve(engine, token: str | None, touch: bool = True) -> Live | None:
    """The live session of `token`: not revoked, used within IDLE, younger than ABSOLUTE, its
    account active. With `touch` (every script run) its last use moves to now: one statement."""
    if not token:
        return None
    with engine.begin() as conn:
        row = conn.execute(sa.text("""
            UPDATE auth_sessions s
            SET last_used_at = CASE WHEN :touch THEN clock_timestamp() ELSE s.last_used_at END
            FROM users u
            WHERE s.token_hash = :t AND u.id = s.user_id AND u.active AND s.revoked_at IS NULL
              AND s.last_used_at > clock_timestamp() - CAST(:idle AS interval)
              AND s.created_at > clock_timestamp() - CAST(:absolute AS interval)
            RETURNING u.username, s.origin"""),
                           {"t": _hash(token), "touch": touch, "idle": _seconds(IDLE),
                            "absolute": _seconds(ABSOLUTE)}).first()
    return Live(row.username, row.origin) if row else None


def ended_by_inactivity(engine, token: str | None) -> bool:
    """Whether `token`'s session ended only because it was idle too long (for the sign-in page's note)."""
    if not token:
        return False
    with engine.connect() as conn:
        return bool(conn.execute(sa.text("""
            SELECT s.revoked_at IS NULL AND u.active
                   AND (s.last_used_at <= clock_timestamp() - CAST(:idle AS interval)
                        OR s.created_at <= clock_timestamp() - CAST(:absolute AS interval))
            FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = :t"""),
            {"t": _hash(token), "idle": _seconds(IDLE), "absolute": _seconds(ABSOLUTE)}).scalar())


def is_live(engine, token: str | None) -> bool:
    return resolve(engine, token, touch=False) is not None


def revoke(engine, token: str | None) -> None:
    """End one session now (sign-out): every tab using it is signed out at its next run."""
    if token:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE auth_sessions SET revoked_at = clock_timestamp() "
                                 "WHERE token_hash = :t AND revoked_at IS NULL"), {"t": _hash(token)})


def revoke_user(conn, username: str, keep_token: str | None = None) -> int:
    """End every session of `username` (but `keep_token`'s), in the caller's transaction: with a
    deactivation, a password reset or a password change. Returns how many ended."""
    return conn.execute(sa.text("""
        UPDATE auth_sessions SET revoked_at = clock_timestamp()
        WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE username = :u)
          AND token_hash IS DISTINCT FROM :keep"""),
                        {"u": username, "keep": _hash(keep_token) if keep_token else None}).rowcount
