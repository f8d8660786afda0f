"""How figures are written: rates, money, counts and their changes. No Streamlit here, so the
app, the weekly report and the command line write a figure the same way."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def fixed(value, places: int, scale: int = 1) -> str:
    """`value × scale` with thousands separators and `places` decimals, an exact half rounded away
    from zero (0.0625 is 6.3%, ¥0.125 is ¥0.13). Python's float formatting rounds a half to even
    and works on the binary value, so 6.25 would print as 6.2."""
    number = Decimal(str(value)) * scale
    return f"{number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):,.{places}f}"


def missing(value) -> bool:
    """No figure: None, a NaN from a frame (NaN != NaN) or pandas' NA (which has no truth value)."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:
        return True


def fmt_rate(value) -> str:
    return "—" if missing(value) else f"{fixed(value, 1, 100)}%"


def fmt_money(value) -> str:
    return "—" if missing(value) else f"¥{fixed(value, 2)}"


def fmt_money_short(value, lang: str) -> str:
    """An amount for a KPI card in at most seven characters, three figures from ten thousand up.

    ¥987.65, ¥5,187, then ¥8.13万 / ¥81.3K, ¥406万 / ¥406K, ¥1.38亿 / ¥1.38M. A card five to a row is
    about seven characters wide at 1280 pixels; the exact amount is the card's tooltip and in the tables.
    """
    if value is None:
        return "—"
    v = float(value)
    sign, v = ("-" if v < 0 else ""), abs(v)
    if v < 999.995:
        return f"{sign}¥{v:,.2f}"
    if v < 9_995:
        return f"{sign}¥{v:,.0f}"
    units = ((1e8, "亿"), (1e4, "万")) if lang == "zh" else ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    # the largest unit the value reaches once rounded to three figures (999,999 is ¥1.00M, not ¥1000K)
    scale, unit = next((scale, unit) for scale, unit in units if v >= scale * 0.9995)
    scaled = v / scale
    places = 2 if scaled < 9.995 else 1 if scaled < 99.95 else 0
    return f"{sign}¥{scaled:.{places}f}{unit}"


def fmt_number(value, places: int = 0) -> str:
    return "—" if missing(value) else fixed(value, places)


def delta_rate(now, before) -> str | None:
    if missing(now) or missing(before):
        return None
    diff = Decimal(str(now)) - Decimal(str(before))
    return f"{'-' if diff < 0 else '+'}{fixed(abs(diff), 1, 100)} pp"


def delta_number(now, before, places: int = 0, money: bool = False) -> str | None:
    if now is None or before is None:
        return None
    diff = float(now) - float(before)
    if money:  # the sign leads, or Streamlit reads "¥-5.00" as a rise
        return f"{'-' if diff < 0 else '+'}¥{abs(diff):,.{places}f}"
    return f"{diff:+,.{places}f}"


SMALL_BASE = 5  # a rate over fewer cases is marked, and its change is not coloured


def fmt_base(part, base, lang: str) -> str:
    """A rate's base, written after it: "27 of 28" / "27/28"."""
    if part is None or base is None:
        return ""
    return f"{int(part):,} of {int(base):,}" if lang == "en" else f"{int(part):,}/{int(base):,}"


def fmt_rate_of(rate, part, base, lang: str) -> str:
    """A rate with its base, `88.9% · 27 of 28` (`88.9% · 27/28` in Chinese); no base: the rate alone."""
    written = fmt_base(part, base, lang)
    return f"{fmt_rate(rate)} · {written}" if written else fmt_rate(rate)


def small_base(base) -> bool:
    """Whether a rate rests on fewer than SMALL_BASE cases (none at all included)."""
    return base is None or int(base) < SMALL_BASE


DAYS_FROM_HOURS = 48  # a duration over two days reads in days: 27.3 天, not 655.54 小时


def fmt_hours(value, lang: str) -> str:
    """A duration given in hours: `5.5 小时` / `5.5 h`, from two days up in days, `27.3 天` / `27.3 d`."""
    if value is None:
        return "—"
    hours = float(value)
    if abs(hours) > DAYS_FROM_HOURS:
        return f"{fixed(hours / 24, 1)} 天" if lang == "zh" else f"{fixed(hours / 24, 1)} d"
    return f"{fixed(hours, 1)} 小时" if lang == "zh" else f"{fixed(hours, 1)} h"
