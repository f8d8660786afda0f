"""Every figure of the product, one module per domain, computed in SQL.

One function per figure or view, `(connection, scope, parameters) -> DataFrame`: pages, the
command line, the exports, the weekly review and the tests all call these, through a typed
`Call` (dashboard.core.calls). The modules:

- complaints: complaint timeliness (投诉处理及时性), the overdue list, complaints waiting
- plans: plan and task tracking (计划跟踪), open work
- fluctuation: business fluctuation (业务波动), the volume trend
- tiers: tiers and tier changes (级别升降)
- grading: RFM and ABC grading (客户分级)
- retention: retention cases and cost (客户挽留), the at-risk list
- evaluation: 360 reviews (业绩考核)
- records: plain reads of records (lists for pickers, one record by its number)
- sql, totals: what they share (scope, frames, named rates; the running totals of orders)
"""
