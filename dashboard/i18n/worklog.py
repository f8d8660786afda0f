"""Labels of work records that can be corrected: editing plans and tasks, progress corrections."""
from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "err_not_plan_maker": ("只有创建人或分派人可以修改此计划/任务。", "Only whoever created or assigned this plan or task may edit it."),
    "err_no_progress_on": ("{value} 没有进度记录。", "There is no progress record on {value}."),
    "err_no_change": ("与现有记录相同，没有需要更正的内容。", "Nothing differs from the record as it stands."),
    "tab_edit": ("修改计划/任务", "Edit a plan or task"),
    "edit_intro": ("创建人或分派人可以修改；进度不受影响，完成情况按新的计划数重新计算。",
                   "Its creator or assigner may edit it; progress stays, and completion follows the new figures."),
    "edit_none": ("没有您可修改的计划或任务。", "No plan or task you may edit."),
    "made_by": ("创建人：{made} · 分派人：{assigned}", "Created by: {made} · Assigned by: {assigned}"),
    "tab_correct": ("更正进度", "Correct progress"),
    "correct_intro": ("更正不会覆盖原记录：系统按记录日期添加一条更正记录（差额），并记下更正人和原因。全部填 0 即撤销该记录。",
                      "A correction never overwrites the entry: a correcting entry with the difference is added on the entry's date, with who made it and why. Zeros withdraw the entry."),
    "f_correct_entry": ("要更正的记录", "Entry to correct"),
    "f_correction_reason": ("更正原因", "Reason for the correction"),
    "correct_save": ("保存更正", "Save the correction"),
    "progress_entries": ("进度记录（含更正）", "Progress entries (with corrections)"),
    "plan_record": ("计划档案", "Plan record"),
    "no_progress_yet": ("尚无进度记录。", "No progress recorded yet."),
    "plan_details": ("目的、方式与成功情况", "Purpose, method and successes"),
    "open_task": ("打开任务", "Open task"),
    "entry_original": ("原记录", "Entry"), "entry_correction": ("更正", "Correction"),
    "plans_record_pick": ("查看计划档案", "Open a plan's record"),
    "kpi_service_successes": ("服务成功数", "Services successful"),
    "kpi_service_success_rate": ("服务成功率", "Service success rate"),
    "pick_row_to_open": ("点击行首选择一行即可打开其记录。", "Select a row (its first cell) to open its record."),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "entry": ("记录类型", "entry"), "net_completed": ("更正后完成数", "net_completed"),
    "net_success": ("更正后成功数", "net_success"), "net_cost": ("更正后费用", "net_cost"),
    "corrections": ("更正次数", "corrections"), "entered_at": ("录入时间", "entered_at"),
    "recorded_on": ("记录日期", "recorded_on"), "completed_count": ("完成数", "completed_count"),
    "success_count": ("成功数", "success_count"),
}
