"""Rules and settings (规则设置, managers): SLA hours, tiers, fluctuation threshold, value band, ABC method."""
import streamlit as st

from dashboard.core.calls import Call
from dashboard.core.settings import SETTINGS, current, written
from dashboard.core.vocabulary import ABC_METHOD, PRIORITY
from dashboard.i18n import t, value_label
from dashboard.metrics import records
from dashboard.ui import data, filters, forms, session
from dashboard.writes import settings

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_settings", L))
if user.role != "manager":
    st.warning(t("managers_only", L))
    st.stop()
st.caption(t("settings_note", L))

rules = data.fetch(Call(records.rules))
stored_settings = data.fetch(Call(records.settings))
stored = dict(zip(stored_settings["key"], stored_settings["value"]))
sla = rules[rules["kind"] == "sla"].set_index("key")
tiers = rules[rules["kind"] == "tier"].sort_values("a")
slots: dict = {}
with st.form("settings_form"):
    st.subheader(t("f_sla", L))
    sla_values = {}
    for priority in PRIORITY.codes:
        left, middle, right = st.columns([1, 2, 2])
        left.markdown(f"**{value_label(priority, L)}**")
        resolution = middle.text_input(t("sla_resolution", L), value=str(sla.loc[priority, "a"]), key=f"set_sla_{priority}")
        response = right.text_input(t("sla_response", L), value=str(sla.loc[priority, "b"]), key=f"set_resp_{priority}")
        forms.slot(slots, f"sla.{priority}.resolution")
        forms.slot(slots, f"sla.{priority}.response")
        sla_values[priority] = (resolution, response)
    st.subheader(t("f_tiers", L))
    tier_rows = []
    for index, row in enumerate(list(tiers.itertuples()) + [None], start=1):
        a, b, c = st.columns(3)
        name = a.text_input(t("tier_name", L), value=row.key if row else "", key=f"set_tier_name_{index}")
        rank = b.number_input(t("tier_rank", L), min_value=1, step=1, value=int(row.a) if row else index,
                              key=f"set_tier_rank_{index}")
        minimum = c.text_input(t("tier_min", L), value=str(row.b) if row else "", key=f"set_tier_min_{index}")
        forms.slot(slots, f"tiers.{index}")
        if name.strip():
            tier_rows.append((name.strip(), int(rank), minimum))
    st.subheader(t("nav_fluctuation", L) + " · " + t("nav_grading", L))
    a, b, c, d = st.columns(4)
    threshold = a.text_input(t("f_fluctuation_threshold", L), value=str(stored.get("fluctuation_threshold", "0.30")),
                             key="set_threshold")
    forms.slot(slots, "fluctuation_threshold")
    high = b.text_input(t("f_value_band_high", L), value=str(stored.get("value_band_high", "1.25")), key="set_high")
    forms.slot(slots, "value_band_high")
    low = c.text_input(t("f_value_band_low", L), value=str(stored.get("value_band_low", "0.75")), key="set_low")
    method = d.selectbox(t("f_abc_method", L), ABC_METHOD.codes, key="set_abc",
                         index=ABC_METHOD.codes.index(stored.get("abc_method", "count")),
                         format_func=lambda v: value_label(v, L))
    if st.form_submit_button(t("save", L), type="primary"):
        forms.submit(L, slots, lambda conn: settings.save_settings(
            conn, user, sla=sla_values, tiers=tier_rows, fluctuation_threshold=threshold, value_band_high=high,
            value_band_low=low, abc_method=method), t("nav_settings", L))
with st.expander(t("record_history", L)):
    forms.show_history("settings", "rules", L)

# The rules of callbacks, reminders, e-mail and the SLA clock: one field per setting, checked by its rule
st.subheader(t("other_rules", L))
st.caption(t("other_rules_note", L))
now_values = current(stored)
rule_slots: dict = {}
with st.form("settings_rules_form"):
    columns = st.columns(2)
    entered = {}
    for index, key in enumerate(settings.CLOCK_AND_REMINDER_RULES):
        with columns[index % 2]:
            entered[key] = st.text_input(SETTINGS[key].label(L), value=written(now_values[key]), key=f"set_rule_{key}")
            forms.slot(rule_slots, key)
    if st.form_submit_button(t("save", L), type="primary", key="settings_rules_save"):
        forms.submit(L, rule_slots, lambda conn: settings.save_rules(conn, user, entered), t("other_rules", L))

# The contact centre's rules: the call figures (and repeat complaints) read them at each run
st.subheader(t("call_rules_title", L))
st.caption(t("call_rules_note", L))
call_slots: dict = {}
with st.form("settings_calls_form"):
    columns = st.columns(4)
    call_entered = {}
    for index, key in enumerate(settings.CALL_RULES):
        with columns[index]:
            call_entered[key] = st.text_input(SETTINGS[key].label(L), value=written(now_values[key]),
                                              key=f"set_rule_{key}")
            forms.slot(call_slots, key)
    if st.form_submit_button(t("save", L), type="primary", key="settings_calls_save"):
        forms.submit(L, call_slots, lambda conn: settings.save_rules(conn, user, call_entered),
                     t("call_rules_title", L))
