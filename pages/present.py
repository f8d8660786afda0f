"""Weekly review (周例会演示): full-screen slides for a week, each against the previous week."""
import base64
import html
import time

import streamlit as st

from dashboard import report
from dashboard.core.periods import Period, range_label
from dashboard.i18n import t
from dashboard.ui import data, display, filters, session

f = filters.page_filters()
L = f.lang
week = f.period if f.period.kind == "week" else Period.containing("week", f.as_of)
sections = data.weekly_review(f.scope, week, session.today())
comparison = report.review_comparison(week, session.today())

# Projector theme: no sidebar or toolbar, high contrast, type a room reads from six metres.
st.html("""<style>
[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'], [data-testid='stHeader'],
[data-testid='stToolbar'], [data-testid='stDecoration'] {display: none !important;}
.stApp, [data-testid='stMain'] {background: #0b0f19 !important; color: #ffffff !important;}
.block-container {padding: 0.8rem 2.2rem 0.4rem !important; max-width: 100% !important;}
.slide {color: #ffffff; font-size: 28px; line-height: 1.25;}
.slide h1 {font-size: 46px; margin: 0 0 4px; color: #ffffff; padding: 0;}
.slide .sub {font-size: 28px; color: #cfd8dc; margin-bottom: 14px;}
.slide .tiles {display: flex; gap: 18px; flex-wrap: wrap; margin-bottom: 14px;}
.slide .tile {background: #17213a; border: 2px solid #2f4066; border-radius: 10px; padding: 8px 16px;
             flex: 1 1 calc(25% - 18px); min-width: 0;}
.slide .tiles.n6 .tile {flex-basis: calc(33.3% - 18px);}
.slide .tiles.n5 {gap: 12px;} .slide .tiles.n5 .tile {flex-basis: calc(20% - 12px); padding: 8px 10px;} .slide .tiles.n5 .value {font-size: 48px;}
.slide .label {font-size: 28px; color: #e3f2fd;} .slide .value {font-size: 60px; font-weight: 700; color: #ffffff;}
.slide .delta {font-size: 28px;} .slide .before {color: #cfd8dc;}
.slide h2 {font-size: 28px; color: #e3f2fd; margin: 4px 0; padding: 0; font-weight: 600;} .slide .good {color: #69f0ae;} .slide .bad {color: #ff8a80;} .slide .same {color: #cfd8dc;}
.slide table {border-collapse: collapse; font-size: 28px; width: 100%;}
.slide th {font-size: 28px; color: #90caf9; text-align: left; border-bottom: 2px solid #90caf9; padding: 4px 10px;}
.slide td {font-size: 28px; padding: 4px 10px; border-bottom: 1px solid #2f4066;
           white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 14em;}
.slide .empty {font-size: 28px; color: #cfd8dc;}
[data-testid='stMain'] button p, [data-testid='stMain'] label p, [data-testid='stMain'] a p {font-size: 22px !important;}
[data-testid='stMain'] label, [data-testid='stMain'] [data-testid='stWidgetLabel'] {color: #ffffff !important;}
[data-testid='stMain'] button {background: #17213a !important; color: #ffffff !important; border: 2px solid #90caf9 !important;}
[data-testid='stMain'] button p, [data-testid='stMain'] a p, [data-testid='stMain'] a span {color: #ffffff !important;}
.slide img.chart {background: #17213a; border: 2px solid #2f4066; border-radius: 8px; padding: 8px;
                  max-height: 260px; max-width: 100%;}
</style>""")

count = len(sections)
st.session_state.setdefault("slide", 0)
st.session_state["slide"] = min(st.session_state["slide"], count - 1)


def move(step: int) -> None:
    st.session_state["slide"] = (st.session_state["slide"] + step) % count
    st.session_state["slide_moved_at"] = time.monotonic()


def slide_html(index: int) -> str:
    section = sections[index]
    shown = display.department_name(f.department) if f.department else t("all_departments", L)
    body = report.figures_html(section, L, short=True)  # amounts in 万 / K, as on the cards
    if section.chart is not None and not section.chart.empty:
        # st.html drops inline SVG, so the chart goes in as an SVG image, light on the dark panel
        svg = report.chart_svg(section, L, font_size=28, width=640, height=120, dark=True)
        body += (f"<h2>{html.escape(t('chart_by_priority', L))}</h2><img class='chart' alt='' "
                 f"src='data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}'>")
    elif section.table is not None:
        body += report.table_html(section.table.head(4), L)
    return (f"<div class='slide' data-slide='{index + 1}'><h1>{html.escape(t(section.title, L))}</h1>"
            f"<div class='sub'>{week.label} · {html.escape(shown)} · {range_label(comparison.current)} "
            f"{html.escape(t('slide_against', L))} {range_label(comparison.previous)}</div>{body}</div>")


controls = st.columns([2, 1, 2, 2, 3, 2])
controls[0].button(t("slide_prev", L), on_click=move, args=(-1,), key="slide_prev", shortcut="Left", width="stretch")
controls[2].button(t("slide_next", L), on_click=move, args=(1,), key="slide_next", shortcut="Right", width="stretch")
auto = controls[3].toggle(t("auto_advance", L), key="slide_auto")
seconds = controls[4].select_slider(t("seconds_unit", L), [10, 20, 30, 60], value=20, key="slide_seconds",
                                    label_visibility="collapsed",
                                    format_func=lambda s: t("seconds_each", L, value=s))
controls[5].page_link("pages/overview.py", label=t("exit_presentation", L))


@st.fragment(run_every=seconds if auto else None)
def show_slide() -> None:
    if not session.still_signed_in():  # signed out elsewhere, or deactivated: the sign-in page
        st.rerun(scope="app")
    moved = st.session_state.get("slide_moved_at", time.monotonic())
    if auto and time.monotonic() - moved >= seconds - 0.5:
        move(1)
    st.session_state.setdefault("slide_moved_at", time.monotonic())
    controls[1].markdown(f"<div style='font-size:24px;text-align:center;color:#fff'>"
                         f"{st.session_state['slide'] + 1} / {count}</div>", unsafe_allow_html=True)
    st.html(slide_html(st.session_state["slide"]))


show_slide()
left, right, _ = st.columns([2, 2, 4])
left.download_button(t("download_report_html", L), lambda: data.weekly_report_file(f.scope, week, session.today(), L, "html"),
                     f"weekly-{week.label}.html", "text/html", key="report_html", on_click="ignore")
right.download_button(t("download_report_excel", L), lambda: data.weekly_report_file(f.scope, week, session.today(), L, "xlsx"),
                      f"weekly-{week.label}.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      key="report_xlsx", on_click="ignore")
