"""The signed-in person, as every read and write sees them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    username: str
    role: str                    # a code of vocabulary.ROLE
    staff_no: str | None
    name: str
    department_code: str | None  # None for a manager or hr account without a staff record
    must_change_password: bool = False  # set by a manager's reset (or a new account): change it first
