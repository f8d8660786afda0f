"""Department scope (数据权限): the departments a read or write may touch, and what each role may do.

A manager reads everything; a department head reads their department and its
sub-departments; an agent reads their department's dashboards. An hr account reads every
department and changes no operational data (see COMPANY_READERS and READ_ONLY below: the one
place that says so). A `Scope` is resolved once
per request from the signed-in user and the department asked for (`resolve`), and every
read and write of department data takes one: there is no default meaning "everything". The
command line, which runs with the database's own rights, says so explicitly
(`Scope.company()`, or `for_department` for a department it names).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from dashboard.core.user import User


class AccessDenied(PermissionError):
    pass


# What each role may do, written once (the menu, the filters, the reads and every write follow it):
# - manager: reads every department, changes everything (accounts and rules too);
# - head: reads and changes their department and its sub-departments;
# - agent: reads their department's dashboards and changes their own work;
# - hr: reads every department's figures (the overview and analysis pages; the evaluation results
#   once they exist) and changes no operational data: no work forms, no write of any record but
#   their own account's password and the evaluation records they run (EVALUATION_TABLES).
COMPANY_READERS = ("manager", "hr")
READ_ONLY = ("hr",)
OWN_ACCOUNT = "users"  # the one table a read-only role writes to: its own password
# HR runs the evaluations (seed 004: HR as a neutral third party): the evaluation tables are the
# ones an hr account does change, and only those (cycles, participants, ratings, skill
# assessments, appeals' answers).
EVALUATION_TABLES = ("evaluation_cycles", "evaluation_participants", "evaluations_360", "skill_assessments",
                     "scorecard_appeals")


def reads_company(user: User) -> bool:
    """Whether `user` reads every department (a manager, hr)."""
    return user.role in COMPANY_READERS


def changes_data(user: User) -> bool:
    """Whether `user` may change operational data at all (work forms, rules); hr may not."""
    return user.role not in READ_ONLY


def may_open(user: User, roles: tuple[str, ...] | None, work_form: bool) -> bool:
    """Whether `user` may open a page meant for `roles` (None: every role); `work_form`: a page
    of the Work section, which changes data (none for hr)."""
    return (roles is None or user.role in roles) and (not work_form or changes_data(user))


def check_may_change(user: User, table: str, key: str) -> None:
    """Raise AccessDenied when `user` may not change record `key` of `table` (every write audits
    through this, so no write of a read-only role lands, whichever form or function made it)."""
    if user.role in READ_ONLY and not (table == OWN_ACCOUNT and key == user.username) \
            and table not in EVALUATION_TABLES:
        raise AccessDenied(f"a {user.role} account changes no data")


class UnknownDepartment(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    """A department and its sub-departments (`department`), or every department (None)."""
    department: str | None

    @staticmethod
    def company() -> Scope:
        """Every department: a manager's view, or the command line's."""
        return Scope(None)

    def contains(self, conn, department_code: str) -> bool:
        """Whether `department_code` lies in this scope."""
        return self.department is None or department_code in subtree(conn, self.department)


def subtree(conn, code: str) -> list[str]:
    rows = conn.execute(sa.text("""
        WITH RECURSIVE t(id, code) AS (
            SELECT id, code FROM departments WHERE code = :c
            UNION SELECT d.id, d.code FROM departments d JOIN t ON d.parent_id = t.id)
        SELECT code FROM t ORDER BY code"""), {"c": code})
    return [r[0] for r in rows]


def check_department(conn, department: str | None) -> None:
    """Raise UnknownDepartment naming the code when it does not exist."""
    if department is None:
        return
    found = conn.execute(sa.text("SELECT 1 FROM departments WHERE code = :c"), {"c": department}).scalar()
    if not found:
        raise UnknownDepartment(f"department: '{department}' does not exist")


def for_department(conn, department: str | None) -> Scope:
    """The scope the command line reads: the department it names (checked), or everything."""
    check_department(conn, department)
    return Scope(department)


def resolve(conn, user: User, requested: str | None = None) -> Scope:
    """The scope `user` reads when asking for `requested` (None: all they may see).

    Raises AccessDenied for a department outside theirs: editing the URL, query parameters or
    session state cannot widen anyone's scope.
    """
    if reads_company(user):
        return Scope(requested)
    home = user.department_code
    if home is None:
        raise AccessDenied("your account has no department; ask a manager")
    if requested is None or requested == home:
        return Scope(home)
    if requested in subtree(conn, home):
        return Scope(requested)
    raise AccessDenied(f"department: '{requested}' is outside your department {home}")


def department_options(conn, user: User, tree):
    """The department filter's choices: the whole tree, or the user's subtree."""
    if reads_company(user):
        return tree
    allowed = set(subtree(conn, user.department_code or ""))
    return tree[tree["code"].isin(allowed)].reset_index(drop=True)


# The department a record belongs to, for the reads of one record and its history.
_RECORD_DEPARTMENT = {
    "complaints": "SELECT d.code FROM complaints c JOIN customers cu ON cu.id = c.customer_id "
                  "JOIN departments d ON d.id = cu.department_id WHERE c.complaint_no = :k",
    "retention_cases": "SELECT d.code FROM retention_cases r JOIN customers cu ON cu.id = r.customer_id "
                       "JOIN departments d ON d.id = cu.department_id WHERE r.case_no = :k",
    "plans": "SELECT d.code FROM plans p JOIN departments d ON d.id = p.department_id WHERE p.plan_no = :k",
    "customers": "SELECT d.code FROM customers cu JOIN departments d ON d.id = cu.department_id WHERE cu.code = :k",
    "work_logs": "SELECT d.code FROM work_logs w JOIN departments d ON d.id = w.department_id WHERE w.id::text = :k",
    "service_budgets": "SELECT d.code FROM service_budgets b JOIN departments d ON d.id = b.department_id "
                       "WHERE d.code || '/' || b.period || '/' || b.category = :k",
    "cost_entries": "SELECT d.code FROM cost_entries e JOIN departments d ON d.id = e.department_id WHERE e.entry_no = :k",
}


def record_visible(conn, user: User, table: str, key: str) -> bool:
    """Whether `user` may read the record `key` of `table` (and its history).

    A record outside the user's department subtree is treated like one that does not exist:
    callers show nothing, so record numbers cannot be probed. Suggestions are read by their
    sender and addressee; the rules (settings) and accounts by managers; hr reads the records of
    every department (not suggestions, rules or accounts).
    """
    if user.role == "manager":
        return True
    if table == "suggestions":
        return bool(conn.execute(sa.text("""
            SELECT 1 FROM suggestions g JOIN staff f ON f.id = g.from_staff_id JOIN staff t ON t.id = g.to_staff_id
            WHERE g.id::text = :k AND :s IN (f.staff_no, t.staff_no)"""), {"k": key, "s": user.staff_no}).scalar())
    if table not in _RECORD_DEPARTMENT or (user.department_code is None and not reads_company(user)):
        return False
    department = conn.execute(sa.text(_RECORD_DEPARTMENT[table]), {"k": key}).scalar()
    return department is not None and resolve(conn, user).contains(conn, department)
