"""Realistic demo data (演示数据): Chinese companies, people and texts over three years.

Deterministic for a given seed, size and anchor date (`today`, default the current date in
APP_TZ): the same arguments give the same rows. Rows are loaded with COPY, each chunk sent
by a background thread while the next is generated; the orders (and their running totals) are
drawn with NumPy a block of customers at a time; the large tables get their secondary indexes
and foreign keys once at the end (`BULK_TABLES`).

Customers follow archetypes (steady, growing, declining, stopping, new, volatile) so that
every fluctuation flag, tier change, RFM segment, ABC class, complaint state and plan
status of the spec occurs in the current periods.
"""
from __future__ import annotations

import calendar
import csv
import io
import json
import math
import random
import sys
import threading
from datetime import date, datetime, time, timedelta

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.core import vocabulary as v
from db.engine import app_timezone

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕晓东婷雪梅鑫宇浩然子涵欣怡梓萱一诺思远嘉怡俊杰文博雨桐晨曦佳琪"
CITIES = ["上海", "北京", "广州", "深圳", "杭州", "南京", "苏州", "成都", "重庆", "武汉", "西安", "天津", "长沙", "郑州",
          "青岛", "宁波", "厦门", "合肥", "福州", "济南", "昆明", "无锡", "佛山", "东莞", "大连", "沈阳"]
WORDS = ["华信", "恒通", "瑞丰", "鼎盛", "中联", "天成", "新达", "宏远", "金桥", "博瑞", "远航", "安泰", "汇丰", "嘉禾",
         "永兴", "晨光", "百川", "富源", "正泰", "星辰", "海纳", "德润", "凯盛", "启明", "万象", "锦程", "盛世", "和信"]
INDUSTRIES = [("科技", "信息技术"), ("贸易", "批发零售"), ("制造", "制造业"), ("物流", "交通物流"), ("医药", "医药健康"),
              ("食品", "食品饮料"), ("建材", "建筑建材"), ("电子", "电子元器件"), ("餐饮管理", "餐饮服务"), ("教育咨询", "教育培训")]
SUFFIXES = ["有限公司", "股份有限公司", "集团有限公司", "实业有限公司"]
REGIONS = [("EAST", "华东"), ("SOUTH", "华南"), ("NORTH", "华北"), ("WEST", "西南"), ("CENTRAL", "华中"),
           ("NE", "东北"), ("NW", "西北")]
COMPLAINT_TEXTS = [
    ("delivery", "到货时间比约定晚了三天，影响了我们的生产安排，请尽快给出说明。"),
    ("quality", "收到的一批货有外包装破损，部分产品无法使用，要求退换。"),
    ("billing", "本月账单金额与合同约定不一致，多收了服务费，请核实。"),
    ("service", "客服电话长时间无人接听，问题反馈后没有回音。"),
    ("product", "设备运行不稳定，近一周出现两次故障，需要技术人员上门。"),
    ("attitude", "业务员沟通态度不好，对我们的问题敷衍了事。"),
    ("refund", "申请退款已经两周，至今未到账，请加快处理。"),
]
RESOLUTIONS = ["已安排补发并致歉，客户表示接受。", "已核实并退还多收费用。", "技术人员已上门检修，设备恢复正常。",
               "已与客户沟通，调整了配送时间。", "已对责任人进行批评教育，并向客户道歉。", "已完成退款，客户确认到账。"]
CHANNELS = list(v.COMPLAINT_CHANNEL.codes)
PLAN_CONTENT = {
    "visit": ("走访重点客户，了解年度采购计划", "巩固合作关系，挖掘新需求"),
    "activity": ("举办客户答谢会暨新品推介活动", "提升客户满意度和品牌认知"),
    "service": ("为老客户提供设备免费巡检服务", "减少故障投诉，提高续约率"),
    "publicity": ("在行业展会和公众号开展服务宣传", "扩大服务品牌影响力"),
    "discount": ("对季度采购额下降客户推出返利优惠", "挽回业务量，防止客户流失"),
}
LOG_CATEGORIES = ["产品咨询", "售后服务", "投诉跟进", "回访", "报价"]
LOG_SUMMARIES = ["客户满意", "需继续跟进", "已解决", "已转交主管"]
LOG_TEXTS = ["客户咨询新产品报价，已发送资料。", "回访客户使用情况，客户反馈良好。", "处理客户售后维修申请。",
             "客户反映发票信息有误，已更正重开。", "上门拜访，沟通下季度合作计划。", "协助客户完成系统操作培训。"]
PRIORITIES = list(zip(v.PRIORITY.codes, (4, 24, 72, 168)))  # with the default resolution hours
# "lapsed" customers last ordered twelve months ago, so they drop out of the trailing window now (tier lost)
ARCHETYPES = ["steady", "growing", "declining", "stopping", "new", "volatile", "lapsed"]
ARCHETYPE_WEIGHTS = [44, 14, 14, 9, 10, 7, 2]


def person_name(rng: random.Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given[:2]


COST_PURPOSES = {"people": "客服人员工资与培训", "equipment": "呼叫中心设备与系统维护", "funds": "客户活动与回访经费"}


class Copier:
    """Buffers rows as CSV and COPYs them in chunks into one table.

    A full chunk is sent by a background thread while the caller goes on generating rows, so
    Python and PostgreSQL work at the same time (the network wait and the server's work release
    the GIL). One COPY at a time per connection: the next chunk, of any Copier on it, waits for
    the one in flight. `flush()` sends the rest and waits, so the connection is free after it.
    """

    _in_flight: dict[int, threading.Thread] = {}  # per DBAPI connection

    def __init__(self, dbapi, table: str, columns: list[str], chunk: int = 200_000, parent: "Copier | None" = None):
        # `parent`: the Copier of the rows these refer to, sent first whenever these are, so that
        # no chunk reaches the database before the rows its foreign keys need
        self.dbapi, self.table, self.columns, self.chunk, self.parent = dbapi, table, columns, chunk, parent
        self.buffer, self.count = io.StringIO(), 0
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.total = 0
        self.sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"

    def add(self, *values) -> None:
        self.writer.writerow(["" if v is None else v for v in values])
        self.count += 1
        if self.count >= self.chunk:
            self._send(wait=False)

    def write(self, text: str, rows: int) -> None:
        """Adds `rows` rows already written as CSV (a whole frame's to_csv)."""
        self.buffer.write(text)
        self.count += rows
        if self.count >= self.chunk:
            self._send(wait=False)

    def flush(self) -> None:
        self._send(wait=True)

    def _send(self, wait: bool) -> None:
        if self.parent is not None:
            self.parent._send(wait=False)
        key = id(self.dbapi)
        pending = Copier._in_flight.pop(key, None)
        if pending is not None:
            pending.join()
            if pending.error:
                raise pending.error
        if self.count:
            buffer = self.buffer
            buffer.seek(0)

            def copy() -> None:
                try:
                    with self.dbapi.cursor() as cur:
                        cur.copy_expert(self.sql, buffer)
                except BaseException as exc:  # raised in the caller's thread at the next send
                    thread.error = exc

            thread = threading.Thread(target=copy, daemon=True)
            thread.error = None
            self.total += self.count
            self.buffer, self.count = io.StringIO(), 0
            self.writer = csv.writer(self.buffer, lineterminator="\n")
            thread.start()
            if wait:
                thread.join()
                if thread.error:
                    raise thread.error
            else:
                Copier._in_flight[key] = thread


# The large tables: COPY fills them without their secondary indexes and foreign keys, which are
# built once afterwards (a sorted build instead of millions of random index insertions and one
# key lookup per row); the orders' insert trigger is off while `_orders` writes their running
# totals itself. The definitions are read from the catalogue and restored as they
# were, so the schema ends exactly as the migrations left it.
BULK_TABLES = ("orders", "complaints", "calls", "work_logs", "customer_callbacks", "satisfaction_surveys")


def _defer_indexes(conn, tables=BULK_TABLES) -> list[str]:
    """Drops the tables' indexes that back no constraint and their foreign keys; returns the
    statements that restore them."""
    rows = conn.execute(sa.text("""
        SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(CAST(:tables AS regclass[]))
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        UNION ALL
        SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
               format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
        FROM pg_constraint c
        WHERE c.conrelid = ANY(CAST(:tables AS regclass[])) AND c.contype = 'f'"""), {"tables": list(tables)}).all()
    for drop, _ in rows:
        conn.execute(sa.text(drop))
    conn.execute(sa.text("ALTER TABLE orders DISABLE TRIGGER orders_running_totals_insert"))
    return [create for _, create in rows]


def _restore_indexes(conn, statements: list[str]) -> None:
    """Rebuilds what `_defer_indexes` dropped and turns the running totals' trigger back on."""
    conn.execute(sa.text("SET LOCAL maintenance_work_mem = '512MB'"))
    for statement in statements:
        conn.execute(sa.text(statement))
    conn.execute(sa.text("ALTER TABLE orders ENABLE TRIGGER orders_running_totals_insert"))


ORDER_CATEGORIES = np.array(["产品销售", "技术服务", "维保合同", "配件", "培训服务"], dtype=object)
VOLATILE_FACTORS = np.array([0.2, 0.5, 1.0, 1.8, 2.6])
REFUND_SHARES = np.array([0.1, 0.3, 0.5, 1.0])


def _orders(dbapi, cust: list[tuple], today: date, seed: int, progress, chunk: int = 20_000) -> int:
    """COPY three years of orders for `cust` (id, department, archetype, base, rate, change month,
    created); returns how many.

    Each customer month draws a number of orders around the customer's rate, shaped by the
    archetype: growing and declining customers' volume moves over the three years (and jumps or
    drops in the latest months), stopping customers have no orders after their change month, new
    ones none before it, lapsed ones none in the last twelve months, volatile ones swing month to
    month. The running month gets its share of orders so far. About 3 % of the orders after a
    customer's first are refunds (negative) of part or all of a purchase. Drawn with NumPy, a
    block of customers at a time (one array operation per step, not one Python step per order),
    from its own seeded stream.
    """
    gen = np.random.default_rng([seed, 2])
    months = [_months_back(today, k) for k in range(36, -1, -1)]  # oldest first, anchor month last
    starts = np.array(months, dtype="datetime64[D]")
    ends = np.array([_months_back(m, -1) for m in months], dtype="datetime64[D]") - 1
    ends[-1] = np.datetime64(today)
    spans = (ends - starts).astype(np.int64) + 1  # days of each month up to today
    elapsed = spans[-1] / calendar.monthrange(today.year, today.month)[1]
    k = np.arange(37)
    back = 36 - k
    cp = Copier(dbapi, "orders", ["id", "order_no", "customer_id", "order_date", "amount", "category"])
    totals = Copier(dbapi, "customer_running_totals", ["customer_id", "month", "month_total", "month_orders", "total",
                                                       "purchases", "orders", "last_purchase_on"])
    oid, next_report = 0, 500_000
    for first in range(0, len(cust), chunk):
        block = cust[first:first + chunk]
        ids = np.array([c[0] for c in block])
        kind = np.array([ARCHETYPES.index(c[2]) for c in block])[:, None]
        base = np.array([c[3] for c in block])[:, None]
        rate = np.array([c[4] for c in block])[:, None]
        change = np.array([c[5] for c in block])[:, None]
        is_ = {name: kind == ARCHETYPES.index(name) for name in ARCHETYPES}
        shape = (len(block), 37)
        factor = np.ones(shape)
        factor = np.where(is_["growing"], 0.5 + 1.3 * k / 36 + np.where(back == 0, 1.2, 0), factor)
        factor = np.where(is_["declining"], 1.6 - 1.3 * k / 36 - np.where(back <= 1, 0.5, 0), factor)
        factor = np.where(is_["volatile"], VOLATILE_FACTORS[gen.integers(0, 5, shape)], factor)
        active = ~((is_["new"] & (back > change)) | (is_["stopping"] & (back < change % 4))
                   | (is_["lapsed"] & (back < 12)))
        n = np.maximum(0, np.rint(gen.normal(rate, 0.6, shape))).astype(np.int64)
        # the month of the change has an order, so the change lands in a definite month
        forced = (n == 0) & ((((is_["stopping"] | is_["new"]) & ((back == change % 4) | (back == change)))
                              | (is_["lapsed"] & (back == 12))))
        n = np.where(forced, 1, n)
        n[:, -1] = np.where(forced[:, -1], 1, gen.binomial(n[:, -1], elapsed))
        n = np.where(active, n, 0)
        # one row per order, customer by customer and month by month
        cell = np.repeat(np.arange(n.size), n.ravel())
        row, month = np.divmod(cell, 37)
        count = len(cell)
        day = starts[month] + (gen.random(count) * spans[month]).astype(np.int64)
        value = np.round(np.maximum(1.0, base[row, 0] * np.maximum(factor[row, month], 0.05) / rate[row, 0]
                                    * gen.lognormal(0, 0.35, count)), 2)
        first_of_customer = np.r_[True, row[1:] != row[:-1]]
        refund = (gen.random(count) < 0.03) & ~first_of_customer & ~is_["lapsed"][row, 0]
        value = np.where(refund, -np.round(value * REFUND_SHARES[gen.integers(0, 4, count)], 2), value)
        _running_totals(totals, ids, starts, shape, n, cell, day, value)
        number = np.arange(oid + 1, oid + count + 1)
        # one f-string per row is some five times faster than DataFrame.to_csv here
        cp.write("".join([f"{i},O{i:08d},{c},{d},{a:.2f},{k}\n" for i, c, d, a, k in zip(
            number.tolist(), ids[row].tolist(), day.astype(str).tolist(), value.tolist(),
            ORDER_CATEGORIES[gen.integers(0, 5, count)].tolist())]), count)
        oid += count
        if oid >= next_report:
            progress(f"demo: {oid:,} orders")
            next_report += 500_000 * (1 + (oid - next_report) // 500_000)
    cp.flush()
    totals.flush()
    return oid


def _running_totals(cp: Copier, ids, starts, shape, n, cell, day, value) -> None:
    """COPYs the running totals of a block's customers as migration 0003's function defines them
    (refresh_customer_running_totals), from the orders just drawn: per customer, a row for every
    month from the first order's through the anchor month (`generate` trims months after the
    latest month with orders, the horizon), with that month's figures and the cumulative ones.
    The arrays are at hand here, and this is some five times faster than the function's
    set-based pass over all orders (tests/test_database.py checks that both give the same rows)."""
    cells = n.size
    cents = np.rint(value * 100)  # float64 sums of cents are exact far beyond these totals
    month_total = np.bincount(cell, weights=cents, minlength=cells).reshape(shape)
    purchase = value >= 0
    purchases = np.bincount(cell[purchase], minlength=cells).reshape(shape)
    last = np.full(cells, -1, dtype=np.int64)
    np.maximum.at(last, cell[purchase], day[purchase].astype(np.int64))
    last = np.maximum.accumulate(last.reshape(shape), axis=1)
    total, orders, bought = np.cumsum(month_total, axis=1), np.cumsum(n, axis=1), np.cumsum(purchases, axis=1)
    month, row = np.nonzero((orders > 0).T)  # by month, then customer: the primary key's order
    last_day = np.where(last[row, month] >= 0, last[row, month].astype("datetime64[D]").astype(str), "")
    cp.write("".join([f"{c},{m},{mt / 100:.2f},{mo},{t / 100:.2f},{b},{o},{lp}\n" for c, m, mt, mo, t, b, o, lp in zip(
        ids[row].tolist(), starts[month].astype(str).tolist(), month_total[row, month].tolist(), n[row, month].tolist(),
        total[row, month].tolist(), bought[row, month].tolist(), orders[row, month].tolist(), last_day.tolist())]),
        len(row))


def _months_back(anchor: date, months: int) -> date:
    """The first day of the month `months` before anchor's month (negative: after)."""
    y, m = divmod(anchor.year * 12 + anchor.month - 1 - months, 12)
    return date(y, m + 1, 1)


def _ts(day: date, rng: random.Random, tz) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 19), rng.randint(0, 59), rng.randint(0, 59)), tz)


def generate(engine: Engine, customers: int = 2000, seed: int = 7, today: date | None = None,
             progress=lambda message: print(message, file=sys.stderr, flush=True)) -> dict[str, int]:
    """Fill an empty database with demo data. Raises ValueError when it already holds data."""
    if customers < 50:
        raise ValueError("--customers must be at least 50, so that every state and segment occurs")
    tz = app_timezone()
    today = today or datetime.now(tz).date()
    rng = random.Random(seed)
    first_month = _months_back(today, 36)
    counts: dict[str, int] = {}

    with engine.begin() as conn:
        if conn.execute(sa.text("SELECT EXISTS (SELECT 1 FROM customers) OR EXISTS (SELECT 1 FROM departments)")).scalar():
            raise ValueError("the database already holds data; demo fills only an empty database")
        dbapi = conn.connection.dbapi_connection
        deferred = _defer_indexes(conn)

        # -- departments: a centre, regional departments, and teams under them -------------
        progress("demo: departments and staff")
        n_regions = min(len(REGIONS), max(3, customers // 6000 + 3))
        teams_per_region = max(1, min(7, customers // (n_regions * 1000)))
        departments = [(1, "CS", "客服中心", None, "全公司客户服务")]
        region_ids, team_ids = [], []
        for r, (rcode, rname) in enumerate(REGIONS[:n_regions]):
            rid = len(departments) + 1
            departments.append((rid, f"CS-{rcode}", f"{rname}客服部", 1, f"{rname}地区客户"))
            region_ids.append(rid)
            for t in range(teams_per_region):
                tid = len(departments) + 1
                departments.append((tid, f"CS-{rcode}-{t + 1}", f"{rname}客服{'一二三四五六七'[t]}组", rid,
                                    f"{rname}地区第{t + 1}服务组"))
                team_ids.append(tid)
        leaf_ids = team_ids or region_ids
        cp = Copier(dbapi, "departments", ["id", "code", "name", "parent_id", "scope"])
        for row in departments:
            cp.add(*row)
        cp.flush()
        counts["departments"] = len(departments)

        # -- staff: a manager, a head per department, agents in the teams ---------------
        n_agents = max(len(leaf_ids) * 3, customers // 100 - len(departments))
        staff = []  # (id, staff_no, name, department_id, role)
        staff.append((1, "S0001", person_name(rng), 1, "manager"))
        heads = {}
        for dep in departments[1:]:
            sid = len(staff) + 1
            staff.append((sid, f"S{sid:04d}", person_name(rng), dep[0], "head"))
            heads[dep[0]] = sid
        heads[1] = 1
        agents_by_dep: dict[int, list[int]] = {d: [] for d in leaf_ids}
        for i in range(n_agents):
            sid = len(staff) + 1
            dep = leaf_ids[i % len(leaf_ids)]
            staff.append((sid, f"S{sid:04d}", person_name(rng), dep, "agent"))
            agents_by_dep[dep].append(sid)
        parent_of = {d[0]: d[3] for d in departments}
        cp = Copier(dbapi, "staff", ["id", "staff_no", "name", "department_id", "role", "title", "gender", "email",
                                     "phone", "hired_on", "personal_notes"])
        titles = {"manager": "客服总监", "head": "部门经理", "agent": "客服专员"}
        for sid, no, name, dep, role in staff:
            hired = today - timedelta(days=rng.randint(200, 3000))
            cp.add(sid, no, name, dep, role, titles[role], rng.choice(v.GENDER.codes), f"{no.lower()}@example.cn",
                   f"13{rng.randint(100000000, 999999999)}", hired, rng.choice([None, "擅长大客户沟通", "普通话二甲", "持有客服师证书"]))
        cp.flush()
        counts["staff"] = len(staff)
        cp = Copier(dbapi, "staff_training", ["staff_id", "course", "trained_on", "hours", "result"])
        for sid, *_ in staff:
            courses = rng.sample(["投诉处理技巧", "客户关系管理", "产品知识培训", "沟通礼仪"], rng.randint(0, 3))
            for course in courses:  # one row per staff, course and day (the import's key)
                cp.add(sid, course, today - timedelta(days=rng.randint(1, 900)), rng.choice([4, 8, 16]),
                       rng.choice(["合格", "优秀"]))
        cp.flush()
        cp = Copier(dbapi, "staff_work_history", ["staff_id", "department_id", "role", "title", "started_on", "ended_on"])
        for sid, no, name, dep, role in staff:
            cp.add(sid, dep, role, titles[role], today - timedelta(days=rng.randint(100, 1500)), None)
        cp.flush()
        # a third of the staff worked elsewhere first (an earlier employer, no department)
        cp = Copier(dbapi, "staff_work_history", ["staff_id", "employer", "title", "started_on", "ended_on"])
        for sid, *_ in staff[::3]:
            started = today - timedelta(days=rng.randint(3200, 5000))
            cp.add(sid, rng.choice(["某电信公司", "某银行信用卡中心", "某电商平台"]), "客服代表", started,
                   started + timedelta(days=rng.randint(300, 900)))
        cp.flush()
        conn.execute(sa.text("""UPDATE departments d SET head_staff_id = s.id FROM staff s
                                WHERE s.department_id = d.id AND s.role IN ('head', 'manager')"""))

        # -- customers, with archetypes and owner history ------------------------------
        progress(f"demo: {customers:,} customers")
        cust = []  # (id, dep, archetype, base, rate, change_month)
        cp = Copier(dbapi, "customers", ["id", "code", "name", "department_id", "owner_staff_id", "industry", "region",
                                         "created_on", "contact_name", "contact_phone", "contact_email"])
        hist = Copier(dbapi, "customer_owner_history", ["customer_id", "staff_id", "started_on", "ended_on"], parent=cp)
        used_names: set[str] = set()
        for i in range(customers):
            cid = i + 1
            # the first customers take each archetype in turn so every flag occurs at any size
            archetype = ARCHETYPES[i % len(ARCHETYPES)] if i < 60 else rng.choices(ARCHETYPES, ARCHETYPE_WEIGHTS)[0]
            dep = leaf_ids[i % len(leaf_ids)]
            owner = rng.choice(agents_by_dep[dep]) if agents_by_dep[dep] else heads[dep]
            short, industry = rng.choice(INDUSTRIES)
            city = rng.choice(CITIES)
            name = f"{city}{rng.choice(WORDS)}{short}{rng.choice(SUFFIXES)}"
            if name in used_names:
                name = f"{city}{rng.choice(WORDS)}{rng.choice(WORDS)}{short}{rng.choice(SUFFIXES)}"
            used_names.add(name)
            base = math.exp(rng.gauss(8.6, 1.25))  # monthly volume in yuan, heavy-tailed
            rate = rng.choice([0.6, 0.8, 1.0, 1.2, 1.5, 2.0])
            created = first_month + timedelta(days=rng.randint(0, 60))
            change_month = rng.randint(1, 11)  # months before the anchor month when the change happens
            if archetype == "new":
                created = _months_back(today, rng.randint(0, 6))
                change_month = (today.year - created.year) * 12 + today.month - created.month
            cust.append((cid, dep, archetype, base, rate, change_month, created))
            cp.add(cid, f"C{cid:06d}", name, dep, owner, industry, city, created, person_name(rng),
                   f"1{rng.randint(3000000000, 9999999999)}", f"contact{cid}@{rng.choice(['163.com', 'qq.com', 'example.cn'])}")
            if rng.random() < 0.15:  # the owner changed once: the customer stayed with the company
                previous = rng.choice(agents_by_dep[dep]) if agents_by_dep[dep] else heads[dep]
                switch = created + timedelta(days=rng.randint(30, 700))
                if switch < today:
                    hist.add(cid, previous, created, switch - timedelta(days=1))
                    hist.add(cid, owner, switch, None)
                    continue
            hist.add(cid, owner, created, None)
        cp.flush()
        hist.flush()
        counts["customers"] = customers

        # -- orders -------------------------------------------------------------------------
        progress("demo: orders")
        counts["orders"] = _orders(dbapi, cust, today, seed, progress)
        # the running totals end at the horizon, the latest month with orders (the anchor month's
        # may have none yet on its first day)
        conn.execute(sa.text("""DELETE FROM customer_running_totals
                                WHERE month > (SELECT date_trunc('month', max(order_date)) FROM orders)"""))

        # -- complaints ----------------------------------------------------------------------
        progress("demo: complaints")
        n_complaints = customers * 4
        cp = Copier(dbapi, "complaints", ["id", "complaint_no", "customer_id", "received_at", "priority", "channel",
                                          "category", "content", "handler_staff_id", "first_response_at",
                                          "resolved_at", "resolution", "satisfaction", "callback_at"])
        span_days = (today - first_month).days
        now = datetime.combine(today, time(18, 0), tz)
        for k in range(n_complaints):
            cid, dep = cust[rng.randrange(customers)][:2]
            if k < 200:
                received_day = today - timedelta(days=rng.randint(0, 20))  # plenty of recent, open ones
            else:
                received_day = first_month + timedelta(days=int(span_days * (rng.random() ** 0.7)))
            received = _ts(received_day, rng, tz)
            if received > now:
                received = now - timedelta(hours=rng.randint(1, 10))
            priority, hours = rng.choices(PRIORITIES, [10, 25, 45, 20])[0]
            category, content = rng.choice(COMPLAINT_TEXTS)
            handler = rng.choice(agents_by_dep[dep]) if agents_by_dep[dep] else heads[dep]
            age_hours = (now - received).total_seconds() / 3600
            roll = rng.random()
            if roll < 0.78:
                took = hours * rng.uniform(0.05, 1.0)
            elif roll < 0.80:
                took = hours  # resolved exactly at the deadline: met
            else:
                took = hours * rng.uniform(1.01, 3.0)
            # a few recent complaints stay open past their deadline; older ones have all been closed
            forgotten = age_hours < 24 * 30 and rng.random() < 0.05
            resolved = received + timedelta(hours=took) if took < age_hours and not forgotten else None
            if resolved is not None:
                resolved = resolved.replace(microsecond=0)
            response = min(received + timedelta(hours=hours * rng.uniform(0.02, 0.4)), resolved or now)
            callback = satisfaction = resolution = None
            if resolved is not None:
                resolution = rng.choice(RESOLUTIONS)
                if rng.random() < 0.7:
                    satisfaction = rng.choices([1, 2, 3, 4, 5], [4, 6, 15, 40, 35])[0]
                if rng.random() < 0.85:
                    cb = resolved + timedelta(days=rng.choice([1, 2, 3, 5, 7, 9, 12]), hours=rng.randint(0, 6))
                    callback = cb if cb <= now else None
            cp.add(k + 1, f"T{k + 1:08d}", cid, received.isoformat(), priority, rng.choice(CHANNELS), category,
                   content, handler, response.isoformat() if response >= received else None,
                   resolved.isoformat() if resolved else None, resolution, satisfaction,
                   callback.isoformat() if callback else None)
        cp.flush()
        counts["complaints"] = n_complaints

        # -- plans, tasks and progress ----------------------------------------------------------
        progress("demo: plans and progress")
        n_plans = max(120, customers * 2 // 5)
        cp = Copier(dbapi, "plans", ["id", "plan_no", "kind", "type", "horizon", "start_date", "end_date",
                                     "department_id", "staff_id", "assigned_by_staff_id", "planned_count",
                                     "minimum_count", "planned_cost", "content", "purpose", "method"])
        pp = Copier(dbapi, "plan_progress", ["plan_id", "recorded_on", "completed_count", "success_count", "cost", "note",
                                             "recorded_by"], parent=cp)
        horizons = [("week", 7), ("month", 30), ("quarter", 91), ("year", 365)]
        n_progress = 0
        # the demo accounts: the manager, the head of the first region and the first agent of its first team
        first_region = region_ids[0]
        first_team = next(d[0] for d in departments if d[3] == first_region) if team_ids else first_region
        agent = (agents_by_dep.get(first_team) or [heads[first_team]])[0]
        agent_busy = False  # whatever the date, the demo agent has a plan in progress to record work on
        for p in range(n_plans):
            pid = p + 1
            horizon, length = rng.choices(horizons, [25, 40, 25, 10])[0]
            if p < 40:
                start = today - timedelta(days=rng.randint(0, length - 1))  # in progress now
            elif p < 50:
                start = today + timedelta(days=rng.randint(1, 20))  # not started yet
            else:
                start = first_month + timedelta(days=rng.randint(0, span_days))
            if horizon == "week":
                start -= timedelta(days=start.weekday())
                end = start + timedelta(days=6)
            elif horizon == "month":
                start = start.replace(day=1)
                end = _months_back(start, -1) - timedelta(days=1)
            elif horizon == "quarter":
                start = date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
                end = _months_back(start, -3) - timedelta(days=1)
            else:
                start = date(start.year, 1, 1)
                end = date(start.year, 12, 31)
            dep = rng.choice(leaf_ids)
            kind = rng.choice(v.PLAN_KIND.codes)
            ptype = rng.choice(v.PLAN_TYPE.codes)
            assignee = rng.choice(agents_by_dep[dep]) if agents_by_dep[dep] and rng.random() < 0.7 else None
            if p < 40 and not agent_busy and start <= today <= end:  # the draws above stay as they were
                dep, assignee, agent_busy = first_team, agent, True
            planned = rng.choice([5, 10, 20, 30, 50, 80, 120]) * {"week": 1, "month": 2, "quarter": 4, "year": 10}[horizon] // 2 + 1
            minimum = int(planned * rng.choice([0.6, 0.7, 0.8, 0.9]))
            unit_cost = rng.choice([50, 120, 200, 500])
            planned_cost = planned * unit_cost
            content, purpose = PLAN_CONTENT[ptype]
            cp.add(pid, f"P{pid:07d}", kind, ptype, horizon, start, end, dep, assignee,
                   heads[parent_of[dep] or dep] if kind == "task" else None, planned, minimum, f"{planned_cost:.2f}",
                   content, purpose, rng.choice(v.PLAN_METHOD.codes) if ptype == "visit" else None)
            pace = rng.choice([0.3, 0.6, 0.85, 1.0, 1.1, 1.3])
            last = min(end, today)
            if start > last:
                continue
            days = (last - start).days + 1
            record_days = sorted(rng.sample(range(days), min(days, rng.randint(1, 10))))
            target = planned * pace * days / ((end - start).days + 1)
            per = target / len(record_days)
            done = 0
            for d in record_days:
                c = max(0, round(per * rng.uniform(0.6, 1.4)))
                done += c
                success = round(c * rng.uniform(0.5, 1.0)) if ptype == "service" else None
                pp.add(pid, start + timedelta(days=d), c, success, f"{c * unit_cost * rng.uniform(0.7, 1.3):.2f}",
                       rng.choice([None, "按计划推进", "客户临时改期", "效果良好"]), assignee)
                n_progress += 1
        cp.flush()
        pp.flush()
        counts["plans"], counts["plan_progress"] = n_plans, n_progress

        # -- retention cases --------------------------------------------------------------------
        progress("demo: retention cases")
        n_cases = max(60, customers // 5)
        at_risk = [c for c in cust if c[2] in ("declining", "stopping", "volatile")] or cust
        cp = Copier(dbapi, "retention_cases", ["id", "case_no", "customer_id", "reason", "intent", "method", "started_on",
                                               "cost", "result", "closed_on", "staff_id", "note"])
        notes = ["客户对价格敏感，已申请专项折扣。", "竞争对手报价更低，正在沟通。", "上门拜访后客户同意续约。", "客户搬迁至外地，业务无法继续。"]
        for k in range(n_cases):
            cid, dep = rng.choice(at_risk)[:2]
            started = first_month + timedelta(days=int(span_days * (rng.random() ** 0.8)))
            if k < 12:
                started = today - timedelta(days=rng.randint(0, 25))
            age = (today - started).days
            if age < 30 and rng.random() < 0.7:
                result, closed = "pending", None
            else:
                result = rng.choices(v.RETENTION_RESULT.codes, [55, 35, 10])[0]
                closed = None if result == "pending" else min(today, started + timedelta(days=rng.randint(5, 60)))
            cp.add(k + 1, f"R{k + 1:06d}", cid, rng.choice(v.RETENTION_REASON.codes),
                   rng.choice(v.RETENTION_INTENT.codes), rng.choice(v.RETENTION_METHOD.codes),
                   started, f"{rng.choice([200, 500, 800, 1500, 3000, 6000]) * rng.uniform(0.8, 1.2):.2f}", result, closed,
                   rng.choice(agents_by_dep[dep]) if agents_by_dep[dep] else heads[dep], rng.choice(notes))
        cp.flush()
        counts["retention_cases"] = n_cases

        # -- work logs, surveys, budgets, costs, evaluations, suggestions, reminders --------
        progress("demo: work logs, surveys, budgets and evaluations")
        cp = Copier(dbapi, "work_logs", ["department_id", "staff_id", "customer_id", "logged_at", "source", "service_type",
                                         "content", "handling", "satisfaction", "category", "summary", "recorded_at"])
        for _ in range(customers):
            cid, dep = cust[rng.randrange(customers)][:2]
            sid = rng.choice(agents_by_dep[dep]) if agents_by_dep[dep] else heads[dep]
            day = today - timedelta(days=rng.randint(0, 365))
            at = _ts(day, rng, tz)
            # most entries are recorded within the hour, a few days late (seed 003's 24-hour rule)
            recorded = at + (timedelta(minutes=rng.randint(1, 60)) if rng.random() < 0.95 else timedelta(days=rng.randint(2, 5)))
            cp.add(dep, sid, cid, at.isoformat(), rng.choice([c for c in v.LOG_SOURCE.codes if c != "other"]),
                   rng.choice(v.SERVICE_TYPE.codes), rng.choice(LOG_TEXTS),
                   "已处理", rng.choice([None, 3, 4, 5, 5]), rng.choice(LOG_CATEGORIES), rng.choice(LOG_SUMMARIES),
                   recorded.isoformat())
        cp.flush()
        cp = Copier(dbapi, "service_budgets", ["department_id", "period_start", "period_end", "category", "amount",
                                               "period", "original_amount"])
        ce = Copier(dbapi, "cost_entries", ["entry_no", "entry_date", "department_id", "staff_id", "category", "amount",
                                            "note", "purpose"])
        n_entries = 0
        for dep_row in departments:
            dep = dep_row[0]
            for back in range(12):
                m = _months_back(today, back)
                m_end = _months_back(m, -1) - timedelta(days=1)
                for category, budget in (("people", 60000), ("equipment", 8000), ("funds", 15000)):
                    cp.add(dep, m, m_end, category, f"{budget:.2f}", f"{m.year}-{m.month:02d}", f"{budget:.2f}")
                    # the running month has spent about its share of days so far
                    elapsed = ((min(m_end, today) - m).days + 1) / ((m_end - m).days + 1)
                    for _ in range(3):
                        day = m + timedelta(days=rng.randint(0, (min(m_end, today) - m).days))
                        n_entries += 1
                        ce.add(f"E{n_entries:07d}", day, dep, None, category,
                               f"{budget / 3 * elapsed * rng.uniform(0.7, 1.3):.2f}", "月度费用", COST_PURPOSES[category])
        cp.flush()
        ce.flush()
        # the demo's history: the manager raised this month's people budget of the first region, and its head
        # proposes more for equipment (waiting for approval)
        month_label = f"{today.year}-{today.month:02d}"
        conn.execute(sa.text("""
            WITH b AS (UPDATE service_budgets SET amount = amount * 1.10, decided_by = 'manager', decided_at = now(),
                              version = version + 1
                       WHERE department_id = :d AND period = :p AND category = 'people' RETURNING id, original_amount, amount)
            INSERT INTO budget_adjustments (budget_id, actor, action, amount_before, amount_after, note)
            SELECT id, 'manager', 'adjust', original_amount, amount, '新增两名客服' FROM b"""),
            {"d": first_region, "p": month_label})
        conn.execute(sa.text("""
            WITH b AS (UPDATE service_budgets SET proposed_amount = amount + 1500, proposed_by = 'head', proposed_at = now(),
                              note = '更换耳机', version = version + 1
                       WHERE department_id = :d AND period = :p AND category = 'equipment' RETURNING id, amount, proposed_amount)
            INSERT INTO budget_adjustments (budget_id, actor, action, amount_before, amount_after, note)
            SELECT id, 'head', 'propose', amount, proposed_amount, '更换耳机' FROM b"""),
            {"d": first_region, "p": month_label})
        # some entries pay for a plan or task of their department running that day, some for a retention case
        conn.execute(sa.text("""
            UPDATE cost_entries e SET plan_id = (
                SELECT p.id FROM plans p WHERE p.department_id = e.department_id
                   AND e.entry_date BETWEEN p.start_date AND p.end_date ORDER BY p.id LIMIT 1)
            WHERE e.category = 'funds' AND e.id % 3 = 0"""))
        conn.execute(sa.text("""
            UPDATE cost_entries e SET retention_case_id = (
                SELECT r.id FROM retention_cases r JOIN customers c ON c.id = r.customer_id
                WHERE c.department_id = e.department_id AND r.started_on <= e.entry_date ORDER BY r.started_on DESC, r.id LIMIT 1)
            WHERE e.category = 'equipment' AND e.id % 4 = 0"""))
        from seeds import quality as quality_seed

        counts.update(quality_seed.generate(conn, Copier, seed=seed, today=today, customers=cust, staff=staff,
                                            heads=heads, agents_by_dep=agents_by_dep, parent_of=parent_of))
        cp = Copier(dbapi, "suggestions", ["from_staff_id", "to_staff_id", "subject", "body", "created_at", "answer",
                                           "answered_at"])
        for dep, members in agents_by_dep.items():
            for m in members[:2]:
                asked = _ts(today - timedelta(days=rng.randint(1, 60)), rng, tz)
                answered = rng.random() < 0.5
                cp.add(m, heads[dep], "关于回访流程的建议", "建议将回访时间提前到解决后三天内，客户反馈会更及时。",
                       asked.isoformat(), "收到，下周例会讨论。" if answered else None,
                       (asked + timedelta(days=1)).isoformat() if answered else None)
        cp.flush()
        _callbacks_and_gifts(dbapi, cust, agents_by_dep, heads, today, random.Random(seed + 25))
        from seeds import calls as calls_seed  # the contact centre's call records (issue 28)

        progress("demo: call records")
        counts["calls"] = calls_seed.generate(dbapi, Copier, customers=cust, agents_by_dep=agents_by_dep, heads=heads,
                                              today=today, tz=tz, seed=seed,
                                              now=datetime.combine(today, time(18, 0), tz))

        progress("demo: indexes and running totals")
        _restore_indexes(conn, deferred)
        for table in ("departments", "staff", "customers", "orders", "complaints", "plans", "retention_cases"):
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                 f"coalesce((SELECT max(id) FROM {table}), 1))"))
        # one account per role, listed on the sign-in page of a demo database; the demo password is
        # accepted only on a demo database, so the database says it is one first
        from dashboard.accounts import DEMO_PASSWORD, create_user

        conn.execute(sa.text("INSERT INTO settings VALUES ('demo', CAST(:v AS jsonb)) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"),
                     {"v": json.dumps({"seed": seed, "customers": customers, "today": today.isoformat()})})
        staff_no = {sid: no for sid, no, *_ in staff}
        create_user(conn, "manager", DEMO_PASSWORD, "manager", staff_no[1], actor="demo")
        create_user(conn, "head", DEMO_PASSWORD, "head", staff_no[heads[first_region]], actor="demo")
        create_user(conn, "agent", DEMO_PASSWORD, "agent", staff_no[agent], actor="demo")
        create_user(conn, "hruser", DEMO_PASSWORD, "hr", actor="demo")
    with engine.begin() as conn:
        conn.execute(sa.text("ANALYZE"))
    progress(f"demo: done ({counts['orders']:,} orders, {counts['complaints']:,} complaints)")
    return counts


def _callbacks_and_gifts(dbapi, cust, agents_by_dep, heads, today: date, rng) -> None:
    """Customer callbacks (回访): most customers called back in the last months, some overdue; a few gifts."""
    cp = Copier(dbapi, "customer_callbacks", ["customer_id", "staff_id", "called_on", "method", "result", "note"])
    for cid, dep, *_rest in cust:
        created = _rest[-1]
        if rng.random() < 0.15:
            continue                     # never called back yet
        staff = rng.choice(agents_by_dep[dep]) if agents_by_dep[dep] else heads[dep]
        for back in sorted(rng.sample(range(1, 200), rng.randint(1, 3)), reverse=True):
            day = today - timedelta(days=back)
            if day < created:
                continue
            cp.add(cid, staff, day, rng.choices(["phone", "wechat", "visit", "email"], [60, 25, 10, 5])[0],
                   rng.choices(["satisfied", "neutral", "dissatisfied", "unreachable"], [60, 25, 5, 10])[0],
                   rng.choice([None, "客户反馈良好", "询问新品价格", "希望缩短交付时间"]))
    cp.flush()
    cp = Copier(dbapi, "customer_gifts", ["customer_id", "staff_id", "sent_on", "item", "confirmed_on"])
    for cid, dep, *_rest in rng.sample(cust, min(len(cust), 30)):
        staff = rng.choice(agents_by_dep[dep]) if agents_by_dep[dep] else heads[dep]
        sent = today - timedelta(days=rng.randint(0, 40))
        confirmed = sent + timedelta(days=rng.randint(1, 3)) if rng.random() < 0.7 else None
        cp.add(cid, staff, sent, rng.choice(["中秋月饼礼盒", "新年台历", "茶叶礼盒"]),
               confirmed if confirmed is None or confirmed <= today else None)
    cp.flush()
