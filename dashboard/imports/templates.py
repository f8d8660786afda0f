"""The import template: one workbook with a sheet per file, in the user's language.

Each sheet's header row names the columns (the first Chinese header in Chinese, the column's own
name in English; the import accepts both), each header cell's comment lists every accepted header,
whether the column is required and, for an enumerated column, its accepted names; one example row
follows. Every cell is a text cell, never a formula (an example code like '=1' stays text).
"""
from __future__ import annotations

import functools
import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from dashboard.imports import names
from dashboard.imports.files import specs

EXAMPLES: dict[str, dict[str, str]] = {
    "departments.csv": {"code": "EAST", "name": "华东客服部", "scope": "上海、江苏、浙江"},
    "staff.csv": {"staff_no": "S1001", "name": "王芳", "department_code": "EAST", "role": "客服专员",
                  "email": "wangfang@example.cn", "phone": "13800138000", "hired_on": "2024/3/1"},
    "customers.csv": {"code": "C10001", "name": "上海华信科技有限公司", "department_code": "EAST",
                      "owner_staff_no": "S1001", "industry": "制造", "region": "上海", "created_on": "2025/1/2",
                      "contact_name": "张伟", "contact_phone": "021-66668888"},
    "tiers.csv": {"name": "金牌", "rank": "1", "min_amount": "100000"},
    "sla.csv": {"priority": "紧急", "resolution_hours": "4", "response_hours": "1"},
    "orders.csv": {"order_no": "O2026050001", "customer_code": "C10001", "order_date": "2026/5/1",
                   "amount": "1200.50", "category": "产品"},
    "complaints.csv": {"complaint_no": "T00000001", "customer_code": "C10001", "received_at": "2026/5/1 9:30",
                       "priority": "紧急", "content": "到货延迟三天", "channel": "电话", "handler_staff_no": "S1001"},
    "plans.csv": {"plan_no": "P0000001", "kind": "任务", "type": "拜访", "horizon": "月度", "start_date": "2026/5/1",
                  "end_date": "2026/5/31", "department_code": "EAST", "staff_no": "S1001", "planned_count": "10",
                  "minimum_count": "8", "planned_cost": "500", "content": "拜访重点客户", "method": "电话"},
    "plan_progress.csv": {"plan_no": "P0000001", "recorded_on": "2026/5/8", "completed_count": "3", "cost": "120",
                          "success_count": "2", "note": "首周"},
    "retention_cases.csv": {"case_no": "R000001", "customer_code": "C10001", "reason": "价格", "intent": "流失倾向",
                            "method": "折扣", "started_on": "2026/5/1", "cost": "300", "result": "跟进中"},
    "service_budgets.csv": {"department_code": "EAST", "period": "2026-Q2", "category": "人力", "amount": "180000",
                            "note": "季度预算"},
    "cost_entries.csv": {"entry_no": "E0000001", "spent_on": "2026/5/6", "department_code": "EAST", "category": "资金",
                         "amount": "1200.50", "staff_no": "S1001", "plan_no": "P0000001", "description": "客户答谢会场地费",
                         "purpose": "维护重点客户"},
}

_TEXT = {"zh": {"required": "必填", "optional": "选填", "headers": "可用列名", "values": "可填写",
                "free": "其他文字照原样保存", "note": "第 2 行是示例，导入前请替换或删除。"},
         "en": {"required": "required", "optional": "optional", "headers": "accepted headers",
                "values": "accepted values", "free": "any other text is kept as written",
                "note": "Row 2 is an example: replace or delete it before importing."}}


def _comment(spec, column: str, lang: str) -> str:
    words = _TEXT[lang]
    required, parse = spec.columns[column]
    lines = [words["required" if required else "optional"],
             f"{words['headers']}: " + ", ".join((column,) + names.headers(spec).get(column, ()))]
    enumeration = getattr(parse, "enumeration", None)
    if enumeration is not None:
        lines.append(f"{words['values']}: " + "; ".join(
            f"{code} = {', '.join(enumeration.names(code)[1:])}" for code in enumeration.codes))
        if parse.__qualname__.startswith("named_or_text"):
            lines.append(words["free"])
    return "\n".join(lines)


@functools.lru_cache(maxsize=2)
def template_workbook(lang: str) -> bytes:
    """The template workbook: a sheet per import file, in the order they are imported."""
    book = Workbook()
    book.remove(book.active)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for spec in specs():
        title = names.sheet_name(spec) if lang == "zh" and names.sheet_name(spec) else spec.name.removesuffix(".csv")
        sheet = book.create_sheet(title=title[:31])
        example = EXAMPLES.get(spec.name, {})
        for index, column in enumerate(spec.columns, start=1):
            zh = names.headers(spec).get(column, ())
            header = sheet.cell(row=1, column=index, value=zh[0] if lang == "zh" and zh else column)
            header.data_type = "s"
            header.font, header.fill = bold, fill
            comment = _comment(spec, column, lang)
            if index == 1:
                comment = _TEXT[lang]["note"] + "\n" + comment
            header.comment = Comment(comment, "客服管理系统", width=320, height=160)
            if column in example:
                cell = sheet.cell(row=2, column=index, value=example[column])
                cell.data_type = "s"  # text as text, never a formula
            sheet.column_dimensions[header.column_letter].width = max(12, len(str(header.value)) * 2 + 4)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
