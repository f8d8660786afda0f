"""A head's import touches only the head's subtree; anything else is refused naming the line, and a
record outside it reads like one that does not exist. The CLI and a manager's import reach everything."""
import pytest
import sqlalchemy as sa

from dashboard.core.scope import Scope
from dashboard.imports import ImportFailed, import_directory
from tests.import_books import ENGLISH, write_files
from tests.test_import import snapshot

EAST = Scope("EAST")


def refused(engine, directory, scope=EAST) -> list[str]:
    before = snapshot(engine)
    with pytest.raises(ImportFailed) as failure:
        import_directory(engine, directory, scope=scope)
    assert snapshot(engine) == before
    return failure.value.problems


def test_a_head_imports_records_of_the_subtree(engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "base", ENGLISH))
    files = {"departments.csv": "code,name,parent_code\nEAST-1,华东一组,EAST\nEAST-1A,华东一组甲,EAST-1\nEAST,华东客服部,HQ\n",
             "customers.csv": "code,name,department_code\nC9,新客户,EAST-1A\n",
             "orders.csv": "order_no,customer_code,order_date,amount\nO9,C9,2026-05-01,10\nO1,C1,2026-05-01,1300\n",
             "plans.csv": "plan_no,kind,type,horizon,start_date,end_date,department_code,planned_count,minimum_count,planned_cost\n"
                          "P9,plan,visit,week,2026-05-04,2026-05-10,EAST-1,3,1,0\n",
             "plan_progress.csv": "plan_no,recorded_on,completed_count,cost\nP1,2026-05-10,1,0\n"}
    written = import_directory(engine, write_files(tmp_path / "east", files), scope=EAST)
    assert written["orders.csv"] == 2 and written["customers.csv"] == 1
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT amount FROM orders WHERE order_no = 'O1'")).scalar() == 1300


def test_a_heads_rows_outside_the_subtree_are_refused_naming_the_line(engine, tmp_path):
    import_directory(engine, write_files(tmp_path / "base", ENGLISH))
    files = {"departments.csv": "code,name,parent_code\nWEST,改名,HQ\nEAST,华东客服部,\nW2,西二组,WEST\n",
             "customers.csv": "code,name,department_code\nC3,成都蓉城物流,EAST\nC8,新客户,WEST\n",
             "orders.csv": "order_no,customer_code,order_date,amount\nO4,C1,2026-05-09,1\nO8,C3,2026-05-09,1\n",
             "complaints.csv": "complaint_no,customer_code,received_at,priority,content\nT8,C3,2026-05-01T09:00,low,x\n",
             "plan_progress.csv": "plan_no,recorded_on,completed_count,cost\nP3,2026-05-10,1,0\n",
             "tiers.csv": "name,rank,min_amount\nGold,1,5\n"}
    assert refused(engine, write_files(tmp_path / "bad", files)) == [
        "departments.csv:2: code: 'WEST' is already used by a record outside your departments",
        "departments.csv:3: parent_code: your own department's place is changed by a manager",
        "departments.csv:4: parent_code: department 'WEST' does not exist",
        "customers.csv:2: code: 'C3' is already used by a record outside your departments",
        "customers.csv:3: department_code: department 'WEST' does not exist",
        "tiers.csv:1: -: only a manager may import tiers.csv",
        "orders.csv:2: order_no: 'O4' is already used by a record outside your departments",
        "orders.csv:3: customer_code: customer 'C3' does not exist",
        "complaints.csv:2: customer_code: customer 'C3' does not exist",
        "plan_progress.csv:2: plan_no: plan 'P3' does not exist",
    ]
    # the same files from the command line (a company scope) pass the scope checks
    import_directory(engine, tmp_path / "bad", scope=Scope.company())


def test_the_pages_import_takes_the_users_scope_and_refuses_agents_and_hr(engine, tmp_path):
    from dashboard.core.scope import AccessDenied
    from dashboard.core.user import User
    from dashboard.imports import import_uploads

    import_directory(engine, write_files(tmp_path / "base", ENGLISH))
    upload = [("customers.csv", "客户编号,客户名称,所属部门\nC8,新客户,WEST\n".encode())]
    head = User("head", "head", "S2", "刘洋", "EAST")
    with pytest.raises(ImportFailed) as failure:
        import_uploads(engine, upload, head)
    assert failure.value.problems == ["customers.csv:2: department_code: department 'WEST' does not exist"]
    for user in (User("hr", "hr", None, "人事", None), User("agent", "agent", "S1", "王芳", "EAST")):
        with pytest.raises(AccessDenied):
            import_uploads(engine, upload, user)
    outcome = import_uploads(engine, upload, User("boss", "manager", "S0", "李强", "HQ"))
    assert outcome.counts["customers.csv"] == {"rows": 1, "added": 1, "updated": 0, "unchanged": 0}
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT actor FROM audit_log WHERE action = 'import' ORDER BY id DESC LIMIT 1")).scalar() \
            == "boss"
    again = import_uploads(engine, upload + [("orders.csv", ENGLISH["orders.csv"].replace("1200.50", "99").encode())],
                           User("boss", "manager", "S0", "李强", "HQ"))
    assert again.counts["customers.csv"]["unchanged"] == 1
    assert again.counts["orders.csv"] == {"rows": 4, "added": 0, "updated": 1, "unchanged": 3}
