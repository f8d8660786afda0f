"""Writes of accounts (用户管理): managers create, edit, deactivate and reactivate accounts and reset
passwords; every user changes their own password. Each change is one audit entry on table
'users' (the password hash never enters the audit log).

- A new account and a reset password must be changed at the next sign-in (`must_change_password`).
- A deactivation or a reset ends the account's open sessions at once; changing one's own
  password ends the account's other sessions.
- The last active manager can be neither deactivated nor given another role, and nobody
  deactivates their own account, so the company always keeps someone who can manage accounts.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from dashboard import accounts, sessions
from dashboard.core import vocabulary
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import Errors, require_role

USERNAME = re.compile(r"[A-Za-z0-9_.\-]{3,40}")
# the roles that need a staff record: it sets their department
STAFFED_ROLES = tuple(r for r in vocabulary.ROLE.codes if r not in ("manager", "hr"))


def _actor_may_manage(actor: User | str) -> None:
    if isinstance(actor, User):
        require_role(actor, "manager")


def _account(conn, username: str, errors: Errors, field: str = "username") -> dict | None:
    """The account row (locked), or an error on `field`."""
    row = conn.execute(sa.text("""
        SELECT u.id, u.username, u.role, u.active, u.must_change_password, u.password_hash, s.staff_no
        FROM users u LEFT JOIN staff s ON s.id = u.staff_id WHERE u.username = :u FOR UPDATE OF u"""),
                       {"u": username}).mappings().first()
    if row is None:
        errors.add(field, "err_unknown", value=username)
    return dict(row) if row else None


def _shown(row: dict | None) -> dict | None:
    """An account as its audit entry records it: never the password hash."""
    return None if row is None else {k: v for k, v in row.items() if k not in ("password_hash", "id")}


def _staff(conn, errors: Errors, role: str | None, staff_no: str | None, username: str | None) -> int | None:
    """The staff record's id for an account of `role` (required for heads and agents, optional else)."""
    staff_no = (staff_no or "").strip() or None
    if staff_no is None:
        if role in STAFFED_ROLES:
            errors.add("staff_no", "err_staff_needed", role=role, role_label=vocabulary.ROLE.label(role, "zh"))
        return None
    staff_id = conn.execute(sa.text("SELECT id FROM staff WHERE staff_no = :s"), {"s": staff_no}).scalar()
    if staff_id is None:
        errors.add("staff_no", "err_staff_unknown", value=staff_no)
        return None
    taken = conn.execute(sa.text("SELECT username FROM users WHERE staff_id = :s AND username <> :u"),
                         {"s": staff_id, "u": username or ""}).scalar()
    if taken:
        errors.add("staff_no", "err_staff_taken", value=staff_no, username=taken)
    return staff_id


def _role(errors: Errors, role: str) -> None:
    if role not in vocabulary.ROLE.codes:
        errors.add("role", "err_role", value=role, allowed=", ".join(vocabulary.ROLE.codes))


def _password(conn, errors: Errors, field: str, password: str, username: str) -> None:
    problem = accounts.password_problem(conn, password, username)
    if problem:
        errors.add(field, problem[0], **problem[1])


def _other_active_managers(conn, username: str) -> int:
    return conn.execute(sa.text("SELECT count(*) FROM users WHERE role = 'manager' AND active AND username <> :u"),
                        {"u": username}).scalar()


def _after(conn, username: str) -> dict:
    return _shown(_account(conn, username, Errors()))


def create_account(conn, actor: User | str, *, username: str, role: str, staff_no: str | None, password: str,
                   must_change: bool = True) -> User:
    """A new account; a manager's (or the command line's) write. The password is the first one,
    to be changed at the first sign-in (`must_change`)."""
    _actor_may_manage(actor)
    errors = Errors()
    username = (username or "").strip()
    if not USERNAME.fullmatch(username):
        errors.add("username", "err_username")
    elif conn.execute(sa.text("SELECT 1 FROM users WHERE username = :u"), {"u": username}).scalar():
        errors.add("username", "err_username_taken", value=username)
    _role(errors, role)
    staff_id = _staff(conn, errors, role, staff_no, username)
    _password(conn, errors, "password", password, username)
    errors.raise_any()
    conn.execute(sa.text("""INSERT INTO users (username, password_hash, role, staff_id, must_change_password)
                            VALUES (:u, :h, :r, :s, :m)"""),
                 {"u": username, "h": accounts.hash_password(password), "r": role, "s": staff_id, "m": must_change})
    audit(conn, actor, "create", "users", username, after=_after(conn, username))
    return accounts.load_user(conn, username)


def update_account(conn, user: User, *, username: str, role: str, staff_no: str | None) -> str:
    """Change an account's role and staff record (which sets a head's or agent's department)."""
    require_role(user, "manager")
    errors = Errors()
    before = _account(conn, username, errors)
    errors.raise_any()
    _role(errors, role)
    staff_id = _staff(conn, errors, role, staff_no, username)
    if before["role"] == "manager" and role != "manager" and before["active"] and not _other_active_managers(conn, username):
        errors.add("role", "err_last_manager")
    errors.raise_any()
    conn.execute(sa.text("UPDATE users SET role = :r, staff_id = :s WHERE username = :u"),
                 {"r": role, "s": staff_id, "u": username})
    audit(conn, user, "update", "users", username, _shown(before), _after(conn, username))
    return username


def set_active(conn, user: User, *, username: str, active: bool) -> str:
    """Deactivate (its sessions end at once: every open tab signs out at its next run) or reactivate."""
    require_role(user, "manager")
    errors = Errors()
    before = _account(conn, username, errors)
    errors.raise_any()
    if not active and username == user.username:
        errors.add("username", "err_own_account")
    elif not active and before["role"] == "manager" and not _other_active_managers(conn, username):
        errors.add("username", "err_last_manager")
    errors.raise_any()
    conn.execute(sa.text("UPDATE users SET active = :a WHERE username = :u"), {"a": active, "u": username})
    if not active:
        sessions.revoke_user(conn, username)
    audit(conn, user, "reactivate" if active else "deactivate", "users", username, _shown(before),
          _after(conn, username))
    return username


def reset_password(conn, user: User, *, username: str, password: str) -> str:
    """A manager sets a temporary password, which the user must change at the next sign-in. The
    account's open sessions end (whoever had the old password is signed out)."""
    require_role(user, "manager")
    errors = Errors()
    before = _account(conn, username, errors)
    errors.raise_any()
    _password(conn, errors, "password", password, username)
    errors.raise_any()
    conn.execute(sa.text("""UPDATE users SET password_hash = :h, must_change_password = true,
                                             password_changed_at = clock_timestamp() WHERE username = :u"""),
                 {"h": accounts.hash_password(password), "u": username})
    sessions.revoke_user(conn, username)
    audit(conn, user, "reset_password", "users", username, _shown(before), _after(conn, username))
    return username


def change_own_password(conn, user: User, *, current: str, new: str, repeated: str,
                        keep_token: str | None = None) -> None:
    """The signed-in user's new password: the current one first, then the password rules. The
    account's other sessions end; `keep_token` (this browser's session) stays."""
    errors = Errors()
    before = _account(conn, user.username, errors)
    errors.raise_any()
    if not accounts.password_matches(before["password_hash"], current or ""):
        errors.add("current", "err_password_wrong")
    _password(conn, errors, "new", new, user.username)
    if new != repeated:
        errors.add("repeated", "err_password_differs")
    elif current and new == current:
        errors.add("new", "err_password_same")
    errors.raise_any()
    conn.execute(sa.text("""UPDATE users SET password_hash = :h, must_change_password = false,
                                             password_changed_at = clock_timestamp() WHERE username = :u"""),
                 {"h": accounts.hash_password(new), "u": user.username})
    sessions.revoke_user(conn, user.username, keep_token=keep_token)
    audit(conn, user, "change_password", "users", user.username, _shown(before), _after(conn, user.username))
