"""An import's problems as a table for the import page: file, sheet, row, column, message.

The import names each problem `file:line: column: message` (or `BOOK.xlsx:SHEET:ROW: ...`); the
page shows the parts in columns, the message in the user's language (the Chinese wording of each
message the import writes; one it does not know is shown as written).
"""
from __future__ import annotations

import re

import pandas as pd

_PROBLEM = re.compile(r"^(?P<file>[^:]+?)(?::(?P<sheet>[^:]+))?:(?P<row>\d+): (?P<column>.*?): (?P<message>.*)$", re.S)

# (the English message, as a pattern) -> its Chinese wording; groups carry the values over
_ZH: list[tuple[str, str]] = [
    (r"required value is empty", "必填项为空"),
    (r"required column is missing", "缺少必填列"),
    (r"unknown column", "无法识别的列名"),
    (r"column appears more than once", "该列出现了不止一次"),
    (r"(.*) is not one of (.*?) \(accepted: (.*)\)", r"\1 不是可接受的值（可填写：\3）"),
    (r"(.*) is not a date YYYY-MM-DD \(or 2026/5/1, 2026年5月1日\)", r"\1 不是日期（应写作 2026-05-01、2026/5/1 或 2026年5月1日）"),
    (r"(.*) is not a valid date and time", r"\1 不是有效的日期时间"),
    (r"(.*) is not a valid date", r"\1 不是有效的日期"),
    (r"(.*) is not an ISO 8601 timestamp \(or 2026/5/1 9:30, 2026年5月1日 9:30\)",
     r"\1 不是日期时间（应写作 2026-05-01 09:30、2026/5/1 9:30 或 2026年5月1日 9:30）"),
    (r"(.*) is not an amount with up to 2 decimal places", r"\1 不是金额（最多两位小数）"),
    (r"(.*) is not a whole number >= 0", r"\1 不是非负整数"),
    (r"(.*) is not a whole number (\d+)-(\d+)", r"\1 不是 \2–\3 之间的整数"),
    (r"(.*) must not be negative", r"\1 不能为负数"),
    (r"(.*) must be more than 0", r"\1 必须大于 0"),
    (r"must be more than 0", "必须大于 0"),
    (r"must be 1 or more", "必须不小于 1"),
    (r"(.*) is outside (.*) \.\. (.*)", r"\1 超出范围 \2 至 \3"),
    (r"(.*) starts with (.*): a code may not start with = \+ - or @", r"\1 以 \2 开头：编号不能以 = + - 或 @ 开头"),
    (r"is ([\d,]+) characters long; at most ([\d,]+)", r"长度为 \1 个字符，最多 \2 个"),
    (r"(department|customer|staff member|plan) '(.*)' does not exist",
     r"\1 '\2' 不存在"),
    (r"duplicate key (.*) \(first on line (\d+)\)", r"重复的编号 \1（首次出现在第 \2 行）"),
    (r"(.*) is more than (\w+) (.*)", r"\1 大于 \2 \3"),
    (r"(.*) is before (\w+)(.*)", r"\1 早于 \2\3"),
    (r"a callback needs resolved_at", "有回访时间就必须有解决时间"),
    (r"(.*) is also on line (\d+)", r"\1 与第 \2 行重复"),
    (r"contains a NUL character .*", "含有 NUL 字符（\\x00）"),
    (r"not valid UTF-8 \(byte (\d+)\); in Excel, save it as 'CSV UTF-8'",
     r"不是有效的 UTF-8 编码（第 \1 字节）；请在 Excel 中另存为“CSV UTF-8”"),
    (r"has (\d+) fields, the header has (\d+)", r"有 \1 个字段，表头有 \2 个"),
    (r"a formula without a saved value .*", "公式没有保存的计算结果（请在 Excel 中打开并保存，或直接填写数值）"),
    (r"a value in column (\d+), which has no header", r"第 \1 列有内容但没有列名"),
    (r"unknown sheet \(expected one of (.*)\)", r"无法识别的工作表名（可用：\1）"),
    (r"sheet (.*) holds (.*) already", r"工作表 \1 已包含 \2"),
    (r"unknown file \(expected one of (.*)\)", r"无法识别的文件名（可用：\1）"),
    (r"both (.*) and (.*) are given; keep one", r"同时提供了 \1 和 \2，请只保留一个"),
    (r"(.*) is given twice \(also (.*)\)", r"\1 提供了两次（另见 \2）"),
    (r"the (file|sheet) is empty \(a header row is required\)", "内容为空（第一行必须是表头）"),
    (r"the workbook has no sheet", "工作簿中没有工作表"),
    (r"not an Excel workbook .*", "不是 Excel 工作簿（.xlsx）"),
    (r"neither a \.csv file nor an \.xlsx workbook", "不是 .csv 文件，也不是 .xlsx 工作簿"),
    (r"only a manager may import (.*)", r"只有经理可以导入 \1"),
    (r"(.*) is already used by a record outside your departments", r"\1 已被您部门范围以外的记录使用"),
    (r"your own department's place is changed by a manager", "本部门的上级部门只能由经理修改"),
    (r"the tier table would be empty", "级别表不能为空"),
    (r"'none' is reserved for customers without a tier", "'none' 保留给没有级别的客户"),
    (r"department '(.*)' would be its own ancestor", r"部门 '\1' 会成为自己的上级"),
]
_WHAT_ZH = {"department": "部门", "customer": "客户", "staff member": "员工", "plan": "计划"}


def message_zh(message: str) -> str:
    for pattern, wording in _ZH:
        if re.fullmatch(pattern, message, re.S):
            text = re.sub(f"^(?:{pattern})$", wording, message, flags=re.S)
            for what, zh in _WHAT_ZH.items():
                if text.startswith(what + " '"):
                    text = zh + text[len(what):]
            return text
    return message


def problem_table(problems: list[str], lang: str) -> pd.DataFrame:
    """One row per problem: file, sheet, row, column, message (in `lang`)."""
    rows = []
    for problem in problems:
        m = _PROBLEM.match(problem)
        if m is None:
            rows.append({"file": "", "sheet": "", "row": None, "column": "", "message": problem})
            continue
        message = m["message"]
        rows.append({"file": m["file"], "sheet": m["sheet"] or "", "row": int(m["row"]),
                     "column": "" if m["column"] == "-" else m["column"],
                     "message": message_zh(message) if lang == "zh" else message})
    return pd.DataFrame(rows, columns=["file", "sheet", "row", "column", "message"]).astype({"row": "Int64"})


def outcome_table(counts: dict[str, dict[str, int]], lang: str) -> pd.DataFrame:
    """One row per kind of record imported (its sheet name in `lang`): rows read, added, updated, unchanged."""
    from dashboard.imports.names import SHEETS

    def entity(name: str) -> str:
        return SHEETS.get(name, name) if lang == "zh" else name.removesuffix(".csv")

    return pd.DataFrame([{"records": entity(name), "rows": n["rows"], "added": n["added"], "updated": n["updated"],
                          "same": n["unchanged"]} for name, n in counts.items()],
                        columns=["records", "rows", "added", "updated", "same"])
