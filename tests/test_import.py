"""CSV import: every rule rejected with nothing written; all problems listed; idempotent re-import."""
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

import dashboard.metrics.fluctuation  # noqa: F401 (metrics.fluctuation)
from dashboard import metrics
from dashboard.core.scope import Scope
from dashboard.imports import ImportFailed, import_directory

GOOD = {
    "departments.csv": "code,name,parent_code,scope\nHQ,总部,,全国\nEAST,华东客服部,HQ,华东\n",
    "staff.csv": "staff_no,name,department_code,role,email\nS1,王芳,EAST,agent,wf@example.cn\nS0,李强,HQ,manager,\n",
    "customers.csv": "code,name,department_code,owner_staff_no\nC1,\"上海华信科技有限公司, \"\"总部\"\"\",EAST,S1\n",
    "orders.csv": "order_no,customer_code,order_date,amount,category\nO1,C1,2026-05-01,1200.50,产品\nO2,C1,2026-05-02,-200.5,退款\n",
    "tiers.csv": "name,rank,min_amount\nGold,1,1000\nRegular,2,0.01\n",
    "sla.csv": "priority,resolution_hours\nurgent,2\n",
    "complaints.csv": "complaint_no,customer_code,received_at,priority,content,resolved_at,satisfaction\n"
                      "T1,C1,2026-05-01 09:00:00,urgent,\"到货晚了；'; DROP TABLE orders; --\n第二行 😀\",2026-05-01T03:00:00+00:00,4\n",
    "plans.csv": "plan_no,kind,type,horizon,start_date,end_date,department_code,staff_no,planned_count,minimum_count,planned_cost,method\n"
                 "P1,task,visit,month,2026-05-01,2026-05-31,EAST,S1,10,8,500.00,phone\n",
    "plan_progress.csv": "plan_no,recorded_on,completed_count,cost,success_count\nP1,2026-05-03,4,100.00,3\n",
    "retention_cases.csv": "case_no,customer_code,reason,intent,method,started_on,cost,result,closed_on\n"
                           "R1,C1,price,at_risk,discount,2026-05-01,300,retained,2026-05-20\n",
    "surveys.csv": "survey_no,customer_code,surveyed_on,staff_no,csat,nps,comment\nV1,C1,2026-05-06,,4,9,=SUM(A1)\n",
    "evaluations.csv": "cycle,evaluator_staff_no,evaluatee_staff_no,relation,service_skill,communication,business_knowledge,"
                       "professional_knowledge\n2026-Q2,S0,S1,superior,80,90,70,60\n2026-Q2,S1,S1,self,90,90,90,90\n",
}


def write(directory: Path, files: dict[str, str], encoding="utf-8") -> Path:
    directory.mkdir(exist_ok=True)
    for name, content in files.items():
        (directory / name).write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return directory


COUNT_SQL = """SELECT (SELECT count(*) FROM departments) + (SELECT count(*) FROM staff) + (SELECT count(*) FROM customers)
 + (SELECT count(*) FROM orders) + (SELECT count(*) FROM complaints) + (SELECT count(*) FROM plans)
 + (SELECT count(*) FROM plan_progress) + (SELECT count(*) FROM retention_cases) + (SELECT count(*) FROM audit_log)"""


def snapshot(engine):
    with engine.connect() as conn:
        tables = ["departments", "staff", "customers", "orders", "complaints", "plans", "plan_progress",
                  "retention_cases", "tier_rules", "sla_policies", "audit_log", "customer_owner_history"]
        return {t: sorted(map(str, conn.execute(sa.text(f"SELECT * FROM {t}")).fetchall())) for t in tables}


def test_good_files_load_verbatim_and_reimport_changes_nothing(engine, tmp_path):
    written = import_directory(engine, write(tmp_path / "in", GOOD))
    assert written["orders.csv"] == 2
    with engine.connect() as conn:
        content = conn.execute(sa.text("SELECT content FROM complaints")).scalar()
        assert content == "到货晚了；'; DROP TABLE orders; --\n第二行 😀"
        received, resolved = conn.execute(sa.text(
            "SELECT received_at, resolved_at FROM complaints")).one()
        assert received.isoformat() == "2026-05-01T09:00:00+08:00"   # no offset: read in APP_TZ
        assert (resolved - received).total_seconds() == 7200
        assert conn.execute(sa.text("SELECT sum(amount) FROM orders")).scalar() == 1000
        assert conn.execute(sa.text("SELECT resolution_hours FROM sla_policies WHERE priority='urgent'")).scalar() == 2
        assert conn.execute(sa.text("SELECT response_hours FROM sla_policies WHERE priority='urgent'")).scalar() == 1
        assert conn.execute(sa.text("SELECT string_agg(name, ',' ORDER BY rank) FROM tier_rules")).scalar() == "Gold,Regular"
        assert conn.execute(sa.text("SELECT name FROM customers")).scalar() == '上海华信科技有限公司, "总部"'
    before = snapshot(engine)
    again = import_directory(engine, tmp_path / "in")
    assert not any(again.values())
    assert snapshot(engine) == before


def test_changed_rows_are_updated_by_natural_key(engine, tmp_path):
    import_directory(engine, write(tmp_path / "in", GOOD))
    changed = dict(GOOD, **{"orders.csv": "order_no,customer_code,order_date,amount\nO1,C1,2026-05-01,99.00\n",
                            "plan_progress.csv": "plan_no,recorded_on,completed_count,cost\nP1,2026-05-03,6,100.00\n"})
    import_directory(engine, write(tmp_path / "in2", changed))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*), sum(amount) FROM orders")).one() == (2, 99 - 200.5)
        assert conn.execute(sa.text("SELECT count(*), sum(completed_count) FROM plan_progress")).one() == (1, 6)


def test_a_customer_moved_by_import_takes_their_volume_along(engine, tmp_path):
    import_directory(engine, write(tmp_path / "in", GOOD))
    moved = {"customers.csv": "code,name,department_code,owner_staff_no\nC1,上海华信科技有限公司,HQ,S1\n"}
    with engine.connect() as conn:
        assert metrics.fluctuation.volume_trend(conn, Scope("EAST"), date(2026, 5, 1), date(2026, 5, 31))["volume"].tolist() == [1000]
    import_directory(engine, write(tmp_path / "in2", moved))
    with engine.connect() as conn:
        assert metrics.fluctuation.volume_trend(conn, Scope("EAST"), date(2026, 5, 1), date(2026, 5, 31)).empty
        hq = metrics.fluctuation.volume_trend(conn, Scope("HQ"), date(2026, 5, 1), date(2026, 5, 31))
        assert hq[["volume", "orders", "customers"]].values.tolist() == [[1000, 2, 1]]


def test_a_bom_is_accepted(engine, tmp_path):
    files = {"departments.csv": "\ufeffcode,name\nHQ,总部\n"}
    import_directory(engine, write(tmp_path / "in", files))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT code FROM departments")).scalar() == "HQ"


BAD_CASES = [
    ("unknown column", {"departments.csv": "code,name,colour\nHQ,总部,red\n"}, "departments.csv:1: colour: unknown column"),
    ("missing required column", {"departments.csv": "code\nHQ\n"}, "departments.csv:1: name: required column is missing"),
    ("empty required value", {"departments.csv": "code,name\nHQ,\n"}, "departments.csv:2: name: required value is empty"),
    ("not utf-8", {"departments.csv": "code,name\nHQ,总部\n".encode("gbk")}, "departments.csv:2: -: not valid UTF-8"),
    ("bad date", {"orders.csv": "order_no,customer_code,order_date,amount\nO9,C1,2026-02-30,1\n"},
     "orders.csv:2: order_date: '2026-02-30' is not a valid date"),
    ("date format", {"orders.csv": "order_no,customer_code,order_date,amount\nO9,C1,01/05/2026,1\n"},
     "orders.csv:2: order_date: '01/05/2026' is not a date YYYY-MM-DD"),
    ("three decimals", {"orders.csv": "order_no,customer_code,order_date,amount\nO9,C1,2026-05-01,1.005\n"},
     "orders.csv:2: amount: '1.005' is not an amount with up to 2 decimal places"),
    ("bad timestamp", {"complaints.csv": "complaint_no,customer_code,received_at,priority,content\nT9,C1,yesterday,low,x\n"},
     "complaints.csv:2: received_at: 'yesterday' is not an ISO 8601 timestamp"),
    ("bad enum", {"staff.csv": "staff_no,name,department_code,role\nS9,赵六,EAST,boss\n"},
     "staff.csv:2: role: 'boss' is not one of manager, head, agent"),
    ("bad priority", {"sla.csv": "priority,resolution_hours\nasap,3\n"}, "sla.csv:2: priority: 'asap' is not one of"),
    ("unknown reference", {"orders.csv": "order_no,customer_code,order_date,amount\nO9,NOPE,2026-05-01,1\n"},
     "orders.csv:2: customer_code: customer 'NOPE' does not exist"),
    ("duplicate key", {"orders.csv": "order_no,customer_code,order_date,amount\nO9,C1,2026-05-01,1\nO9,C1,2026-05-02,2\n"},
     "orders.csv:3: order_no: duplicate key O9 (first on line 2)"),
    ("minimum above planned", {"plans.csv": GOOD["plans.csv"].replace(",10,8,", ",10,11,")},
     "plans.csv:2: minimum_count: 11 is more than planned_count 10"),
    ("zero planned", {"plans.csv": GOOD["plans.csv"].replace(",10,8,", ",0,0,")},
     "plans.csv:2: planned_count: must be more than 0"),
    ("end before start", {"plans.csv": GOOD["plans.csv"].replace("2026-05-31", "2026-04-30")},
     "plans.csv:2: end_date: 2026-04-30 is before start_date 2026-05-01"),
    ("negative cost", {"plan_progress.csv": "plan_no,recorded_on,completed_count,cost\nP1,2026-05-04,1,-5\n"},
     "plan_progress.csv:2: cost: '-5' must not be negative"),
    ("department cycle", {"departments.csv": "code,name,parent_code\nHQ,总部,EAST\n"},
     "departments.csv:2: parent_code: department 'HQ' would be its own ancestor"),
    ("resolved before received", {"complaints.csv": "complaint_no,customer_code,received_at,priority,content,resolved_at\n"
                                                    "T9,C1,2026-05-02T09:00:00,low,x,2026-05-01T09:00:00\n"},
     "complaints.csv:2: resolved_at:"),
    ("satisfaction range", {"complaints.csv": "complaint_no,customer_code,received_at,priority,content,satisfaction\n"
                                              "T9,C1,2026-05-02T09:00:00,low,x,6\n"},
     "complaints.csv:2: satisfaction: '6' is not a whole number 1-5"),
    ("tier rank clash", {"tiers.csv": "name,rank,min_amount\nA,1,10\nB,1,5\n"}, "tiers.csv:3: rank: 1 is also on line 2"),
    ("short row", {"orders.csv": "order_no,customer_code,order_date,amount\nO9,C1\n"}, "orders.csv:2: -: has 2 fields"),
    ("unknown file", {"order.csv": "x\n1\n"}, "order.csv:1: -: unknown file"),
]


@pytest.mark.parametrize("name,files,message", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_each_rule_is_rejected_and_nothing_is_written(engine, tmp_path, name, files, message):
    import_directory(engine, write(tmp_path / "base", GOOD))
    before = snapshot(engine)
    # a good file beside the bad one must not be written either
    directory = write(tmp_path / "bad", {"orders.csv": "order_no,customer_code,order_date,amount\nO50,C1,2026-06-01,5\n"}
                      if "orders.csv" not in files else {})
    write(directory, files)
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, directory)
    assert any(problem.startswith(message) for problem in failure.value.problems), failure.value.problems
    assert snapshot(engine) == before


def test_every_problem_is_listed_at_once(engine, tmp_path):
    files = {"departments.csv": "code,name\nHQ,\n,x\n",
             "orders.csv": "order_no,customer_code,order_date,amount\nO1,C1,2026-13-01,1.001\n"}
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, write(tmp_path / "in", files))
    assert failure.value.problems == [
        "departments.csv:2: name: required value is empty",
        "departments.csv:3: code: required value is empty",
        "orders.csv:2: order_date: '2026-13-01' is not a valid date",
        "orders.csv:2: amount: '1.001' is not an amount with up to 2 decimal places",
        "orders.csv:2: customer_code: customer 'C1' does not exist",
    ]
    with engine.connect() as conn:
        assert conn.execute(sa.text(COUNT_SQL)).scalar() == 0


def test_large_orders_file_is_checked_in_sql_with_the_same_messages(engine, tmp_path, monkeypatch):
    from dashboard.imports import staged as import_sql

    staged = []
    original = import_sql.stage
    monkeypatch.setattr(import_sql, "stage", lambda *a: staged.append(a[1].name) or original(*a))
    import_directory(engine, write(tmp_path / "base", GOOD))
    staged.clear()
    lines = ["order_no,amount,customer_code,order_date"]  # any column order
    lines += [f"N{i},{i}.5,C1,2026-06-{i % 28 + 1:02d}" for i in range(5000)]
    lines[4000] = "N3998,1.234,C9,2026-06-31"  # line 4001: bad amount, unknown customer, bad date, duplicate key
    lines.append("N5000, 7 ,C1, 2026-07-01 ")  # cells are trimmed as in the Python path
    write(tmp_path / "big", {"orders.csv": "\n".join(lines) + "\n"})
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, tmp_path / "big")
    assert staged == ["orders.csv"]
    assert failure.value.problems == [
        "orders.csv:4001: amount: '1.234' is not an amount with up to 2 decimal places",
        "orders.csv:4001: order_date: '2026-06-31' is not a valid date",
        "orders.csv:4001: order_no: duplicate key N3998 (first on line 4000)",
        "orders.csv:4001: customer_code: customer 'C9' does not exist",
    ]
    lines[4000] = "N3999,1.25,C1,2026-06-30"
    write(tmp_path / "big", {"orders.csv": "\n".join(lines) + "\n"})
    assert import_directory(engine, tmp_path / "big")["orders.csv"] == 5001
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT amount, order_date FROM orders WHERE order_no = 'N5000'")).one() == \
            (Decimal("7.00"), date(2026, 7, 1))
