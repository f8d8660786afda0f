"""What complaints are about: by category, channel and department, rates per 100 orders and per 100 active
customers, repeat complaints within repeat_days (at exactly repeat_days a repeat), the drill-down."""
from datetime import date

import pytest

import sqlalchemy as sa

from dashboard.core.scope import Scope
from dashboard.metrics import complaints
from tests.builders import add_complaint, add_order, base, exec_, local
from tests.test_app import use_database  # noqa: F401 (fixture)

MAY1, MAY31 = date(2026, 5, 1), date(2026, 5, 31)


def _about(conn, no, category, channel):
    exec_(conn, "UPDATE complaints SET category = :c, channel = :ch WHERE complaint_no = :no", c=category, ch=channel,
          no=no)


def test_complaints_by_category_with_rates_and_repeats(conn):
    base(conn)  # C1 EAST-1, C2 SOUTH, C3 EAST
    for no, customer, day in (("O1", "C1", 2), ("O2", "C1", 3), ("O3", "C2", 4), ("O4", "C3", 5)):
        add_order(conn, no, customer, date(2026, 5, day), "100.00")
    add_order(conn, "O0", "C3", date(2026, 4, 30), "100.00")  # before the range: not counted
    add_complaint(conn, "K0", "C1", local(2026, 4, 10, 9, 0))                # before the range
    add_complaint(conn, "K1", "C1", local(2026, 5, 10, 9, 0))                # exactly 30 days after K0: a repeat
    add_complaint(conn, "K2", "C2", local(2026, 5, 10, 9, 0))
    add_complaint(conn, "K3", "C2", local(2026, 6, 9, 9, 0, 1))              # after the range
    add_complaint(conn, "K4", "C2", local(2026, 5, 20, 9, 0))                # 10 days after K2: a repeat
    add_complaint(conn, "K5", "C3", local(2026, 5, 31, 23, 59))
    for no, category, channel in (("K1", "质量", "phone"), ("K2", "质量", "email"), ("K4", "服务", "phone"),
                                  ("K5", None, "phone")):
        _about(conn, no, category, channel)
    table = complaints.complaint_topics(conn, Scope.company(), MAY1, MAY31, "category")
    rows = {("ALL" if r["all"] else r["category"]): r for r in table.to_dict("records")}
    assert list(table["complaints"]) == [2, 1, 1, 4]  # 质量, then 服务 and the empty category, then ALL
    assert (rows["质量"]["repeat_complaints"], rows["服务"]["repeat_complaints"], rows["ALL"]["repeat_complaints"]) == (1, 1, 2)
    assert float(rows["质量"]["complaint_share"]) == 0.5
    assert float(rows["质量"]["per_100_orders"]) == 50.0 and float(rows["ALL"]["per_100_orders"]) == 100.0
    assert float(rows["ALL"]["per_100_customers"]) == round(4 * 100 / 3, 2)  # C1, C2, C3 ordered in May
    exec_(conn, "INSERT INTO settings (key, value) VALUES ('repeat_days', '29')")
    table = complaints.complaint_topics(conn, Scope.company(), MAY1, MAY31, "category")
    assert int(table[table["all"]]["repeat_complaints"].iloc[0]) == 1  # K1 is 30 days after K0

    channels = complaints.complaint_topics(conn, Scope.company(), MAY1, MAY31, "channel")
    assert list(zip(channels["channel"].fillna("ALL"), channels["complaints"])) == [("phone", 3), ("email", 1), ("ALL", 4)]
    departments = complaints.complaint_topics(conn, Scope("EAST"), MAY1, MAY31, "department")
    rows = {("ALL" if r["all"] else r["department"]): r for r in departments.to_dict("records")}
    assert set(rows) == {"EAST-1", "EAST", "ALL"}
    assert (rows["EAST-1"]["orders"], float(rows["EAST-1"]["per_100_orders"])) == (2, 50.0)
    assert (rows["ALL"]["orders"], rows["ALL"]["active_customers"]) == (3, 2)
    records = complaints.complaints_about(conn, Scope.company(), MAY1, MAY31, "category", "质量")
    assert sorted(records["complaint_no"]) == ["K1", "K2"]
    assert list(complaints.complaints_about(conn, Scope.company(), MAY1, MAY31, "category", None)["complaint_no"]) == ["K5"]
    assert complaints.complaints_about(conn, Scope("EAST"), MAY1, MAY31, "category", "服务").empty  # SOUTH's


def test_the_share_moves_against_the_range_compared(conn):
    base(conn)
    for no, day, category in (("A1", 2, "质量"), ("A2", 3, "服务"), ("B1", 12, "质量"), ("B2", 13, "质量"), ("B3", 14, "新")):
        add_complaint(conn, no, "C1", local(2026, 4 if no.startswith("A") else 5, day, 9, 0))
        _about(conn, no, category, "phone")
    now = complaints.complaint_topics(conn, Scope.company(), MAY1, MAY31, "category")
    before = complaints.complaint_topics(conn, Scope.company(), date(2026, 4, 1), date(2026, 4, 30), "category")
    moved = dict(zip(now["category"].fillna("ALL"), complaints.share_change(now, before, "category")))
    assert moved["质量"] == pytest.approx(0.6667 - 0.5) and moved["新"] is None and moved["ALL"] is None


def test_an_empty_range_has_no_rows(conn):
    base(conn)
    assert complaints.complaint_topics(conn, Scope.company(), MAY1, MAY31, "channel").empty


def test_the_complaints_page_shows_what_complaints_are_about_in_both_languages(demo_url, use_database):
    from tests.test_app import assert_clean, open_page

    use_database(demo_url)
    for lang, title in (("zh", "投诉内容分析"), ("en", "What complaints are about")):
        at = open_page("complaints", lang, kind="quarter")
        assert_clean(at)
        assert title in [s.value for s in at.subheader]
        for by in ("channel", "department"):
            at.radio(key="complaints_topic").set_value(by).run()
            assert_clean(at)
