"""Customer file (客户档案): search by code, name, contact or phone; one customer's record, owner and
owner history, and the whole history on one timeline; the record's form, reassignment, moving."""
import altair as alt
import streamlit as st

from dashboard.core import formats
from dashboard.core.limits import DATE_MIN
from dashboard.core import vocabulary as v
from dashboard.core.calls import Call
from dashboard.core.scope import changes_data
from dashboard.i18n import t, value_label
from dashboard.metrics import archives, records
from dashboard.ui import data, display, filters, forms, session
from dashboard.writes import customers as customer_writes
from dashboard.writes.validation import BIRTH_MIN

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_customer_file", L))
today = session.today()

search = st.text_input(t("f_search_customer", L), value=st.query_params.get("customer", ""), key="cf_search",
                       placeholder=t("customer_search_hint", L))
found = data.fetch(Call(archives.customer_search, f.scope, search.strip() or None))
if found.empty:
    st.info(t("customer_not_found", L, value=search.strip()) if search.strip() else t("no_items", L))
    st.stop()
codes = list(found["customer_code"])
names = {r.customer_code: f"{r.customer_name} ({r.customer_code})" for r in found.itertuples()}
if len(found) > 1:
    display.show_table(found, L, height=min(250, 38 + 35 * len(found)), key="cf_results")
chosen = st.selectbox(t("f_customer", L), codes, key="cf_pick", format_func=names.get)
profile = data.fetch(Call(archives.customer_profile, f.scope, chosen, today))
if profile.empty:
    st.info(t("customer_not_found", L, value=chosen))
    st.stop()
c = profile.iloc[0]
st.subheader(f"{c['customer_name']} · {chosen}")
st.text(f"{t('owner', L)}: {c['owner_name'] or '—'} · {t('f_department', L)}: {c['department_name']} "
        f"({c['department_code']})")
display.kpi_row([
    {"label": t("tier_now", L), "value": value_label(c["tier"], L)},
    {"label": t("rfm_now", L), "value": value_label(c["rfm_segment"], L) if c["rfm_segment"] else "—"},
    {"label": t("volume_12m", L), "value": formats.fmt_money(c["volume"])},
])
left, right = st.columns(2)
left.markdown(f"**{t('company', L)}**")
left.text("\n".join(f"{t(k, L)}: {c[col] if c[col] is not None else '—'}" for k, col in (
    ("f_industry", "industry"), ("f_region", "region"), ("f_address", "address"),
    ("f_company_phone", "company_phone"), ("f_created_on", "created_on"))))
right.markdown(f"**{t('contact', L)}**")
right.text("\n".join(f"{t(k, L)}: {value_label(c[col], L) if col == 'contact_gender' else (c[col] if c[col] is not None else '—')}"
                     for k, col in (("f_contact_name", "contact_name"), ("f_contact_title", "contact_title"),
                                    ("f_phone", "contact_phone"), ("f_email", "contact_email"),
                                    ("f_gender", "contact_gender"), ("f_birthday", "contact_birthday"),
                                    ("f_best_time", "best_contact_time"))))

tabs = st.tabs([t("tab_timeline", L), t("tab_customer_log", L), t("tab_owners", L), t("tab_edit_customer", L)])
with tabs[0]:
    timeline = data.fetch(Call(archives.customer_timeline, f.scope, chosen, today))
    if timeline.empty:
        st.caption(t("no_items", L))
    else:
        kinds = list(dict.fromkeys(timeline["kind"]))
        picked = st.multiselect(t("f_event_kinds", L), kinds, default=kinds, key=f"cf_kinds_{chosen}",
                                format_func=lambda k: t(f"event_{k}", L), placeholder=t("choose_event_kinds", L))
        shown = timeline[timeline["kind"].isin(picked)]
        chart = shown.assign(event=shown["kind"].map(lambda k: t(f"event_{k}", L)), day=shown["day"].astype(str))
        st.altair_chart(alt.Chart(chart).mark_tick(thickness=2, size=18).encode(
            x=alt.X("day:T", title=None, axis=display.MONTH_AXIS), y=alt.Y("event:N", title=None),
            tooltip=[alt.Tooltip("day:T", title=t("f_date", L)), alt.Tooltip("event:N", title=t("event", L)),
                     alt.Tooltip("ref:N", title=t("ref", L))]).properties(height=40 + 24 * len(picked)),
            width="stretch")
        display.show_table(shown.assign(kind=shown["kind"].map(lambda k: t(f"event_{k}", L)),
                                        detail=[value_label(d, L) if k == "retention_closed"
                                                else t("orders_in_month", L, count=d) if k == "orders" else d
                                                for k, d in zip(shown["kind"], shown["detail"])]),
                           L, height=min(500, 38 + 35 * len(shown)), key=f"cf_timeline_{chosen}")
with tabs[1]:
    log = data.fetch(Call(archives.customer_log, f.scope, DATE_MIN, today, chosen, limit=None))
    if log.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(log.drop(columns=["customer_code", "customer_name", "staff_no"]).assign(
            source=log["source"].map(lambda s: value_label(s, L)),
            service_type=log["service_type"].map(lambda s: value_label(s, L))), L, key=f"cf_log_{chosen}")
    if changes_data(user):  # the log's form is a Work page, which hr does not open
        st.page_link("pages/work_log.py", label=t("nav_work_log", L) + " →", query_params={"customer": chosen})
with tabs[2]:
    owners = data.fetch(Call(archives.customer_owners, f.scope, chosen))
    if owners.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(owners, L, key=f"cf_owners_{chosen}")
    if user.role in ("manager", "head"):
        staff = data.fetch(Call(records.staff_list, f.scope))
        staff_names = {r.staff_no: f"{r.name} ({r.staff_no}, {r.department_code})" for r in staff.itertuples()}
        slots: dict = {}
        with st.form(f"cf_reassign_{chosen}"):
            st.markdown(f"**{t('reassign_one', L)}**")
            a, b = st.columns(2)
            to_staff = a.selectbox(t("f_new_owner", L), list(staff["staff_no"]), key=f"cf_to_{chosen}",
                                   format_func=staff_names.get)
            forms.slot(slots, "to_staff_no")
            on = b.date_input(t("f_from_day", L), value=today, key=f"cf_on_{chosen}")
            forms.slot(slots, "on")
            if st.form_submit_button(t("reassign", L)) and forms.submit(
                    L, slots, lambda conn: customer_writes.reassign_customer(
                        conn, user, customer_code=chosen, to_staff_no=to_staff, on=on), t("reassign", L)):
                st.rerun()
        slots = {}
        with st.form("cf_reassign_all"):
            st.markdown(f"**{t('reassign_all', L)}**")
            st.caption(t("reassign_all_hint", L))
            a, b, d = st.columns(3)
            from_staff = a.selectbox(t("f_old_owner", L), list(staff["staff_no"]), key="cf_all_from",
                                     format_func=staff_names.get)
            forms.slot(slots, "from_staff_no")
            to_all = b.selectbox(t("f_new_owner", L), list(staff["staff_no"]), key="cf_all_to",
                                 format_func=staff_names.get)
            forms.slot(slots, "to_staff_no")
            on_all = d.date_input(t("f_from_day", L), value=today, key="cf_all_on")
            forms.slot(slots, "on")
            if st.form_submit_button(t("reassign", L)):
                forms.submit(L, slots, lambda conn: t("reassigned_count", L, count=customer_writes.reassign_all(
                    conn, user, from_staff_no=from_staff, to_staff_no=to_all, on=on_all)), t("reassign", L))
        slots = {}
        departments = list(data.fetch(Call(records.department_tree, f.scope))["code"])
        with st.form(f"cf_move_{chosen}"):
            st.markdown(f"**{t('move_customer', L)}**")
            st.caption(t("move_customer_hint", L))
            to_dept = st.selectbox(t("f_department", L), departments, key=f"cf_move_to_{chosen}",
                                   index=departments.index(c["department_code"]) if c["department_code"] in departments else 0)
            forms.slot(slots, "department_code")
            if st.form_submit_button(t("move", L)) and forms.submit(
                    L, slots, lambda conn: customer_writes.move_customer(
                        conn, user, customer_code=chosen, department_code=to_dept, version=int(c["version"])),
                    t("move_customer", L)):
                st.rerun()
with tabs[3]:
    if user.role == "hr":
        st.caption(t("profile_read_only", L))
    else:
        slots = {}
        with st.form(f"cf_record_{chosen}"):
            a, b = st.columns(2)
            values = {}
            for i, (field, key) in enumerate((("company_phone", "f_company_phone"), ("address", "f_address"),
                                              ("contact_name", "f_contact_name"), ("contact_title", "f_contact_title"),
                                              ("contact_phone", "f_phone"), ("contact_email", "f_email"),
                                              ("best_contact_time", "f_best_time"))):
                values[field] = (a if i % 2 == 0 else b).text_input(t(key, L), value=c[field] or "",
                                                                    key=f"cf_{field}_{chosen}")
                forms.slot(slots, field)
            genders = [None] + list(v.GENDER.codes)
            values["contact_gender"] = a.selectbox(t("f_gender", L), genders, index=genders.index(c["contact_gender"]),
                                                   key=f"cf_gender_{chosen}", format_func=lambda g: value_label(g, L))
            values["contact_birthday"] = b.date_input(t("f_birthday", L), value=c["contact_birthday"],
                                                      key=f"cf_birthday_{chosen}", min_value=BIRTH_MIN,
                                                      max_value=today)
            forms.slot(slots, "contact_birthday")
            if st.form_submit_button(t("save", L), type="primary") and forms.submit(
                    L, slots, lambda conn: customer_writes.update_customer_record(
                        conn, user, customer_code=chosen, version=int(c["version"]), **values), t("nav_customer_file", L)):
                st.rerun()
    with st.expander(t("record_history", L)):
        forms.show_history("customers", chosen, L)
