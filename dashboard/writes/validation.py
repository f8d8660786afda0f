"""What every write checks, and how it refuses: one message per field, nothing written.

Invalid input raises `Invalid` with one message per field (an i18n key and its parameters);
a save on a version someone else changed raises `Conflict` naming who and when. The helpers
below each check one kind of value and add its message to an `Errors`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from dashboard.core import limits
from dashboard.core.scope import AccessDenied, resolve
from dashboard.core.user import User


class Invalid(ValueError):
    """field -> (message key, parameters). The message stands next to the field."""

    def __init__(self, errors: dict[str, tuple[str, dict]]):
        self.errors = errors
        super().__init__("; ".join(f"{f}: {k} {p}" for f, (k, p) in errors.items()))


@dataclass
class Conflict(Exception):
    """Someone else saved the record after the user loaded it."""
    table: str
    key: str
    changed_by: str
    changed_at: datetime | None

    def __str__(self):
        return f"{self.table} {self.key} was changed by {self.changed_by} at {self.changed_at}"


class Errors:
    def __init__(self):
        self.found: dict[str, tuple[str, dict]] = {}

    def add(self, field: str, key: str, **params) -> None:
        self.found.setdefault(field, (key, params))

    def raise_any(self) -> None:
        if self.found:
            raise Invalid(self.found)


def optional_text(value) -> str | None:
    if value is None:
        return None
    value = str(value)
    return value if value.strip() else None


def limited(errors: Errors, field: str, value, limit: int = limits.LONG_TEXT):
    """Text within its length limit (limits.SHORT_TEXT for a line, LONG_TEXT for a description)."""
    if isinstance(value, str) and "\x00" in value:  # Postgres text cannot hold it
        errors.add(field, "err_nul")
    elif isinstance(value, str) and len(value) > limit:
        errors.add(field, "err_too_long", length=f"{len(value):,}", limit=f"{limit:,}")
    return value


def in_range(errors: Errors, field: str, value):
    """A date, or a timestamp's local date, within limits.DATE_MIN .. DATE_MAX."""
    if isinstance(value, (date, datetime)) and limits.date_problem(value):
        errors.add(field, "err_date_range", low=limits.DATE_MIN.isoformat(), high=limits.DATE_MAX.isoformat())
    return value


BIRTH_MIN = date(1900, 1, 1)


def birth_date(errors: Errors, field: str, value: date | None) -> date | None:
    """A birth date: from 1900 up to today (people are often born before the records' DATE_MIN)."""
    if value is not None and not BIRTH_MIN <= value <= date.today():
        errors.add(field, "err_date_range", low=BIRTH_MIN.isoformat(), high=date.today().isoformat())
    return value


def moment(errors: Errors, field: str, value: datetime | None, required: bool = True) -> datetime | None:
    """A timestamp from a form: with its offset (the form's zone), within the date bounds."""
    if value is None:
        if required:
            errors.add(field, "err_required")
    elif value.tzinfo is None:
        errors.add(field, "err_timezone")
    else:
        in_range(errors, field, value)
    return value


def code(errors: Errors, field: str, value):
    """A code typed by the user: refused when it could be read as a spreadsheet formula."""
    if isinstance(value, str) and value.startswith(limits.FORMULA_STARTS):
        errors.add(field, "err_code_formula")
    elif isinstance(value, str):
        limited(errors, field, value, limits.SHORT_TEXT)
    return value


def decimal_value(errors: Errors, field: str, value, minimum: Decimal | None = Decimal("0")) -> Decimal | None:
    if value is None or value == "":
        errors.add(field, "err_required")
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        errors.add(field, "err_amount")
        return None
    if amount != amount.quantize(Decimal("0.01")):
        errors.add(field, "err_amount")
        return None
    if minimum is not None and amount < minimum:
        errors.add(field, "err_not_negative")
    return amount


def whole_number(errors: Errors, field: str, value, minimum: int = 0) -> int | None:
    if value is None or value == "":
        errors.add(field, "err_required")
        return None
    try:
        number = int(value) if isinstance(value, int) or (isinstance(value, float) and value.is_integer()) \
            else int(str(value).strip())
    except ValueError:
        errors.add(field, "err_whole_number")
        return None
    if number < minimum:
        errors.add(field, "err_at_least", minimum=minimum)
    return number


def choice(errors: Errors, field: str, value, allowed: tuple[str, ...], required: bool = True):
    if value in (None, ""):
        if required:
            errors.add(field, "err_required")
        return None
    if value not in allowed:
        errors.add(field, "err_choice", allowed=", ".join(allowed))
    return value


def required(errors: Errors, field: str, value):
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.add(field, "err_required")
    return value


def lookup_id(conn, sql: str, value) -> int | None:
    return conn.execute(sa.text(sql), {"v": value}).scalar() if value not in (None, "") else None


def locked_row(conn, table: str, key_column: str, key) -> dict | None:
    row = conn.execute(sa.text(f"SELECT * FROM {table} WHERE {key_column} = :k FOR UPDATE"), {"k": key}).mappings().first()
    return dict(row) if row else None


def check_version(conn, table: str, key: str, row: dict, version: int) -> None:
    if row["version"] != version:
        last = conn.execute(sa.text("""SELECT actor, at FROM audit_log WHERE table_name = :t AND record_key = :k
                                       ORDER BY at DESC, id DESC LIMIT 1"""), {"t": table, "k": key}).first()
        raise Conflict(table, key, last[0] if last else "?", last[1] if last else None)


# Numbers the forms give new records, as wide as the demo's and the usual imports' (T00000001, P0000001, R000001).
NUMBER_DIGITS = {"complaints": 8, "plans": 7, "retention_cases": 6, "cost_entries": 7, "satisfaction_surveys": 8}


def next_number(conn, table: str, column: str, prefix: str) -> str:
    """The next free number of `table`: the highest of this width, plus one.

    A transaction-scoped lock per table keeps two saves at the same moment from taking the
    same number (the second waits for the first to commit).
    """
    digits = NUMBER_DIGITS[table]
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": f"next_no:{table}"})
    last = conn.execute(sa.text(f"SELECT max({column}) FROM {table} WHERE {column} LIKE :p AND length({column}) = :n"),
                        {"p": f"{prefix}%", "n": len(prefix) + digits}).scalar()
    number = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{number:0{digits}d}"


def department_in_scope(conn, errors: Errors, user: User, code: str | None, field: str = "department_code") -> int | None:
    if not code:
        errors.add(field, "err_required")
        return None
    dep_id = lookup_id(conn, "SELECT id FROM departments WHERE code = :v", code)
    if dep_id is None:
        errors.add(field, "err_unknown", value=code)
        return None
    try:
        resolve(conn, user, code)
    except AccessDenied:
        errors.add(field, "err_out_of_scope", value=code)
    return dep_id


def staff_in_scope(conn, errors: Errors, user: User, staff_no: str, field: str = "staff_no") -> int | None:
    """A staff member the user may assign work to: within the user's department subtree."""
    found = conn.execute(sa.text("SELECT s.id, d.code FROM staff s JOIN departments d ON d.id = s.department_id "
                                 "WHERE s.staff_no = :s"), {"s": staff_no}).first()
    if found is None:
        errors.add(field, "err_unknown", value=staff_no)
        return None
    try:
        resolve(conn, user, found[1])
    except AccessDenied:
        errors.add(field, "err_out_of_scope", value=staff_no)
    return found[0]


def customer_in_scope(conn, errors: Errors, user: User, code: str | None) -> int | None:
    if not code:
        errors.add("customer_code", "err_required")
        return None
    if code.startswith(limits.FORMULA_STARTS):
        errors.add("customer_code", "err_code_formula")
        return None
    row = conn.execute(sa.text("""SELECT c.id, d.code FROM customers c JOIN departments d ON d.id = c.department_id
                                  WHERE c.code = :c"""), {"c": code}).first()
    if row is None:
        errors.add("customer_code", "err_unknown", value=code)
        return None
    try:
        resolve(conn, user, row[1])
    except AccessDenied:
        errors.add("customer_code", "err_out_of_scope", value=code)
    return row[0]


def customer_record(conn, errors: Errors, user: User, table: str, key_column: str, key) -> dict:
    """A record that belongs to a customer, locked for update; refused when unknown or out of scope."""
    before = locked_row(conn, table, key_column, key)
    if before is None:
        errors.add(key_column, "err_unknown", value=key)
        errors.raise_any()
    code = conn.execute(sa.text("SELECT code FROM customers WHERE id = :i"), {"i": before["customer_id"]}).scalar()
    customer_in_scope(conn, errors, user, code)
    return before


def require_role(user: User, *roles: str) -> None:
    if user.role not in roles:
        raise AccessDenied(f"a {user.role} may not do this")
