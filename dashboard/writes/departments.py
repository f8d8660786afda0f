"""Writes of the department tree (部门): create, rename and move, set the head, deactivate.

Managers only. A move that would put a department under itself or one of its own
sub-departments is refused naming both. Deactivating a department moves its staff and its
customers to a receiving department (by default its parent) in the same step, so no one is left
in a department that no longer works; the customers' complaints, orders and logs then count for
the receiving department, as every figure follows the customer's department. A department with
active sub-departments is deactivated after them.
"""
from __future__ import annotations

import sqlalchemy as sa

from dashboard.core import limits
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import Errors, check_version, code, limited, locked_row, lookup_id, optional_text, \
    require_role, required


def _head(conn, errors: Errors, staff_no: str | None) -> int | None:
    if not staff_no:
        return None
    found = lookup_id(conn, "SELECT id FROM staff WHERE staff_no = :v", staff_no)
    if found is None:
        errors.add("head_staff_no", "err_unknown", value=staff_no)
    return found


def _parent(conn, errors: Errors, parent_code: str | None) -> int | None:
    if not parent_code:
        return None
    found = conn.execute(sa.text("SELECT id, active FROM departments WHERE code = :c"), {"c": parent_code}).first()
    if found is None:
        errors.add("parent_code", "err_unknown", value=parent_code)
        return None
    if not found[1]:
        errors.add("parent_code", "err_department_inactive", value=parent_code)
    return found[0]


def create_department(conn, user: User, *, code_: str, name: str, work_scope: str | None = None,
                      parent_code: str | None = None, head_staff_no: str | None = None) -> str:
    require_role(user, "manager")
    errors = Errors()
    code_ = (code_ or "").strip()
    required(errors, "code", code_)
    code(errors, "code", code_)
    if code_ and lookup_id(conn, "SELECT id FROM departments WHERE code = :v", code_) is not None:
        errors.add("code", "err_code_taken", value=code_)
    limited(errors, "name", required(errors, "name", name), limits.SHORT_TEXT)
    limited(errors, "work_scope", work_scope)
    parent_id = _parent(conn, errors, parent_code)
    head_id = _head(conn, errors, head_staff_no)
    errors.raise_any()
    row = conn.execute(sa.text("""
        INSERT INTO departments (code, name, scope, parent_id, head_staff_id) VALUES (:c, :n, :s, :p, :h) RETURNING *"""),
        {"c": code_, "n": name.strip(), "s": optional_text(work_scope), "p": parent_id, "h": head_id}).mappings().one()
    audit(conn, user, "create", "departments", code_, after=row)
    return code_


def update_department(conn, user: User, *, code_: str, version: int, name: str, work_scope: str | None,
                      parent_code: str | None, head_staff_no: str | None) -> str:
    """Rename, move under another parent (None: top level), change the work scope or the head."""
    require_role(user, "manager")
    errors = Errors()
    before = _locked(conn, errors, code_, version)
    limited(errors, "name", required(errors, "name", name), limits.SHORT_TEXT)
    limited(errors, "work_scope", work_scope)
    parent_id = _parent(conn, errors, parent_code) if parent_code != _code_of(conn, before["parent_id"]) else before["parent_id"]
    if parent_id is not None and parent_id in _subtree_ids(conn, before["id"]):
        errors.add("parent_code", "err_department_cycle", value=parent_code, department=code_)
    head_id = _head(conn, errors, head_staff_no)
    errors.raise_any()
    after = conn.execute(sa.text("""
        UPDATE departments SET name = :n, scope = :s, parent_id = :p, head_staff_id = :h, version = version + 1
        WHERE id = :i RETURNING *"""),
        {"n": name.strip(), "s": optional_text(work_scope), "p": parent_id, "h": head_id, "i": before["id"]}
    ).mappings().one()
    audit(conn, user, "update", "departments", code_, before=before, after=after)
    return code_


def deactivate_department(conn, user: User, *, code_: str, version: int, receiving_code: str | None = None) -> str:
    """Deactivate `code_`, moving its staff and customers to `receiving_code` (default: its parent)."""
    require_role(user, "manager")
    errors = Errors()
    before = _locked(conn, errors, code_, version)
    if not before["active"]:
        errors.add("code", "err_department_inactive", value=code_)
    children = conn.execute(sa.text("SELECT string_agg(code, ', ' ORDER BY code) FROM departments "
                                    "WHERE parent_id = :i AND active"), {"i": before["id"]}).scalar()
    if children:
        errors.add("code", "err_department_children", value=children)
    receiving_code = receiving_code or _code_of(conn, before["parent_id"])
    if not receiving_code:
        errors.add("receiving_code", "err_required")
    else:
        receiving = conn.execute(sa.text("SELECT id, active FROM departments WHERE code = :c"),
                                 {"c": receiving_code}).first()
        if receiving is None:
            errors.add("receiving_code", "err_unknown", value=receiving_code)
        elif not receiving[1] or receiving[0] == before["id"]:
            errors.add("receiving_code", "err_department_inactive", value=receiving_code)
    errors.raise_any()
    to_id = receiving[0]
    moved_staff = conn.execute(sa.text("""
        UPDATE staff SET department_id = :to, version = version + 1 WHERE department_id = :from
        RETURNING staff_no"""), {"to": to_id, "from": before["id"]}).scalars().all()
    moved_customers = conn.execute(sa.text("""
        UPDATE customers SET department_id = :to, version = version + 1 WHERE department_id = :from RETURNING id"""),
        {"to": to_id, "from": before["id"]}).scalars().all()
    conn.execute(sa.text("UPDATE work_logs SET department_id = :to WHERE department_id = :from"),
                 {"to": to_id, "from": before["id"]})
    after = conn.execute(sa.text("UPDATE departments SET active = false, version = version + 1 WHERE id = :i RETURNING *"),
                         {"i": before["id"]}).mappings().one()
    audit(conn, user, "deactivate", "departments", code_, before=before,
          after=dict(after) | {"moved_to": receiving_code, "moved_staff": list(moved_staff),
                               "moved_customers": len(moved_customers)})
    return code_


def reactivate_department(conn, user: User, *, code_: str) -> str:
    require_role(user, "manager")
    errors = Errors()
    before = locked_row(conn, "departments", "code", code_)
    if before is None:
        errors.add("code", "err_unknown", value=code_)
    errors.raise_any()
    after = conn.execute(sa.text("UPDATE departments SET active = true, version = version + 1 WHERE id = :i RETURNING *"),
                         {"i": before["id"]}).mappings().one()
    audit(conn, user, "reactivate", "departments", code_, before=before, after=after)
    return code_


def _code_of(conn, department_id: int | None) -> str | None:
    if department_id is None:
        return None
    return conn.execute(sa.text("SELECT code FROM departments WHERE id = :i"), {"i": department_id}).scalar()


def _subtree_ids(conn, department_id: int) -> set[int]:
    return set(conn.execute(sa.text("""
        WITH RECURSIVE t(id) AS (SELECT CAST(:i AS integer) UNION SELECT d.id FROM departments d JOIN t ON d.parent_id = t.id)
        SELECT id FROM t"""), {"i": department_id}).scalars())


def _locked(conn, errors: Errors, code_: str, version: int):
    """The department `code_`, locked for the change, at the version the form showed (else Conflict)."""
    before = locked_row(conn, "departments", "code", code_)
    if before is None:
        errors.add("code", "err_unknown", value=code_)
        errors.raise_any()
    check_version(conn, "departments", code_, before, version)
    return before
