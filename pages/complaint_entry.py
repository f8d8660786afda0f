"""Complaint records (投诉登记): register a complaint; record response, resolution, satisfaction, callback."""
import streamlit as st

from dashboard.core import vocabulary as v
from dashboard.core.calls import Call
from dashboard.i18n import t, value_label
from dashboard.metrics import complaints, records
from dashboard.ui import data, filters, forms, links, session
from dashboard.writes import complaints as complaint_writes

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_complaint_entry", L))
staff = data.fetch(Call(records.staff_list, f.scope))
names = dict(zip(staff["staff_no"], staff["name"]))
# a work list's row names its complaint (?complaint=T…): the page opens on its update, with it chosen
asked = links.asked_once("complaint", "complaint_lookup")
register, update = st.tabs([t("tab_register", L), t("tab_update", L)], default=t("tab_update", L) if asked else None)

with register:
    slots: dict = {}
    with st.form("complaint_register"):
        left, right = st.columns(2)
        customer = left.text_input(t("f_customer_code", L), value=st.query_params.get("customer", ""),
                                   key="complaint_customer")
        forms.slot(slots, "customer_code")
        day = left.date_input(t("f_date", L), value=session.today(), key="complaint_day")
        clock = left.time_input(t("f_time", L), value=session.now_minute(), key="complaint_time", step=60)
        forms.slot(slots, "received_at")
        priority = right.selectbox(t("f_priority", L), v.PRIORITY.codes, index=2, key="complaint_priority",
                                   format_func=lambda v: value_label(v, L))
        forms.slot(slots, "priority")
        channel = right.selectbox(t("f_channel", L), v.COMPLAINT_CHANNEL.codes, key="complaint_channel",
                                  format_func=lambda v: value_label(v, L))
        handler = right.selectbox(t("f_handler_staff_no", L), [""] + list(staff["staff_no"]), key="complaint_handler",
                                  format_func=lambda s: f"{names.get(s, '')} ({s})" if s else t("f_none", L))
        category = st.text_input(t("f_category", L), key="complaint_category")
        content = st.text_area(t("f_content", L), key="complaint_content")
        forms.slot(slots, "content")
        if st.form_submit_button(t("save", L), type="primary"):
            forms.submit(L, slots, lambda conn: complaint_writes.register_complaint(
                conn, user, customer_code=customer.strip(), received_at=forms.local_datetime(day, clock),
                priority=priority, content=content, channel=channel, category=category,
                handler_staff_no=handler or None), t("nav_complaint_entry", L))

with update:
    # the first waiting complaint (by due time) opens when none is typed
    waiting = data.fetch(Call(complaints.complaints_waiting, f.scope, session.today(), None, 1))
    options = list(waiting["complaint_no"])
    typed = st.text_input(t("f_complaint_no", L), key="complaint_lookup",
                          placeholder=options[0] if options else "T00000001")
    chosen = typed.strip() or (options[0] if options else None)
    # read within the user's whole scope: a complaint outside it reads as one that does not exist
    record = data.fetch(Call(records.complaint_record, session.reader_scope(), chosen)) if chosen else None
    if record is None or record.empty:
        st.info(t("no_items", L))
    else:
        r = record.iloc[0]
        no = r["complaint_no"]
        # user text (numbers, names, content) is shown as plain text, never as Markdown
        st.text(f"{no} · {r['customer_code']} {r['customer_name']} · {value_label(r['priority'], L)} · "
                f"{r['received_at']:%Y-%m-%d %H:%M}")
        st.text(r["content"])
        slots = {}
        # the version this user loaded: a save by someone else in between must be refused
        version_key = f"complaint_{no}"
        loaded = forms.loaded_version(version_key, int(r["version"]))

        def moment(label: str, value, key: str):
            """Date and time inputs for an optional timestamp (blank date: not yet); keys name the complaint."""
            left, right = st.columns(2)
            day = left.date_input(t(label, L), value=value.date() if value is not None else None, key=f"{key}_d_{no}")
            clock = right.time_input(t("f_time", L), value=value.timetz().replace(tzinfo=None) if value is not None
                                     else session.now_minute(), key=f"{key}_t_{no}", step=60)
            forms.slot(slots, label[2:])
            return forms.local_datetime(day, clock)

        with st.form(f"complaint_update_{no}"):
            first = moment("f_first_response_at", r["first_response_at"], "cu_first")
            resolved = moment("f_resolved_at", r["resolved_at"], "cu_resolved")
            resolution = st.text_area(t("f_resolution", L), value=r["resolution"] or "", key=f"cu_resolution_{no}")
            forms.slot(slots, "resolution")
            rating = st.selectbox(t("f_satisfaction", L), [None, 1, 2, 3, 4, 5], key=f"cu_rating_{no}",
                                  index=[None, 1, 2, 3, 4, 5].index(r["satisfaction"]) if r["satisfaction"] else 0,
                                  format_func=lambda v: t("f_none", L) if v is None else str(v))
            forms.slot(slots, "satisfaction")
            callback = moment("f_callback_at", r["callback_at"], "cu_callback")
            if st.form_submit_button(t("save", L), type="primary"):
                forms.submit(L, slots, lambda conn: complaint_writes.update_complaint(
                    conn, user, complaint_no=no, version=loaded, first_response_at=first,
                    resolved_at=resolved, resolution=resolution, satisfaction=rating, callback_at=callback),
                    no, version_key=version_key)
        forms.conflict_choice(version_key, L, record)
        with st.expander(t("record_history", L)):
            forms.show_history("complaints", no, L)
