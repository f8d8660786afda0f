"""Writes of the rules (规则设置, managers): SLA hours, tiers, fluctuation threshold, value band, ABC method."""
from __future__ import annotations

import json
from decimal import Decimal

import sqlalchemy as sa

from dashboard.core import vocabulary
from dashboard.core.user import User
from dashboard.writes.audit import audit
from dashboard.writes.validation import Errors, choice, decimal_value, optional_text, require_role


def save_settings(conn, user: User, *, sla: dict[str, tuple], tiers: list[tuple], fluctuation_threshold,
                  value_band_high, value_band_low, abc_method: str) -> None:
    """SLA hours per priority {priority: (resolution, response)}, tiers [(name, rank, min_amount)], rules."""
    require_role(user, "manager")
    errors = Errors()
    for priority, (resolution, response) in sla.items():
        if priority not in vocabulary.PRIORITY.codes:
            errors.add(f"sla.{priority}", "err_choice", allowed=", ".join(vocabulary.PRIORITY.codes))
            continue
        for part, value in (("resolution", resolution), ("response", response)):
            hours = decimal_value(errors, f"sla.{priority}.{part}", value)
            if hours is not None and hours <= 0:
                errors.add(f"sla.{priority}.{part}", "err_positive")
    names, ranks, amounts = set(), set(), set()
    if not tiers:
        errors.add("tiers", "err_required")
    for index, (name, rank, minimum) in enumerate(tiers, start=1):
        field = f"tiers.{index}"
        if not optional_text(name) or name == "none":
            errors.add(field, "err_tier_name")
        amount = decimal_value(errors, field, minimum)
        if amount is not None and amount <= 0:
            errors.add(field, "err_positive")
        if name in names or rank in ranks or amount in amounts:
            errors.add(field, "err_tier_duplicate")
        names.add(name), ranks.add(rank), amounts.add(amount)
    threshold = decimal_value(errors, "fluctuation_threshold", fluctuation_threshold)
    if threshold is not None and not Decimal("0") < threshold < Decimal("1"):
        errors.add("fluctuation_threshold", "err_between", low="0", high="1")
    high = decimal_value(errors, "value_band_high", value_band_high)
    low = decimal_value(errors, "value_band_low", value_band_low)
    if high is not None and low is not None and not Decimal("0") < low < Decimal("1") < high:
        errors.add("value_band_high", "err_band")
    choice(errors, "abc_method", abc_method, vocabulary.ABC_METHOD.codes)
    errors.raise_any()
    before = {"sla": [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM sla_policies ORDER BY priority"))],
              "tiers": [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM tier_rules ORDER BY rank"))],
              "settings": {r[0]: r[1] for r in conn.execute(sa.text("SELECT key, value FROM settings"))}}
    for priority, (resolution, response) in sla.items():
        conn.execute(sa.text("UPDATE sla_policies SET resolution_hours = :a, response_hours = :b WHERE priority = :p"),
                     {"a": Decimal(str(resolution)), "b": Decimal(str(response)), "p": priority})
    conn.execute(sa.text("DELETE FROM tier_rules"))
    for name, rank, minimum in tiers:
        conn.execute(sa.text("INSERT INTO tier_rules VALUES (:n, :r, :m)"),
                     {"n": name, "r": int(rank), "m": Decimal(str(minimum))})
    for key, value in (("fluctuation_threshold", threshold), ("value_band_high", high), ("value_band_low", low),
                       ("abc_method", abc_method)):
        conn.execute(sa.text("INSERT INTO settings VALUES (:k, CAST(:v AS jsonb)) "
                             "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"),
                     {"k": key, "v": str(value) if isinstance(value, Decimal) else json.dumps(value)})
    after = {"sla": sla, "tiers": tiers, "fluctuation_threshold": str(threshold), "value_band_high": str(high),
             "value_band_low": str(low), "abc_method": abc_method}
    audit(conn, user, "update", "settings", "rules", before, after)


# The rules of callbacks, reminders, e-mail and the SLA clock, edited on the settings page below the
# others (dashboard/core/settings.py reads and checks each; settings.csv sets the same keys).
CLOCK_AND_REMINDER_RULES = ("sla_clock", "business_hours", "callback_months_a", "callback_months_b",
                            "callback_months_c", "reminder_sla_share", "email_reminders", "smtp_host",
                            "smtp_sender", "smtp_user")
# The contact centre's rules (metrics.md "Contact centre"), in their own form on the settings page;
# the same registry entries (and so the same ranges) as settings.csv and the settings command.
CALL_RULES = ("sl_seconds", "short_abandon_seconds", "fcr_hours", "repeat_days")


def save_rules(conn, user: User, values: dict[str, str]) -> None:
    """Write settings by key from their written values; each one checked by its rule, all or nothing."""
    from dashboard.core.settings import SETTINGS, BadSetting

    require_role(user, "manager")
    errors = Errors()
    read: dict = {}
    for key, text in values.items():
        if key not in SETTINGS:
            errors.add(key, "err_unknown", value=key)
            continue
        try:
            read[key] = SETTINGS[key].read(text)
        except BadSetting as e:
            errors.add(key, "err_setting", setting=key, message=str(e))  # the settings.csv name
    errors.raise_any()
    before = {r[0]: r[1] for r in conn.execute(sa.text("SELECT key, value FROM settings WHERE key = ANY(:k)"),
                                               {"k": list(read)})}
    for key, value in read.items():
        conn.execute(sa.text("INSERT INTO settings VALUES (:k, CAST(:v AS jsonb)) "
                             "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"),
                     {"k": key, "v": json.dumps(value, ensure_ascii=False)})
    audit(conn, user, "update", "settings", "rules", before, read)
