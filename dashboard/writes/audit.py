"""The audit trail: who changed what, when, and the record before and after.

Every write records one entry; the app follows the newest entries to drop cached figures.
"""
from __future__ import annotations

import json

import sqlalchemy as sa

from dashboard.core.scope import check_may_change, record_visible
from dashboard.core.user import User


def as_json(row) -> dict | None:
    if row is None:
        return None
    return json.loads(json.dumps(dict(row), default=lambda o: o.isoformat() if hasattr(o, "isoformat") else str(o)))


def audit(conn, actor: User | str, action: str, table: str, key: str, before=None, after=None) -> None:
    """Record one write. A user whose role changes no data (hr) is refused here, and the caller's
    transaction, which holds the write, rolls back (dashboard/core/scope.py says who may change what)."""
    if isinstance(actor, User):
        check_may_change(actor, table, key)
    conn.execute(sa.text("""INSERT INTO audit_log (actor, action, table_name, record_key, before, after)
                            VALUES (:actor, :action, :table, :key, CAST(:before AS jsonb), CAST(:after AS jsonb))"""),
                 {"actor": actor.username if isinstance(actor, User) else actor, "action": action, "table": table,
                  "key": key, "before": json.dumps(as_json(before)) if before is not None else None,
                  "after": json.dumps(as_json(after)) if after is not None else None})


def latest_change(conn) -> tuple:
    """What audit_log holds lately: a form write, a CSV import and a new account each add an entry.

    The app compares it between runs to drop figures cached before a write made elsewhere
    (another server process, `python -m dashboard import`). An id is taken at insert, not at
    commit, so a write that commits after a later one shows no new newest id; the count of the
    last thousand ids still grows when it lands.
    """
    return tuple(conn.execute(sa.text(
        "SELECT max(id), count(*) FROM audit_log WHERE id > (SELECT max(id) - 1000 FROM audit_log)")).one())


def history(conn, user: User, table: str, key: str):
    """The audit trail of one record, newest first (who, when, what, before, after).

    Empty when the record is outside the user's scope, as for a record that does not exist.
    """
    if not record_visible(conn, user, table, key):
        return []
    return conn.execute(sa.text("""SELECT at, actor, action, before, after FROM audit_log
                                   WHERE table_name = :t AND record_key = :k ORDER BY at DESC, id DESC"""),
                        {"t": table, "k": key}).mappings().all()
