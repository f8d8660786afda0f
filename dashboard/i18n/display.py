"""Labels of how figures are shown (issue 20): the downloads' names, table headers that were
still export names, the ranges compared, the quick periods, the first start."""
from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # a download is named by what it holds, not by its export view's internal name
    "view_complaints": ("投诉明细", "complaints"), "view_complaint_summary": ("投诉汇总", "complaint summary"),
    "view_plans": ("计划与任务", "plans and tasks"), "view_fluctuation": ("业务波动", "business fluctuation"),
    "view_tiers": ("级别变化", "tier changes"), "view_retention": ("挽留成本", "retention cost"),
    "view_grading": ("客户分级", "customer grading"),
    "choose_options": ("请选择（可多选）", "Choose one or more"),
    "all_columns": ("显示全部列", "Show all columns"),
    "choose_one": ("请选择", "Choose one"),
    # the weekly review and report: both ranges compared, as ISO dates
    "review_compared": ("{current} · 对比上周同期 {previous} · 去年同期 {last_year}",
                        "{current} · against the same days of last week {previous} · last year {last_year}"),
    "last_week_value": ("上周 {value}", "last week {value}"),
    "last_year_value": ("去年同期 {value}", "same days last year {value}"),
    "kpi_median_duration": ("解决时长中位数", "Median resolution time"),
    "overdue_slide": ("超时未结投诉", "Overdue open complaints"),
    "chart_by_priority": ("本周投诉按优先级：按时 / 超时 / 处理中", "This week's complaints by priority: met / breached / pending"),
    "seconds_unit": ("翻页间隔（秒）", "Seconds per slide"),
    "seconds_each": ("每页 {value} 秒", "{value} s a slide"),
    "slide_against": ("对比上周同期", "against last week's"),
    # quick periods next to the period picker
    "quick_period": ("快速选择", "Quick choice"),
    "quick_last_week": ("上一个完整周", "Last complete week"),
    "quick_last_month": ("上一个完整月", "Last complete month"),
    "quick_month_to_date": ("本月至今", "This month to date"),
    # retention ROI over the windows that have closed
    "roi_open_windows": ("其中 {open} 个案例的 180 天窗口尚未结束，未计入回报率",
                         "{open} cases' 180-day windows are still open and not in the ROI"),
    "roi_not_yet_known": ("尚不可知（180 天窗口均未结束）", "not yet known (every 180-day window still open)"),
    "col_group": ("分组", "Group"), "col_priority": ("优先级", "Priority"), "col_period_start": ("期初", "Period start"),
    "col_period_end": ("截至", "As of"), "col_state": ("状态", "State"), "col_result": ("结果", "Result"),
    "col_tier": ("级别", "Tier"), "col_department": ("部门", "Department"), "col_code": ("编号", "Code"),
    "col_flag": ("标记", "Flag"), "col_segment": ("分类", "Segment"),
    # drill-down: a chart's group or a card leads to its records; the filter shown with a way to clear it
    "drill_active": ("筛选：{what} · 清除", "Filter: {what} · clear"),
    "drill_clear_help": ("清除此筛选，显示全部记录", "Clear this filter and show every record"),
    "drill_records": ("查看明细", "Show records"),
    "drill_toast": ("下方明细已筛选：{what}", "The list below now shows: {what}"),
    "drill_count": ("显示 {shown} 条，共 {total} 条", "{shown} of {total} records"),
    "drill_hint": ("点击图中的柱形或方格，下方明细只显示该组；再次点击或点“清除”恢复全部。",
                   "Click a bar or cell to list only its records below; click it again or “clear” to show all."),
    "drill_listed": ("共 {shown} 条", "{shown} records"),
    "drill_first_only": ("列出前 {shown} 条（完整明细见下载）", "The first {shown} listed (every one in the download)"),
    "drill_first": ("列出前 {shown} 条，共 {total} 条（完整明细见下载）", "The first {shown} of {total} listed (every one in the download)"),
    "abc_class_a": ("A 类客户", "A-class customers"), "drill_all_graded": ("全部已分级客户", "every graded customer"),
    "retention_cases": ("挽留案例明细", "Retention cases"),
    "drill_period_records": ("本期记录", "this period's records"),
    "days_short": ("{value} 天", "{value} d"), "hours_short": ("{value} 小时", "{value} h"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "due_at": ("回访期限", "due_at"), "customers": ("客户数", "customers"),
    "customer_share": ("客户占比", "customer_share"), "revenue_share": ("收入占比", "revenue_share"),
    "department_name": ("部门", "department_name"), "days_overdue": ("超时(天)", "days_overdue"),
    "overdue": ("超时", "overdue"), "version": ("版本", "version"), "content": ("内容", "content"),
    "history_at": ("时间", "at"), "history_actor": ("操作人", "by"), "history_action": ("操作", "action"),
    "history_before": ("修改前", "before"), "history_after": ("修改后", "after"), "resolution_days": ("解决时长(天)", "resolution_days"),
    "case_no": ("案例编号", "case_no"), "started_on": ("开始日期", "started_on"), "closed_on": ("结束日期", "closed_on"),
    "result": ("结果", "result"), "cost": ("挽留成本", "cost"),
}
