"""Like-for-like comparisons (metrics.md, "Comparisons"): a running period against the same days before."""
from datetime import date

from dashboard.core.periods import Period, compare, range_label
from dashboard.core.scope import Scope
from dashboard.metrics import fluctuation, tiers
from tests.builders import add_order, base

ALL = Scope.company()
DEC = Period.parse("2026-12")


def test_a_running_period_is_cut_to_the_same_days():
    c = compare(DEC, date(2026, 12, 2))
    assert (range_label(c.current), range_label(c.previous), range_label(c.last_year)) == (
        "2026-12-01 – 2026-12-02", "2026-11-01 – 2026-11-02", "2025-12-01 – 2025-12-02")
    quarter = compare(Period.parse("2026-Q4"), date(2026, 12, 2))
    assert range_label(quarter.previous) == "2026-07-01 – 2026-09-01"
    # a cut range never runs past its own period's end: 30 March compares with all of February
    assert range_label(compare(Period.parse("2026-03"), date(2026, 3, 30)).previous) == "2026-02-01 – 2026-02-28"
    # a week on Wednesday with Monday to Wednesday of the week before
    assert range_label(compare(Period.parse("2026-W49"), date(2026, 12, 2)).previous) == "2026-11-23 – 2026-11-25"
    # the first day compares with the first day; a period over is compared whole
    assert range_label(compare(DEC, date(2026, 12, 1)).previous) == "2026-11-01"
    assert not compare(DEC, date(2026, 12, 31)).running
    assert range_label(compare(Period.parse("2026-11"), date(2026, 12, 2)).previous) == "2026-10-01 – 2026-10-31"


def test_nobody_has_stopped_two_days_into_a_month(conn):
    base(conn)
    add_order(conn, "n-early", "C1", date(2026, 11, 1), "100.00")   # ordered on 1 November: and not yet in December
    add_order(conn, "n-late", "C2", date(2026, 11, 20), "100.00")   # ordered later in November only
    add_order(conn, "d-1", "C3", date(2026, 11, 2), "100.00")
    add_order(conn, "d-2", "C3", date(2026, 12, 2), "40.00")
    rows = fluctuation.fluctuation(conn, ALL, DEC, as_of=date(2026, 12, 2)).set_index("customer_code")
    assert rows.loc["C1", "flag"] == "stopped"      # it ordered in the same two days of November
    assert "C2" not in rows.index                   # nothing in either 1-2 November or 1-2 December
    assert rows.loc["C3", "previous_volume"] == 100 and rows.loc["C3", "flag"] == "drop"
    # the whole of November against December's two days would have made C2 'stopped' too
    whole = fluctuation.fluctuation(conn, ALL, DEC).set_index("customer_code")
    assert whole.loc["C2", "flag"] == "stopped"
    summary = fluctuation.fluctuation_summary(conn, ALL, DEC, as_of=date(2026, 12, 2)).iloc[0]
    assert (summary["stopped"], summary["drop"], summary["customers"]) == (1, 1, 2)


def test_a_running_months_tier_change_ends_on_its_as_of_day(conn):
    base(conn)
    exec_rules = "DELETE FROM tier_rules; INSERT INTO tier_rules VALUES ('Gold', 1, 1000), ('Regular', 2, 0.01)"
    conn.exec_driver_sql(exec_rules)
    add_order(conn, "big", "C1", date(2025, 12, 3), "1000.00")  # in the 365 days ending 2 December, not 3 December
    add_order(conn, "small", "C1", date(2026, 6, 1), "10.00")
    # as of 2 December: the 365 days ending 2 December against those ending 2 November
    moved = tiers.tiers(conn, ALL, DEC, as_of=date(2026, 12, 2)).set_index("customer_code")
    assert (moved.loc["C1", "tier_previous"], moved.loc["C1", "tier_current"]) == ("Gold", "Gold")
    moved = tiers.tiers(conn, ALL, DEC, as_of=date(2026, 12, 3)).set_index("customer_code")
    assert (moved.loc["C1", "tier_previous"], moved.loc["C1", "tier_current"], moved.loc["C1", "change"]) == (
        "Gold", "Regular", "downgrade")
    # the whole month (its end, 31 December, against 30 November) once it is over
    whole = tiers.tiers(conn, ALL, DEC).set_index("customer_code")
    assert (whole.loc["C1", "tier_previous"], whole.loc["C1", "tier_current"]) == ("Gold", "Regular")


def test_past_periods_are_compared_whole(conn):
    base(conn)
    add_order(conn, "a", "C1", date(2026, 10, 20), "100.00")
    add_order(conn, "b", "C1", date(2026, 11, 20), "100.00")
    nov = Period.parse("2026-11")
    assert fluctuation.fluctuation(conn, ALL, nov).equals(fluctuation.fluctuation(conn, ALL, nov, as_of=date(2026, 12, 2)))
    assert fluctuation.fluctuation(conn, ALL, nov)["flag"].tolist() == ["steady"]
