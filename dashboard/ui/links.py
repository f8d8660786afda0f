"""Rows of a work list that open their record: the record's form (or file) with the record chosen."""
from __future__ import annotations

import pandas as pd
import streamlit as st

# the page that opens each kind of record, and the address parameter naming it
RECORD_PAGES = {"plan": "pages/tasks.py", "complaint": "pages/complaint_entry.py", "customer": "pages/customer_file.py"}


def open_picked(frame: pd.DataFrame, picked: int | None, kind: str, column: str) -> None:
    """When a row of `frame` was selected (display.show_table with pick_row), go to its record's page,
    keeping the filters in the address and naming the record (`?plan=P0000012`)."""
    if picked is None or frame.empty:
        return
    value = frame.iloc[picked][column]
    if not isinstance(value, str) or not value:
        return
    st.switch_page(RECORD_PAGES[kind], query_params=dict(st.query_params) | {kind: value})


def asked_once(kind: str, widget_key: str, choices=None) -> str | None:
    """The record named in the address (`?complaint=…`), put into the form's widget once per name,
    so the user can still choose another afterwards. Returns the name, or None."""
    asked = st.query_params.get(kind)
    if not asked or (choices is not None and asked not in choices):
        return None
    if st.session_state.get(f"_asked_{widget_key}") != asked:
        st.session_state[widget_key] = asked
        st.session_state[f"_asked_{widget_key}"] = asked
    return asked
