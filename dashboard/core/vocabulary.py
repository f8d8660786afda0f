"""Every enumeration of the product, once: its codes in order, with their Chinese and English labels.

The import, the forms, the labels the app and the report show, and the demo all read these,
so they cannot drift apart; `tests/test_vocabulary.py` checks them against the database's
CHECK constraints. Codes are what the database stores and the exports write.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Member:
    code: str
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Enumeration:
    """The members of one enumerated column, in the order they are offered and listed."""
    name: str
    members: tuple[Member, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(m.code for m in self.members)

    def label(self, code: str, lang: str) -> str:
        return next(m.label(lang) for m in self.members if m.code == code)

    def __contains__(self, code) -> bool:
        return code in self.codes

    def names(self, code: str) -> tuple[str, ...]:
        """Every name an import accepts for `code`: the code, its labels, and IMPORT_NAMES' names."""
        member = next(m for m in self.members if m.code == code)
        found: list[str] = []
        for name in (code, member.en, member.zh, *IMPORT_NAMES.get(self.name, {}).get(code, ())):
            if fold(name) not in {fold(f) for f in found}:
                found.append(name)
        return tuple(found)

    def accepted(self) -> dict[str, str]:
        """An accepted name, folded (see `fold`), -> its code (see `names`)."""
        return {fold(name): m.code for m in self.members for name in self.names(m.code)}

    def read(self, written: str) -> str | None:
        """The code `written` names, ignoring case and surrounding spaces; None when it names none."""
        return self.accepted().get(fold(written))


def fold(written: str) -> str:
    """A name as the import compares it: full-width forms as ASCII (NFKC), no surrounding spaces, any case."""
    return unicodedata.normalize("NFKC", written).strip().casefold()


def _enum(name: str, *members: tuple[str, str, str]) -> Enumeration:
    return Enumeration(name, tuple(Member(*m) for m in members))


# -- recorded by users (forms and import) --------------------------------------------------------

# an account's role; hr reads every department and changes no operational data (core/scope.py)
ROLE = _enum("role", ("manager", "经理", "manager"), ("head", "部门主管", "department head"),
             ("agent", "客服专员", "agent"), ("hr", "人事", "HR"))
# a staff record's role (the customer-service organisation: hr people need no staff record)
STAFF_ROLE = _enum("staff role", *((m.code, m.zh, m.en) for m in ROLE.members if m.code != "hr"))
# how a signed-in session began
SESSION_ORIGIN = _enum("session origin", ("password", "密码", "password"), ("oidc", "单点登录", "single sign-on"))
PRIORITY = _enum("priority", ("urgent", "紧急", "urgent"), ("high", "高", "high"), ("normal", "普通", "normal"),
                 ("low", "低", "low"))
PLAN_KIND = _enum("plan kind", ("plan", "计划", "plan"), ("task", "任务", "task"))
PLAN_TYPE = _enum("plan type", ("visit", "拜访", "visit"), ("activity", "活动", "activity"),
                  ("service", "服务", "service"), ("publicity", "宣传", "publicity"), ("discount", "优惠", "discount"))
HORIZON = _enum("horizon", ("year", "年", "year"), ("quarter", "季度", "quarter"), ("month", "月", "month"),
                ("week", "周", "week"))
PLAN_METHOD = _enum("plan method", ("interview", "面谈", "interview"), ("phone", "电话", "phone"),
                    ("sms", "短信", "SMS"), ("letter", "信函", "letter"), ("email", "邮件", "e-mail"))
RETENTION_REASON = _enum("retention reason", ("price", "价格", "price"), ("service", "服务", "service"),
                         ("quality", "质量", "quality"), ("competitor", "竞争对手", "competitor"),
                         ("relocation", "搬迁", "relocation"), ("other", "其他", "other"))
RETENTION_INTENT = _enum("retention intent", ("churned", "已流失", "churned"), ("at_risk", "有风险", "at risk"))
RETENTION_METHOD = _enum("retention method", ("promotion", "促销", "promotion"),
                         ("service_improvement", "改进服务", "service improvement"), ("visit", "拜访", "visit"),
                         ("discount", "优惠", "discount"), ("other", "其他", "other"))
RETENTION_RESULT = _enum("retention result", ("retained", "挽留成功", "retained"), ("lost", "流失", "lost"),
                         ("pending", "处理中", "pending"))
LOG_SOURCE = _enum("log source", ("phone", "电话", "phone"), ("visit", "拜访", "visit"), ("email", "邮件", "e-mail"),
                   ("wechat", "微信", "WeChat"), ("web", "网站", "web"), ("other", "其他", "other"))
SERVICE_TYPE = _enum("service type", ("consultation", "咨询", "consultation"), ("after_sales", "售后", "after-sales"),
                     ("complaint", "投诉", "complaint"), ("visit", "拜访", "visit"), ("other", "其他", "other"))
# the channels the complaint form offers (the column itself is free text, as imports bring others)
COMPLAINT_CHANNEL = _enum("complaint channel", ("phone", "电话", "phone"), ("email", "邮件", "e-mail"),
                          ("wechat", "微信", "WeChat"), ("web", "网站", "web"), ("visit", "拜访", "visit"))
COST_CATEGORY = _enum("cost category", ("people", "人力", "people"), ("equipment", "设备", "equipment"),
                      ("funds", "资金", "funds"))
# a budget row's state (only approved budgets count) and the changes its history records
BUDGET_STATUS = _enum("budget status", ("proposed", "待审批", "proposed"), ("approved", "已批准", "approved"),
                      ("rejected", "已驳回", "rejected"))
BUDGET_ACTION = _enum("budget action", ("propose", "提交", "proposed"), ("approve", "批准", "approved"),
                      ("reject", "驳回", "rejected"), ("adjust", "调整", "adjusted"), ("import", "导入", "imported"))
# what a cost entry is linked to (a plan or task, or a retention case)
COST_LINK = _enum("cost link", ("plan", "计划", "plan"), ("task", "任务", "task"), ("case", "挽留案例", "retention case"))
GENDER = _enum("gender", ("F", "女", "F"), ("M", "男", "M"))
EVALUATION_RELATION = _enum("evaluation relation", ("superior", "上级评价", "superior"), ("peer", "同级评价", "peer"),
                            ("subordinate", "下级评价", "subordinate"), ("self", "自评", "self"))
# a callback (回访) of a customer: how it was made and what came of it ('unreachable' is no callback yet)
CALLBACK_METHOD = _enum("callback method", ("phone", "电话", "phone"), ("visit", "拜访", "visit"),
                        ("email", "邮件", "e-mail"), ("wechat", "微信", "WeChat"), ("sms", "短信", "SMS"),
                        ("other", "其他", "other"))
CALLBACK_RESULT = _enum("callback result", ("satisfied", "满意", "satisfied"), ("neutral", "一般", "neutral"),
                        ("dissatisfied", "不满意", "dissatisfied"), ("unreachable", "未联系上", "unreachable"))
SKILL_ASSESSMENT = _enum("skill assessment", ("written", "书面测试", "written test"),
                         ("scenario", "情景测试", "scenario test"), ("callback_check", "服务回访", "callback check"),
                         ("observation", "日常观察", "observation"))
ABC_METHOD = _enum("abc method", ("count", "按客户数", "by count"), ("value", "按收入", "by value"))

# -- worked out by the figures -------------------------------------------------------------------

COMPLAINT_STATE = _enum("complaint state", ("met", "按时", "met"), ("breached", "超时", "breached"),
                        ("pending", "处理中", "pending"))
PLAN_STATUS = _enum("plan status", ("not_started", "未开始", "not started"), ("on_track", "正常", "on track"),
                    ("at_risk", "有风险", "at risk"), ("behind", "落后", "behind"), ("achieved", "已完成", "achieved"),
                    ("met_minimum", "达最低量", "met minimum"), ("below_minimum", "未达最低量", "below minimum"))
FLAG = _enum("fluctuation flag", ("new", "新增", "new"), ("stopped", "停止", "stopped"), ("drop", "下降", "drop"),
             ("surge", "增长", "surge"), ("steady", "平稳", "steady"))
TIER_CHANGE = _enum("tier change", ("upgrade", "升级", "upgrade"), ("downgrade", "降级", "downgrade"),
                    ("new", "新增", "new"), ("lost", "流失", "lost"), ("unchanged", "不变", "unchanged"))
RFM_SEGMENT = _enum("RFM segment",  # in the usual order of the model, 重要价值客户 first
                    ("important_value", "重要价值客户", "important value"),
                    ("important_develop", "重要发展客户", "important develop"),
                    ("important_keep", "重要保持客户", "important keep"),
                    ("important_retain", "重要挽留客户", "important retain"),
                    ("general_value", "一般价值客户", "general value"),
                    ("general_develop", "一般发展客户", "general develop"),
                    ("general_keep", "一般保持客户", "general keep"),
                    ("general_retain", "一般挽留客户", "general retain"))
VALUE_CLASS = _enum("value class", ("high", "高", "high"), ("general", "一般", "general"), ("low", "低", "low"))
ABC_CLASS = _enum("ABC class", ("A", "A", "A"), ("B", "B", "B"), ("C", "C", "C"))
# a figure's total row and a customer without a tier
TOTAL = _enum("total", ("ALL", "合计", "Total"))
# the scorecard (业绩考核表): its KPIs, the band of an actual against its target, the grade of its total
SCORECARD_KPI = _enum("scorecard KPI", ("achievement_rate", "投诉按时率", "complaints on time"),
                      ("callback_on_time_rate", "回访及时率", "callbacks on time"),
                      ("mean_satisfaction", "投诉满意度", "complaint satisfaction"),
                      ("plan_completion", "计划完成率", "plan completion"),
                      ("service_success_rate", "服务成功率", "service success"),
                      ("retention_success_rate", "挽留成功率", "retention success"), ("csat", "CSAT", "CSAT"),
                      ("nps", "NPS", "NPS"), ("workload", "工作量", "workload"), ("skills", "技能考核", "skill assessments"),
                      ("upgrade_rate", "客户升级率", "upgrade rate"),
                      ("downgrade_rate", "客户降级率（越低越好）", "downgrade rate (lower better)"),
                      ("lost_rate", "客户流失率（越低越好）", "lost rate (lower better)"),
                      ("new_customers", "新客户", "new customers"),
                      ("volume_change", "客户业务量变化", "volume change"),
                      ("service_cost", "服务成本（越低越好）", "service cost (lower better)"))
SCORECARD_BAND = _enum("scorecard band", ("far_above", "超出目标20%以上", "more than 20% above target"),
                       ("above", "超出目标", "above target"), ("at", "达到目标", "at target"),
                       ("below", "未达到目标", "below target"))
GRADE = _enum("grade", ("excellent", "优", "excellent"), ("good", "良", "good"), ("fair", "中", "fair"),
              ("poor", "差", "poor"))
CYCLE_STATE = _enum("cycle state", ("open", "进行中", "open"), ("closed", "已结束", "closed"))
# the kinds of record a person's quality drill-down lists
QUALITY_RECORD = _enum("quality record", ("complaint", "投诉", "complaint"), ("plan", "计划", "plan"),
                       ("retention_case", "挽留案例", "retention case"), ("survey", "调查", "survey"))
NO_TIER = _enum("no tier", ("none", "无级别", "none"))
# what a reminder is about (dashboard/writes/reminders.py makes them)
REMINDER_KIND = _enum("reminder kind", ("task_assigned", "新任务", "task assigned"),
                      ("plan_behind", "计划落后", "plan behind"),
                      ("complaint_due_soon", "投诉临近时限", "complaint due soon"),
                      ("complaint_overdue", "投诉已超时", "complaint overdue"),
                      ("complaint_callback", "投诉待回访", "complaint callback due"),
                      ("customer_callback", "客户待回访", "customer callback due"),
                      ("detractor_callback", "不满意客户待回访", "dissatisfied customer to call back"),
                      ("gift_unconfirmed", "礼品未确认送达", "gift delivery unconfirmed"),
                      ("customer_drop", "客户业务下降", "customer dropping"),
                      ("customer_stopped", "客户停止业务", "customer stopped"),
                      ("tier_down", "客户降级", "customer downgraded"),
                      ("tier_lost", "客户失去级别", "customer lost its tier"),
                      ("suggestion_answered", "建议已答复", "suggestion answered"),
                      ("rating_requested", "待完成360评价", "360 rating requested"),
                      ("budget_overrun", "预算超支", "budget overrun"),
                      ("task_feedback", "收到任务反馈", "feedback on a task"))
# why a customer is on the callback list
CALLBACK_REASON = _enum("callback reason", ("schedule", "定期回访", "scheduled"),
                        ("detractor", "调查不满意", "dissatisfied in a survey"))
# a call record's direction (calls.csv)
CALL_DIRECTION = _enum("call direction", ("inbound", "呼入", "inbound"), ("outbound", "呼出", "outbound"))

ALL: tuple[Enumeration, ...] = (
    ROLE, STAFF_ROLE, SESSION_ORIGIN, PRIORITY, PLAN_KIND, PLAN_TYPE, HORIZON, PLAN_METHOD, RETENTION_REASON, RETENTION_INTENT, RETENTION_METHOD,
    RETENTION_RESULT, LOG_SOURCE, SERVICE_TYPE, COMPLAINT_CHANNEL, COST_CATEGORY, GENDER, EVALUATION_RELATION,
    ABC_METHOD, CALLBACK_METHOD, CALLBACK_RESULT, REMINDER_KIND, CALLBACK_REASON, COMPLAINT_STATE, PLAN_STATUS, FLAG, TIER_CHANGE, RFM_SEGMENT, VALUE_CLASS, ABC_CLASS, TOTAL, NO_TIER,
    BUDGET_STATUS, BUDGET_ACTION, COST_LINK,
    SKILL_ASSESSMENT, SCORECARD_KPI, SCORECARD_BAND, GRADE, CYCLE_STATE, QUALITY_RECORD)
ALL += (CALL_DIRECTION,)

# The database's CHECK constraints, column by column (tests/test_vocabulary.py compares them).
CHECKED: dict[tuple[str, str], Enumeration] = {
    ("staff", "role"): STAFF_ROLE, ("users", "role"): ROLE, ("staff_work_history", "role"): STAFF_ROLE, ("staff", "gender"): GENDER, ("customers", "contact_gender"): GENDER,
    ("sla_policies", "priority"): PRIORITY, ("plans", "kind"): PLAN_KIND, ("plans", "type"): PLAN_TYPE,
    ("plans", "horizon"): HORIZON, ("work_logs", "source"): LOG_SOURCE,
    ("work_logs", "service_type"): SERVICE_TYPE, ("retention_cases", "reason"): RETENTION_REASON,
    ("retention_cases", "intent"): RETENTION_INTENT, ("retention_cases", "method"): RETENTION_METHOD,
    ("retention_cases", "result"): RETENTION_RESULT, ("service_budgets", "category"): COST_CATEGORY,
    ("cost_entries", "category"): COST_CATEGORY, ("evaluations_360", "relation"): EVALUATION_RELATION,
    ("auth_sessions", "origin"): SESSION_ORIGIN, ("auth_codes", "origin"): SESSION_ORIGIN,
    ("customer_callbacks", "method"): CALLBACK_METHOD, ("customer_callbacks", "result"): CALLBACK_RESULT,
    ("service_budgets", "status"): BUDGET_STATUS, ("budget_adjustments", "action"): BUDGET_ACTION,
    ("skill_assessments", "kind"): SKILL_ASSESSMENT,
    ("calls", "direction"): CALL_DIRECTION,
}


def value_labels() -> dict[str, tuple[str, str]]:
    """code -> (zh, en) over every enumeration: a code has one label wherever it appears."""
    labels: dict[str, tuple[str, str]] = {}
    for enumeration in ALL:
        for member in enumeration.members:
            labels.setdefault(member.code, (member.zh, member.en))
    return labels


# The Chinese names an import accepts beside each code and its labels (interfaces.md, "Spreadsheets
# and labels"), by enumeration name. Once documented they are an interface: they do not follow later
# renames of the labels above. A name means one code within its enumeration (tests/test_import_labels.py).
# plans.method is free text: these names map to the codes, any other text is kept as written.
IMPORT_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "priority": {"urgent": ("紧急", "特急"), "high": ("高", "重要"), "normal": ("普通", "一般", "中"), "low": ("低",)},
    "staff role": {"manager": ("经理",), "head": ("主管", "部门负责人", "负责人"), "agent": ("客服", "客服专员", "专员")},
    "plan kind": {"plan": ("计划",), "task": ("任务",)},
    "plan type": {"visit": ("拜访", "访问"), "activity": ("活动",), "service": ("服务",), "publicity": ("宣传",),
                  "discount": ("优惠",)},
    "horizon": {"year": ("年", "年度"), "quarter": ("季", "季度"), "month": ("月", "月度"), "week": ("周",)},
    "plan method": {"interview": ("面谈", "访谈", "上门"), "phone": ("电话",), "sms": ("短信", "短消息"),
                    "letter": ("信函",), "email": ("邮件", "电子邮件", "E-mail")},
    "retention reason": {"price": ("价格",), "service": ("服务",), "quality": ("质量",),
                         "competitor": ("竞争对手", "竞品"), "relocation": ("搬迁",), "other": ("其他",)},
    "retention intent": {"churned": ("已流失", "流失"), "at_risk": ("有流失倾向", "流失倾向")},
    "retention method": {"promotion": ("促销",), "service_improvement": ("改进服务", "服务改进"),
                         "visit": ("拜访", "上门"), "discount": ("优惠", "折扣"), "other": ("其他",)},
    "retention result": {"retained": ("挽留成功", "成功", "已挽留"), "lost": ("挽留失败", "失败"),
                         "pending": ("跟进中", "处理中", "进行中")},
    "cost category": {"people": ("人力", "人力资源"), "equipment": ("设备", "设备资源"), "funds": ("资金", "资金投入")},
    "log source": {"phone": ("电话",), "visit": ("上门", "拜访"), "email": ("邮件",), "wechat": ("微信",),
                   "web": ("网站", "在线"), "other": ("其他",)},
    "service type": {"consultation": ("咨询",), "after_sales": ("售后",), "complaint": ("投诉",),
                     "visit": ("回访", "拜访"), "other": ("其他",)},
    "call direction": {"inbound": ("呼入",), "outbound": ("呼出",)},
    "gender": {"F": ("女",), "M": ("男",)},
    "evaluation relation": {"superior": ("上级评价", "上级"), "peer": ("同级评价", "同级"),
                            "subordinate": ("下级评价", "下级"), "self": ("自评",)},
}


def enumeration_of(codes: tuple[str, ...]) -> Enumeration | None:
    """The enumeration whose codes are exactly `codes` (the import's `one_of(*X.codes)` finds its names so)."""
    return next((e for e in ALL if e.codes == tuple(codes)), None)
