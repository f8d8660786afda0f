"""My work (我的工作): open tasks and due dates, overdue items, complaints waiting, plans behind pace."""
import pandas as pd
import streamlit as st

from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.i18n import t
from dashboard.metrics import complaints, plans
from dashboard.core.vocabulary import COST_CATEGORY, REMINDER_KIND
from dashboard.ui import data, display, filters, links, reminders, session

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_my_work", L))
own = user.role == "agent"
staff_no = user.staff_no if own else None
scope = (t("scope_own", L) if own else t("scope_department", L, dept=display.escape_markdown(f.department)) if f.department
         else t("all_departments", L))
st.caption(t("whose_work", L, scope=scope))

today = session.today()
WAITING_SHOWN = 500

# Reminders: one's own, newest conditions first; each links to its record
st.subheader(t("reminders", L))
if user.staff_no is None:
    st.caption(t("reminders_no_staff", L))
else:
    reminders.refresh_mine(user)
    mine = reminders.mine(user, f.scope)
    if mine.empty:
        st.caption(t("reminders_none", L))
    else:
        st.caption(t("reminder_intro", L))
        unread_ids = [int(i) for i in mine.loc[~mine["read"], "reminder_id"]]
        if unread_ids and st.button(t("mark_all_read", L), key="mywork_read_all"):
            reminders.mark_read(user, unread_ids)
            st.rerun()
        for row in mine.head(30).itertuples():
            due = pd.Timestamp(row.due_at).strftime("%Y-%m-%d %H:%M")
            with st.container(horizontal=True, vertical_alignment="center", key=f"mywork_reminder_{row.reminder_id}"):
                category = " · " + COST_CATEGORY.label(row.category, L) if isinstance(row.category, str) else ""
                st.text(("" if row.read else "● ") + REMINDER_KIND.label(row.kind, L) + " · " + row.record + category
                        + " · " + due)
                st.page_link(reminders.PAGE_OF_KIND[row.kind], label=t("open_record", L),
                             query_params={"customer": row.customer_code} if isinstance(row.customer_code, str) else None)
                if st.button(t("dismiss", L), key=f"mywork_dismiss_{row.reminder_id}"):
                    reminders.dismiss(user, int(row.reminder_id))
                    st.rerun()
        if len(mine) > 30:
            st.caption(t("reminders_more", L, n=formats.fmt_number(len(mine) - 30)))
# the complaints waiting: all counted, the first WAITING_SHOWN of each kind (by due time) listed
figures = data.prefetch({"plans": Call(plans.open_plans, f.scope, today, staff_no),
                       "waiting": Call(complaints.complaints_waiting, f.scope, today, staff_no, WAITING_SHOWN),
                       "waiting_counts": Call(complaints.waiting_counts, f.scope, today, staff_no)})
plans, waiting, waiting_counts = figures["plans"], figures["waiting"], figures["waiting_counts"]
open_plans = plans[plans["end_date"] >= today]
overdue = plans[plans["end_date"] < today]
behind = plans[plans["status"] == "behind"]
for_response = waiting[waiting["waiting_for"] == "response"]
for_callback = waiting[waiting["waiting_for"] == "callback"]
display.kpi_row([
    {"label": t("my_open_tasks", L), "value": formats.fmt_number(len(open_plans))},
    {"label": t("my_behind", L), "value": formats.fmt_number(len(behind))},
    {"label": t("my_overdue_tasks", L), "value": formats.fmt_number(len(overdue))},
    {"label": t("waiting_response", L), "value": formats.fmt_number(int(waiting_counts["response"].iloc[0]))},
    {"label": t("waiting_callback", L), "value": formats.fmt_number(int(waiting_counts["callback"].iloc[0]))},
])
columns = ["plan_no", "kind", "type", "staff_name", "end_date", "planned_count", "actual_count", "expected_count", "status"]
for title, frame in ((t("my_behind", L), behind), (t("my_overdue_tasks", L), overdue), (t("my_open_tasks", L), open_plans)):
    st.subheader(title)
    if frame.empty:
        st.caption(t("no_items", L))
    else:
        st.caption(t("pick_row_to_open", L))
        picked = display.show_table(frame[columns], L, height=min(400, 38 + 35 * len(frame)), key=f"mywork_{title}",
                                    pick_row=True)
        links.open_picked(frame, picked, "plan", "plan_no")
for title, frame, kind in ((t("waiting_response", L), for_response, "response"),
                           (t("waiting_callback", L), for_callback, "callback")):
    st.subheader(title)
    if frame.empty:
        st.caption(t("no_items", L))
    else:
        count = int(waiting_counts[kind].iloc[0])
        st.caption(t("pick_row_to_open", L) + ("" if count <= len(frame) else
                   " · " + t("waiting_shown", L, shown=len(frame), n=count)))
        picked = display.show_table(frame[["complaint_no", "customer_name", "priority", "received_at", "due_at",
                                           "handler_name"]], L, height=min(400, 38 + 35 * len(frame)),
                                    key=f"mywork_{title}", pick_row=True)
        links.open_picked(frame, picked, "complaint", "complaint_no")
st.page_link("pages/tasks.py", label=t("nav_tasks", L) + " →")
st.page_link("pages/complaint_entry.py", label=t("nav_complaint_entry", L) + " →")
