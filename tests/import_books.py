"""The same records three ways, for the import tests: English codes in CSV, a Chinese office's CSV
(Chinese headers, labels and dates) and a Chinese office's workbook (Chinese sheet names, typed cells)."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl

ENGLISH = {
    "departments.csv": "code,name,parent_code,scope\nHQ,总部,,全国\nEAST,华东客服部,HQ,华东\nWEST,华西客服部,HQ,华西\n",
    "staff.csv": "staff_no,name,department_code,role,email,hired_on\nS1,王芳,EAST,agent,wf@example.cn,2024-03-01\n"
                 "S2,刘洋,EAST,head,,\nS0,李强,HQ,manager,,\nS3,陈静,WEST,agent,,\n",
    "customers.csv": "code,name,department_code,owner_staff_no,created_on\nC1,上海华信科技有限公司,EAST,S1,2025-01-02\n"
                     "1001,杭州云栖贸易,EAST,S1,2025-02-03\nC3,成都蓉城物流,WEST,S3,\n",
    "orders.csv": "order_no,customer_code,order_date,amount,category\nO1,C1,2026-05-01,1200.50,产品\n"
                  "O2,C1,2026-05-02,-200.5,退款\nO3,1001,2026-04-11,0.1,服务\nO4,C3,2026-05-09,35000,产品\n",
    "tiers.csv": "name,rank,min_amount\nGold,1,1000\nRegular,2,0.01\n",
    "sla.csv": "priority,resolution_hours,response_hours\nurgent,2,0.5\nlow,48,\n",
    "complaints.csv": "complaint_no,customer_code,received_at,priority,content,handler_staff_no,resolved_at,satisfaction\n"
                      "T1,C1,2026-05-01 09:00:00,urgent,到货晚了,S1,2026-05-01 10:30:00,4\n"
                      "T2,1001,2026-05-03 14:05:00,normal,发票错误,,,\n",
    "plans.csv": "plan_no,kind,type,horizon,start_date,end_date,department_code,staff_no,planned_count,minimum_count,"
                 "planned_cost,method,assigned_by_staff_no\n"
                 "P1,task,visit,month,2026-05-01,2026-05-31,EAST,S1,10,8,500.00,phone,S2\n"
                 "P2,plan,publicity,quarter,2026-04-01,2026-06-30,EAST,,3,2,1500,微信群,\n"
                 "P3,plan,visit,year,2026-01-01,2026-12-31,WEST,S3,40,30,8000.5,email,\n",
    "plan_progress.csv": "plan_no,recorded_on,completed_count,cost,success_count,note\nP1,2026-05-03,4,100.00,3,首周\n"
                         "P3,2026-04-30,12,2400,,\n",
    "retention_cases.csv": "case_no,customer_code,reason,intent,method,started_on,cost,result,closed_on,staff_no\n"
                           "R1,C1,price,at_risk,discount,2026-05-01,300,retained,2026-05-20,S1\n"
                           "R2,C3,competitor,churned,visit,2026-04-02,0,pending,,\n",
}

CHINESE = {
    "departments.csv": "部门编号,部门名称,上级部门编号,负责范围\nHQ,总部,,全国\nEAST,华东客服部,HQ,华东\nWEST,华西客服部,HQ,华西\n",
    "staff.csv": "工号,姓名,部门编号,角色,邮箱,入职日期\nS1,王芳,EAST,客服专员,wf@example.cn,2024/3/1\n"
                 "S2,刘洋,EAST,主管,,\nS0,李强,HQ, 经理 ,,\nS3,陈静,WEST,专员,,\n",
    "customers.csv": "客户编号,客户名称,所属部门,负责人工号,建档日期\nC1,上海华信科技有限公司,EAST,S1,2025年1月2日\n"
                     "1001,杭州云栖贸易,EAST,S1,2025/2/3\nC3,成都蓉城物流,WEST,S3,\n",
    "orders.csv": "订单编号,客户编号,订单日期,金额,类别\nO1,C1,2026/5/1,1200.50,产品\n"
                  "O2,C1,2026年5月2日,-200.5,退款\nO3,1001,2026-04-11,0.10,服务\nO4,C3,2026/05/09,35000.00,产品\n",
    "tiers.csv": "级别名称,级别序号,最低金额\nGold,1,1000\nRegular,2,0.01\n",
    "sla.csv": "优先级,处理时限（小时）,响应时限(小时)\n紧急,2,0.5\n低,48,\n",
    "complaints.csv": "投诉编号,客户编号,受理时间,优先级,投诉内容,处理人工号,解决时间,满意度\n"
                      "T1,C1,2026/5/1 9:00,特急,到货晚了,S1,2026年5月1日 10:30,4\n"
                      "T2,1001,2026年5月3日 14:05:00,一般,发票错误,,,\n",
    "plans.csv": "计划编号,种类,类型,周期,开始日期,结束日期,部门编号,员工编号,计划数量,最低数量,计划费用,方式,下达人工号\n"
                 "P1,任务,拜访,月度,2026/5/1,2026/5/31,EAST,S1,10,8,500,电话,S2\n"
                 "P2,计划,宣传,季度,2026年4月1日,2026年6月30日,EAST,,3,2,1500.00,微信群,\n"
                 "P3,计划,访问,年,2026-01-01,2026-12-31,WEST,S3,40,30,8000.50,E-mail,\n",
    "plan_progress.csv": "计划编号,记录日期,完成数量,费用,成功数量,备注\nP1,2026/5/3,4,100,3,首周\nP3,2026/4/30,12,2400,,\n",
    "retention_cases.csv": "案例编号,客户编号,流失原因,流失意向,挽留方式,开始日期,费用,挽留结果,结案日期,负责人工号\n"
                           "R1,C1,价格,流失倾向,折扣,2026/5/1,300,挽留成功,2026/5/20,S1\n"
                           "R2,C3,竞品,已流失,上门,2026/4/2,0,跟进中,,\n",
}

SHEETS = {"departments.csv": "部门", "staff.csv": "员工", "customers.csv": "客户", "orders.csv": "订单",
          "tiers.csv": "级别", "sla.csv": "时限", "complaints.csv": "投诉", "plans.csv": "计划",
          "plan_progress.csv": "计划进度", "retention_cases.csv": "挽留案例"}


def write_files(directory: Path, files: dict[str, str | bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content.encode() if isinstance(content, str) else content)
    return directory


def _typed(value: str):
    """A cell as an office types it into Excel: dates and times as such, numbers as numbers."""
    if re.fullmatch(r"\d{4}[/年-]\d{1,2}[/月-]\d{1,2}日?", value):
        try:
            return date(*map(int, re.findall(r"\d+", value)))
        except ValueError:
            return value  # not a date: typed as text
    if re.fullmatch(r"\d{4}[/年-]\d{1,2}[/月-]\d{1,2}日? \d{1,2}:\d{2}(:\d{2})?", value):
        parts = list(map(int, re.findall(r"\d+", value)))
        return datetime(*parts)
    if re.fullmatch(r"-?\d+", value) and not value.startswith("0"):
        return int(value)
    if re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    return value


def workbook(files: dict[str, str], sheets: dict[str, str] | None = None, formulas: dict | None = None) -> bytes:
    """A workbook with a sheet per file (named by `sheets`, by default the Chinese names), cells typed;
    `formulas`: {(file, row, column): (formula, cached value or None)}."""
    sheets = SHEETS if sheets is None else sheets
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, content in files.items():
        sheet = book.create_sheet(sheets.get(name, name))
        lines = content.strip("\n").split("\n")
        sheet.append(lines[0].split(","))
        for line in lines[1:]:
            sheet.append([None if c == "" else _typed(c) for c in line.split(",")])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # typed text, not a formula
        for (file, row, col), (formula, _) in (formulas or {}).items():
            if file == name:
                sheet.cell(row=row, column=col, value=formula)
    data = io.BytesIO()
    book.save(data)
    return with_cached_values(data.getvalue(), formulas or {}, sheets)


def with_cached_values(data: bytes, formulas: dict, sheets: dict[str, str]) -> bytes:
    """openpyxl writes formulas without a cached value; Excel saves one: put it in the sheet's XML."""
    if not formulas:
        return data
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        book = openpyxl.load_workbook(io.BytesIO(data))
        index = {title: i + 1 for i, title in enumerate(book.sheetnames)}
        for item in source.infolist():
            xml = source.read(item.filename)
            for (file, row, col), (formula, cached) in formulas.items():
                if cached is None or item.filename != f"xl/worksheets/sheet{index[sheets.get(file, file)]}.xml":
                    continue
                ref = f"{openpyxl.utils.get_column_letter(col)}{row}"
                xml = re.sub(rf'(<c r="{ref}"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>'.encode(),
                             lambda m: m[1] + f"<v>{cached}</v>".encode(), xml)
            target.writestr(item, xml)
    return out.getvalue()
