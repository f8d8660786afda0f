"""E-mail of reminders (optional; setting `email_reminders`, off by default), sent by `python -m dashboard remind`.

One message per person with an e-mail address, listing the open reminders not e-mailed yet; each
reminder is e-mailed once (`emailed_at`), however often the command runs. The SMTP server and the
sender are settings (`smtp_host` as host or host:port, `smtp_sender`, `smtp_user`); the password
is a secret read from the environment (`SMTP_PASSWORD`) or `.streamlit/secrets.toml`
(`[smtp] password = ...`), never from settings, and never printed. Port 465 speaks TLS from the
start; any other port upgrades with STARTTLS when the server offers it and a user is set.
"""
from __future__ import annotations

import os
import smtplib
import tomllib
from datetime import datetime
from email.message import EmailMessage

import sqlalchemy as sa

from dashboard.core.vocabulary import COST_CATEGORY, REMINDER_KIND
from dashboard.metrics.reminders import RECORD_DETAIL, RECORD_JOINS
from db.engine import PROJECT_ROOT, app_timezone


class MailNotConfigured(ValueError):
    """E-mail is switched on but the server or sender is missing."""


def smtp_password() -> str | None:
    if os.environ.get("SMTP_PASSWORD"):
        return os.environ["SMTP_PASSWORD"]
    secrets = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if secrets.exists():
        return (tomllib.loads(secrets.read_text(encoding="utf-8")).get("smtp") or {}).get("password")
    return None


def _settings(conn) -> dict:
    return dict(conn.execute(sa.text(
        "SELECT key, value #>> '{}' FROM settings WHERE key IN "
        "('email_reminders', 'smtp_host', 'smtp_sender', 'smtp_user')")).all())


def _line(row) -> str:
    kind = REMINDER_KIND.label(row.kind, "zh") + " / " + REMINDER_KIND.label(row.kind, "en")
    record = row.complaint_no or row.plan_no or (f"{row.customer_code} {row.customer_name}" if row.customer_code
                                                 else row.record_detail or f"#{row.ref}")
    if row.category:
        record += " · " + COST_CATEGORY.label(row.category, "zh") + " / " + COST_CATEGORY.label(row.category, "en")
    due = row.due_at.astimezone(app_timezone()).strftime("%Y-%m-%d %H:%M")
    return f"- {kind}: {record} (期限 / due {due})"


def send_reminders(conn, now: datetime) -> int:
    """E-mail every open reminder not e-mailed yet; returns the number of messages sent (0 when off)."""
    config = _settings(conn)
    if config.get("email_reminders", "off") != "on":
        return 0
    host, sender = config.get("smtp_host") or "", config.get("smtp_sender") or ""
    if not host or not sender:
        raise MailNotConfigured("email_reminders is on, but smtp_host or smtp_sender is not set")
    name, _, port = host.partition(":")
    port = int(port or 25)
    rows = conn.execute(sa.text("""
        SELECT r.id, r.kind, r.ref, r.due_at, s.email, s.name AS staff_name, cu.code AS customer_code,
               cu.name AS customer_name, c.complaint_no, p.plan_no, """ + RECORD_DETAIL + """
        FROM reminders r
        JOIN staff s ON s.id = r.staff_id
        LEFT JOIN customers cu ON cu.id = r.customer_id
        LEFT JOIN complaints c ON c.id = r.complaint_id
        LEFT JOIN plans p ON p.id = r.plan_id""" + RECORD_JOINS + """
        WHERE r.kind IS NOT NULL AND r.emailed_at IS NULL AND r.resolved_at IS NULL AND r.dismissed_at IS NULL
          AND s.email IS NOT NULL AND s.email LIKE '%_@_%'
        ORDER BY s.email, r.due_at, r.id
        FOR UPDATE OF r SKIP LOCKED""")).all()
    if not rows:
        return 0
    per_person: dict[str, list] = {}
    for row in rows:
        per_person.setdefault(row.email, []).append(row)
    smtp_class = smtplib.SMTP_SSL if port == 465 else smtplib.SMTP
    sent = 0
    with smtp_class(name, port, timeout=30) as server:
        user = config.get("smtp_user") or ""
        if user:
            if port != 465 and server.has_extn("starttls"):
                server.starttls()
            server.login(user, smtp_password() or "")
        for email, reminders in per_person.items():
            message = EmailMessage()
            message["From"], message["To"] = sender, email
            message["Subject"] = f"客服管理系统提醒 / Reminders: {len(reminders)}"
            message.set_content(f"{reminders[0].staff_name}：\n\n" + "\n".join(_line(r) for r in reminders) + "\n")
            server.send_message(message)
            conn.execute(sa.text("UPDATE reminders SET emailed_at = :now WHERE id = ANY(:ids)"),
                         {"now": now, "ids": [r.id for r in reminders]})
            sent += 1
    return sent
