"""Labels of reminders, callbacks (回访) and gifts, first response and the SLA clock."""
from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "nav_callbacks": ("客户回访", "Customer callbacks"),
    "view_callbacks_due": ("待回访客户", "callbacks due"), "view_callback_rates": ("按时回访率", "callbacks on schedule"),
    # reminders
    "reminders": ("提醒", "Reminders"),
    "reminders_unread": ("{n} 条未读提醒", "{n} unread reminders"),
    "reminders_none": ("没有待办提醒。", "No reminders."),
    "reminders_no_staff": ("您的账号没有员工档案，因此没有个人提醒。", "Your account has no staff record, so it has no reminders of its own."),
    "mark_all_read": ("全部标为已读", "Mark all read"),
    "dismiss": ("忽略", "Dismiss"),
    "reminder_intro": ("提醒在条件消失时自动消失（例如投诉已解决、已回访）；忽略的提醒不再出现。",
                       "A reminder goes by itself when its condition ends (the complaint resolved, the customer called back); a dismissed one does not come back."),
    "open_record": ("打开", "Open"),
    "reminders_more": ("另有 {n} 条提醒未显示。", "{n} more reminders not shown."),
    # callbacks page
    "callbacks_intro": ("每位客户按 ABC 分类定期回访（A 类每 {a} 个月、B 类每 {b} 个月、C 类每 {c} 个月）；调查中不满意（NPS 0–6 或满意度 1–2）的客户须在 7 天内回访。",
                        "Every customer is called back by its ABC class (A every {a} months, B every {b}, C every {c}); a customer dissatisfied in a survey (NPS 0–6 or CSAT 1–2) within 7 days."),
    "callbacks_due": ("待回访（已逾期及 7 天内到期）", "Callbacks due (overdue and due within 7 days)"),
    "callbacks_due_shown": ("共 {total} 位待回访，列出最早到期的 {shown} 位；下载文件包含全部。",
                            "{total} customers are due; the {shown} due first are listed. The download has them all."),
    "callbacks_rates": ("按时回访率（按负责人和部门）", "Customers called back on schedule (per owner and department)"),
    "callbacks_rate_card": ("按时回访率", "On schedule"),
    "callbacks_overdue_card": ("逾期未回访客户", "Customers overdue"),
    "callbacks_detractors_card": ("不满意客户待回访", "Dissatisfied customers to call back"),
    "compared_30_days": ("与 30 天前（{day}）相比", "compared with 30 days before ({day})"),
    "record_callback": ("记录回访", "Record a callback"),
    "recent_callbacks": ("最近 30 天的回访", "Callbacks in the last 30 days"),
    "gifts": ("礼品送达确认（3 天内）", "Gift deliveries to confirm (within 3 days)"),
    "record_gift": ("记录赠送礼品", "Record a gift sent"),
    "confirm_gift": ("确认送达", "Confirm delivery"),
    "f_called_on": ("回访日期", "Called on"), "f_callback_method": ("回访方式", "Method"),
    "f_callback_result": ("回访结果", "Result"), "f_gift_item": ("礼品", "Gift"), "f_sent_on": ("赠送日期", "Sent on"),
    "f_confirmed_on": ("确认送达日期", "Delivery confirmed on"), "f_gift": ("礼品记录", "Gift"),
    "callback_saved": ("回访 {customer}", "callback of {customer}"),
    "gift_saved": ("礼品 {customer}", "gift to {customer}"),
    # first response and the clock
    "response_on_time": ("首次响应及时率", "First response on time"),
    "clock_business": ("时限按工作时间计算（{hours}，中国法定工作日，含调休）。", "Deadlines count working hours ({hours} on Chinese working days, make-up days included)."),
    "clock_unknown_years": ("{years} 年的节假日尚未收录：这些年份按周一至周五计算工作日。",
                            "The holidays of {years} are not known yet: those years count Monday to Friday as working days."),
    # settings page
    "other_rules": ("回访、提醒与时限规则", "Callback, reminder and clock rules"),
    "other_rules_note": ("SMTP 密码不在这里设置：请放在环境变量 SMTP_PASSWORD 或 .streamlit/secrets.toml 的 [smtp] password 中。",
                         "The SMTP password is not set here: put it in the environment (SMTP_PASSWORD) or in .streamlit/secrets.toml under [smtp] password."),
    "err_setting": ("{setting}：{message}", "{setting}: {message}"),
    "err_future_date": ("不能晚于今天（{today}）。", "Cannot be after today ({today})."),
    "err_before_sent": ("不能早于赠送日期（{sent}）。", "Cannot be before the day it was sent ({sent})."),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "last_callback_on": ("上次回访", "last_callback_on"),
    "surveyed_on": ("调查日期", "surveyed_on"), "due_on": ("到期日", "due_on"),
    "owner_staff_no": ("负责人工号", "owner_staff_no"), "owner_name": ("负责人", "owner_name"),
    "on_schedule": ("按时", "on_schedule"),
    "on_schedule_rate": ("按时回访率", "on_schedule_rate"), "called_on": ("回访日期", "called_on"),
    "note": ("备注", "note"), "item": ("礼品", "item"), "sent_on": ("赠送日期", "sent_on"),
    "confirm_by": ("应确认日期", "confirm_by"), "confirmed_on": ("确认日期", "confirmed_on"),
    "reminder": ("提醒", "reminder"), "record": ("对象", "record"),
    "created_at": ("提醒时间", "created_at"), "read": ("已读", "read"),
    "responses_on_time": ("按时响应", "responses_on_time"), "response_on_time_rate": ("首次响应及时率", "response_on_time_rate"),
}
