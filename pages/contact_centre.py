"""Contact centre (呼叫中心): the phone system's inbound calls for the range, like for like with the range
compared; by queue, hour of day, weekday and staff member; the trend; the `call_summary` download."""
import altair as alt
import streamlit as st

from dashboard import exports
from dashboard.core import formats
from dashboard.core.calls import Call
from dashboard.i18n import column_label, t
from dashboard.metrics import calls
from dashboard.ui import data, display, filters

PAGE = "contact_centre"
f = filters.page_filters()
L, scope, period = f.lang, f.scope, f.period
filters.page_header(f, "nav_contact_centre", t("contact_centre_intro", L))
compared = filters.compared_text(f.comparison, L)
grain = "day" if (period.end - period.start).days <= 62 else "week"

figures = data.prefetch({
    "rules": Call(calls.rules, scope),
    "now": Call(calls.call_figures, scope, period.start, period.end, f.as_of, "queue"),
    "before": Call(calls.call_figures, scope, f.previous.start, f.previous.end, f.previous_as_of, "queue"),
    "trend": Call(calls.call_figures, scope, period.start, period.end, f.as_of, grain),
    "hour": Call(calls.call_figures, scope, period.start, period.end, f.as_of, "hour"),
    "weekday": Call(calls.call_figures, scope, period.start, period.end, f.as_of, "weekday"),
    "staff": Call(calls.call_figures, scope, period.start, period.end, f.as_of, "staff")})
rule = figures["rules"].iloc[0]
now, before = figures["now"], figures["before"]
total = now[now["all"]] if not now.empty else now
total_before = before[before["all"]] if not before.empty else before
g = data.first
st.caption(t("call_rules", L, sl=int(rule["sl_seconds"]), short=int(rule["short_abandon_seconds"]),
             fcr=int(rule["fcr_hours"])))


def count(label, column):
    return {"label": t(label, L), "value": formats.fmt_number(g(total, column)),
            "delta": formats.delta_number(g(total, column), g(total_before, column)), "help": compared}


def seconds(label, column):
    return {"label": f"{t(label, L)} · n={formats.fmt_number(g(total, 'answered'))}",
            "value": formats.fmt_number(g(total, column), 2),
            "delta": formats.delta_number(g(total, column), g(total_before, column), 2), "inverse": True,
            "plain": formats.small_base(g(total, "answered")), "help": compared}


def rate(label, column, part, base, inverse=False, **labels):
    return display.rate_card(t(label, L, **labels), L, g(total, column), g(total, part), g(total, base),
                             g(total_before, column), g(total_before, part), g(total_before, base), inverse, compared)


if total.empty:
    st.info(t("no_calls", L))
    st.stop()
display.kpi_row([
    count("kpi_offered", "offered"), count("kpi_answered", "answered"),
    rate("kpi_service_level", "service_level", "within_sl", "offered", sl=int(rule["sl_seconds"])),
    rate("kpi_abandon_rate", "abandon_rate", "abandoned", "offered", inverse=True),
    seconds("kpi_asa", "asa_seconds"), seconds("kpi_aht", "aht_seconds"), seconds("kpi_acw", "acw_seconds"),
    rate("kpi_fcr", "fcr_rate", "fcr_resolved", "fcr_base", fcr=int(rule["fcr_hours"])),
])


def render_trend_chart(trend):
    rows = data.as_float(trend[~trend["all"]], "service_level")
    rows = rows.assign(shown=[d.isoformat()[5:] if grain == "day" else d.isoformat() for d in rows[grain]])
    x = alt.X("shown:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap="greedy"), sort=None)
    bars = alt.Chart(rows).mark_bar(opacity=0.5).encode(
        x=x, y=alt.Y("offered:Q", title=column_label("offered", L)),
        tooltip=[alt.Tooltip("shown:O", title=column_label("day", L)),
                 alt.Tooltip("offered:Q", title=column_label("offered", L)),
                 alt.Tooltip("service_level:Q", title=column_label("service_level", L), format=".1%")])
    line = alt.Chart(rows).mark_line(point=True, color="#d62728").encode(
        x=x, y=alt.Y("service_level:Q", title=column_label("service_level", L), axis=alt.Axis(format="%"),
                     scale=alt.Scale(domain=[0, 1])))
    return alt.layer(bars, line).resolve_scale(y="independent").properties(height=260)


st.subheader(t("calls_trend", L))
st.altair_chart(render_trend_chart(figures["trend"]), use_container_width=True)

COLUMNS = ["offered", "answered", "abandoned", "short_abandoned", "service_level", "abandon_rate", "asa_seconds",
           "aht_seconds", "acw_seconds", "fcr_rate", "fcr_base"]
left, right = st.columns(2)
with left:
    st.subheader(t("calls_by_queue", L))
    queues = now.assign(queue=[t("all_queues", L) if a else (q if isinstance(q, str) else t("no_queue", L))
                               for q, a in zip(now["queue"], now["all"])])
    queue_of = [None if a else (q if isinstance(q, str) else "") for q, a in zip(now["queue"], now["all"])]
    display.drill_table(queues[["queue", *COLUMNS]], L, PAGE, "queue",
                        lambda i: None if queue_of[i] is None else {"queue": queue_of[i]},
                        lambda i: queues["queue"].iloc[i])
with right:
    st.subheader(t("calls_by_weekday", L))
    days = figures["weekday"]
    days = days[~days["all"]].assign(weekday_no=lambda d: d["weekday"],
                                      weekday=lambda d: [t(f"weekday_{int(w)}", L) for w in d["weekday"]])
    display.drill_table(days[["weekday", "offered", "service_level", "abandon_rate", "asa_seconds"]], L, PAGE,
                        "weekday", lambda i: {"weekday": int(days["weekday_no"].iloc[i])},
                        lambda i: days["weekday"].iloc[i])

st.subheader(t("calls_by_hour", L))
hours = data.as_float(figures["hour"][~figures["hour"]["all"]], "service_level")
display.drill_chart(alt.Chart(hours).mark_bar().encode(
    x=alt.X("hour:O", title=column_label("hour", L), axis=alt.Axis(labelAngle=0)),
    y=alt.Y("offered:Q", title=column_label("offered", L)),
    color=alt.Color("service_level:Q", title=column_label("service_level", L), legend=alt.Legend(format="%"),
                    scale=alt.Scale(scheme="redyellowgreen", domain=[0, 1])),
    tooltip=[alt.Tooltip("hour:O", title=column_label("hour", L)), alt.Tooltip("offered:Q", title=column_label("offered", L)),
             alt.Tooltip("service_level:Q", title=column_label("service_level", L), format=".1%"),
             alt.Tooltip("abandon_rate:Q", title=column_label("abandon_rate", L), format=".1%")]
).properties(height=220), PAGE, "hour", {"hour": "hour"}, lambda p: f"{int(p['hour']):02d}:00")

st.subheader(t("calls_by_staff", L))
staff = figures["staff"]
people = staff[~staff["all"]]
display.drill_table(people[["staff_no", "staff_name", "answered", "aht_seconds", "acw_seconds", "fcr_rate", "fcr_base"]],
                    L, PAGE, "staff", lambda i: {"staff_id": int(people["staff_id"].iloc[i])},
                    lambda i: f"{people['staff_no'].iloc[i]} {people['staff_name'].iloc[i]}")

# the calls behind the picked queue, hour, weekday or staff member (filters of two tables combine); the
# list waits for a pick: the range's calls run to hundreds of thousands
st.subheader(t("calls_records", L))
drills = display.drill_filters(PAGE, L)
if not drills:
    st.caption(t("calls_records_pick", L))
else:
    records = data.fetch(Call(calls.call_records, scope, period.start, period.end, f.as_of,
                              **display.drill_where(drills)))
    st.caption(t("calls_records_count", L, shown=formats.fmt_number(len(records)),
                 total=formats.fmt_number(records.attrs.get("total", len(records)))))
    display.show_table(records.assign(call_outcome=[t(f"call_outcome_{o}", L) for o in records["call_outcome"]]), L,
                       key="calls_records")
display.downloads(exports.CALL_SUMMARY, scope, L, "calls_dl", start=period.start, end=period.end, as_of=f.as_of)
