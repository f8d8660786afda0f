"""The SLA clock at its edges: calendar hours stay the default; working hours on the Chinese calendar
(a public holiday, a weekend, 调休 make-up working days, closing time, a year the package does not know)."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from dashboard.core.scope import Scope
from dashboard.metrics import clock as clock_module
from dashboard.metrics import complaints as cm
from tests.builders import add_complaint, base, exec_, local


def business(conn, hours="09:00-18:00"):
    exec_(conn, "INSERT INTO settings VALUES ('sla_clock', '\"business\"'), ('business_hours', CAST(:h AS jsonb)) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", h=f'"{hours}"')


def deadlines(conn, start=date(2026, 1, 1), end=date(2027, 12, 31), as_of=None):
    frame = cm.complaints(conn, Scope(None), start, end, as_of)
    return {no: pd.Timestamp(d).to_pydatetime() for no, d in zip(frame["complaint_no"], frame["deadline"])}


def test_calendar_hours_are_the_default_and_ignore_holidays(conn):
    base(conn)
    received = local(2026, 9, 30, 17, 0)
    add_complaint(conn, "NATIONAL", "C1", received, "high")
    assert deadlines(conn)["NATIONAL"] == received + timedelta(hours=24)


def test_national_day_is_skipped_and_the_make_up_saturday_counts(conn):
    base(conn)
    business(conn)
    # Wed 30 Sep 2026 17:00, 24 working hours: 1 h that day; 1-7 Oct are the National Day holiday;
    # Thu 8 and Fri 9 Oct 9 h each; Sat 10 Oct is a make-up working day (调休): 5 h, so 14:00
    add_complaint(conn, "NATIONAL", "C1", local(2026, 9, 30, 17, 0), "high")
    # Thu 24 Sep after closing, 4 h: Fri 25 Sep is the Mid-Autumn Festival, then the weekend
    add_complaint(conn, "MIDAUTUMN", "C1", local(2026, 9, 24, 19, 30), "urgent")
    # Sat 19 Sep (a day off), 4 h: Sun 20 Sep is a make-up working day
    add_complaint(conn, "MAKEUP", "C1", local(2026, 9, 19, 10, 0), "urgent")
    assert deadlines(conn) == {"NATIONAL": local(2026, 10, 10, 14, 0), "MIDAUTUMN": local(2026, 9, 28, 13, 0),
                               "MAKEUP": local(2026, 9, 20, 13, 0)}


def test_opening_and_closing_instants(conn):
    base(conn)
    business(conn)
    add_complaint(conn, "TO-CLOSE", "C1", local(2026, 9, 28, 14, 0), "urgent")     # reaches exactly 18:00
    add_complaint(conn, "AT-CLOSE", "C1", local(2026, 9, 28, 18, 0), "urgent")     # counted from the next opening
    add_complaint(conn, "EARLY", "C1", local(2026, 9, 29, 8, 59, 59), "urgent")    # before opening
    add_complaint(conn, "OPEN", "C1", local(2026, 9, 29, 9, 0), "urgent")
    add_complaint(conn, "SECOND", "C1", local(2026, 9, 29, 9, 0, 0, 1), "urgent")  # a microsecond after opening
    assert deadlines(conn) == {"TO-CLOSE": local(2026, 9, 28, 18, 0), "AT-CLOSE": local(2026, 9, 29, 13, 0),
                               "EARLY": local(2026, 9, 29, 13, 0), "OPEN": local(2026, 9, 29, 13, 0),
                               "SECOND": local(2026, 9, 29, 13, 0, 0, 1)}


def test_a_deadline_at_closing_time_is_met_at_that_second_and_breached_just_after(conn):
    base(conn)
    business(conn)
    received = local(2026, 9, 28, 14, 0)
    add_complaint(conn, "AT", "C1", received, "urgent", resolved=local(2026, 9, 28, 18, 0))
    add_complaint(conn, "LATE", "C1", received, "urgent", resolved=local(2026, 9, 28, 18, 0, 0, 1))
    frame = cm.complaints(conn, Scope(None), date(2026, 9, 1), date(2026, 9, 30))
    assert dict(zip(frame["complaint_no"], frame["state"])) == {"AT": "met", "LATE": "breached"}
    # resolution hours stay elapsed calendar time
    assert list(frame["resolution_hours"].astype(float)) == [4.0, 4.0]


def test_the_switch_changes_states_and_rates(conn):
    base(conn)
    # Fri 11 Sep 2026 17:00, urgent, resolved Mon 14 Sep 10:00: 65 calendar hours, 2 working hours
    add_complaint(conn, "WEEKEND", "C1", local(2026, 9, 11, 17, 0), "urgent", resolved=local(2026, 9, 14, 10, 0))
    add_complaint(conn, "QUICK", "C1", local(2026, 9, 22, 10, 0), "urgent", resolved=local(2026, 9, 22, 11, 0))
    kpis = cm.complaint_kpis(conn, Scope(None), date(2026, 9, 1), date(2026, 9, 30))
    assert (kpis.loc[0, "met"], kpis.loc[0, "breached"], float(kpis.loc[0, "achievement_rate"])) == (1, 1, 0.5)
    business(conn)
    kpis = cm.complaint_kpis(conn, Scope(None), date(2026, 9, 1), date(2026, 9, 30))
    assert (kpis.loc[0, "met"], kpis.loc[0, "breached"], float(kpis.loc[0, "achievement_rate"])) == (2, 0, 1.0)


def test_a_year_the_package_does_not_know_counts_monday_to_friday(conn):
    base(conn)
    business(conn)
    # Thu 31 Dec 2026 17:00, 24 h: 1 h; Fri 1 Jan 2027 counts as a working day (2027 unknown): 9 h;
    # Mon 4 Jan 9 h; Tue 5 Jan 5 h
    add_complaint(conn, "NEWYEAR", "C1", local(2026, 12, 31, 17, 0), "high")
    assert deadlines(conn)["NEWYEAR"] == local(2027, 1, 5, 14, 0)
    assert clock_module.unknown_years(conn, date(2026, 12, 1), date(2027, 1, 31)) == [2027]
    assert clock_module.unknown_years(conn, date(2026, 1, 1), date(2026, 12, 31)) == []


def test_fractional_hours_and_other_working_hours(conn):
    base(conn)
    business(conn, "08:30-12:00")
    exec_(conn, "UPDATE sla_policies SET resolution_hours = 5.25 WHERE priority = 'urgent'")
    # Mon 28 Sep 11:00: 1 h, Tue 29 Sep 3.5 h (to closing), Wed 30 Sep 0.75 h: 09:15
    add_complaint(conn, "SHORT-DAYS", "C1", local(2026, 9, 28, 11, 0), "urgent")
    assert deadlines(conn)["SHORT-DAYS"] == local(2026, 9, 30, 9, 15)


def test_working_hours_are_read_in_the_company_time_zone(conn, monkeypatch):
    base(conn)
    business(conn)
    # 01:00 UTC is 09:00 in Shanghai: a Monday's opening
    add_complaint(conn, "UTC", "C1", datetime(2026, 9, 28, 1, 0, tzinfo=timezone.utc), "urgent")
    assert deadlines(conn)["UTC"] == local(2026, 9, 28, 13, 0)
    monkeypatch.setenv("APP_TZ", "Europe/Berlin")
    # in Berlin 01:00 UTC is 03:00 (summer time): counted from 09:00 Berlin time
    assert deadlines(conn)["UTC"] == datetime(2026, 9, 28, 13, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def test_overdue_list_and_first_response_follow_the_clock(conn):
    base(conn)
    # Fri 18 Sep 17:30, normal (response 24 h, resolution 72 h), unanswered
    add_complaint(conn, "FRI", "C1", local(2026, 9, 18, 17, 30), "normal")
    exec_(conn, "UPDATE complaints SET first_response_at = :at", at=local(2026, 9, 21, 10, 0))
    monday = date(2026, 9, 21)
    assert cm.overdue_open(conn, Scope(None), date(2026, 9, 20)).empty        # due Mon 21 Sep 17:30
    assert list(cm.overdue_open(conn, Scope(None), date(2026, 9, 25))["complaint_no"]) == ["FRI"]   # calendar: 72 h
    kpis = cm.complaint_kpis(conn, Scope(None), date(2026, 9, 1), date(2026, 9, 30), monday)
    assert (kpis.loc[0, "responses_on_time"], kpis.loc[0, "responses_due"]) == (0, 1)          # 64.5 h > 24 h
    business(conn)
    # Sun 20 Sep is a make-up working day: the response took 0.5 + 9 + 1 working hours; 72 working
    # hours end Wed 30 Sep 17:30 (the Mid-Autumn Festival, Fri 25 Sep, and the weekend off)
    assert cm.overdue_open(conn, Scope(None), date(2026, 9, 25)).empty
    kpis = cm.complaint_kpis(conn, Scope(None), date(2026, 9, 1), date(2026, 9, 30), monday)
    assert (kpis.loc[0, "responses_on_time"], kpis.loc[0, "responses_due"]) == (1, 1)
    assert deadlines(conn)["FRI"] == local(2026, 9, 30, 17, 30)
    assert float(kpis.loc[0, "response_on_time_rate"]) == 1.0
