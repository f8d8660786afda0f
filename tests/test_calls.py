"""The contact centre (metrics.md "Contact centre"): call figures at their edges, scope, the import of
calls.csv (the SQL path and the Python path), and the export view call_summary."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from dashboard.core.scope import Scope
from dashboard.exports import VIEWS, export_frame
from dashboard.imports import ImportFailed, import_directory
from dashboard.metrics import calls
from tests.builders import base, exec_, local
from tests.import_books import write_files

DAY = date(2026, 5, 12)  # a Tuesday


def add_call(conn, call_id, started, wait=None, talk=60, wrap=None, *, ended=None, direction="inbound",
             queue="sales", staff=None, customer=None, caller=None):
    """A call starting at `started`, answered after `wait` seconds (None: not answered), `talk` seconds long."""
    answered = started + timedelta(seconds=wait) if wait is not None else None
    ended = ended or (answered + timedelta(seconds=talk) if answered else started + timedelta(seconds=talk))
    exec_(conn, """
        INSERT INTO calls (call_id, direction, started_at, answered_at, ended_at, wrap_up_seconds, queue, staff_id,
                           customer_id, caller, department_id)
        SELECT :id, :dir, :s, :a, :e, :w, :q, st.id, cu.id, :caller, coalesce(cu.department_id, st.department_id)
        FROM (SELECT 1) one LEFT JOIN staff st ON st.staff_no = :staff LEFT JOIN customers cu ON cu.code = :cust""",
          id=call_id, dir=direction, s=started, a=answered, e=ended, w=wrap, q=queue, staff=staff, cust=customer,
          caller=caller)


def summary(conn, scope=Scope.company(), start=DAY, end=DAY, as_of=None):
    table = calls.call_summary(conn, scope, start, end, as_of)
    return {row["queue"]: row for row in table.to_dict("records")}


def test_a_short_abandon_ends_before_short_abandon_seconds_and_is_not_offered(conn):
    base(conn)
    t0 = local(2026, 5, 12, 10, 0, 0)
    add_call(conn, "A1", t0, ended=t0 + timedelta(seconds=4, microseconds=999_999))  # short
    add_call(conn, "A2", t0, ended=t0 + timedelta(seconds=5))                        # exactly 5 s: abandoned
    add_call(conn, "A3", t0, wait=10)
    row = summary(conn)["ALL"]
    assert (row["short_abandoned"], row["offered"], row["answered"], row["abandoned"]) == (1, 2, 1, 1)
    assert float(row["abandon_rate"]) == 0.5
    exec_(conn, "INSERT INTO settings (key, value) VALUES ('short_abandon_seconds', '6')")
    row = summary(conn)["ALL"]
    assert (row["short_abandoned"], row["offered"], row["abandoned"]) == (2, 1, 0)


def test_an_answer_at_exactly_sl_seconds_is_within_the_service_level(conn):
    base(conn)
    t0 = local(2026, 5, 12, 10, 0, 0)
    add_call(conn, "S1", t0, wait=20)
    add_call(conn, "S2", t0, ended=t0 + timedelta(seconds=20, microseconds=1), wait=None)  # abandoned, offered
    add_call(conn, "S3", t0, ended=None, wait=20.000001)
    add_call(conn, "S4", t0, wait=0)
    row = summary(conn)["ALL"]
    assert row["offered"] == 4 and float(row["service_level"]) == 0.5  # S1 and S4 of 4
    assert float(row["asa_seconds"]) == round((20 + 20.000001 + 0) / 3, 2)
    exec_(conn, "INSERT INTO settings (key, value) VALUES ('sl_seconds', '19')")
    assert float(summary(conn)["ALL"]["service_level"]) == 0.25


def test_handle_time_and_after_call_work_are_means_over_answered_calls_empty_wrap_up_is_0(conn):
    base(conn)
    t0 = local(2026, 5, 12, 10, 0, 0)
    add_call(conn, "H1", t0, wait=5, talk=100, wrap=30)
    add_call(conn, "H2", t0, wait=5, talk=201)                  # wrap-up empty: 0
    add_call(conn, "H3", t0, talk=40)                           # abandoned: in neither mean
    add_call(conn, "H4", t0, wait=5, talk=50, direction="outbound", wrap=500)  # outbound: not counted
    row = summary(conn)["ALL"]
    assert float(row["aht_seconds"]) == 165.5   # (130 + 201) / 2
    assert float(row["acw_seconds"]) == 15.0
    assert row["answered"] == 2 and row["offered"] == 3


def test_a_repeat_at_exactly_fcr_hours_is_not_first_contact_and_an_open_window_is_not_counted(conn):
    base(conn)
    t0 = local(2026, 5, 12, 9, 0, 0)
    add_call(conn, "F1", t0, wait=5, talk=55, customer="C1")               # ends 09:01
    add_call(conn, "F1b", local(2026, 5, 13, 9, 1, 0), talk=3, customer="C1")  # exactly 24 h later, short abandon
    add_call(conn, "F2", t0, wait=5, talk=55, customer="C2")
    add_call(conn, "F2b", local(2026, 5, 13, 9, 1, 1), wait=5, customer="C2")  # 24 h and 1 s: outside
    add_call(conn, "F3", t0, wait=5, talk=55, caller="13800000000")          # only a phone number
    add_call(conn, "F3b", local(2026, 5, 12, 15, 0, 0), talk=30, caller="13800000000", queue="care")
    add_call(conn, "F4", t0, wait=5, talk=55)                                # neither customer nor caller
    # as of the 13th (T = 23:59:59.999999): every window of the 12th's 09:01 calls has ended
    row = summary(conn, as_of=date(2026, 5, 13))["sales"]
    assert (float(row["fcr_rate"]), row["answered"]) == (pytest.approx(1 / 3, abs=1e-4), 4)
    table = calls.call_figures(conn, Scope.company(), DAY, DAY, date(2026, 5, 13))
    total = table[table["all"]].iloc[0]
    assert (total["fcr_base"], total["fcr_resolved"]) == (3, 1)  # F4 has no one to call back; F2 resolved
    # as of the 12th the windows are still open: no base yet, no rate
    total = calls.call_figures(conn, Scope.company(), DAY, DAY, DAY).query("all").iloc[0]
    assert total["fcr_base"] == 0 and total["fcr_rate"] is None
    exec_(conn, "INSERT INTO settings (key, value) VALUES ('fcr_hours', '2')")
    total = calls.call_figures(conn, Scope.company(), DAY, DAY, DAY).query("all").iloc[0]
    assert (total["fcr_base"], total["fcr_resolved"]) == (3, 3)  # no repeat within 2 h (F3b is 6 h later)


def test_a_call_belongs_to_the_range_by_its_local_start_and_exists_as_of_t(conn):
    base(conn)
    add_call(conn, "D0", local(2026, 5, 11, 23, 59, 59), wait=1)
    add_call(conn, "D1", local(2026, 5, 12, 0, 0, 0), wait=1)
    add_call(conn, "D2", local(2026, 5, 12, 23, 59, 59), wait=1)
    add_call(conn, "D3", local(2026, 5, 13, 0, 0, 0), wait=1)
    assert summary(conn)["ALL"]["offered"] == 2
    assert summary(conn, end=date(2026, 5, 13), as_of=DAY)["ALL"]["offered"] == 2
    assert calls.call_summary(conn, Scope.company(), date(2026, 5, 14), date(2026, 5, 14)).empty


def test_a_call_belongs_to_its_customers_department_else_its_staff_members_else_managers_only(conn):
    base(conn)
    t0 = local(2026, 5, 12, 10, 0, 0)
    add_call(conn, "P1", t0, wait=1, customer="C2", staff="S1")   # SOUTH (the customer's)
    add_call(conn, "P2", t0, wait=1, staff="S1")                  # EAST-1 (the staff member's)
    add_call(conn, "P3", t0, wait=1, caller="13900000000")        # no department: managers only
    assert summary(conn)["ALL"]["offered"] == 3
    assert summary(conn, Scope("SOUTH"))["ALL"]["offered"] == 1
    assert summary(conn, Scope("EAST"))["ALL"]["offered"] == 1
    assert summary(conn, Scope("HQ"))["ALL"]["offered"] == 2
    staff = calls.call_figures(conn, Scope("EAST"), DAY, DAY, by="staff")
    assert list(staff["staff_no"].fillna("ALL")) == ["S1", "ALL"] and list(staff["answered"]) == [1, 1]


def test_the_grains_hour_weekday_day_and_queue(conn):
    base(conn)
    add_call(conn, "G1", local(2026, 5, 11, 9, 30), wait=1, queue="sales")   # Monday 09
    add_call(conn, "G2", local(2026, 5, 12, 9, 59), wait=30, queue="care")   # Tuesday 09
    add_call(conn, "G3", local(2026, 5, 12, 14, 0), wait=1, queue=None)
    start, end = date(2026, 5, 11), DAY
    hours = calls.call_figures(conn, Scope.company(), start, end, by="hour")
    assert list(hours["hour"].dropna().astype(int)) == [9, 14] and list(hours["offered"]) == [2, 1, 3]
    days = calls.call_figures(conn, Scope.company(), start, end, by="weekday")
    assert list(days["weekday"].dropna().astype(int)) == [1, 2]
    queues = summary(conn, start=start, end=end)
    assert len(queues) == 4 and {q for q in queues if isinstance(q, str)} == {"care", "sales", "ALL"}  # and no queue
    assert float(queues["care"]["service_level"]) == 0


def test_the_calls_behind_a_queue_hour_weekday_or_staff_row_are_its_count_newest_first_in_scope(conn):
    base(conn)
    t0 = local(2026, 5, 12, 9, 0, 0)                                      # a Tuesday
    add_call(conn, "D1", t0, wait=3, queue="sales", staff="S1", customer="C1")
    add_call(conn, "D2", t0 + timedelta(minutes=5), ended=t0 + timedelta(minutes=5, seconds=2), queue="sales",
             customer="C1")                                               # a short abandon: listed, not offered
    add_call(conn, "D3", t0 + timedelta(hours=5), wait=None, queue=None, customer="C2")  # SOUTH, no queue
    add_call(conn, "D4", local(2026, 5, 11, 14, 0), wait=40, queue="care", caller="13900000000")  # Monday, no one's
    add_call(conn, "D5", t0 + timedelta(minutes=9), wait=1, queue="sales", direction="outbound", staff="S1")
    start, company = date(2026, 5, 11), Scope.company()

    def ids(scope=company, **where):
        table = calls.call_records(conn, scope, start, DAY, **where)
        return list(table["call_id"]), table.attrs["total"]

    for by, value, where in (("queue", "sales", {"queue": "sales"}), ("queue", None, {"queue": ""}),
                             ("hour", 9, {"hour": 9}), ("weekday", 1, {"weekday": 1})):
        figures = calls.call_figures(conn, company, start, DAY, by=by)
        row = figures[~figures["all"] & (figures[by].isna() if value is None else figures[by] == value)].iloc[0]
        listed, total = ids(**where)
        assert len(listed) == total == row["offered"] + row["short_abandoned"], (by, value, listed)
    assert ids(queue="sales") == (["D2", "D1"], 2)                        # newest first; the outbound D5 is no figure's
    staff = calls.call_figures(conn, company, start, DAY, by="staff")
    s1 = int(staff.loc[staff["staff_no"] == "S1", "staff_id"].iloc[0])
    assert ids(staff_id=s1) == (["D1"], int(staff.loc[staff["staff_no"] == "S1", "answered"].iloc[0]))
    assert ids(queue="sales", hour=14) == ([], 0)                          # filters combine
    assert ids()[1] == 4 and set(ids()[0]) == {"D1", "D2", "D3", "D4"}
    assert ids(Scope("EAST")) == (["D2", "D1"], 2)                        # C1 is EAST-1's; D4 is nobody's
    assert ids(Scope("SOUTH")) == (["D3"], 1) and ids(Scope("SOUTH"), queue="care") == ([], 0)
    table = calls.call_records(conn, company, start, DAY, limit=1)
    assert list(table["call_id"]) == ["D3"] and table.attrs["total"] == 4  # cut at the limit, counted in full
    assert list(table["call_outcome"]) == ["abandoned"]


CALLS_HEADER = "call_id,direction,started_at,answered_at,ended_at,wrap_up_seconds,queue,staff_no,customer_code,caller"
BASE_FILES = {"departments.csv": "code,name,parent_code\nHQ,总部,\nEAST,华东,HQ\n",
              "staff.csv": "staff_no,name,department_code,role\nS1,张伟,EAST,agent\n",
              "customers.csv": "code,name,department_code\nC1,甲公司,EAST\n"}


def test_calls_csv_imports_through_the_sql_path_in_the_company_time_zone(engine, tmp_path, monkeypatch):
    from dashboard.imports import staged

    import_directory(engine, write_files(tmp_path / "base", BASE_FILES))
    taken = []
    original = staged.stage
    monkeypatch.setattr(staged, "stage", lambda *a: taken.append(original(*a)) or taken[-1])
    lines = [CALLS_HEADER,
             "K1,呼入,2026-05-12 09:00:00,2026-05-12 09:00:20,2026-05-12T09:05:00,15,sales,S1,C1,",
             "K2,inbound,2026-05-12T01:00:00Z,,2026-05-12T01:00:04+00:00,,,,,13800000000",
             "K3,呼出,2026-05-12 10:00,2026-05-12 10:00:05,2026-05-12 10:01,,,S1,,"]
    outcome = import_directory(engine, write_files(tmp_path / "c", {"calls.csv": "\n".join(lines) + "\n"}))
    assert taken == [True] and outcome == {"calls.csv": 3}
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT c.call_id, c.direction, c.started_at, c.wrap_up_seconds, d.code "
                                    "FROM calls c LEFT JOIN departments d ON d.id = c.department_id "
                                    "ORDER BY call_id")).all()
        assert [(r[0], r[1], r[3], r[4]) for r in rows] == [("K1", "inbound", 15, "EAST"), ("K2", "inbound", None, None),
                                                             ("K3", "outbound", None, "EAST")]
        assert rows[0][2] == local(2026, 5, 12, 9, 0, 0) and rows[1][2] == local(2026, 5, 12, 9, 0, 0)
        row = summary(conn)["ALL"]
        assert (row["offered"], row["short_abandoned"], float(row["service_level"])) == (1, 1, 1.0)
    again = import_directory(engine, write_files(tmp_path / "c", {"calls.csv": "\n".join(lines) + "\n"}))
    assert again == {"calls.csv": 0}


def test_a_file_without_the_optional_columns_imports(engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "base", BASE_FILES))
    content = "call_id,direction,started_at,ended_at\nM1,inbound,2026-05-12 09:00,2026-05-12 09:00:30\n"
    assert import_directory(engine, write_files(tmp_path / "c", {"calls.csv": content})) == {"calls.csv": 1}


@pytest.mark.parametrize("sql_path", [True, False])
def test_bad_call_rows_are_refused_naming_the_line_and_nothing_is_written(engine, tmp_path, sql_path):
    import_directory(engine, write_files(tmp_path / "base", BASE_FILES))
    odd = "2026/5/12 9:00" if not sql_path else "2026-05-12 09:00"  # a written date form goes the Python way
    lines = [CALLS_HEADER,
             f"B1,inbound,{odd},2026-05-12 08:59:59,2026-05-12 09:10,,,,,",
             "B2,sideways,2026-05-12 09:00,,2026-05-12 09:10,,,,,",
             "B3,inbound,2026-05-12 09:00,,2026-05-12 08:10,x,,S9,C9,",
             "B4,inbound,,,2026-05-12 08:10,,,,,",
             "B5,inbound,2026-05-12 09:00,,2026-05-12 09:10,,,,,"]
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, write_files(tmp_path / "c", {"calls.csv": "\n".join(lines) + "\n"}))
    assert failure.value.problems == [
        "calls.csv:3: direction: 'sideways' is not one of inbound, outbound (accepted: inbound: 呼入; outbound: 呼出)",
        "calls.csv:4: wrap_up_seconds: 'x' is not a whole number >= 0",
        "calls.csv:5: started_at: required value is empty",
        "calls.csv:4: staff_no: staff member 'S9' does not exist",
        "calls.csv:4: customer_code: customer 'C9' does not exist",
        "calls.csv:2: answered_at: is before started_at",
        "calls.csv:4: ended_at: is before started_at"]
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM calls")).scalar() == 0


def test_call_summary_is_an_export_view_with_its_documented_columns(conn):
    base(conn)
    add_call(conn, "E1", local(2026, 5, 12, 10, 0, 0), wait=3, customer="C1")
    table = export_frame(conn, VIEWS["call_summary"], Scope.company(), start=DAY, end=DAY)
    assert list(table.columns) == list(calls.SUMMARY_COLUMNS)
    assert list(table["queue"]) == ["sales", "ALL"] and list(table["offered"]) == [1, 1]


def test_a_timestamp_that_does_not_exist_and_a_direction_in_capitals_are_read_as_the_python_path_reads_them(
        engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "base", BASE_FILES))
    lines = [CALLS_HEADER, "V1,INBOUND,2026-02-30 09:00,,2026-03-01 09:00,,,,,", "V2,Inbound,2026-02-28 09:00,,2026-02-28 09:01,,,,,"]
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, write_files(tmp_path / "c", {"calls.csv": "\n".join(lines) + "\n"}))
    assert failure.value.problems == ["calls.csv:2: started_at: '2026-02-30 09:00' is not a valid date and time"]
    lines[1] = "V1,INBOUND,2026-02-27 09:00,,2026-02-27 09:00:30,,,,,"
    assert import_directory(engine, write_files(tmp_path / "c", {"calls.csv": "\n".join(lines) + "\n"})) == {"calls.csv": 2}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT array_agg(DISTINCT direction) FROM calls")).scalar() == ["inbound"]


def test_a_workbook_sheet_of_calls_with_chinese_headers_and_typed_times_imports(engine, tmp_path):
    from dashboard.imports import import_workbook
    from tests.import_books import workbook

    import_directory(engine, write_files(tmp_path / "base", BASE_FILES))
    sheet = ("通话编号,方向,开始时间,接听时间,结束时间,话后处理秒数,队列,坐席工号,客户编号,主叫号码\n"
             "X1,呼入,2026-05-12 09:00:00,2026-05-12 09:00:20,2026-05-12 09:05:00,15,售后服务,S1,C1,\n"
             "X2,呼入,2026-05-12 09:10:00,,2026-05-12 09:10:03,,售后服务,,,13800000000\n")
    path = tmp_path / "calls.xlsx"
    path.write_bytes(workbook({"calls.csv": sheet}, sheets={"calls.csv": "通话记录"}))
    assert import_workbook(engine, path) == {"calls.csv": 2}
    with engine.connect() as conn:
        row = summary(conn)["售后服务"]
        assert (row["offered"], row["short_abandoned"], float(row["service_level"])) == (1, 1, 1.0)
        started = conn.execute(sa.text("SELECT started_at FROM calls WHERE call_id = 'X1'")).scalar()
        assert started == local(2026, 5, 12, 9, 0, 0)


def test_a_managers_change_of_a_call_rule_takes_effect_and_a_bad_one_or_a_non_manager_writes_nothing(conn):
    from dashboard.core.scope import AccessDenied
    from dashboard.core.user import User
    from dashboard.writes.settings import CALL_RULES, save_rules
    from dashboard.writes.validation import Invalid

    base(conn)
    t0 = local(2026, 5, 12, 10, 0, 0)
    add_call(conn, "R1", t0, wait=25)
    assert float(summary(conn)["ALL"]["service_level"]) == 0.0        # 25 s is outside the default 20 s
    manager = User("boss", "manager", None, "Boss", None)
    save_rules(conn, manager, {"sl_seconds": "30", "short_abandon_seconds": "5", "fcr_hours": "24", "repeat_days": "30"})
    assert float(summary(conn)["ALL"]["service_level"]) == 1.0
    assert calls.call_figures(conn, Scope.company(), DAY, DAY).attrs["rules"]["sl_seconds"] == 30
    audited = exec_(conn, "SELECT after FROM audit_log WHERE table_name = 'settings' ORDER BY id DESC LIMIT 1").scalar()
    assert audited["sl_seconds"] == 30
    for key, bad in (("sl_seconds", "0"), ("short_abandon_seconds", "601"), ("fcr_hours", "721"), ("repeat_days", "x")):
        with pytest.raises(Invalid) as refused:
            save_rules(conn, manager, {"sl_seconds": "10", key: bad})
        assert list(refused.value.errors) == [key]
        from dashboard.i18n import t
        message_key, params = refused.value.errors[key]
        assert t(message_key, "en", **params).startswith(f"{key}: '{bad}'")
    with pytest.raises(AccessDenied):
        save_rules(conn, User("east", "head", "H-EAST", "华东主管", "EAST"), {"sl_seconds": "10"})
    assert dict(exec_(conn, "SELECT key, value FROM settings WHERE key = ANY(:k)", k=list(CALL_RULES)).all()) == {
        "sl_seconds": 30, "short_abandon_seconds": 5, "fcr_hours": 24, "repeat_days": 30}
