from datetime import date

import pytest

from dashboard.core.periods import Period, PeriodError, end_of_day
from tests.builders import SHANGHAI


@pytest.mark.parametrize("text,start,end", [
    ("2026-W21", date(2026, 5, 18), date(2026, 5, 24)),
    ("2026-05", date(2026, 5, 1), date(2026, 5, 31)),
    ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026-05-03..2026-05-09", date(2026, 5, 3), date(2026, 5, 9)),
])
def test_named_periods(text, start, end):
    p = Period.parse(text)
    assert (p.start, p.end) == (start, end)


def test_previous_and_last_year():
    assert Period.parse("2026-W01").previous().label == "2025-W52"
    assert Period.parse("2026-01").previous().label == "2025-12"
    assert Period.parse("2026-Q1").previous().label == "2025-Q4"
    assert Period.parse("2026-W21").last_year().label == "2025-W21"
    assert Period.parse("2020-W53").last_year().label == "2019-W52"
    assert Period.parse("2026-W53").last_year().label == "2025-W52"  # 2025 has no week 53
    custom = Period.parse("2026-05-10..2026-05-19")
    assert (custom.previous().start, custom.previous().end) == (date(2026, 4, 30), date(2026, 5, 9))
    assert Period.parse("2024-02-29..2024-03-01").last_year().start == date(2023, 2, 28)


@pytest.mark.parametrize("text", ["2026-13", "2026-W54", "2025-W53", "2026-Q5", "May", "2026-05-31..2026-05-01"])
def test_bad_periods_are_named(text):
    with pytest.raises(PeriodError) as error:
        Period.parse(text)
    assert "period" in str(error.value)


def test_end_of_day_is_the_last_microsecond_in_the_company_zone():
    t = end_of_day(date(2026, 5, 31), SHANGHAI)
    assert t.isoformat() == "2026-05-31T23:59:59.999999+08:00"
