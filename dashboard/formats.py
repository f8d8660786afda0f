"""How figures are written: rates, money, counts and their changes. No Streamlit here, so the
app, the weekly report and the command line write a figure the same way."""
from __future__ import annotations


def fmt_rate(value) -> str:
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def fmt_money(value) -> str:
    return "—" if value is None else f"¥{float(value):,.2f}"


def fmt_money_short(value, lang: str) -> str:
    """Large amounts for KPI cards: ¥406.3万 / ¥4.06M; exact amounts stay in the tables."""
    if value is None:
        return "—"
    v = float(value)
    if abs(v) < 100_000:
        return fmt_money(v)
    if lang == "zh":
        return f"¥{v / 1e8:.2f}亿" if abs(v) >= 1e8 else f"¥{v / 1e4:.0f}万"
    return f"¥{v / 1e6:,.1f}M"


def fmt_number(value, places: int = 0) -> str:
    return "—" if value is None else f"{float(value):,.{places}f}"


def delta_rate(now, before) -> str | None:
    if now is None or before is None:
        return None
    return f"{(float(now) - float(before)) * 100:+.1f} pp"


def delta_number(now, before, places: int = 0, money: bool = False) -> str | None:
    if now is None or before is None:
        return None
    diff = float(now) - float(before)
    if money:  # the sign leads, or Streamlit reads "¥-5.00" as a rise
        return f"{'-' if diff < 0 else '+'}¥{abs(diff):,.{places}f}"
    return f"{diff:+,.{places}f}"
