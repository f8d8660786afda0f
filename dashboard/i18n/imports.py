"""Labels of the import page (数据导入): upload, template, progress, problems and what changed."""
from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "nav_data_import": ("数据导入", "Import"),
    "import_intro": ("上传 CSV 文件或 Excel 工作簿：每类记录一个文件（如 orders.csv、orders.xlsx），或一个工作簿、"
                     "每类记录一个工作表（工作表名可用中文，如“订单”）。列名、选项和日期可以用中文书写。"
                     "只要有一处错误，就什么也不写入。",
                     "Upload CSV files or Excel workbooks: one file per kind of record (orders.csv, orders.xlsx), or one "
                     "workbook with a sheet per kind (sheet names in English or Chinese, such as 订单). Headers, "
                     "labels and dates may be written in Chinese. If anything is wrong, nothing is written."),
    "import_scope_head": ("您是部门主管：导入只能涉及 {department} 及其下属部门的记录；级别、时限等公司规则由经理导入。",
                          "You are a department head: an import may touch only records of {department} and its "
                          "sub-departments; company rules such as tiers and SLA hours are imported by a manager."),
    "import_not_allowed": ("只有经理和部门主管可以导入数据。", "Only managers and department heads import data."),
    "import_template": ("下载导入模板（Excel）", "Download the import template (Excel)"),
    "import_template_note": ("模板每类记录一个工作表，第 1 行是列名，第 2 行是示例；表头单元格的批注列出可用的列名和选项。",
                             "The template has a sheet per kind of record: row 1 the headers, row 2 an example; each "
                             "header cell's comment lists the accepted headers and values."),
    "import_files": ("选择要导入的文件", "Files to import"),
    "import_run": ("导入", "Import"),
    "import_running": ("正在导入…", "Importing…"),
    "import_step_reading": ("正在读取 {what}", "Reading {what}"),
    "import_step_checking": ("正在检查引用和范围", "Checking references and scope"),
    "import_step_writing": ("正在写入 {what}", "Writing {what}"),
    "import_step_done": ("完成", "Done"),
    "import_failed": ("发现 {n} 个问题，未写入任何数据。请修改后重新上传。",
                      "{n} problem(s) found; nothing was written. Correct them and upload again."),
    "import_done": ("导入完成。", "Import complete."),
    "import_unchanged": ("数据库中已有这些记录，没有任何改动。", "The database holds these rows already; nothing changed."),
    "import_pick_files": ("请先选择文件。", "Choose the files first."),
    "import_download_problems": ("下载问题清单（CSV）", "Download the problems (CSV)"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "file": ("文件", "file"), "sheet": ("工作表", "sheet"), "row": ("行", "row"), "column": ("列", "column"),
    "message": ("问题", "problem"), "rows": ("行数", "rows"), "added": ("新增", "added"),
    "updated": ("更新", "updated"), "same": ("未变", "unchanged"), "records": ("记录类别", "records"),
}
