"""Labels of the contact centre (呼叫中心): call figures from the phone system."""
from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "nav_contact_centre": ("呼叫中心", "Contact centre"),
    "contact_centre_intro": ("电话系统的呼入通话：接通、放弃、服务水平、平均应答、处理时长与首次解决率，与对比期同口径比较。",
                             "Inbound calls from the phone system: answered, abandoned, service level, speed of answer, "
                             "handle time and first-contact resolution, like for like with the range compared."),
    "call_rules": ("口径：服务水平 = {sl} 秒内接听 / 呼入（不含短时放弃：{short} 秒内挂断）；首次解决 = 结束后 {fcr} 小时内"
                   "同一客户（无客户编号时同一号码）未再来电，窗口未结束的通话暂不计入。",
                   "Rules: service level = answered within {sl} s / offered (short abandons, hung up within {short} s, "
                   "are not offered); first-contact resolution = no other call of the same customer (else the same "
                   "number) within {fcr} h of the end; calls whose window is still open are not counted yet."),
    "call_rules_title": ("呼叫中心与重复投诉规则", "Contact-centre and repeat-complaint rules"),
    "call_rules_note": ("保存后呼叫中心页面与投诉页面立即按新规则计算；settings.csv 与 settings 命令设置同样的项目。",
                        "After saving, the contact-centre and complaints pages use the new rules at once; settings.csv "
                        "and the settings command set the same keys."),
    "calls_records": ("通话明细", "The calls"),
    "calls_records_pick": ("点选上方队列、星期或员工表中的一行，或时段图中的柱形，查看其背后的通话。",
                           "Pick a row of the queue, weekday or staff table, or a bar of the hours, to see the calls "
                           "behind it."),
    "calls_records_count": ("显示最新 {shown} 条，共 {total} 条", "The newest {shown} of {total} calls"),
    "call_outcome_answered": ("接通", "answered"), "call_outcome_abandoned": ("放弃", "abandoned"),
    "call_outcome_short_abandoned": ("短时放弃", "short abandon"),
    "kpi_offered": ("呼入量", "Offered"),
    "kpi_answered": ("接通量", "Answered"),
    "kpi_service_level": ("服务水平（{sl} 秒）", "Service level ({sl} s)"),
    "kpi_abandon_rate": ("放弃率", "Abandon rate"),
    "kpi_asa": ("平均应答（秒）", "Avg. speed of answer (s)"),
    "kpi_aht": ("平均处理时长（秒）", "Avg. handle time (s)"),
    "kpi_acw": ("平均话后处理（秒）", "After-call work (s)"),
    "kpi_fcr": ("首次解决率（{fcr} 小时）", "First-contact resolution ({fcr} h)"),
    "calls_trend": ("每日呼入与服务水平", "Calls and service level per day"),
    "calls_by_queue": ("按队列", "By queue"),
    "calls_by_hour": ("按时段（人手不足之处）", "By hour of day (where staffing goes wrong)"),
    "calls_by_weekday": ("按星期", "By weekday"),
    "calls_by_staff": ("按员工（接通量、处理时长、首次解决）", "By staff member (answered, handle time, FCR)"),
    "no_calls": ("所选期间没有通话记录。通话记录可在“数据导入”中导入 calls.csv（通话记录）。",
                 "No calls in this range. Call records are imported as calls.csv (通话记录) on the import page."),
    "all_queues": ("全部", "All"),
    "slide_calls": ("本周呼叫中心", "Contact centre this week"),
    "kpi_calls_sl": ("服务水平", "Service level"), "kpi_calls_fcr": ("首次解决率", "First-contact resolution"),
    "overview_calls": ("呼叫中心", "Contact centre"),
    "view_call_summary": ("呼叫中心指标", "contact-centre figures"),
    # what complaints are about (the complaints page)
    "topics_title": ("投诉内容分析", "What complaints are about"),
    "topics_intro": ("按类别、渠道或部门：投诉数、占比及较对比期的变化、每百单与每百名活跃客户（期间有订单）的投诉数，"
                     "以及重复投诉（同一客户距上次投诉不超过 {days} 天）。选中一行查看其投诉。",
                     "By category, channel or department: complaints, their share and how it moved on the range compared, "
                     "complaints per 100 orders and per 100 active customers (with orders in the range), and repeat "
                     "complaints (the same customer again within {days} days). Pick a row to see its complaints."),
    "topics_by": ("分析维度", "Break down by"),
    "topics_by_category": ("类别", "Category"), "topics_by_channel": ("渠道", "Channel"),
    "topics_by_department": ("部门", "Department"),
    "topics_top": ("投诉占比（本期与对比期）", "Share of complaints (this range and the one compared)"),
    "topics_records": ("“{what}”的投诉（最多 500 条，仅限您的权限范围）", "Complaints of “{what}” (up to 500, within your scope)"),
    "topics_pick": ("在上表中选中一行，查看其投诉。", "Pick a row above to see its complaints."),
    "topics_none": ("（未填写）", "(not given)"),
    "topics_now": ("本期", "This range"), "topics_before": ("对比期", "Compared"),
    "no_queue": ("（无队列）", "(no queue)"),
    "weekday_1": ("周一", "Mon"), "weekday_2": ("周二", "Tue"), "weekday_3": ("周三", "Wed"), "weekday_4": ("周四", "Thu"),
    "weekday_5": ("周五", "Fri"), "weekday_6": ("周六", "Sat"), "weekday_7": ("周日", "Sun"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "queue": ("队列", "queue"), "offered": ("呼入量", "offered"), "answered": ("接通量", "answered"),
    "abandoned": ("放弃量", "abandoned"), "short_abandoned": ("短时放弃", "short abandons"),
    "within_sl": ("时限内接听", "answered in time"), "service_level": ("服务水平", "service level"),
    "asa_seconds": ("平均应答（秒）", "ASA (s)"), "aht_seconds": ("平均处理（秒）", "AHT (s)"),
    "acw_seconds": ("话后处理（秒）", "ACW (s)"), "abandon_rate": ("放弃率", "abandon rate"),
    "fcr_rate": ("首次解决率", "FCR rate"), "fcr_base": ("首次解决基数", "FCR base"),
    "fcr_resolved": ("首次解决", "resolved first time"), "hour": ("时段", "hour"), "weekday": ("星期", "weekday"),
    "complaint_share": ("占比", "share"), "repeat_complaints": ("重复投诉", "repeat complaints"),
    "orders": ("订单数", "orders"), "active_customers": ("活跃客户", "active customers"),
    "per_100_orders": ("每百单投诉", "per 100 orders"), "per_100_customers": ("每百客户投诉", "per 100 customers"),
    "channel": ("渠道", "channel"), "department": ("部门", "department"),
    "call_id": ("通话编号", "call id"), "started_at": ("开始时间", "started at"), "caller": ("主叫号码", "caller"),
    "call_outcome": ("结果", "outcome"), "wait_seconds": ("等待（秒）", "wait (s)"),
    "handle_seconds": ("处理（秒）", "handle (s)"), "first_contact": ("首次解决", "first contact"),
}
