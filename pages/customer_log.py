"""Customer log (客户日志, reading): entries of the period filtered by customer, staff, category,
source and service type, with a search over their text; the export view customer_log."""
import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core import vocabulary as v
from dashboard.core.calls import Call
from dashboard.i18n import t, value_label
from dashboard.metrics import archives, records
from dashboard.ui import data, display, filters, session

f = filters.page_filters()
L, user = f.lang, session.signed_in()
st.title(t("nav_customer_log", L))
st.caption(t("customer_log_intro", L, start=f.period.start.isoformat(), end=f.period.end.isoformat()))

staff = data.fetch(Call(records.staff_list, f.scope))
staff_names = {r.staff_no: f"{r.name} ({r.staff_no})" for r in staff.itertuples()}
categories = list(data.fetch(Call(archives.log_categories, f.scope))["category"])
a, b, c = st.columns([3, 2, 2])
text = a.text_input(t("f_search_log", L), key="clog_text", placeholder=t("log_search_hint", L))
customer = b.text_input(t("f_customer_code", L), value=st.query_params.get("customer", ""), key="clog_customer")
staff_no = c.selectbox(t("f_staff", L), [None] + list(staff["staff_no"]), key="clog_staff",
                       format_func=lambda s: t("all", L) if s is None else staff_names.get(s, s))
d, e, g = st.columns(3)
category = d.selectbox(t("f_log_category", L), [None] + categories, key="clog_category",
                       format_func=lambda s: t("all", L) if s is None else s)
source = e.selectbox(t("f_source", L), [None] + list(v.LOG_SOURCE.codes), key="clog_source",
                     format_func=lambda s: t("all", L) if s is None else value_label(s, L))
service_type = g.selectbox(t("f_service_type", L), [None] + list(v.SERVICE_TYPE.codes), key="clog_type",
                           format_func=lambda s: t("all", L) if s is None else value_label(s, L))

LIMIT = 500
entries = data.fetch(Call(archives.customer_log, f.scope, f.period.start, f.period.end, customer.strip() or None,
                          staff_no, category, source, service_type, text.strip() or None, limit=LIMIT + 1))
if entries.empty:
    st.caption(t("no_items", L))
else:
    if len(entries) > LIMIT:
        st.caption(t("first_rows", L, count=formats.fmt_number(LIMIT)))
        entries = entries.head(LIMIT)
    else:
        st.caption(t("rows_found", L, count=formats.fmt_number(len(entries))))
    shown = entries.assign(source=entries["source"].map(lambda s: value_label(s, L)),
                           service_type=entries["service_type"].map(lambda s: value_label(s, L)))
    display.show_table(shown[["log_no", "logged_at", "customer_name", "staff_name", "source", "service_type",
                              "category", "content", "handling", "summary", "satisfaction"]], L, key="clog_table")
display.downloads(exports.VIEWS["customer_log"], f.scope, L, "clog", start=f.period.start, end=f.period.end,
                  customer=customer.strip() or None)

# Seed 003: customer files complete within 3 days of the first order, entries recorded within 24 hours.
st.subheader(t("timeliness", L))
counts = data.fetch(Call(archives.timeliness_counts, f.scope, f.period.start, f.period.end, f.as_of)).iloc[0]
display.kpi_row([
    {"label": t("kpi_files_incomplete", L), "value": formats.fmt_number(int(counts["files_incomplete"]))},
    {"label": t("kpi_entries_late", L), "value": formats.fmt_number(int(counts["entries_late"])),
     "help": t("entries_late_base", L, judged=formats.fmt_number(int(counts["entries_judged"])))},
])
st.caption(t("timeliness_rules", L, as_of=f.as_of.isoformat()))
with st.expander(t("kpi_files_incomplete", L)):
    files = data.fetch(Call(archives.incomplete_files, f.scope, f.as_of))
    if files.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(files.assign(missing=files["missing"].map(
            lambda m: "、".join(t("f_contact_name" if x == "contact_name" else "f_phone", L) for x in m.split(", ")))),
            L, key="clog_files")
with st.expander(t("kpi_entries_late", L)):
    late = data.fetch(Call(archives.late_log_entries, f.scope, f.period.start, f.period.end))
    if late.empty:
        st.caption(t("no_items", L))
    else:
        display.show_table(late, L, key="clog_late")
