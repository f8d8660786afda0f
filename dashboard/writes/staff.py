"""Writes of the staff archive (员工档案): a staff record, its training records and work history.

Who may write what, once: a manager every record; a head the records of the people they are
superior to (`manages`: staff of their subtree, but not another head of their own department);
everyone their own contact data (phone, e-mail, address) through `update_own_contact`. The same
rule decides who reads personal data (dashboard/metrics/archives.py, PERSONAL_VISIBLE).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from dashboard.core import limits, vocabulary
from dashboard.core.scope import AccessDenied, subtree
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import Errors, check_version, birth_date as born, choice, code, in_range, limited, locked_row, \
    lookup_id, optional_text, required


def manages(conn, user: User, staff_row: dict) -> bool:
    """Whether `user` is a manager or a superior of the staff member `staff_row` (a staff row)."""
    if user.role == "manager":
        return True
    if user.role != "head" or not user.department_code:
        return False
    department = conn.execute(sa.text("SELECT code FROM departments WHERE id = :i"),
                              {"i": staff_row["department_id"]}).scalar()
    return department in subtree(conn, user.department_code) and (
        staff_row["role"] == "agent" or department != user.department_code) and staff_row.get("staff_no") != user.staff_no


def _staff_for_change(conn, errors: Errors, user: User, staff_no: str) -> dict:
    before = locked_row(conn, "staff", "staff_no", staff_no)
    if before is None or not manages(conn, user, before):
        # another department's staff reads like one that does not exist
        errors.add("staff_no", "err_unknown", value=staff_no)
        errors.raise_any()
    return before


def _department(conn, errors: Errors, user: User, department_code: str | None) -> int | None:
    if not department_code:
        errors.add("department_code", "err_required")
        return None
    found = conn.execute(sa.text("SELECT id, active FROM departments WHERE code = :c"), {"c": department_code}).first()
    if found is None or (user.role != "manager" and department_code not in subtree(conn, user.department_code or "")):
        errors.add("department_code", "err_unknown", value=department_code)
        return None
    if not found[1]:
        errors.add("department_code", "err_department_inactive", value=department_code)
    return found[0]


def _dates(errors: Errors, hired_on: date | None, left_on: date | None, birth_date: date | None) -> None:
    for field, value in (("hired_on", hired_on), ("left_on", left_on)):
        in_range(errors, field, value)
    born(errors, "birth_date", birth_date)
    if hired_on and left_on and left_on < hired_on:
        errors.add("left_on", "err_before_start")


def _contact(errors: Errors, email: str | None, phone: str | None, address: str | None) -> None:
    limited(errors, "email", email, limits.SHORT_TEXT)
    if email and email.strip() and "@" not in email:
        errors.add("email", "err_email")
    limited(errors, "phone", phone, limits.SHORT_TEXT)
    limited(errors, "address", address, limits.SHORT_TEXT)


_FIELDS = ("name", "department_id", "role", "title", "gender", "birth_date", "email", "phone", "address", "hired_on",
           "left_on", "personal_notes")


def _checked(conn, errors: Errors, user: User, values: dict) -> dict:
    limited(errors, "name", required(errors, "name", values.get("name")), limits.SHORT_TEXT)
    department_id = _department(conn, errors, user, values.get("department_code"))
    choice(errors, "role", values.get("role"), vocabulary.STAFF_ROLE.codes)
    if user.role != "manager" and values.get("role") == "manager":
        errors.add("role", "err_out_of_scope", value=values.get("role"))
    limited(errors, "title", values.get("title"), limits.SHORT_TEXT)
    choice(errors, "gender", values.get("gender"), vocabulary.GENDER.codes, required=False)
    _contact(errors, values.get("email"), values.get("phone"), values.get("address"))
    _dates(errors, values.get("hired_on"), values.get("left_on"), values.get("birth_date"))
    limited(errors, "personal_notes", values.get("personal_notes"))
    return {"name": (values.get("name") or "").strip(), "department_id": department_id, "role": values.get("role"),
            "title": optional_text(values.get("title")), "gender": values.get("gender") or None,
            "birth_date": values.get("birth_date"), "email": optional_text(values.get("email")),
            "phone": optional_text(values.get("phone")), "address": optional_text(values.get("address")),
            "hired_on": values.get("hired_on"), "left_on": values.get("left_on"),
            "personal_notes": optional_text(values.get("personal_notes"))}


def create_staff(conn, user: User, *, staff_no: str, **values) -> str:
    """A new staff record (a manager anywhere, a head in their subtree), with its first post in the work history."""
    if user.role not in ("manager", "head"):
        raise AccessDenied(f"a {user.role} may not create staff records")
    errors = Errors()
    staff_no = (staff_no or "").strip()
    code(errors, "staff_no", required(errors, "staff_no", staff_no))
    if staff_no and lookup_id(conn, "SELECT id FROM staff WHERE staff_no = :v", staff_no) is not None:
        errors.add("staff_no", "err_code_taken", value=staff_no)
    row = _checked(conn, errors, user, values)
    if user.role == "head" and row["role"] == "head" and values.get("department_code") == user.department_code:
        errors.add("role", "err_out_of_scope", value="head")
    errors.raise_any()
    after = conn.execute(sa.text(f"""
        INSERT INTO staff (staff_no, {', '.join(_FIELDS)}) VALUES (:staff_no, {', '.join(':' + f for f in _FIELDS)})
        RETURNING *"""), row | {"staff_no": staff_no}).mappings().one()
    conn.execute(sa.text("""INSERT INTO staff_work_history (staff_id, department_id, role, title, started_on)
                            VALUES (:s, :d, :r, :t, :on)"""),
                 {"s": after["id"], "d": row["department_id"], "r": row["role"], "t": row["title"],
                  "on": row["hired_on"] or date.today()})
    audit(conn, user, "create", "staff", staff_no, after=after)
    return staff_no


def update_staff(conn, user: User, *, staff_no: str, version: int, **values) -> str:
    """Every field of a staff record, by a manager or the person's superior."""
    errors = Errors()
    before = _staff_for_change(conn, errors, user, staff_no)
    check_version(conn, "staff", staff_no, before, version)
    row = _checked(conn, errors, user, values)
    errors.raise_any()
    after = conn.execute(sa.text(f"""
        UPDATE staff SET {', '.join(f'{f} = :{f}' for f in _FIELDS)}, version = version + 1 WHERE id = :id RETURNING *"""),
        row | {"id": before["id"]}).mappings().one()
    audit(conn, user, "update", "staff", staff_no, before=before, after=after)
    return staff_no


def update_own_contact(conn, user: User, *, version: int, email: str | None, phone: str | None,
                       address: str | None) -> str:
    """The signed-in person's own phone, e-mail and address (an agent edits these themselves)."""
    if not user.staff_no:
        raise AccessDenied("your account has no staff record")
    errors = Errors()
    before = locked_row(conn, "staff", "staff_no", user.staff_no)
    check_version(conn, "staff", user.staff_no, before, version)
    _contact(errors, email, phone, address)
    errors.raise_any()
    after = conn.execute(sa.text("""UPDATE staff SET email = :e, phone = :p, address = :a, version = version + 1
                                    WHERE id = :id RETURNING *"""),
                         {"e": optional_text(email), "p": optional_text(phone), "a": optional_text(address),
                          "id": before["id"]}).mappings().one()
    audit(conn, user, "update", "staff", user.staff_no, before=before, after=after)
    return user.staff_no


def _hours(errors: Errors, hours) -> Decimal | None:
    if hours in (None, ""):
        return None
    try:
        value = Decimal(str(hours))
    except InvalidOperation:
        errors.add("hours", "err_amount")
        return None
    if value < 0 or value != value.quantize(Decimal("0.1")) or value > Decimal("99999"):
        errors.add("hours", "err_hours")
        return None
    return value


def save_training(conn, user: User, *, staff_no: str, course: str, trained_on: date | None, hours=None,
                  result: str | None = None, training_id: int | None = None) -> str:
    """Add a training record (course, date, hours, result), or change the one `training_id` names."""
    errors = Errors()
    staff = _staff_for_change(conn, errors, user, staff_no)
    limited(errors, "course", required(errors, "course", course), limits.SHORT_TEXT)
    if trained_on is None:
        errors.add("trained_on", "err_required")
    in_range(errors, "trained_on", trained_on)
    value = _hours(errors, hours)
    limited(errors, "result", result, limits.SHORT_TEXT)
    clash = conn.execute(sa.text("""SELECT id FROM staff_training WHERE staff_id = :s AND course = :c AND trained_on = :d
                                    AND id IS DISTINCT FROM :i"""),
                         {"s": staff["id"], "c": (course or "").strip(), "d": trained_on, "i": training_id}).scalar()
    if clash:
        errors.add("course", "err_training_exists")
    before = None
    if training_id is not None:
        before = conn.execute(sa.text("SELECT * FROM staff_training WHERE id = :i AND staff_id = :s FOR UPDATE"),
                              {"i": training_id, "s": staff["id"]}).mappings().first()
        if before is None:
            errors.add("course", "err_unknown", value=str(training_id))
    errors.raise_any()
    params = {"s": staff["id"], "c": course.strip(), "d": trained_on, "h": value, "r": optional_text(result),
              "i": training_id}
    if before is None:
        after = conn.execute(sa.text("""INSERT INTO staff_training (staff_id, course, trained_on, hours, result)
                                        VALUES (:s, :c, :d, :h, :r) RETURNING *"""), params).mappings().one()
    else:
        after = conn.execute(sa.text("""UPDATE staff_training SET course = :c, trained_on = :d, hours = :h, result = :r
                                        WHERE id = :i RETURNING *"""), params).mappings().one()
    audit(conn, user, "create" if before is None else "update", "staff_training", f"{staff_no}:{after['id']}",
          before=before, after=after)
    return f"{staff_no} · {course.strip()}"


def save_history(conn, user: User, *, staff_no: str, started_on: date | None, ended_on: date | None = None,
                 department_code: str | None = None, role: str | None = None, title: str | None = None,
                 employer: str | None = None, history_id: int | None = None) -> str:
    """A post in the work history: inside the company (a department and role) or at an earlier employer."""
    errors = Errors()
    staff = _staff_for_change(conn, errors, user, staff_no)
    if started_on is None:
        errors.add("started_on", "err_required")
    in_range(errors, "started_on", started_on)
    in_range(errors, "ended_on", ended_on)
    if started_on and ended_on and ended_on < started_on:
        errors.add("ended_on", "err_end_before_start")
    limited(errors, "employer", employer, limits.SHORT_TEXT)
    limited(errors, "title", title, limits.SHORT_TEXT)
    department_id = None
    if optional_text(employer) and department_code:
        errors.add("department_code", "err_history_either")
    elif department_code:
        department_id = lookup_id(conn, "SELECT id FROM departments WHERE code = :v", department_code)
        if department_id is None:
            errors.add("department_code", "err_unknown", value=department_code)
    elif not optional_text(employer):
        errors.add("employer", "err_history_either")
    choice(errors, "role", role, vocabulary.STAFF_ROLE.codes, required=False)
    clash = conn.execute(sa.text("""SELECT id FROM staff_work_history WHERE staff_id = :s AND started_on = :d
                                    AND id IS DISTINCT FROM :i"""),
                         {"s": staff["id"], "d": started_on, "i": history_id}).scalar()
    if clash:
        errors.add("started_on", "err_history_exists")
    before = None
    if history_id is not None:
        before = conn.execute(sa.text("SELECT * FROM staff_work_history WHERE id = :i AND staff_id = :s FOR UPDATE"),
                              {"i": history_id, "s": staff["id"]}).mappings().first()
        if before is None:
            errors.add("started_on", "err_unknown", value=str(history_id))
    errors.raise_any()
    params = {"s": staff["id"], "d": department_id, "r": role or None, "t": optional_text(title), "on": started_on,
              "off": ended_on, "e": optional_text(employer), "i": history_id}
    if before is None:
        after = conn.execute(sa.text("""INSERT INTO staff_work_history (staff_id, department_id, role, title, started_on,
                                        ended_on, employer) VALUES (:s, :d, :r, :t, :on, :off, :e) RETURNING *"""),
                             params).mappings().one()
    else:
        after = conn.execute(sa.text("""UPDATE staff_work_history SET department_id = :d, role = :r, title = :t,
                                        started_on = :on, ended_on = :off, employer = :e WHERE id = :i RETURNING *"""),
                             params).mappings().one()
    audit(conn, user, "create" if before is None else "update", "staff_work_history", f"{staff_no}:{after['id']}",
          before=before, after=after)
    return f"{staff_no} · {started_on.isoformat()}"
