"""My work (我的工作): open tasks and due dates, overdue items, complaints waiting, plans behind pace."""
import streamlit as st

from dashboard import ui
from dashboard.i18n import t

f = ui.page_filters()
L, user = f.lang, ui.current_user_or_stop()
st.title(t("nav_my_work", L))
own = user.role == "agent"
staff_no = user.staff_no if own else None
scope = (t("scope_own", L) if own else t("scope_department", L, dept=ui.escape_markdown(f.department)) if f.department
         else t("all_departments", L))
st.caption(t("whose_work", L, scope=scope))

today = ui.today()
figures = ui.prefetch({"plans": ("open_plans", today, f.department, staff_no),
                       "waiting": ("complaints_waiting", today, f.department, staff_no)})
plans, waiting = figures["plans"], figures["waiting"]
open_plans = plans[plans["end_date"] >= today]
overdue = plans[plans["end_date"] < today]
behind = plans[plans["status"] == "behind"]
for_response = waiting[waiting["waiting_for"] == "response"]
for_callback = waiting[waiting["waiting_for"] == "callback"]
ui.kpi_row([
    {"label": t("my_open_tasks", L), "value": ui.fmt_number(len(open_plans))},
    {"label": t("my_behind", L), "value": ui.fmt_number(len(behind))},
    {"label": t("my_overdue_tasks", L), "value": ui.fmt_number(len(overdue))},
    {"label": t("waiting_response", L), "value": ui.fmt_number(len(for_response))},
    {"label": t("waiting_callback", L), "value": ui.fmt_number(len(for_callback))},
])
columns = ["plan_no", "kind", "type", "staff_name", "end_date", "planned_count", "actual_count", "expected_count", "status"]
for title, frame in ((t("my_behind", L), behind), (t("my_overdue_tasks", L), overdue), (t("my_open_tasks", L), open_plans)):
    st.subheader(title)
    if frame.empty:
        st.caption(t("no_items", L))
    else:
        ui.show_table(frame[columns], L, height=min(400, 38 + 35 * len(frame)), key=f"mywork_{title}")
for title, frame in ((t("waiting_response", L), for_response), (t("waiting_callback", L), for_callback)):
    st.subheader(title)
    if frame.empty:
        st.caption(t("no_items", L))
    else:
        ui.show_table(frame[["complaint_no", "customer_name", "priority", "received_at", "due_at", "handler_name"]],
                      L, height=min(400, 38 + 35 * len(frame)), key=f"mywork_{title}")
st.page_link("pages/tasks.py", label=t("nav_tasks", L) + " →")
st.page_link("pages/complaint_entry.py", label=t("nav_complaint_entry", L) + " →")
