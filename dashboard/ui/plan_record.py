"""A plan's record: what its form captured (content, purpose, method), its successes, its progress."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.core.calls import Call
from dashboard.core.scope import Scope
from dashboard.i18n import t, value_label
from dashboard.metrics import plans
from dashboard.ui import data, display
from db.engine import app_timezone

# fits 1280 pixels with a service plan's two success columns; its number and dates are in the line above
RECORD_COLUMNS = ["type", "staff_name", "planned_count", "minimum_count", "actual_count", "completion_rate", "status",
                  "success_count", "success_rate", "method"]


def show(row: pd.Series, scope: Scope, lang: str, key: str) -> None:
    """One tracked plan (a row of plans.plans or plans.open_plans): figures, its text, its progress entries.

    A service plan shows its successful count and success rate beside the completed count (the
    rate's base); the text the user typed is shown as plain text.
    """
    st.markdown("**" + t("plan_record", lang) + "**")
    st.text(f"{row['plan_no']} · {value_label(row['kind'], lang)} · {row['start_date']} – {row['end_date']}")
    columns = [c for c in RECORD_COLUMNS if c in row.index and (row["type"] == "service" or not c.startswith("success"))]
    display.show_table(pd.DataFrame([row[columns]]), lang, key=f"{key}_figures")
    for label, field in (("f_content", "content"), ("f_purpose", "purpose")):
        value = row.get(field)
        st.text(f"{t(label, lang)}: {value if isinstance(value, str) and value else '—'}")
    if row["kind"] == "task":
        show_feedback(row["plan_no"], scope, lang)
    entries = data.fetch(Call(plans.progress_entries, scope, row["plan_no"]))
    st.markdown("**" + t("progress_entries", lang) + "**")
    if entries.empty:
        st.caption(t("no_progress_yet", lang))
        return
    shown = entries.assign(entry=entries["entry"].map(
        lambda e: t("entry_correction", lang) if e == "correction" else t("entry_original", lang)))
    display.show_table(shown, lang, height=min(320, 38 + 35 * len(shown)), key=f"{key}_entries")


def show_feedback(plan_no: str, scope: Scope, lang: str) -> None:
    """A task's feedback from its assignees (suggestions linked to it): who, when, to whom, as plain text."""
    feedback = data.fetch(Call(plans.task_feedback, scope, plan_no))
    st.markdown("**" + t("task_feedback", lang) + "**")
    if feedback.empty:
        st.caption(t("no_feedback_yet", lang))
    for item in feedback.itertuples():
        # the subject, body and answer are the users' own text: plain, never Markdown
        st.text(f"{item.from_name} → {item.to_name} · {item.created_at.astimezone(app_timezone()):%Y-%m-%d %H:%M} · {item.subject}\n{item.body}"
                + (f"\n{t('answer', lang)}: {item.answer}" if item.answer else ""))
