"""Writes of the customer file (客户档案): the customer record, reassigning owners, moving a customer.

A reassignment changes the owner, never the department: the owner history closes the running
entry the day before the reassignment and opens the new owner's on that day. Moving a customer
to another department is its own step (`move_customer`); from then on its complaints, orders and
log entries count for the new department, as every figure follows the customer's department.
Owners are chosen from staff of the customer's department subtree who have not left.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from dashboard.core import limits, vocabulary
from dashboard.core.scope import AccessDenied
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import Errors, birth_date, check_version, choice, customer_in_scope, department_in_scope, \
    in_range, limited, locked_row, optional_text, staff_in_scope

_RECORD = ("address", "company_phone", "contact_name", "contact_title", "contact_phone", "contact_email",
           "contact_gender", "contact_birthday", "best_contact_time")


def _may_change(user: User) -> None:
    if user.role not in ("manager", "head", "agent"):
        raise AccessDenied(f"a {user.role} changes no customer records")


def _customer(conn, errors: Errors, user: User, code: str) -> dict:
    customer_in_scope(conn, errors, user, code)
    errors.raise_any()
    return locked_row(conn, "customers", "code", code)


def update_customer_record(conn, user: User, *, customer_code: str, version: int, **values) -> str:
    """Seed 003's customer record: company phone, address, the contact's name, title, phone, e-mail,
    gender, birthday and best time to call. Any staff member of the customer's department may."""
    _may_change(user)
    errors = Errors()
    before = _customer(conn, errors, user, customer_code)
    check_version(conn, "customers", customer_code, before, version)
    for field in _RECORD:
        if field == "contact_birthday":
            birth_date(errors, field, values.get(field))
        elif field == "contact_gender":
            choice(errors, field, values.get(field), vocabulary.GENDER.codes, required=False)
        else:
            limited(errors, field, values.get(field), limits.SHORT_TEXT)
    email = values.get("contact_email")
    if email and email.strip() and "@" not in email:
        errors.add("contact_email", "err_email")
    errors.raise_any()
    row = {f: (values.get(f) or None) if f in ("contact_gender", "contact_birthday") else optional_text(values.get(f))
           for f in _RECORD}
    after = conn.execute(sa.text(f"""
        UPDATE customers SET {', '.join(f'{f} = :{f}' for f in _RECORD)}, version = version + 1 WHERE id = :id
        RETURNING *"""), row | {"id": before["id"]}).mappings().one()
    audit(conn, user, "update", "customers", customer_code, before=before, after=after)
    return customer_code


def _new_owner(conn, errors: Errors, user: User, staff_no: str, department_id: int) -> int | None:
    staff_id = staff_in_scope(conn, errors, user, staff_no, "to_staff_no")
    if staff_id is None:
        return None
    fits = conn.execute(sa.text("""
        WITH RECURSIVE up(id, parent_id) AS (
            SELECT id, parent_id FROM departments WHERE id = :d
            UNION SELECT x.id, x.parent_id FROM departments x JOIN up ON x.id = up.parent_id)
        SELECT s.left_on IS NULL OR s.left_on >= current_date FROM staff s
        WHERE s.id = :s AND (s.department_id IN (SELECT id FROM up) OR s.department_id IN (
            WITH RECURSIVE down(id) AS (SELECT CAST(:d AS integer) UNION SELECT x.id FROM departments x JOIN down ON x.parent_id = down.id)
            SELECT id FROM down))"""), {"s": staff_id, "d": department_id}).scalar()
    if fits is None:
        errors.add("to_staff_no", "err_owner_department", value=staff_no)
    elif not fits:
        errors.add("to_staff_no", "err_staff_left", value=staff_no)
    return staff_id


def _reassign(conn, user: User, customer: dict, staff_id: int, on: date) -> None:
    conn.execute(sa.text("""UPDATE customer_owner_history SET ended_on = greatest(started_on, CAST(:on AS date) - 1)
                            WHERE customer_id = :c AND ended_on IS NULL"""), {"c": customer["id"], "on": on})
    conn.execute(sa.text("""INSERT INTO customer_owner_history (customer_id, staff_id, started_on) VALUES (:c, :s, :on)"""),
                 {"c": customer["id"], "s": staff_id, "on": on})
    after = conn.execute(sa.text("UPDATE customers SET owner_staff_id = :s, version = version + 1 WHERE id = :c RETURNING *"),
                         {"s": staff_id, "c": customer["id"]}).mappings().one()
    audit(conn, user, "reassign", "customers", customer["code"], before=customer, after=dict(after) | {"on": on})


def _heads_only(user: User) -> None:
    if user.role not in ("manager", "head"):
        raise AccessDenied("customers are reassigned by a department head or a manager")


def _on(errors: Errors, on: date | None) -> None:
    if on is None:
        errors.add("on", "err_required")
    in_range(errors, "on", on)


def reassign_customer(conn, user: User, *, customer_code: str, to_staff_no: str, on: date) -> str:
    """Give one customer a new owner from `on` (dated, audited); the department stays."""
    _heads_only(user)
    errors = Errors()
    customer = _customer(conn, errors, user, customer_code)
    _on(errors, on)
    staff_id = _new_owner(conn, errors, user, to_staff_no, customer["department_id"])
    if staff_id is not None and staff_id == customer["owner_staff_id"]:
        errors.add("to_staff_no", "err_same_owner", value=to_staff_no)
    errors.raise_any()
    _reassign(conn, user, customer, staff_id, on)
    return f"{customer_code} → {to_staff_no}"


def reassign_all(conn, user: User, *, from_staff_no: str, to_staff_no: str, on: date) -> int:
    """Every customer (within the user's scope) of `from_staff_no` to `to_staff_no` in one step,
    e.g. when someone leaves. Refused whole when the new owner does not fit one of them."""
    _heads_only(user)
    errors = Errors()
    from_id = staff_in_scope(conn, errors, user, from_staff_no, "from_staff_no")
    _on(errors, on)
    errors.raise_any()
    codes = conn.execute(sa.text("SELECT code FROM customers WHERE owner_staff_id = :s ORDER BY code FOR UPDATE"),
                         {"s": from_id}).scalars().all()
    if not codes:
        errors.add("from_staff_no", "err_no_customers", value=from_staff_no)
    if from_staff_no == to_staff_no:
        errors.add("to_staff_no", "err_same_owner", value=to_staff_no)
    errors.raise_any()
    customers = []
    for customer_code in codes:
        customer = _customer(conn, errors, user, customer_code)
        staff_id = _new_owner(conn, errors, user, to_staff_no, customer["department_id"])
        errors.raise_any()
        customers.append(customer)
    for customer in customers:
        _reassign(conn, user, customer, staff_id, on)
    return len(customers)


def move_customer(conn, user: User, *, customer_code: str, department_code: str, version: int) -> str:
    """Move a customer to another department (a stated step of its own): its complaints, orders and
    log entries count for the new department from then on. The owner stays when they belong to
    the new department or one of its sub-departments; otherwise the customer has no owner
    until one is assigned, and the owner history closes."""
    _heads_only(user)
    errors = Errors()
    before = _customer(conn, errors, user, customer_code)
    check_version(conn, "customers", customer_code, before, version)
    department_id = department_in_scope(conn, errors, user, department_code)
    if department_id is not None and department_id == before["department_id"]:
        errors.add("department_code", "err_same_department", value=department_code)
    errors.raise_any()
    owner_fits = before["owner_staff_id"] is not None and conn.execute(sa.text("""
        WITH RECURSIVE down(id) AS (SELECT CAST(:d AS integer) UNION SELECT x.id FROM departments x
                                    JOIN down ON x.parent_id = down.id)
        SELECT 1 FROM staff WHERE id = :s AND department_id IN (SELECT id FROM down)"""),
        {"d": department_id, "s": before["owner_staff_id"]}).scalar() is not None
    if before["owner_staff_id"] is not None and not owner_fits:
        conn.execute(sa.text("""UPDATE customer_owner_history SET ended_on = greatest(started_on, current_date - 1)
                                WHERE customer_id = :c AND ended_on IS NULL"""), {"c": before["id"]})
    after = conn.execute(sa.text("""UPDATE customers SET department_id = :d, owner_staff_id = :o, version = version + 1
                                    WHERE id = :c RETURNING *"""),
                         {"d": department_id, "o": before["owner_staff_id"] if owner_fits else None,
                          "c": before["id"]}).mappings().one()
    conn.execute(sa.text("UPDATE work_logs SET department_id = :d WHERE customer_id = :c"),
                 {"d": department_id, "c": before["id"]})
    audit(conn, user, "move", "customers", customer_code, before=before, after=after)
    return f"{customer_code} → {department_code}"

