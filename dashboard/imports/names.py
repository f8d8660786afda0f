"""The Chinese names of the import files: each file's sheet name and its columns' accepted headers.

interfaces.md fixes the sheet names; the headers are the product's own (docs/import.md lists them).
Once documented, both are an interface as stable as the English names: they do not follow later
renames of the labels the app shows. A file's FileSpec may add headers of its own (`headers_zh`).
Headers and sheet names are compared as enumerated values are (vocabulary.fold: any case, no
surrounding spaces, full-width forms as ASCII).
"""
from __future__ import annotations

from dashboard.core.vocabulary import fold

# file -> its sheet's Chinese name (interfaces.md)
SHEETS: dict[str, str] = {
    "departments.csv": "部门", "staff.csv": "员工", "customers.csv": "客户", "orders.csv": "订单",
    "tiers.csv": "级别", "sla.csv": "时限", "complaints.csv": "投诉", "plans.csv": "计划",
    "plan_progress.csv": "计划进度", "retention_cases.csv": "挽留案例",
    # round 2
    "staff_training.csv": "培训记录", "staff_history.csv": "工作经历", "work_logs.csv": "客户日志",
    "service_budgets.csv": "服务预算", "cost_entries.csv": "服务成本", "surveys.csv": "满意度调查",
    "calls.csv": "通话记录", "settings.csv": "设置", "evaluations.csv": "考评",
}

# file -> column -> accepted Chinese headers (the first is the one the templates write)
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "departments.csv": {"code": ("部门编号", "部门代码"), "name": ("部门名称", "名称"),
                        "parent_code": ("上级部门编号", "上级部门"), "scope": ("负责范围", "服务范围")},
    "staff.csv": {"staff_no": ("员工编号", "工号"), "name": ("姓名", "员工姓名"),
                  "department_code": ("部门编号", "所属部门"), "role": ("角色", "岗位"),
                  "email": ("邮箱", "电子邮件"), "phone": ("电话", "手机"), "hired_on": ("入职日期",),
                  "title": ("职务",), "gender": ("性别",), "birth_date": ("出生日期",), "address": ("地址", "住址"),
                  "left_on": ("离职日期",), "personal_notes": ("个人备注",)},
    "customers.csv": {"code": ("客户编号", "客户代码"), "name": ("客户名称", "名称"),
                      "department_code": ("部门编号", "所属部门"), "owner_staff_no": ("负责人工号", "客户经理工号"),
                      "industry": ("行业",), "region": ("地区", "区域"), "created_on": ("建档日期", "创建日期"),
                      "contact_name": ("联系人",), "contact_phone": ("联系电话", "联系人电话"),
                      "contact_email": ("联系邮箱", "联系人邮箱"), "address": ("地址",),
                      "company_phone": ("公司电话",), "contact_title": ("联系人职务",),
                      "contact_gender": ("联系人性别",), "contact_birthday": ("联系人生日",),
                      "best_contact_time": ("最佳联系时间",)},
    "tiers.csv": {"name": ("级别名称", "级别"), "rank": ("级别序号", "排序"), "min_amount": ("最低金额", "门槛金额")},
    "sla.csv": {"priority": ("优先级", "紧急程度"), "resolution_hours": ("处理时限（小时）", "处理时限"),
                "response_hours": ("响应时限（小时）", "响应时限")},
    "orders.csv": {"order_no": ("订单编号", "订单号"), "customer_code": ("客户编号", "客户代码"),
                   "order_date": ("订单日期", "下单日期"), "amount": ("金额", "订单金额"),
                   "category": ("类别", "产品类别")},
    "complaints.csv": {"complaint_no": ("投诉编号",), "customer_code": ("客户编号", "客户代码"),
                       "received_at": ("受理时间", "投诉时间"), "priority": ("优先级", "紧急程度"),
                       "content": ("投诉内容", "内容"), "channel": ("渠道", "投诉渠道"), "category": ("类别", "投诉类别"),
                       "handler_staff_no": ("处理人工号", "处理人"), "first_response_at": ("首次响应时间", "响应时间"),
                       "resolved_at": ("解决时间", "办结时间"), "resolution": ("处理结果", "解决方案"),
                       "satisfaction": ("满意度",), "callback_at": ("回访时间",)},
    "plans.csv": {"plan_no": ("计划编号",), "kind": ("种类", "计划或任务"), "type": ("类型", "计划类型"),
                  "horizon": ("周期", "计划周期"), "start_date": ("开始日期",), "end_date": ("结束日期",),
                  "department_code": ("部门编号", "执行部门"), "staff_no": ("员工编号", "执行人工号"),
                  "planned_count": ("计划数量", "计划次数"), "minimum_count": ("最低数量", "最低次数"),
                  "planned_cost": ("计划费用", "预算"), "content": ("内容", "计划内容"), "purpose": ("目的",),
                  "method": ("方式", "方法"), "assigned_by_staff_no": ("下达人工号", "分配人工号")},
    "plan_progress.csv": {"plan_no": ("计划编号",), "recorded_on": ("记录日期", "日期"),
                          "completed_count": ("完成数量", "完成次数"), "cost": ("费用", "实际费用"),
                          "success_count": ("成功数量", "成功次数"), "note": ("备注",)},
    "retention_cases.csv": {"case_no": ("案例编号",), "customer_code": ("客户编号", "客户代码"),
                            "reason": ("原因", "流失原因"), "intent": ("流失意向", "意向"),
                            "method": ("挽留方式", "方式"), "started_on": ("开始日期",), "cost": ("费用", "挽留费用"),
                            "result": ("结果", "挽留结果"), "closed_on": ("结案日期", "结束日期"),
                            "staff_no": ("员工编号", "负责人工号"), "note": ("备注",)},
    # round 2 (interfaces.md's columns; a file's FileSpec may add more through headers_zh)
    "staff_training.csv": {"staff_no": ("员工编号", "工号"), "course": ("课程", "培训课程"), "trained_on": ("培训日期",),
                           "hours": ("学时", "培训时长"), "result": ("结果", "培训结果")},
    "staff_history.csv": {"staff_no": ("员工编号", "工号"), "started_on": ("开始日期",), "ended_on": ("结束日期",),
                          "department_code": ("部门编号",), "role": ("角色", "岗位"), "title": ("职务",),
                          "employer": ("工作单位", "单位")},
    "work_logs.csv": {"log_no": ("日志编号",), "logged_at": ("记录时间", "时间"), "staff_no": ("员工编号", "工号"),
                      "customer_code": ("客户编号", "客户代码"), "source": ("来源", "信息来源"),
                      "service_type": ("服务类型",), "category": ("类别",), "content": ("内容",),
                      "handling": ("处理情况",), "summary": ("小结", "总结"), "satisfaction": ("满意度",)},
    "service_budgets.csv": {"department_code": ("部门编号",), "period": ("期间", "预算期间"),
                            "category": ("类别", "成本类别"), "amount": ("金额", "预算金额"), "note": ("备注",)},
    "cost_entries.csv": {"entry_no": ("成本编号", "记录编号"), "spent_on": ("发生日期", "日期"),
                         "department_code": ("部门编号",), "category": ("类别", "成本类别"), "amount": ("金额",),
                         "staff_no": ("员工编号", "工号"), "plan_no": ("计划编号",), "case_no": ("案例编号",),
                         "description": ("说明", "摘要"), "purpose": ("用途", "目的")},
    "surveys.csv": {"survey_no": ("调查编号",), "customer_code": ("客户编号", "客户代码"),
                    "surveyed_on": ("调查日期",), "staff_no": ("员工编号", "工号"), "csat": ("满意度评分",),
                    "nps": ("推荐度",), "comment": ("意见", "评价")},
    "calls.csv": {"call_id": ("通话编号",), "direction": ("方向", "呼叫方向"), "started_at": ("开始时间", "呼叫时间"),
                  "answered_at": ("接听时间",), "ended_at": ("结束时间",), "wrap_up_seconds": ("话后处理秒数",),
                  "queue": ("队列", "技能组"), "staff_no": ("员工编号", "坐席工号"),
                  "customer_code": ("客户编号", "客户代码"), "caller": ("主叫号码", "来电号码")},
    "settings.csv": {"key": ("设置项", "键"), "value": ("值", "设置值")},
    "evaluations.csv": {"cycle": ("考评周期", "周期"), "evaluator_staff_no": ("评价人工号",),
                        "evaluatee_staff_no": ("被评价人工号",), "relation": ("评价关系", "关系")},
}


def headers(spec) -> dict[str, tuple[str, ...]]:
    """column -> its accepted Chinese headers, for the columns `spec` has."""
    found = {c: HEADERS.get(spec.name, {}).get(c, ()) for c in spec.columns}
    for column, more in spec.headers_zh.items():
        found[column] = tuple(dict.fromkeys(found.get(column, ()) + tuple(more)))
    return found


def header_lookup(spec) -> dict[str, str]:
    """A header as written, folded -> its column: the column's own name or one of its Chinese headers."""
    lookup = {fold(c): c for c in spec.columns}
    for column, names in headers(spec).items():
        for name in names:
            lookup.setdefault(fold(name), column)
    return lookup


def sheet_name(spec) -> str:
    return spec.sheet_zh or SHEETS.get(spec.name, "")


def sheet_lookup(specs) -> dict[str, str]:
    """A sheet name, folded -> its file: the file's name without .csv, or its Chinese name."""
    lookup = {}
    for spec in specs:
        lookup[fold(spec.name.removesuffix(".csv"))] = spec.name
        if sheet_name(spec):
            lookup[fold(sheet_name(spec))] = spec.name
    return lookup
