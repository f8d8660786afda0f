"""Every rule a manager can change, once: its key, default, meaning and how a written value is read.

The rules are stored in the `settings` table (key, jsonb value); a key without a row has its
default. The same registry serves the settings page, the import of `settings.csv`, and
`python -m dashboard settings`, so a company can keep its rules in version control. A domain
adds its own rules here. Secrets (passwords, client secrets) are never settings.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable


class BadSetting(ValueError):
    """A value that is not valid for its setting; the message says what is expected."""


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any                      # a JSON value
    read: Callable[[str], Any]        # the written value (CSV, a form) -> the JSON value, or BadSetting
    zh: str
    en: str

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def decimal_between(low: str, high: str, inclusive: bool = False) -> Callable[[str], float]:
    """A decimal strictly between low and high (or within them, inclusive)."""
    def read(text: str) -> float:
        try:
            value = Decimal(str(text).strip())
        except InvalidOperation:
            raise BadSetting(f"'{text}' is not a number") from None
        inside = Decimal(low) <= value <= Decimal(high) if inclusive else Decimal(low) < value < Decimal(high)
        if not inside:
            raise BadSetting(f"'{text}' is not between {low} and {high}")
        return float(value)
    return read


def whole_between(low: int, high: int) -> Callable[[str], int]:
    def read(text: str) -> int:
        if not re.fullmatch(r"\d+", str(text).strip()) or not low <= int(text) <= high:
            raise BadSetting(f"'{text}' is not a whole number {low}-{high}")
        return int(text)
    return read


def one_of(*codes: str) -> Callable[[str], str]:
    def read(text: str) -> str:
        if str(text).strip() not in codes:
            raise BadSetting(f"'{text}' is not one of {', '.join(codes)}")
        return str(text).strip()
    return read


def hours_range(text: str) -> str:
    """Working hours of a day, `09:00-18:00` (opening before closing)."""
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)", str(text).strip())
    if not match or match[1] + match[2] >= match[3] + match[4]:
        raise BadSetting(f"'{text}' is not working hours like 09:00-18:00")
    return str(text).strip()


def weights(*keys: str) -> Callable[[str], dict]:
    """A JSON object of non-negative weights for exactly `keys`, not all zero."""
    def read(text) -> dict:
        try:
            value = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError:
            raise BadSetting(f"'{text}' is not a JSON object like {{\"{keys[0]}\": 25, ...}}") from None
        if not isinstance(value, dict) or set(value) != set(keys):
            raise BadSetting(f"the weights must name exactly {', '.join(keys)}")
        if any(not isinstance(v, (int, float)) or isinstance(v, bool) or v < 0 for v in value.values()) \
                or not any(value.values()):
            raise BadSetting("each weight is a number >= 0, and not all are 0")
        return {k: value[k] for k in keys}
    return read


def text_setting(pattern: str, example: str) -> Callable[[str], str]:
    """A short text matching `pattern` (empty allowed: the feature is off)."""
    def read(text) -> str:
        value = "" if text is None else str(text).strip()
        if value and not re.fullmatch(pattern, value):
            raise BadSetting(f"'{text}' is not like {example}")
        return value
    return read


EVALUATION_DIMENSIONS = ("service_skill", "communication", "business_knowledge", "professional_knowledge")
EVALUATION_RELATIONS = ("superior", "peer", "subordinate", "self")
# The scorecard (业绩考核, seed 004 表2-6): its KPIs, the bands of an actual against its target and the grades.
SCORECARD_KPIS = ("achievement_rate", "callback_on_time_rate", "mean_satisfaction", "plan_completion",
                  "service_success_rate", "retention_success_rate", "csat", "nps", "workload", "skills",
                  "upgrade_rate", "downgrade_rate", "lost_rate", "new_customers", "volume_change", "service_cost")
SCORECARD_BANDS = ("far_above", "above", "at", "below")
SCORECARD_GRADES = ("excellent", "good", "fair")

SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("fluctuation_threshold", 0.30, decimal_between("0", "1"), "业务波动阈值（下降/增长）",
            "Fluctuation threshold (drop/surge)"),
    Setting("value_band_high", 1.25, decimal_between("1", "10"), "高价值倍数", "High value band"),
    Setting("value_band_low", 0.75, decimal_between("0", "1"), "低价值倍数", "Low value band"),
    Setting("abc_method", "count", one_of("count", "value"), "ABC 方法", "ABC method"),
    Setting("sla_clock", "calendar", one_of("calendar", "business"), "时限计时方式", "SLA clock"),
    Setting("business_hours", "09:00-18:00", hours_range, "工作时间", "Business hours"),
    Setting("sl_seconds", 20, whole_between(1, 3600), "服务水平接听秒数", "Service level: answered within (s)"),
    Setting("short_abandon_seconds", 5, whole_between(0, 600), "短时放弃秒数", "Short abandon (s)"),
    Setting("fcr_hours", 24, whole_between(1, 720), "首次解决时限（小时）", "First-contact resolution window (h)"),
    Setting("repeat_days", 30, whole_between(1, 365), "重复投诉天数", "Repeat complaint window (days)"),
    Setting("evaluation_weights", dict.fromkeys(EVALUATION_DIMENSIONS, 25), weights(*EVALUATION_DIMENSIONS),
            "考评维度权重", "Evaluation dimension weights"),
    Setting("evaluation_relation_weights", {"superior": 50, "peer": 20, "subordinate": 20, "self": 10},
            weights(*EVALUATION_RELATIONS), "考评关系权重", "Evaluation relation weights"),
    # callbacks (回访) per ABC class, in months; reminders; e-mail of reminders (the SMTP password
    # is a secret: SMTP_PASSWORD in the environment or secrets.toml, never a setting)
    Setting("callback_months_a", 1, whole_between(1, 24), "A 类客户回访周期（月）", "Callback every (months), class A"),
    Setting("callback_months_b", 3, whole_between(1, 24), "B 类客户回访周期（月）", "Callback every (months), class B"),
    Setting("callback_months_c", 12, whole_between(1, 24), "C 类客户回访周期（月）", "Callback every (months), class C"),
    Setting("reminder_sla_share", 0.75, decimal_between("0", "1"), "投诉提醒：时限已用比例",
            "Complaint reminder at this share of the SLA"),
    Setting("email_reminders", "off", one_of("off", "on"), "邮件提醒", "E-mail reminders"),
    Setting("smtp_host", "", text_setting(r"[A-Za-z0-9.-]+(:\d{1,5})?", "smtp.example.com or smtp.example.com:587"),
            "SMTP 服务器", "SMTP server"),
    Setting("smtp_sender", "", text_setting(r"[^@\s]+@[^@\s]+\.[^@\s]+", "service@example.com"),
            "发件人", "Sender address"),
    Setting("smtp_user", "", text_setting(r"\S+", "a user name"), "SMTP 用户名", "SMTP user"),
    Setting("scorecard_targets", {"achievement_rate": 0.9, "callback_on_time_rate": 0.9, "mean_satisfaction": 4.5,
                                  "plan_completion": 1, "service_success_rate": 0.8, "retention_success_rate": 0.6,
                                  "csat": 4.5, "nps": 0.3, "workload": 40, "skills": 80,
                                  "upgrade_rate": 0.1, "downgrade_rate": 0.05, "lost_rate": 0.05, "new_customers": 2,
                                  "volume_change": 0.05, "service_cost": 2000},
            weights(*SCORECARD_KPIS), "考核指标目标（工作量、新客户、服务成本为每月）",
            "Scorecard targets (workload, new customers and service cost per month)"),
    Setting("scorecard_weights", {"achievement_rate": 20, "callback_on_time_rate": 10, "mean_satisfaction": 10,
                                  "plan_completion": 15, "service_success_rate": 10, "retention_success_rate": 5,
                                  "csat": 10, "nps": 5, "workload": 5, "skills": 10,
                                  "upgrade_rate": 5, "downgrade_rate": 5, "lost_rate": 5, "new_customers": 5,
                                  "volume_change": 5, "service_cost": 5},
            weights(*SCORECARD_KPIS), "考核指标权重", "Scorecard weights"),
    Setting("scorecard_band_points", {"far_above": 100, "above": 90, "at": 80, "below": 50},
            weights(*SCORECARD_BANDS), "考核档次得分（超出20%以上/超出/达到/未达到）",
            "Scorecard points per band (>20% above / above / at / below target)"),
    Setting("scorecard_grade_bands", {"excellent": 90, "good": 80, "fair": 60},
            weights(*SCORECARD_GRADES), "考核等级下限（优/良/中，其余为差）",
            "Scorecard grade floors (excellent / good / fair; below: poor)"),
)}


def current(stored: dict[str, Any]) -> dict[str, Any]:
    """Every setting's value: the stored one, or its default."""
    return {key: stored.get(key, setting.default) for key, setting in SETTINGS.items()}


def written(value: Any) -> str:
    """A setting's value as settings.csv writes it (what `read` reads back)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def listed(conn) -> list[tuple[str, str]]:
    """(key, value) of every setting, current values, in the registry's order."""
    import sqlalchemy as sa

    stored = dict(conn.execute(sa.text("SELECT key, value FROM settings")).all())
    rows = []
    for key, value in current(stored).items():
        default = SETTINGS[key].default
        if isinstance(value, dict) and isinstance(default, dict):   # jsonb reorders keys: the registry's order
            value = {k: value[k] for k in default if k in value} | {k: v for k, v in value.items() if k not in default}
        rows.append((key, written(value)))
    return rows
