"""Labels of service cost (服务成本): the page, its entry forms, the card, the slide and the report."""
from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # navigation
    "nav_cost": ("服务成本", "Service cost"),
    "nav_cost_entry": ("预算与费用", "Budgets and costs"),
    # the page
    "cost_intro": ("各部门各类别（人力、设备、资金）的预算、实际、差异和使用率。预算按天数折算到所选期间；"
                   "每个部门只含本部门自己的预算和费用，不含下级部门；只计已批准的预算。",
                   "Budget, actual, variance and usage per department and category (people, equipment, funds). "
                   "Budgets are pro-rated to the chosen range by days; each department's row holds its own budgets "
                   "and costs, not its sub-departments'; only approved budgets count."),
    "kpi_cost_budget": ("预算", "Budget"),
    "kpi_cost_actual": ("实际成本", "Actual cost"),
    "kpi_cost_variance": ("差异（实际−预算）", "Variance (actual − budget)"),
    "kpi_budget_usage": ("预算使用率", "Budget usage"),
    "usage_base": ("{actual} / {budget}", "{actual} of {budget}"),
    "cost_by_department": ("各部门、各类别的预算与实际", "Budget and actual by department and category"),
    "cost_trend": ("每月实际与预算（近 12 个月）", "Actual against budget per month (last 12 months)"),
    "cost_trend_running": ("本月截至 {as_of}：预算也只折算到这一天。", "This month up to {as_of}: its budget is pro-rated to that day too."),
    "cost_largest": ("最大的费用", "The largest costs"),
    "cost_links": ("计划、任务和挽留案例的费用", "Costs of plans, tasks and retention cases"),
    "cost_links_note": ("费用记录按关联的计划、任务或挽留案例汇总，旁边是它们自己的计划成本和记录成本（这些不计入上面的实际成本）。",
                        "Cost entries per linked plan, task or retention case, beside their own planned and recorded "
                        "cost (which do not count in the actual cost above)."),
    "cost_drill": ("明细：选一个部门和类别", "Entries: pick a department and category"),
    "cost_drill_pick": ("点击上表中的一行查看该部门该类别的费用明细。",
                        "Select a row of the table above to see that department's entries of that category."),
    "cost_drill_of": ("{department} · {category} 的费用明细", "Entries of {department} · {category}"),
    "cost_entries_shown": ("显示最近 {shown} 条，共 {total} 条。", "The latest {shown} of {total} entries."),
    "budget_rows": ("与所选期间重叠的预算", "Budgets overlapping the range"),
    "series_budget": ("预算", "budget"), "series_actual": ("实际", "actual"),
    "view_service_cost": ("服务成本", "service cost"),
    # the forms
    "cost_entry_intro": ("主管为本部门及下级部门提交预算，经理批准后生效；经理录入的预算直接生效。每次调整都保留原值、调整人、时间和前后金额。"
                         "费用记录由主管和客服录入，冲正请录入负数。",
                         "Heads propose budgets for their department and its sub-departments, which count once a "
                         "manager approves them; a manager's budget counts as saved. Every adjustment keeps the "
                         "original, who changed it, when, and the amount before and after. Heads and agents record "
                         "costs; a correction is a negative amount."),
    "tab_cost_entry": ("录入费用", "Record a cost"),
    "tab_budget": ("预算", "Budgets"),
    "tab_budget_approval": ("待审批", "Waiting for approval"),
    "f_spent_on": ("费用日期", "Date"),
    "f_cost_category": ("类别", "Category"),
    "f_cost_amount": ("金额（元，冲正为负数）", "Amount (yuan; a correction is negative)"),
    "f_cost_staff": ("员工（可选）", "Staff member (optional)"),
    "f_cost_plan": ("关联计划或任务编号（可选）", "Linked plan or task number (optional)"),
    "f_cost_case": ("关联挽留案例编号（可选）", "Linked retention case number (optional)"),
    "f_description": ("说明", "Description"),
    "f_cost_purpose": ("用途", "Purpose"),
    "f_budget_period": ("期间（2026、2026-Q2、2026-05 或 2026-W21）", "Period (2026, 2026-Q2, 2026-05 or 2026-W21)"),
    "f_budget_amount": ("预算金额（元）", "Budget amount (yuan)"),
    "f_budget_pick": ("预算", "Budget"),
    "new_budget": ("新预算", "New budget"),
    "save_budget_manager": ("保存（直接生效）", "Save (counts at once)"),
    "save_budget_head": ("提交审批", "Propose for approval"),
    "approve": ("批准", "Approve"), "reject": ("驳回", "Reject"),
    "budget_decided": ("已处理：{what}", "Done: {what}"),
    "budget_current": ("当前金额 {current}，原始金额 {original}", "Current {current}, original {original}"),
    "budget_pending": ("待审批的调整：{amount}", "A change waiting for approval: {amount}"),
    "budget_pick_history": ("点击上表中的一条预算查看它的调整记录（原值、调整人、时间、调整前后）。",
                            "Select a budget above to see its adjustments (original, who, when, before and after)."),
    "budget_history": ("调整记录", "Adjustments"),
    "no_budget_pick": ("所选期间没有预算。", "No budget overlaps the chosen period."),
    "agents_no_budgets": ("预算由主管提交、经理批准。", "Budgets are proposed by heads and approved by managers."),
    # errors
    "err_named_period": ("“{value}”不是期间：请写年份 2026、季度 2026-Q2、月份 2026-05 或周 2026-W21。",
                         "'{value}' is not a period: write a year 2026, quarter 2026-Q2, month 2026-05 or week 2026-W21."),
    "err_not_zero": ("金额不能为 0（冲正请录入负数）。", "The amount must not be 0 (a correction is negative)."),
    "err_one_link": ("只能关联一个计划/任务或一个挽留案例。", "Link one plan or task, or one retention case, not both."),
    "err_nothing_to_decide": ("这条预算没有待审批的内容。", "This budget has nothing waiting for approval."),
    # overview, slide, report
    "card_budget_usage": ("服务成本预算使用率", "Service cost budget usage"),
    "slide_cost": ("服务成本：预算与实际", "Service cost: budget and actual"),
    "report_cost": ("服务成本", "Service cost"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "category": ("类别", "category"),
    "budget": ("预算", "budget"), "actual": ("实际", "actual"), "variance": ("差异", "variance"),
    "budget_usage": ("使用率", "budget_usage"), "entry_no": ("费用编号", "entry_no"),
    "entry_date": ("日期", "entry_date"), "amount": ("金额", "amount"), "plan_kind": ("计划/任务", "plan_kind"),
    "description": ("说明", "description"), "purpose": ("用途", "purpose"),
    "link_kind": ("关联", "link"), "link_no": ("编号", "number"), "subject": ("内容", "subject"),
    "entries": ("费用笔数", "entries"), "entry_cost": ("关联费用", "entry_cost"),
    "own_planned_cost": ("自身计划成本", "own_planned_cost"), "own_recorded_cost": ("自身记录成本", "own_recorded_cost"),
    "period": ("期间", "period"), "period_start": ("开始", "period_start"), "period_end": ("结束", "period_end"),
    "original_amount": ("原始金额", "original_amount"), "proposed_amount": ("待批调整", "proposed_amount"),
    "in_range": ("折算到本期", "in_range"), "proposed_by": ("提交人", "proposed_by"),
    "decided_by": ("审批人", "decided_by"), "at": ("时间", "at"), "actor": ("操作人", "actor"),
    "action": ("操作", "action"), "amount_before": ("调整前", "amount_before"), "amount_after": ("调整后", "amount_after"),
    "month": ("月份", "month"),
}
