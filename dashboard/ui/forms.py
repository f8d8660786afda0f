"""Forms: a validated write submitted in one transaction, its errors beside their fields,
the version a user opened, the choice offered after a conflict, and a record's history."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import streamlit as st

from dashboard.core.calls import Call
from dashboard.core.scope import AccessDenied, Scope
from dashboard.i18n import column_label, t
from dashboard.metrics import records
from dashboard.ui import data
from dashboard.ui.display import escape_markdown, show_table
from dashboard.ui.session import signed_in
from dashboard.writes.audit import history
from dashboard.writes.validation import Conflict, Invalid
from db.engine import app_timezone, get_engine


def slot(slots: dict, name: str) -> None:
    """A place right under a field for its error message."""
    slots[name] = st.empty()


def loaded_version(key: str, current: int) -> int:
    """The version of record `key` this user opened, kept until they save it or load a newer one."""
    return st.session_state.setdefault(f"_version_{key}", current)


def _load_newer(key: str) -> None:
    st.session_state.pop(f"_version_{key}", None)
    st.session_state.pop(f"_conflict_{key}", None)
    st.session_state[f"_reloaded_{key}"] = True
    data.drop_cached_figures()


def conflict_choice(key: str, lang: str, record: pd.DataFrame) -> None:
    """After a save refused for a conflict: offer to load the newer version, keeping the input.

    The form's widgets keep what the user typed (their keys do not change); loading takes the
    stored version as the one they edit, and shows what is stored now beside their input.
    """
    if st.session_state.get(f"_conflict_{key}"):
        st.warning(t("conflict_choice", lang))
        st.button(t("load_newer", lang), key=f"load_newer_{key}", on_click=_load_newer, args=(key,))
    elif st.session_state.pop(f"_reloaded_{key}", False):
        st.info(t("newer_loaded", lang))
        show_table(record.drop(columns=["version"], errors="ignore"), lang, key=f"newer_{key}")


def submit(lang: str, slots: dict, write, success: str, version_key: str | None = None) -> bool:
    """Run a validated write in one transaction; show errors next to fields, or a confirmation.

    Nothing is written when the write raises: the transaction is rolled back. With
    `version_key` (see `loaded_version`), a save refused for a conflict offers the newer version
    (`conflict_choice`), and a saved one forgets the version it was made on.
    """
    try:
        with get_engine().begin() as conn:
            result = write(conn)
    except Invalid as invalid:
        st.error(t("fix_fields", lang))
        for field, (key, params) in invalid.errors.items():
            target = slots.get(field) or slots.get(field.split(": ")[-1]) or st
            shown = {name: escape_markdown(value) for name, value in params.items()}  # values are typed by users
            target.error((f"{field.split(': ')[0]}: " if ": " in field else "") + t(key, lang, **shown))
        return False
    except Conflict as conflict:
        when = conflict.changed_at.astimezone(app_timezone()).strftime("%Y-%m-%d %H:%M:%S") if conflict.changed_at else "?"
        st.error(t("conflict", lang, who=conflict.changed_by, when=when))
        if version_key:
            st.session_state[f"_conflict_{version_key}"] = True
        return False
    except AccessDenied as denied:
        st.error(t("not_allowed", lang, reason=escape_markdown(denied)))
        return False
    data.written_here()  # figures follow the write at once
    if version_key:
        st.session_state.pop(f"_version_{version_key}", None)
    st.success(t("saved", lang, what=result if result is not None else success))
    return True


def scope_departments(scope: Scope) -> list[str]:
    """Department codes the user may choose in a form: the filter's department and its subtree."""
    return list(data.fetch(Call(records.department_tree, scope))["code"])


def local_datetime(day: date | None, clock) -> datetime | None:
    """A date and a time from the form, in the company time zone."""
    if day is None or clock is None:
        return None
    return datetime.combine(day, clock, app_timezone())


def show_history(table: str, key: str, lang: str) -> None:
    """The audit trail of one record, within the signed-in user's scope."""
    with get_engine().connect() as conn:
        rows = history(conn, signed_in(), table, key)
    if not rows:
        st.caption(t("no_items", lang))
        return
    st.dataframe(pd.DataFrame([{"at": r["at"].astimezone(app_timezone()).strftime("%Y-%m-%d %H:%M:%S"),
                                "actor": r["actor"], "action": r["action"],
                                "before": str(r["before"] or ""), "after": str(r["after"] or "")} for r in rows])
                 .rename(columns=lambda column: column_label(f"history_{column}", lang)),
                 hide_index=True, width="stretch")
