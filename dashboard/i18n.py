"""Labels in Chinese and English. Every label a user sees comes from here."""
from __future__ import annotations

LANGUAGES = {"zh": "中文", "en": "English"}

LABELS: dict[str, tuple[str, str]] = {
    # app and navigation
    "app_title": ("客服管理系统", "Customer Service Dashboard"),
    "language": ("语言", "Language"),
    "nav_overview": ("总览", "Overview"),
    "nav_plans": ("计划跟踪", "Plan tracking"),
    "nav_complaints": ("投诉及时性", "Complaint timeliness"),
    "nav_fluctuation": ("业务波动与级别", "Fluctuation & tiers"),
    "nav_retention": ("挽留成本", "Retention cost"),
    "nav_grading": ("客户分级", "Customer grading"),
    "section_analysis": ("分析", "Analysis"),
    "loading_demo": ("首次启动：正在创建数据库并加载演示数据，约需十几秒…",
                     "First start: creating the database and loading demo data; this takes a few seconds…"),
    "demo_loaded": ("演示数据已加载", "Demo data loaded"),
    "db_unreachable": ("无法连接数据库：{error}。请检查 DATABASE_URL 或数据库服务后刷新页面。",
                       "Cannot reach the database: {error}. Check DATABASE_URL or the database server, then reload."),
    "db_not_migrated": ("数据库尚未建表。请运行 `python -m dashboard migrate`（如需演示数据再运行 `python -m dashboard demo`）。",
                        "The database has no schema yet. Run `python -m dashboard migrate` (and `python -m dashboard demo` for demo data)."),
    # sign-in and roles
    "sign_in_title": ("登录客服管理系统", "Sign in to the customer service dashboard"),
    "sign_in": ("登录", "Sign in"), "sign_out": ("退出登录", "Sign out"),
    "username": ("用户名", "Username"), "password": ("密码", "Password"), "role": ("角色", "Role"),
    "bad_credentials": ("用户名或密码不正确。", "The username or password is not correct."),
    "throttled": ("尝试次数过多，请在 {minutes} 分钟后再试。", "Too many attempts; try again in {minutes} minutes."),
    "session_expired": ("长时间未操作，已自动退出，请重新登录。", "You were signed out after a period of inactivity; please sign in again."),
    "signed_in_as": ("当前用户：{name}（{role}）", "Signed in as {name} ({role})"),
    "demo_accounts": ("演示账号", "Demo accounts"),
    "demo_accounts_note": ("这是演示数据库，每种角色各有一个账号。", "This is a demo database with one account per role."),
    "role_manager": ("经理", "manager"), "role_head": ("部门主管", "department head"), "role_agent": ("客服专员", "agent"),
    "out_of_scope": ("没有权限查看部门 {requested}，已显示 {home}。", "You may not view department {requested}; showing {home}."),
    # filters
    "filters": ("筛选", "Filters"),
    "period_kind": ("期间类型", "Period"),
    "kind_week": ("周", "Week"), "kind_month": ("月", "Month"), "kind_quarter": ("季度", "Quarter"),
    "kind_year": ("年", "Year"), "kind_custom": ("自定义", "Custom"),
    "previous": ("◀ 上一期", "◀ Previous"), "next": ("下一期 ▶", "Next ▶"),
    "date_in_period": ("期间内日期", "Date in period"),
    "date_range": ("日期范围", "Date range"),
    "department": ("部门（含下级）", "Department (with sub-departments)"),
    "all_departments": ("全部部门", "All departments"),
    "staff": ("员工", "Staff"),
    "all_staff": ("全部员工", "All staff"),
    "period_shown": ("报告期 {period}（{start} 至 {end}），截至 {as_of}",
                     "Period {period} ({start} to {end}), as of {as_of}"),
    "vs_previous": ("与上期 {period} 比较", "compared with the previous period {period}"),
    # common
    "empty_period": ("所选期间和部门没有数据。", "There is no data for the chosen period and department."),
    "download_csv": ("下载 CSV", "Download CSV"),
    "download_excel": ("下载 Excel", "Download Excel"),
    "open_page": ("查看详情 →", "Details →"),
    "records_behind": ("明细记录", "Records behind the figure"),
    "select_to_drill": ("点击图中的柱形查看明细。", "Click a bar to see the records behind it."),
    "no_value": ("—", "—"),
    "total": ("合计", "Total"),
    # overview
    "overview_intro": ("本期各项关键指标与上期比较，点击链接进入对应页面。",
                       "This period's key figures against the previous period; follow a link to its page."),
    "kpi_achievement_rate": ("投诉及时率", "Complaint achievement rate"),
    "kpi_overdue_open": ("超时未结投诉", "Overdue open complaints"),
    "kpi_plans_behind": ("落后计划", "Plans behind"),
    "kpi_plans_below_min": ("未达最低量计划", "Plans below minimum"),
    "kpi_retention_success": ("挽留成功率", "Retention success rate"),
    "kpi_cost_per_retained": ("每挽留客户成本", "Cost per retained customer"),
    "kpi_upgraded": ("升级客户", "Customers upgraded"),
    "kpi_downgraded": ("降级客户", "Customers downgraded"),
    "kpi_a_share": ("A 类客户收入占比", "A-class revenue share"),
    "headline_week": ("本周", "This week"),
    "headline_month": ("本月", "This month"),
    # plans
    "plans_intro": ("计划与任务的进度、预期节奏与成本；落后和未达最低量的排在最前。",
                    "Plans and tasks against the expected pace and cost; behind and below-minimum first."),
    "plans_attention": ("需要关注：落后或未达最低量", "Needs attention: behind or below minimum"),
    "plans_all": ("全部计划与任务", "All plans and tasks"),
    "completion_by_department": ("按部门完成率", "Completion by department"),
    "completion_by_type": ("按类型完成率", "Completion by type"),
    "status_counts": ("状态分布", "Status"),
    "kpi_plans": ("计划/任务数", "Plans and tasks"),
    "kpi_completion": ("总体完成率", "Overall completion"),
    "kpi_planned_cost": ("计划成本", "Planned cost"),
    "kpi_actual_cost": ("实际成本", "Actual cost"),
    "plans_in_period": ("显示与报告期重叠的计划。", "Showing plans that overlap the period."),
    # complaints
    "complaints_intro": ("按优先级的时限（SLA）判断达标、超时与处理中；超时未结列表按超时小时排序。",
                         "Met, breached and pending against the SLA per priority; the overdue list is sorted by hours overdue."),
    "kpi_received": ("受理投诉", "Complaints received"),
    "kpi_met": ("按时解决", "Met"), "kpi_breached": ("超时", "Breached"), "kpi_pending": ("处理中", "Pending"),
    "kpi_median_hours": ("解决时长中位数（小时）", "Median resolution (hours)"),
    "kpi_p90_hours": ("解决时长 90 分位（小时）", "90th percentile (hours)"),
    "kpi_callback_rate": ("7 日内回访率", "Callback within 7 days"),
    "kpi_satisfaction": ("平均满意度（1–5）", "Mean satisfaction (1–5)"),
    "kpi_dissatisfied": ("不满意占比", "Dissatisfied share"),
    "trend_grain": ("趋势粒度", "Trend by"),
    "achievement_trend": ("及时率趋势（近 12 个月）", "Achievement rate over time (last 12 months)"),
    "by_department": ("按部门", "By department"),
    "by_priority": ("按优先级", "By priority"),
    "overdue_list": ("超时未结投诉（立即处理）", "Overdue open complaints (act now)"),
    "no_overdue": ("截至今日没有超时未结的投诉。", "No open complaint is past its deadline."),
    "complaint_cohort": ("本期受理的投诉", "Complaints received in the period"),
    # fluctuation
    "fluctuation_intro": ("每个客户本期业务量与上期、去年同期比较；跌幅或涨幅达到阈值即标记。",
                          "Each customer's volume against the previous period and last year; drops and surges beyond the threshold are flagged."),
    "kpi_volume": ("本期业务量", "Volume this period"),
    "kpi_drops": ("下降客户", "Customers dropping"),
    "kpi_surges": ("增长客户", "Customers surging"),
    "kpi_stopped": ("停止下单", "Stopped ordering"),
    "kpi_new": ("新客户", "New customers"),
    "largest_drops": ("降幅最大", "Largest drops"),
    "largest_surges": ("增幅最大", "Largest surges"),
    "volume_trend": ("业务量趋势（近 24 个月）", "Volume trend (last 24 months)"),
    "tier_matrix": ("级别迁移矩阵（上期 × 本期）", "Tier migration (previous × current)"),
    "tier_changes": ("升级与降级客户", "Upgraded and downgraded customers"),
    "customer_history": ("单个客户的业务量与级别", "One customer's volume and tier"),
    "choose_customer": ("选择客户", "Choose a customer"),
    "flags": ("波动标记", "Flags"),
    # retention
    "retention_intro": ("本期发起的挽留案例：原因、方式、成功率、成本与挽回收入。",
                        "Retention cases started in the period: reasons, methods, success, cost and revenue won back."),
    "kpi_cases": ("挽留案例", "Cases"),
    "kpi_total_cost": ("挽留总成本", "Total cost"),
    "kpi_revenue_after": ("挽回后 180 天收入", "Revenue in 180 days after"),
    "kpi_roi": ("投入产出比", "ROI"),
    "by_reason": ("按流失原因", "By reason"),
    "by_method": ("按挽留方式", "By method"),
    "retention_trend": ("挽留趋势（近 12 个月）", "Retention trend (last 12 months)"),
    "at_risk_list": ("风险客户（下降或停止下单，且无进行中的挽留案例）",
                     "At-risk customers (dropping or stopped, no open case)"),
    "no_at_risk": ("没有需要挽留的风险客户。", "No at-risk customer without an open case."),
    # grading
    "grading_intro": ("近 365 天的 RFM 八类客户与 ABC 分级，以及对应的服务策略。",
                      "RFM segments and ABC classes over the last 365 days, with the service each calls for."),
    "kpi_population": ("有购买的客户", "Customers with purchases"),
    "kpi_a_customers": ("A 类客户", "A-class customers"),
    "segments": ("RFM 八类客户", "The eight RFM segments"),
    "score_distribution": ("R/F/M 评分分布", "R/F/M score distribution"),
    "pareto": ("帕累托曲线与 A/B/C 分界", "Pareto curve with A/B/C boundaries"),
    "abc_classes": ("ABC 分级", "ABC classes"),
    "abc_method": ("ABC 方法", "ABC method"),
    "abc_method_count": ("按客户数 20/70/10", "By count 20/70/10"),
    "abc_method_value": ("按收入累计 80%/95%", "By cumulative value 80%/95%"),
    "abc_method_note": ("切换只影响本页显示；系统默认方法在设置中修改。",
                        "The switch affects this view only; the default method is a setting."),
    "service_approach": ("服务策略", "Service approach"),
    "customer_table": ("客户明细", "Customers"),
    "approach_A": ("专属服务，定期回访", "Dedicated service and regular callbacks"),
    "approach_B": ("跟进需求，提升价值", "Follow up on needs"),
    "approach_C": ("标准化服务", "Standard service"),
    # columns
    "col_count": ("数量", "Count"), "col_customers": ("客户数", "Customers"), "col_share": ("占比", "Share"),
    "col_revenue_share": ("收入占比", "Revenue share"), "col_rate": ("比率", "Rate"),
    "col_month": ("月份", "Month"), "col_volume": ("业务量", "Volume"), "col_status": ("状态", "Status"),
    "col_score": ("评分", "Score"), "col_customer_share": ("客户占比", "Customer share"),
}

# Enumerated values shown to users.
VALUES: dict[str, tuple[str, str]] = {
    "met": ("按时", "met"), "breached": ("超时", "breached"), "pending": ("处理中", "pending"),
    "not_started": ("未开始", "not started"), "achieved": ("已完成", "achieved"),
    "met_minimum": ("达最低量", "met minimum"), "below_minimum": ("未达最低量", "below minimum"),
    "behind": ("落后", "behind"), "at_risk": ("有风险", "at risk"), "on_track": ("正常", "on track"),
    "new": ("新增", "new"), "stopped": ("停止", "stopped"), "drop": ("下降", "drop"), "surge": ("增长", "surge"),
    "steady": ("平稳", "steady"), "upgrade": ("升级", "upgrade"), "downgrade": ("降级", "downgrade"),
    "unchanged": ("不变", "unchanged"), "lost": ("流失", "lost"), "retained": ("挽留成功", "retained"),
    "urgent": ("紧急", "urgent"), "high": ("高", "high"), "normal": ("普通", "normal"), "low": ("低", "low"),
    "general": ("一般", "general"),
    "plan": ("计划", "plan"), "task": ("任务", "task"),
    "visit": ("拜访", "visit"), "activity": ("活动", "activity"), "service": ("服务", "service"),
    "publicity": ("宣传", "publicity"), "discount": ("优惠", "discount"),
    "price": ("价格", "price"), "quality": ("质量", "quality"), "competitor": ("竞争对手", "competitor"),
    "relocation": ("搬迁", "relocation"), "other": ("其他", "other"),
    "promotion": ("促销", "promotion"), "service_improvement": ("改进服务", "service improvement"),
    "important_value": ("重要价值客户", "important value"), "important_develop": ("重要发展客户", "important develop"),
    "important_keep": ("重要保持客户", "important keep"), "important_retain": ("重要挽留客户", "important retain"),
    "general_value": ("一般价值客户", "general value"), "general_develop": ("一般发展客户", "general develop"),
    "general_keep": ("一般保持客户", "general keep"), "general_retain": ("一般挽留客户", "general retain"),
    "none": ("无级别", "none"), "ALL": ("合计", "ALL"),
}

SEGMENT_APPROACH: dict[str, tuple[str, str]] = {
    "important_value": ("重点维护，专属客户经理与定期回访", "Keep close: a dedicated manager and regular callbacks"),
    "important_develop": ("提高购买频次，推荐关联产品", "Raise frequency: recommend related products"),
    "important_keep": ("尽快回访，重新激活", "Call back soon and re-activate"),
    "important_retain": ("立即挽留，了解流失原因", "Retain now: find out why they left"),
    "general_value": ("提升客单价，推荐升级方案", "Raise order value: offer upgrades"),
    "general_develop": ("培养习惯，发送优惠活动", "Build the habit: send offers"),
    "general_keep": ("常规关怀，节假日问候", "Routine care and holiday greetings"),
    "general_retain": ("低成本维护，标准化服务", "Low-cost upkeep, standard service"),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "complaint_no": ("投诉编号", "complaint_no"), "customer_code": ("客户编号", "customer_code"),
    "customer_name": ("客户名称", "customer_name"), "department_code": ("部门", "department_code"),
    "priority": ("优先级", "priority"), "received_at": ("受理时间", "received_at"), "deadline": ("时限", "deadline"),
    "resolved_at": ("解决时间", "resolved_at"), "state": ("状态", "state"),
    "resolution_hours": ("解决时长(小时)", "resolution_hours"), "handler_staff_no": ("处理人工号", "handler_staff_no"),
    "handler_name": ("处理人", "handler_name"), "hours_overdue": ("超时(小时)", "hours_overdue"),
    "received": ("受理", "received"), "met": ("按时", "met"), "breached": ("超时", "breached"),
    "pending": ("处理中", "pending"), "achievement_rate": ("及时率", "achievement_rate"),
    "overdue_open": ("超时未结", "overdue_open"), "median_resolution_hours": ("时长中位数", "median_resolution_hours"),
    "plan_no": ("编号", "plan_no"), "kind": ("类别", "kind"), "type": ("类型", "type"), "horizon": ("周期", "horizon"),
    "staff_no": ("员工工号", "staff_no"), "staff_name": ("员工", "staff_name"), "start_date": ("开始", "start_date"),
    "end_date": ("结束", "end_date"), "planned_count": ("计划量", "planned_count"),
    "minimum_count": ("最低量", "minimum_count"), "actual_count": ("实际量", "actual_count"),
    "expected_count": ("应完成量", "expected_count"), "completion_rate": ("完成率", "completion_rate"),
    "status": ("状态", "status"), "planned_cost": ("计划成本", "planned_cost"), "actual_cost": ("实际成本", "actual_cost"),
    "cost_variance": ("成本差异", "cost_variance"), "cost_usage": ("成本使用率", "cost_usage"),
    "volume": ("本期业务量", "volume"), "previous_volume": ("上期业务量", "previous_volume"), "change": ("变化", "change"),
    "change_pct": ("变化率", "change_pct"), "yoy_volume": ("去年同期", "yoy_volume"), "yoy_pct": ("同比", "yoy_pct"),
    "flag": ("标记", "flag"), "tier_previous": ("上期级别", "tier_previous"), "tier_current": ("本期级别", "tier_current"),
    "reason": ("原因", "reason"), "method": ("方式", "method"), "cases": ("案例数", "cases"),
    "retained": ("成功", "retained"), "lost": ("失败", "lost"), "success_rate": ("成功率", "success_rate"),
    "total_cost": ("总成本", "total_cost"), "cost_per_retained": ("每挽留成本", "cost_per_retained"),
    "recency_days": ("最近购买(天)", "recency_days"), "frequency": ("频次", "frequency"), "monetary": ("金额", "monetary"),
    "r_score": ("R", "r_score"), "f_score": ("F", "f_score"), "m_score": ("M", "m_score"),
    "rfm_segment": ("RFM 分类", "rfm_segment"), "value_class": ("价值等级", "value_class"), "abc_class": ("ABC", "abc_class"),
    "key": ("分组", "group"), "plans": ("数量", "plans"),
}


def t(key: str, lang: str, **kwargs) -> str:
    zh, en = LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**kwargs) if kwargs else text


def value_label(value, lang: str) -> str:
    if value is None:
        return "—"
    pair = VALUES.get(str(value))
    return (pair[0] if lang == "zh" else pair[1]) if pair else str(value)


def column_label(column: str, lang: str) -> str:
    """Table header: Chinese term, or the export column name in plain words ("Customer code")."""
    pair = COLUMNS.get(column)
    if pair and lang == "zh":
        return pair[0]
    english = (pair[1] if pair else column).replace("_", " ")
    return english[:1].upper() + english[1:]
