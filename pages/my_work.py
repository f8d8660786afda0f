"""My work (我的工作): open tasks and due dates, overdue items, complaints waiting, plans behind pace."""
import streamlit as st

from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.i18n import t
from dashboard.metrics import complaints, plans
from dashboard.ui import data, display, filters, session

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_my_work", L))
own = user.role == "agent"
staff_no = user.staff_no if own else None
scope = (t("scope_own", L) if own else t("scope_department", L, dept=display.escape_markdown(f.department)) if f.department
         else t("all_departments", L))
st.caption(t("whose_work", L, scope=scope))

today = session.today()
figures = data.prefetch({"plans": Call(plans.open_plans, f.scope, today, staff_no),
                       "waiting": Call(complaints.complaints_waiting, f.scope, today, staff_no)})
plans, waiting = figures["plans"], figures["waiting"]
open_plans = plans[plans["end_date"] >= today]
overdue = plans[plans["end_date"] < today]
behind = plans[plans["status"] == "behind"]
for_response = waiting[waiting["waiting_for"] == "response"]
for_callback = waiting[waiting["waiting_for"] == "callback"]
display.kpi_row([
    {"label": t("my_open_tasks", L), "value": formats.fmt_number(len(open_plans))},
    {"label": t("my_behind", L), "value": formats.fmt_number(len(behind))},
    {"label": t("my_overdue_tasks", L), "value": formats.fmt_number(len(overdue))},
    {"label": t("waiting_response", L), "value": formats.fmt_number(len(for_response))},
    {"label": t("waiting_callback", L), "value": formats.fmt_number(len(for_callback))},
])
columns = ["plan_no", "kind", "type", "staff_name", "end_date", "planned_count", "actual_count", "expected_count", "status"]
for title, frame in ((t("my_behind", L), behind), (t("my_overdue_tasks", L), overdue), (t("my_open_tasks", L), open_plans)):
    st.subheader(title)
    if frame.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(frame[columns], L, height=min(400, 38 + 35 * len(frame)), key=f"mywork_{title}")
for title, frame in ((t("waiting_response", L), for_response), (t("waiting_callback", L), for_callback)):
    st.subheader(title)
    if frame.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(frame[["complaint_no", "customer_name", "priority", "received_at", "due_at", "handler_name"]],
                      L, height=min(400, 38 + 35 * len(frame)), key=f"mywork_{title}")
st.page_link("pages/tasks.py", label=t("nav_tasks", L) + " →")
st.page_link("pages/complaint_entry.py", label=t("nav_complaint_entry", L) + " →")
