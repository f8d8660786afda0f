"""How figures and their changes are written on the cards."""
from dashboard.formats import delta_number, delta_rate, fmt_money, fmt_rate


def test_a_money_change_starts_with_its_sign_so_the_card_arrow_points_the_right_way():
    # Streamlit reads a delta's direction from its first character
    assert delta_number("100.00", "1243746.00", 0, money=True) == "-¥1,243,646"
    assert delta_number("7.50", "2.25", 2, money=True) == "+¥5.25"
    assert delta_number(3, 5) == "-2"


def test_missing_figures_are_a_dash_and_changes_are_left_out():
    assert fmt_rate(None) == fmt_money(None) == "—"
    assert delta_number(None, 1) is None and delta_rate(0.5, None) is None
    assert delta_rate("0.825", "0.768") == "+5.7 pp"
