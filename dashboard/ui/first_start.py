"""The demo's loading steps on the page, in the user's language (see dashboard/startup.py)."""
from __future__ import annotations

import re

import streamlit as st

from dashboard import startup
from dashboard.i18n import t

# the demo generator's steps (seeds/demo.py), in Chinese
STEPS_ZH = [
    (r"demo: departments and staff", "演示数据：部门与员工"),
    (r"demo: ([\d,]+) customers", r"演示数据：\1 个客户"),
    (r"demo: orders", "演示数据：订单"),
    (r"demo: ([\d,]+) orders", r"演示数据：已生成 \1 笔订单"),
    (r"demo: complaints", "演示数据：投诉"),
    (r"demo: plans and progress", "演示数据：计划与进度"),
    (r"demo: retention cases", "演示数据：挽留案例"),
    (r"demo: work logs, surveys, budgets and evaluations", "演示数据：工作日志、满意度调查、预算与考评"),
    (r"demo: done \(([\d,]+) orders, ([\d,]+) complaints\)", r"演示数据已完成（\1 笔订单，\2 条投诉）"),
]


def step_label(step: str, lang: str) -> str:
    """One loading step as the user reads it: Chinese on a Chinese page, the generator's words otherwise."""
    if lang != "zh":
        return step
    for pattern, chinese in STEPS_ZH:
        if re.fullmatch(pattern, step):
            return re.sub(pattern, chinese, step)
    return step


def progress_writer(status, lang: str):
    """A progress callback for the demo generator that writes each step into `status`."""
    return lambda step: status.write(step_label(step, lang))


def wait_for_demo_load(lang: str) -> None:
    """While the load started with the server runs, show its steps; return once it has ended."""
    if not startup.STATE.running:
        return
    shown = 0
    with st.status(t("loading_demo", lang), expanded=True) as status:
        while True:
            finished = startup.STATE.done.wait(0.3)
            steps = list(startup.STATE.steps)
            for step in steps[shown:]:
                status.write(step_label(step, lang))
            shown = len(steps)
            if finished:
                break
        status.update(label=t("demo_loaded", lang), state="complete", expanded=False)
    st.cache_data.clear()
