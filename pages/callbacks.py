"""Customer callbacks (客户回访): who is due a callback, recording one, the share on schedule, gifts."""
from datetime import timedelta

import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core import vocabulary as v
from dashboard.core.calls import Call
from dashboard.i18n import t, value_label
from dashboard.metrics import callbacks
from dashboard.ui import data, display, filters, forms, session
from dashboard.writes import callbacks as writes

# the due list shows the first rows by due date, with the count of all (the download has them all)
DUE_SHOWN = 500
# the last 30 days' callbacks listed, newest first (126,000 at 500,000 customers: a table that size
# took 0.5 s to send on every rerun)
RECENT_SHOWN = 500

f = filters.page_filters()
L, user = f.lang, session.signed_in()
today = session.today()
own = user.role == "agent"
staff_no = user.staff_no if own else None

figures = data.prefetch({
    "months": Call(callbacks.callback_months, f.scope),
    "due": Call(callbacks.callback_due, f.scope, today, staff_no, DUE_SHOWN),
    "rates": Call(callbacks.callback_rates, f.scope, today),
    "rates_before": Call(callbacks.callback_rates, f.scope, today - timedelta(days=30)),
    "gifts": Call(callbacks.gifts, f.scope, today, staff_no),
    "recent": Call(callbacks.customer_callbacks, f.scope, today - timedelta(days=29), today, RECENT_SHOWN)})
months = figures["months"]
st.title(t("nav_callbacks", L))
st.caption(t("callbacks_intro", L, a=data.first(months, "a"), b=data.first(months, "b"), c=data.first(months, "c")))

due, rates, before = figures["due"], figures["rates"], figures["rates_before"]


def total(frame):
    """The ALL row, or the signed-in agent's own row."""
    if own:
        rows = frame[frame["staff_no"] == user.staff_no]
        return rows.iloc[:1]
    return frame[frame["department_code"] == "ALL"]


now_row, before_row = total(rates), total(before)
g = data.first
display.kpi_row([
    display.rate_card(t("callbacks_rate_card", L), L, g(now_row, "on_schedule_rate"), g(now_row, "on_schedule"),
                      g(now_row, "customers"), g(before_row, "on_schedule_rate"), g(before_row, "on_schedule"),
                      g(before_row, "customers"),
                      compared=t("compared_30_days", L, day=(today - timedelta(days=30)).isoformat())),
    {"label": t("callbacks_overdue_card", L), "value": formats.fmt_number(g(now_row, "overdue")), "inverse": True,
     "delta": formats.delta_number(g(now_row, "overdue"), g(before_row, "overdue"))},
    {"label": t("callbacks_detractors_card", L),
     "value": formats.fmt_number(g(due, "detractor_count") or 0)},
])

st.subheader(t("callbacks_due", L))
picked = None
if due.empty:
    st.caption(t("no_items", L))
else:
    # fits 1280 pixels: the name without the code (a picked row fills the code in), no owner column for
    # an agent's own list; a survey's date is 7 days before its due date
    columns = ["reason", "customer_name"] + ([] if own else ["owner_name"]) + [
        "abc_class", "last_callback_on", "due_on", "days_overdue"]
    shown = display.first_rows(due[columns], DUE_SHOWN, L, "callbacks_due_shown", total=g(due, "due_count")) \
        .astype({"last_callback_on": "string", "due_on": "string"})
    row = display.show_table(shown, L, height=min(400, 38 + 35 * len(shown)), key="callbacks_due", pick_row=True)
    picked = None if row is None else due["customer_code"].iloc[row]
    if picked:  # the picked customer's whole file, a click away
        st.page_link("pages/customer_file.py", icon=":material/folder_shared:", query_params={"customer": picked, "lang": L},
                     label=f"{t('nav_customer_file', L)}: {picked} {due['customer_name'].iloc[row]} →")

st.subheader(t("record_callback", L))
slots: dict = {}
chosen = picked or st.query_params.get("customer", "")
with st.form(f"callbacks_record_{chosen}"):   # the form names the customer it records
    left, right = st.columns(2)
    customer = left.text_input(t("f_customer_code", L), value=chosen, key=f"callbacks_customer_{chosen}")
    forms.slot(slots, "customer_code")
    called_on = left.date_input(t("f_called_on", L), value=today, key=f"callbacks_day_{chosen}")
    forms.slot(slots, "called_on")
    method = right.selectbox(t("f_callback_method", L), v.CALLBACK_METHOD.codes, key=f"callbacks_method_{chosen}",
                             format_func=lambda c: value_label(c, L))
    result = right.selectbox(t("f_callback_result", L), v.CALLBACK_RESULT.codes, key=f"callbacks_result_{chosen}",
                             format_func=lambda c: value_label(c, L))
    note = st.text_area(t("f_note", L), key=f"callbacks_note_{chosen}")
    forms.slot(slots, "note")
    if st.form_submit_button(t("save", L), type="primary"):
        code = customer.strip()
        forms.submit(L, slots, lambda conn: writes.record_callback(
            conn, user, customer_code=code, called_on=called_on, method=method, result=result, note=note,
            today=session.today()), t("callback_saved", L, customer=code))

st.subheader(t("callbacks_rates", L))
if rates.empty:
    st.caption(t("no_items", L))
else:
    display.show_table(rates, L, height=min(420, 38 + 35 * len(rates)), key="callbacks_rates")
display.downloads(exports.CALLBACK_RATES, f.scope, L, "callbacks_rates_dl", as_of=today)
display.downloads(exports.CALLBACKS_DUE, f.scope, L, "callbacks_due_dl", as_of=today)

st.subheader(t("gifts", L))
gifts = figures["gifts"]
gift_row = None
if gifts.empty:
    st.caption(t("no_items", L))
else:
    pick = display.show_table(gifts[["customer_name", "item", "sent_on", "confirm_by", "overdue", "staff_name", "note"]],
                              L, height=min(300, 38 + 35 * len(gifts)), key="callbacks_gifts", pick_row=True)
    gift_row = None if pick is None else gifts.iloc[pick]
left, right = st.columns(2)
with left:
    if gift_row is not None:
        gift_id = int(gift_row["gift_id"])
        gift_slots: dict = {}
        with st.form(f"callbacks_confirm_{gift_id}"):
            st.text(f"{gift_row['customer_name']} · {gift_row['item']} · {gift_row['sent_on']}")
            confirmed = st.date_input(t("f_confirmed_on", L), value=today, key=f"callbacks_confirmed_{gift_id}")
            forms.slot(gift_slots, "confirmed_on")
            if st.form_submit_button(t("confirm_gift", L), type="primary"):
                forms.submit(L, gift_slots, lambda conn: writes.confirm_gift(
                    conn, user, gift_id=gift_id, confirmed_on=confirmed, today=session.today()),
                    t("gift_saved", L, customer=gift_row["customer_code"]))
with right:
    gift_slots2: dict = {}
    with st.form(f"callbacks_gift_{chosen}"):
        st.markdown(f"**{t('record_gift', L)}**")
        gift_customer = st.text_input(t("f_customer_code", L), value=chosen, key=f"callbacks_gift_customer_{chosen}")
        forms.slot(gift_slots2, "customer_code")
        item = st.text_input(t("f_gift_item", L), key=f"callbacks_gift_item_{chosen}")
        forms.slot(gift_slots2, "item")
        sent_on = st.date_input(t("f_sent_on", L), value=today, key=f"callbacks_gift_sent_{chosen}")
        forms.slot(gift_slots2, "sent_on")
        gift_note = st.text_input(t("f_note", L), key=f"callbacks_gift_note_{chosen}")
        if st.form_submit_button(t("save", L)):
            code = gift_customer.strip()
            forms.submit(L, gift_slots2, lambda conn: writes.record_gift(
                conn, user, customer_code=code, sent_on=sent_on, item=item, note=gift_note, today=session.today()),
                t("gift_saved", L, customer=code))

st.subheader(t("recent_callbacks", L))
recent = figures["recent"]
if recent.empty:
    st.caption(t("no_items", L))
else:
    recent = display.first_rows(recent.drop(columns="total"), RECENT_SHOWN, L, "callbacks_recent_shown",
                                total=data.first(recent, "total"))
    display.show_table(recent, L, height=min(400, 38 + 35 * len(recent)), key="callbacks_recent")
