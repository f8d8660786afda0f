"""Complaint timeliness at its edges: exact deadlines, as-of instants, local dates, medians."""
from datetime import date, timedelta
from decimal import Decimal

import dashboard.metrics.complaints  # noqa: F401 (metrics.complaints)
import dashboard.metrics.sql  # noqa: F401 (metrics.sql)
from dashboard import metrics
from dashboard.core.scope import Scope
from tests.builders import add_complaint, base, exec_, local

MAY_1, MAY_31 = date(2026, 5, 1), date(2026, 5, 31)


def states(conn, start=MAY_1, end=MAY_31, as_of=None, department=None):
    frame = metrics.complaints.complaints(conn, Scope(department), start, end, as_of)
    return dict(zip(frame["complaint_no"], frame["state"]))


def test_resolved_exactly_at_deadline_is_met_and_one_second_later_breached(conn):
    base(conn)
    received = local(2026, 5, 10, 9, 0, 0)
    add_complaint(conn, "AT", "C1", received, "urgent", resolved=received + timedelta(hours=4))
    add_complaint(conn, "LATE", "C1", received, "urgent", resolved=received + timedelta(hours=4, seconds=1))
    assert states(conn) == {"AT": "met", "LATE": "breached"}


def test_unresolved_is_pending_until_the_deadline_passes(conn):
    base(conn)
    # deadline 2026-05-31 23:59:59.999999 local == T of as-of 2026-05-31: not yet past, so pending
    received = local(2026, 5, 31, 23, 59, 59) + timedelta(microseconds=999999) - timedelta(hours=72)
    add_complaint(conn, "EDGE", "C1", received, "normal")
    add_complaint(conn, "OLD", "C1", local(2026, 5, 20, 9, 0), "normal")
    assert states(conn) == {"EDGE": "pending", "OLD": "breached"}
    assert states(conn, as_of=date(2026, 6, 1))["EDGE"] == "breached"


def test_resolution_after_as_of_does_not_exist_yet(conn):
    base(conn)
    received = local(2026, 5, 30, 10, 0)
    add_complaint(conn, "X", "C1", received, "low", resolved=local(2026, 6, 2, 10, 0))
    frame = metrics.complaints.complaints(conn, Scope.company(), MAY_1, MAY_31)
    row = frame.iloc[0]
    assert row["state"] == "pending" and row["resolved_at"] is None and row["resolution_hours"] is None
    later = metrics.complaints.complaints(conn, Scope.company(), MAY_1, MAY_31, as_of=date(2026, 6, 30)).iloc[0]
    assert later["state"] == "met" and later["resolution_hours"] == Decimal("72.00")


def test_cohort_uses_the_local_date_not_the_utc_date(conn):
    base(conn)
    add_complaint(conn, "LOCAL-JUNE", "C1", local(2026, 6, 1, 0, 30))   # 2026-05-31 16:30 UTC
    add_complaint(conn, "LOCAL-MAY", "C1", local(2026, 5, 1, 7, 0))     # 2026-04-30 23:00 UTC
    assert set(states(conn, as_of=date(2026, 6, 30))) == {"LOCAL-MAY"}
    june = metrics.complaints.complaints(conn, Scope.company(), date(2026, 6, 1), date(2026, 6, 1))
    assert list(june["complaint_no"]) == ["LOCAL-JUNE"]
    assert june["received_at"][0].isoformat() == "2026-06-01T00:30:00+08:00"


def test_deadline_follows_edited_sla_hours(conn):
    base(conn)
    received = local(2026, 5, 10, 9, 0)
    add_complaint(conn, "N", "C1", received, "normal", resolved=received + timedelta(hours=50))
    assert states(conn)["N"] == "met"
    exec_(conn, "UPDATE sla_policies SET resolution_hours = 48 WHERE priority = 'normal'")
    assert states(conn)["N"] == "breached"


def test_summary_rows_rates_median_and_department_filter(conn):
    base(conn)
    r = local(2026, 5, 10, 9, 0)
    add_complaint(conn, "A", "C1", r, "high", resolved=r + timedelta(hours=2))
    add_complaint(conn, "B", "C1", r, "high", resolved=r + timedelta(hours=30))
    add_complaint(conn, "C", "C3", r, "high", resolved=r + timedelta(hours=3))
    add_complaint(conn, "D", "C2", r, "high", resolved=r + timedelta(hours=5))
    add_complaint(conn, "E", "C2", r, "low")  # open, overdue by the end of May
    summary = metrics.complaints.complaint_summary(conn, Scope.company(), MAY_1, MAY_31).set_index("department_code")
    assert list(summary.index) == ["EAST", "EAST-1", "SOUTH", "ALL"]
    assert summary.loc["EAST-1", "achievement_rate"] == Decimal("0.5000")
    assert summary.loc["EAST-1", "median_resolution_hours"] == Decimal("16.00")  # mean of 2 and 30
    assert summary.loc["ALL", "received"] == 5 and summary.loc["ALL", "overdue_open"] == 1
    assert summary.loc["ALL", "achievement_rate"] == Decimal("0.6000")  # 3 met of 5 decided
    east = metrics.complaints.complaint_summary(conn, Scope("EAST"), MAY_1, MAY_31).set_index("department_code")
    assert list(east.index) == ["EAST", "EAST-1", "ALL"] and east.loc["ALL", "received"] == 3


def test_empty_period_gives_an_all_row_with_empty_rate(conn):
    base(conn)
    summary = metrics.complaints.complaint_summary(conn, Scope.company(), MAY_1, MAY_31)
    assert list(summary["department_code"]) == ["ALL"]
    assert summary["received"][0] == 0 and summary["achievement_rate"][0] is None
    assert summary["median_resolution_hours"][0] is None


def test_overdue_open_ignores_the_received_date_and_sorts_by_hours_overdue(conn):
    base(conn)
    add_complaint(conn, "OLDER", "C1", local(2026, 3, 1, 9, 0), "low")
    add_complaint(conn, "NEWER", "C2", local(2026, 5, 30, 9, 0), "urgent")
    add_complaint(conn, "DONE", "C2", local(2026, 5, 30, 9, 0), "urgent", resolved=local(2026, 5, 30, 10, 0))
    frame = metrics.complaints.overdue_open(conn, Scope.company(), MAY_31)
    assert list(frame["complaint_no"]) == ["OLDER", "NEWER"]
    assert frame["hours_overdue"][1] == Decimal("35.00")  # deadline 13:00 on the 30th, T just before June 1


def test_callback_rate_and_satisfaction(conn):
    base(conn)
    r = local(2026, 5, 2, 9, 0)
    resolved = r + timedelta(hours=1)
    add_complaint(conn, "ON", "C1", r, "high", resolved=resolved, callback=resolved + timedelta(days=7), satisfaction=5)
    add_complaint(conn, "LATE", "C1", r, "high", resolved=resolved, callback=resolved + timedelta(days=7, seconds=1),
                  satisfaction=2)
    add_complaint(conn, "NONE", "C1", r, "high", resolved=resolved, satisfaction=1)
    add_complaint(conn, "OPEN", "C1", r, "high")
    kpis = metrics.complaints.complaint_kpis(conn, Scope.company(), MAY_1, MAY_31).iloc[0]
    assert kpis["callback_on_time_rate"] == Decimal("0.3333")
    assert kpis["mean_satisfaction"] == Decimal("2.67") and kpis["dissatisfied_share"] == Decimal("0.6667")
    assert kpis["p90_resolution_hours"] == Decimal("1.00")


def test_trend_counts_each_local_month_with_its_states(conn):
    base(conn)
    add_complaint(conn, "APR-LAST", "C1", local(2026, 4, 30, 23, 59, 59), "low",
                  resolved=local(2026, 5, 1, 1, 0))                                  # 2026-04-30 15:59 UTC
    add_complaint(conn, "MAY-FIRST", "C2", local(2026, 5, 1, 0, 0), "urgent",          # 2026-04-30 16:00 UTC
                  resolved=local(2026, 5, 1, 4, 0, 1))                               # 1 s past 4 hours
    add_complaint(conn, "MAY-MET", "C3", local(2026, 5, 10, 9, 0), "urgent", resolved=local(2026, 5, 10, 13, 0))
    add_complaint(conn, "MAY-OPEN", "C1", local(2026, 5, 30, 9, 0), "low")            # pending on 31 May
    trend = metrics.complaints.complaint_trend(conn, Scope.company(), date(2026, 4, 1), MAY_31, "month", MAY_31)
    assert trend["period_start"].tolist() == [date(2026, 4, 1), date(2026, 5, 1)]
    assert trend[["received", "met", "breached", "pending"]].values.tolist() == [[1, 1, 0, 0], [3, 1, 1, 1]]
    assert trend["achievement_rate"].tolist() == [Decimal("1.0000"), Decimal("0.5000")]
    # an empty month is absent, and a department keeps only its customers (EAST has C1 and C3)
    east = metrics.complaints.complaint_trend(conn, Scope("EAST"), date(2026, 3, 1), MAY_31, "month", MAY_31)
    assert east["period_start"].tolist() == [date(2026, 4, 1), date(2026, 5, 1)]
    assert east["received"].tolist() == [1, 2] and east["pending"].tolist() == [0, 1]
    weeks = metrics.complaints.complaint_trend(conn, Scope.company(), date(2026, 4, 27), MAY_31, "week", MAY_31)
    assert weeks["period_start"].tolist() == [date(2026, 4, 27), date(2026, 5, 4), date(2026, 5, 25)]
    assert weeks["received"].tolist() == [2, 1, 1]


def test_timestamps_keep_their_instant_and_offset(conn):
    base(conn)
    add_complaint(conn, "X", "C1", local(2026, 5, 10, 9, 0, 0) + timedelta(microseconds=250000), "urgent")
    frame = metrics.complaints.complaints(conn, Scope.company(), MAY_1, MAY_31)
    assert str(frame["received_at"].dtype) == "datetime64[us, UTC+08:00]"
    assert frame["received_at"][0].isoformat() == "2026-05-10T09:00:00.250000+08:00"
    assert frame["deadline"][0] == local(2026, 5, 10, 13, 0, 0) + timedelta(microseconds=250000)
    # a zone with summer time gives two offsets in one column: each value keeps its own
    exec_(conn, "SET LOCAL TIME ZONE 'Europe/Berlin'")
    frame = metrics.sql.frame(conn, "SELECT timestamptz '2026-01-15 12:00+00' AS t UNION ALL "
                                 "SELECT timestamptz '2026-07-15 12:00+00' UNION ALL SELECT NULL", {})
    assert [v.isoformat() if v else v for v in frame["t"]] == [
        "2026-01-15T13:00:00+01:00", "2026-07-15T14:00:00+02:00", None]


def test_work_waiting_counted_in_full_and_listed_first_due_first_per_kind(conn):
    """My work counts every complaint waiting and lists the first few of each kind by due time."""
    base(conn)
    exec_(conn, "UPDATE complaints SET handler_staff_id = NULL")
    # waiting for a response: due 24 h (normal) or 1 h (urgent) after receipt
    add_complaint(conn, "R-NORMAL", "C1", local(2026, 5, 10, 9, 0), "normal")
    add_complaint(conn, "R-URGENT", "C2", local(2026, 5, 10, 12, 0), "urgent")
    add_complaint(conn, "R-LATER", "C3", local(2026, 5, 20, 9, 0), "urgent")
    # waiting for a callback: due 7 days after the resolution, however long ago
    add_complaint(conn, "B-OLD", "C2", local(2026, 1, 5, 9, 0), resolved=local(2026, 1, 6, 9, 0))
    add_complaint(conn, "B-NEW", "C1", local(2026, 5, 1, 9, 0), resolved=local(2026, 5, 2, 9, 0))
    add_complaint(conn, "B-FUTURE", "C1", local(2026, 5, 30, 9, 0), resolved=local(2026, 6, 2, 9, 0))
    add_complaint(conn, "DONE", "C1", local(2026, 5, 1, 9, 0), resolved=local(2026, 5, 2, 9, 0),
                  callback=local(2026, 5, 3, 9, 0))
    add_complaint(conn, "NOT-YET", "C1", local(2026, 6, 2, 9, 0))   # received after the day
    exec_(conn, "UPDATE complaints SET handler_staff_id = (SELECT id FROM staff WHERE staff_no = 'S1') "
                "WHERE complaint_no IN ('R-LATER', 'B-NEW')")
    waiting = metrics.complaints.complaints_waiting
    full = waiting(conn, Scope.company(), MAY_31)
    assert list(full["complaint_no"]) == ["B-OLD", "B-NEW", "R-URGENT", "R-NORMAL", "R-LATER", "B-FUTURE"]
    first = waiting(conn, Scope.company(), MAY_31, limit=1)
    assert list(first["complaint_no"]) == ["B-OLD", "R-URGENT"]
    heads = full.groupby("waiting_for", sort=False).head(1)
    assert list(first["due_at"]) == list(heads["due_at"]) and list(first["waiting_for"]) == ["callback", "response"]
    counts = metrics.complaints.waiting_counts(conn, Scope.company(), MAY_31)
    assert (int(counts["response"][0]), int(counts["callback"][0])) == (3, 3)
    east = metrics.complaints.waiting_counts(conn, Scope("EAST"), MAY_31)
    assert (int(east["response"][0]), int(east["callback"][0])) == (2, 2)
    assert list(waiting(conn, Scope("EAST"), MAY_31, limit=1)["complaint_no"]) == ["B-NEW", "R-NORMAL"]
    own = metrics.complaints.waiting_counts(conn, Scope.company(), MAY_31, "S1")
    assert (int(own["response"][0]), int(own["callback"][0])) == (1, 1)
    assert list(waiting(conn, Scope.company(), MAY_31, "S1", limit=5)["complaint_no"]) == ["B-NEW", "R-LATER"]
