"""How figures and their changes are written on the cards."""
from dashboard.core.formats import delta_number, delta_rate, fmt_money, fmt_money_short, fmt_number, fmt_rate


def test_a_money_change_starts_with_its_sign_so_the_card_arrow_points_the_right_way():
    # Streamlit reads a delta's direction from its first character
    assert delta_number("100.00", "1243746.00", 0, money=True) == "-¥1,243,646"
    assert delta_number("7.50", "2.25", 2, money=True) == "+¥5.25"
    assert delta_number(3, 5) == "-2"


def test_missing_figures_are_a_dash_and_changes_are_left_out():
    assert fmt_rate(None) == fmt_money(None) == "—"
    assert delta_number(None, 1) is None and delta_rate(0.5, None) is None
    assert delta_rate("0.825", "0.768") == "+5.7 pp"


def test_card_amounts_fit_seven_characters_with_three_figures():
    cases = [(987.654, "¥987.65", "¥987.65"), (5187.35, "¥5,187", "¥5,187"), (81301.23, "¥8.13万", "¥81.3K"),
             (406321, "¥40.6万", "¥406K"), (1376845, "¥138万", "¥1.38M"), (138_000_000, "¥1.38亿", "¥138M"),
             (-81301.23, "-¥8.13万", "-¥81.3K"), (None, "—", "—")]
    for value, zh, en in cases:
        assert (fmt_money_short(value, "zh"), fmt_money_short(value, "en")) == (zh, en), value
    # rounding that reaches the next unit is written in that unit, never ¥1000K or ¥10,000
    assert (fmt_money_short(999_999, "zh"), fmt_money_short(999_999, "en")) == ("¥100万", "¥1.00M")
    assert (fmt_money_short(9_999.6, "zh"), fmt_money_short(9_999.6, "en")) == ("¥1.00万", "¥10.0K")
    assert fmt_money_short(99_996_000, "zh") == "¥1.00亿"
    assert max(len(fmt_money_short(10 ** k * 9.87654, lang)) for k in range(11) for lang in ("zh", "en")) <= 7


def test_an_exact_half_rounds_away_from_zero_as_the_figures_are_defined():
    # 1 of 16 is 6.25 %: Python's own formatting prints 6.2 (half to even, on the binary value)
    assert fmt_rate(0.0625) == "6.3%"
    assert fmt_rate(1 / 16) == "6.3%"
    assert fmt_rate(0.0624) == "6.2%"
    assert fmt_money(0.125) == "¥0.13"
    assert fmt_money(-2.675) == "¥-2.68"
    assert fmt_number(2.5) == "3"
    assert delta_rate(0.5, 0.4375) == "+6.3 pp"
    assert delta_rate(0.4375, 0.5) == "-6.3 pp"


def test_nan_and_na_from_a_frame_are_missing():
    import pandas as pd

    assert fmt_rate(float("nan")) == "—"
    assert fmt_money(pd.NA) == "—"
    assert delta_rate(pd.NA, 0.5) is None
