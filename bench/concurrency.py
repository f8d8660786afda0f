"""Twenty readers at once (issue #27): real Streamlit sessions on one server, light websocket clients.

    DATABASE_URL=... python bench/concurrency.py [--users 20] [--minutes 3] [--seed 27]

The database must be a writable demo database (a copy of the L benchmark database, never the
kept one itself): signing in writes sessions, the bench creates the reader accounts it lacks
(password demo1234, which only a demo database accepts), and one reader saves a customer log entry.

What runs:
- `streamlit run serve.py`, headless, on a free port, with DATABASE_URL: the server users get.
- per user, an asyncio client speaking Streamlit's own websocket protocol (/_stcore/stream,
  BackMsg/ForwardMsg protobufs), as the browser does, so twenty of them cost the server's two
  cores nothing worth counting:
  - it loads / (the binding cookie cs_signin), opens a session, fills the sign-in form through
    widget states, reads the one-time code from the page's redirect, trades it at
    /session/start for the session cookie as the browser does, and reconnects with that cookie;
  - then it clicks through the analysis pages in a seeded random order (rerun_script with the
    page's script hash and URL path, as the menu does), waiting 5 s between pages.
- a page's time: from sending the rerun to the script_finished message of the run that was
  not replaced by another (st.switch_page, st.rerun); an `exception` element is an error.
- the write: one agent saves a customer log entry through the work log form, with a category
  nobody else has; every other reader's next page is the customer log, whose category picker
  lists the categories in the reader's scope. Readers whose subtree holds the customer must see
  it; the others must not (scope).
"""
from __future__ import annotations

import argparse
import asyncio
import http.client
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.memory import peak_resident_mb  # noqa: E402
import sqlalchemy as sa  # noqa: E402
import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

PASSWORD = "demo1234"
READING_PAUSE = 5.0  # seconds a reader looks at a page before the next click
PAGE_TIMEOUT = 60.0  # a page run slower than this counts as a timeout
TARGET_P95 = 2.0
ANALYSIS_PAGES = ["overview", "plans", "complaints", "fluctuation", "retention", "grading", "cost", "quality",
                  "contact_centre", "evaluation", "customer_log", "customer_file", "staff"]
EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")


# -- readers: accounts in different departments ----------------------------------------------------

@dataclass
class Reader:
    username: str
    role: str
    department: str | None  # None: a company-wide reader (manager, hr)


def ensure_readers(url: str, count: int) -> list[Reader]:
    """`count` accounts spread over the departments: the demo's four, then heads of the other top
    departments and agents of distinct teams, created (with the demo password) when missing."""
    from dashboard import accounts
    from db.engine import get_engine

    engine = get_engine(url)
    with engine.begin() as conn:
        if not accounts.is_demo_database(conn):
            raise SystemExit("bench/concurrency.py needs a demo database (a copy of the L benchmark database)")
        readers = [Reader(r.username, r.role, r.code) for r in conn.execute(sa.text(
            "SELECT u.username, u.role, d.code FROM users u LEFT JOIN staff s ON s.id = u.staff_id "
            "LEFT JOIN departments d ON d.id = s.department_id "
            "WHERE u.username IN ('manager', 'hruser', 'head', 'agent') AND u.active ORDER BY u.id"))]
        taken = {r.department for r in readers}
        # one head per top department, then one agent per team, alternating over the top departments
        candidates = conn.execute(sa.text("""
            SELECT s.staff_no, s.role, d.code, u.username
            FROM staff s JOIN departments d ON d.id = s.department_id
            LEFT JOIN users u ON u.staff_id = s.id
            WHERE s.left_on IS NULL AND s.role IN ('head', 'agent')
              AND s.id = (SELECT min(x.id) FROM staff x WHERE x.department_id = s.department_id
                          AND x.role = s.role AND x.left_on IS NULL)
            ORDER BY (s.role = 'agent'), right(d.code, 2), d.code""")).all()
        for staff_no, role, code, username in candidates:
            if len(readers) >= count:
                break
            if code in taken or (role == "head" and code.count("-") != 1):
                continue
            if username is None:
                username = f"bench_{staff_no.lower()}"
                accounts.create_user(conn, username, PASSWORD, role, staff_no, actor="bench")
            readers.append(Reader(username, role, code))
            taken.add(code)
    return readers[:count]


def in_subtree(reader: Reader, department: str) -> bool:
    """Whether the reader's scope holds records of `department` (codes nest: CS-EAST ⊃ CS-EAST-1)."""
    return reader.department is None or department == reader.department or department.startswith(reader.department + "-")


def customer_of(url: str, department: str) -> str:
    from db.engine import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(sa.text("SELECT c.code FROM customers c JOIN departments d ON d.id = c.department_id "
                                    "WHERE d.code = :d ORDER BY c.id LIMIT 1"), {"d": department}).scalar_one()


# -- the server ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, log_path: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url}
    log = open(log_path, "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server ended at start (see {log_path})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            pass
        time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"the server did not answer /_stcore/health within 2 minutes (see {log_path})")


# -- one browser -----------------------------------------------------------------------------------

@dataclass
class Run:
    seconds: float | None  # None: timed out
    elements: list = field(default_factory=list)  # (type, proto) of every new element
    exceptions: list[str] = field(default_factory=list)


class Browser:
    """The little of a browser Streamlit needs: cookies, one websocket session, widget states."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.pages: dict[str, str] = {}  # url path -> page script hash
        self.page_hash = ""

    def _http(self, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path, headers={"Cookie": self._cookie_header(), **(headers or {})})
        answer = connection.getresponse()
        answer.read()
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return answer

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    async def load(self, path: str = "/") -> None:
        """A page load: index.html (cookies), then a new websocket session."""
        await asyncio.to_thread(self._http, path)
        if self.ws is not None:
            await self.ws.close()
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"], max_size=None,
            additional_headers={"Cookie": self._cookie_header(), "Origin": f"http://127.0.0.1:{self.port}"},
            open_timeout=30)

    async def run(self, page: str = "", widgets: list | None = None, query: str = "") -> Run:
        """Send a rerun (a click in the menu, or a widget's new value) and wait for its end."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = query
        state.page_name = page
        state.page_script_hash = self.pages.get(page, self.page_hash if not page else "")
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.locale = "zh-CN"
        for widget_id, kind, value in widgets or []:
            ws = state.widget_states.widgets.add()
            ws.id = widget_id
            setattr(ws, kind, value)
        started = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        result = Run(None)
        try:
            async with asyncio.timeout(PAGE_TIMEOUT):
                while True:
                    forward = ForwardMsg()
                    forward.ParseFromString(await self.ws.recv())
                    kind = forward.WhichOneof("type")
                    if kind == "navigation":
                        self.pages.update({p.url_pathname: p.page_script_hash for p in forward.navigation.app_pages})
                        self.page_hash = forward.navigation.page_script_hash
                    elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                        element = forward.delta.new_element
                        element_type = element.WhichOneof("type")
                        result.elements.append((element_type, getattr(element, element_type)))
                        if element_type == "exception":
                            result.exceptions.append(f"{element.exception.type}: {element.exception.message}")
                    elif kind == "script_finished" and forward.script_finished != EARLY:
                        result.seconds = time.perf_counter() - started
                        return result
                    elif kind == "script_finished":
                        result.elements.clear()  # a switch_page or rerun: the next run draws the page
        except TimeoutError:
            return result

    def widget(self, run: Run, key: str):
        for element_type, element in run.elements:
            if getattr(element, "id", "").endswith("-" + key):
                return element
        raise LookupError(f"no widget {key} on the page")

    async def sign_in(self, username: str) -> None:
        await self.load("/sign_in")
        form = await self.run()
        submit = next(e for t, e in form.elements if t == "button" and e.is_form_submitter)
        answer = await self.run("sign_in", widgets=[(self.widget(form, "signin_username").id, "string_value", username),
                                         (self.widget(form, "signin_password").id, "string_value", PASSWORD),
                                         (submit.id, "trigger_value", True)])
        html = " ".join(e.body for t, e in answer.elements if t == "html")
        code = re.search(r"/session/start\?code=([\w\-%.~]+)", html)
        if code is None:
            raise RuntimeError(f"{username}: sign-in did not lead to /session/start")
        redirect = await asyncio.to_thread(self._http, f"/session/start?{urlencode({'code': code.group(1)})}",
                                           {"Sec-Fetch-Site": "same-origin"})
        if "cs_session" not in self.cookies or "failed" in (redirect.headers.get("Location") or ""):
            raise RuntimeError(f"{username}: /session/start refused the code")
        await self.load("/")

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


# -- the readers' afternoon ------------------------------------------------------------------------

@dataclass
class Outcome:
    times: list[tuple[str, float]] = field(default_factory=list)  # (page, seconds)
    repeat_times: list[float] = field(default_factory=list)  # a page the reader had opened before (its figures cached, unless a write cleared them)
    visited: set = field(default_factory=set)  # (reader, page)
    load: dict = field(default_factory=dict)  # what the server and the database did meanwhile (see watch_load)
    errors: list[str] = field(default_factory=list)
    timeouts: list[str] = field(default_factory=list)
    sign_in_seconds: list[float] = field(default_factory=list)
    write_saved: bool = False
    write_seen: dict[str, bool] = field(default_factory=dict)  # reader -> category listed on their next customer log


async def reader_session(port: int, reader: Reader, index: int, minutes: float, seed: int, outcome: Outcome,
                         write: dict, written: asyncio.Event) -> None:
    rng = random.Random(seed * 1000 + index)
    await asyncio.sleep(rng.uniform(0, READING_PAUSE))  # readers do not all arrive in the same instant
    browser = Browser(port)
    try:
        started = time.perf_counter()
        await browser.sign_in(reader.username)
        landing = await browser.run(query="lang=zh")
        outcome.sign_in_seconds.append(time.perf_counter() - started)
        record(outcome, reader, "overview", landing)
        end = time.monotonic() + minutes * 60
        pages = [p for p in ANALYSIS_PAGES if p in browser.pages]
        checked = False
        while time.monotonic() < end:
            await asyncio.sleep(READING_PAUSE)
            if reader.username == write["by"] and not written.is_set() and time.monotonic() > write["at"]:
                await save_log_entry(browser, reader, outcome, write)
                written.set()
                continue
            page = rng.choice(pages)
            if written.is_set() and not checked:
                page, checked = "customer_log", True  # the next run after the write: does it show?
            run = await browser.run(page)
            record(outcome, reader, page, run)
            if page == "customer_log" and checked and reader.username not in outcome.write_seen:
                try:
                    options = browser.widget(run, "clog_category").options
                except LookupError:
                    options = []
                outcome.write_seen[reader.username] = write["category"] in options
    except Exception as error:  # a refused sign-in, a dropped connection: an error of that reader
        outcome.errors.append(f"{reader.username}: {type(error).__name__}: {error}")
    finally:
        await browser.close()


async def save_log_entry(browser: Browser, reader: Reader, outcome: Outcome, write: dict) -> None:
    """The agent's write, through the work log form as a browser submits it."""
    form = await browser.run("work_log")
    record(outcome, reader, "work_log", form)
    submit = next(e for t, e in form.elements if t == "button" and e.is_form_submitter)
    fields = {"log_customer": write["customer"], "log_category": write["category"],
              "log_content": "bench: twenty readers at once", "log_handling": "none", "log_summary": "none"}
    saved = await browser.run("work_log", widgets=[(browser.widget(form, key).id, "string_value", value)
                                                   for key, value in fields.items()]
                              + [(submit.id, "trigger_value", True)])
    record(outcome, reader, "work_log (save)", saved)
    outcome.write_saved = not any(t == "alert" and e.format == e.ERROR for t, e in saved.elements)


def record(outcome: Outcome, reader: Reader, page: str, run: Run) -> None:
    if run.seconds is None:
        outcome.timeouts.append(f"{reader.username}: {page}")
        return
    outcome.times.append((page, run.seconds))
    if (reader.username, page) in outcome.visited:
        outcome.repeat_times.append(run.seconds)
    outcome.visited.add((reader.username, page))
    outcome.errors.extend(f"{reader.username}: {page}: {e}" for e in run.exceptions)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def watch_load(url: str, server_pid: int, outcome: Outcome, stop: asyncio.Event) -> None:
    """Where the time goes: the server process's CPU (its Python threads share one GIL, so it
    cannot pass 1 CPU-second a second for long), the CPU of the database backends serving it, and
    how many of its pooled connections exist and are running a statement (db/engine.py's pool:
    a checkout beyond its size waits, and fails after 30 s)."""
    from db.engine import get_engine

    engine = get_engine(url)
    sql = sa.text("SELECT pid, state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")

    def sample():
        with engine.connect() as conn:
            return conn.execute(sql).all()

    backends: dict[int, float] = {}
    samples, started, server_start = [], time.monotonic(), cpu_seconds(server_pid)
    while not stop.is_set():
        rows = await asyncio.to_thread(sample)
        samples.append((len(rows), sum(state == "active" for _, state in rows)))
        for pid, _ in rows:
            try:
                backends[pid] = cpu_seconds(pid)  # a backend's CPU so far (the last value seen counts)
            except (FileNotFoundError, PermissionError):
                pass
        try:
            await asyncio.wait_for(stop.wait(), 2)
        except TimeoutError:
            pass
    wall = time.monotonic() - started
    outcome.load = {"wall": wall, "server_cpu": cpu_seconds(server_pid) - server_start,
                    "db_cpu": sum(backends.values()), "connections_max": max(c for c, _ in samples),
                    "active_mean": statistics.mean(a for _, a in samples), "active_max": max(a for _, a in samples)}


async def afternoon(url: str, port: int, server_pid: int, readers: list[Reader], minutes: float, seed: int,
                    write: dict) -> Outcome:
    outcome, written, stop = Outcome(), asyncio.Event(), asyncio.Event()
    write["at"] = time.monotonic() + minutes * 60 / 3  # a third of the way through
    watcher = asyncio.create_task(watch_load(url, server_pid, outcome, stop))
    await asyncio.gather(*(reader_session(port, reader, index, minutes, seed, outcome, write, written)
                           for index, reader in enumerate(readers)))
    stop.set()
    await watcher
    return outcome


def measure(url: str, users: int = 20, minutes: float = 3, seed: int = 27, verbose: bool = False) -> dict:
    readers = ensure_readers(url, users)
    writer = next((r for r in readers if r.role == "agent"), readers[0])  # an agent writes, as at work
    write = {"by": writer.username, "customer": customer_of(url, writer.department),
             "category": f"bench-{secrets.token_hex(4)}"}
    port = free_port()
    log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"concurrency-server-{port}.log"
    server = start_server(url, port, log_path)
    try:
        outcome = asyncio.run(afternoon(url, port, server.pid, readers, minutes, seed, write))
        peak_mb = peak_resident_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
    should_see = {r.username for r in readers if in_subtree(r, writer.department)}
    times = [s for _, s in outcome.times]
    per_page: dict[str, list[float]] = {}
    for page, seconds in outcome.times:
        per_page.setdefault(page, []).append(seconds)
    seen_right = {name: seen == (name in should_see) for name, seen in outcome.write_seen.items()}
    return {
        "users": len(readers), "readers": readers, "page_runs": len(times),
        "p50": statistics.median(times) if times else None, "p95": percentile(times, 0.95) if times else None,
        "max": max(times) if times else None,
        "per_page": {p: (len(v), percentile(v, 0.95), max(v)) for p, v in sorted(per_page.items())},
        "repeat_runs": len(outcome.repeat_times),
        "repeat_p95": percentile(outcome.repeat_times, 0.95) if outcome.repeat_times else None,
        "load": outcome.load,
        "sign_in_p95": percentile(outcome.sign_in_seconds, 0.95) if outcome.sign_in_seconds else None,
        "errors": outcome.errors, "timeouts": outcome.timeouts, "write": write, "write_saved": outcome.write_saved,
        "write_seen": outcome.write_seen, "should_see": should_see,
        "write_checked": len(outcome.write_seen), "write_right": sum(seen_right.values()),
        "server_log": str(log_path), "server_peak_mb": peak_mb,
    }


def concurrency_rows(url: str, users: int = 20, minutes: float = 3) -> list[tuple[str, str, float, float | None]]:
    """The benchmark's rows: (figure, target, measured, measured/target or None)."""
    m = measure(url, users, minutes)
    p95 = m["p95"] if m["p95"] is not None else float("inf")
    seen_all = m["write_saved"] and m["write_checked"] == m["users"] and m["write_right"] == m["write_checked"]
    return [
        (f"concurrency: p95 page time ({m['users']} users)", f"≤ {TARGET_P95} s", p95, p95 / TARGET_P95),
        (f"concurrency: max page time ({m['users']} users)", "—", m["max"] or float("inf"), None),
        ("concurrency: errors and timeouts", "0", float(len(m["errors"]) + len(m["timeouts"])), None),
        ("concurrency: write seen by every reader in scope, by none outside", "yes", 1.0 if seen_all else 0.0, None),
        (f"concurrency: the server's peak memory with {m['users']} sessions (MB)", "≤ 500", m["server_peak_mb"],
         m["server_peak_mb"] / 500),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("DATABASE_URL"), help="a writable copy of the L database")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--seed", type=int, default=27)
    args = parser.parse_args()
    if not args.url:
        raise SystemExit("give --url or DATABASE_URL (a writable copy of the L benchmark database)")
    m = measure(args.url, args.users, args.minutes, args.seed)
    fmt = lambda s: "—" if s is None else f"{s:.2f} s"  # noqa: E731
    print(f"{m['users']} readers: " + ", ".join(f"{r.username} ({r.role}, {r.department or 'all'})" for r in m["readers"]))
    print(f"page runs {m['page_runs']}: p50 {fmt(m['p50'])}, p95 {fmt(m['p95'])} (target ≤ {TARGET_P95} s), "
          f"max {fmt(m['max'])}; sign-in to first page p95 {fmt(m['sign_in_p95'])}")
    print(f"  of which a page the reader had opened before: {m['repeat_runs']} runs, p95 {fmt(m['repeat_p95'])}")
    load = m["load"]
    if load:
        print(f"load over {load['wall']:.0f} s: server process {load['server_cpu']:.0f} CPU-s "
              f"({load['server_cpu'] / load['wall']:.2f} CPU), database backends {load['db_cpu']:.0f} CPU-s "
              f"({load['db_cpu'] / load['wall']:.2f} CPU); connections at most {load['connections_max']}, "
              f"running a statement {load['active_mean']:.1f} on average, {load['active_max']} at most")
        print(f"  machine load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (other work shares them)")
        runs = m["page_runs"] + m["users"]  # the sign-ins too
        print(f"  per page run: {load['server_cpu'] / runs:.2f} CPU-s in the server, {load['db_cpu'] / runs:.2f} in the "
              f"database; {m['users']} readers pausing {READING_PAUSE:.0f} s at {TARGET_P95:.0f} s a page need "
              f"{m['users'] / (READING_PAUSE + TARGET_P95) * load['server_cpu'] / runs:.2f} CPU of the server's one "
              f"GIL and {m['users'] / (READING_PAUSE + TARGET_P95) * (load['server_cpu'] + load['db_cpu']) / runs:.2f} "
              f"CPU in all")
    for page, (count, p95, worst) in m["per_page"].items():
        print(f"  {page:<18} runs {count:>3}  p95 {fmt(p95)}  max {fmt(worst)}")
    print(f"errors {len(m['errors'])}, timeouts {len(m['timeouts'])} (a run over {PAGE_TIMEOUT:.0f} s)")
    for line in (m["errors"] + m["timeouts"])[:20]:
        print("  " + line)
    w = m["write"]
    print(f"write: {w['by']} saved a customer log entry for {w['customer']} (category {w['category']}): "
          f"{'saved' if m['write_saved'] else 'NOT saved'}")
    print(f"  next customer log of {m['write_checked']} readers: {m['write_right']} right "
          f"(seen by {sum(m['write_seen'].get(n, False) for n in m['should_see'])} of the "
          f"{len(m['should_see'])} readers in scope, the writer included; by "
          f"{sum(v for n, v in m['write_seen'].items() if n not in m['should_see'])} outside it)")
    print(f"server log: {m['server_log']}; the server's peak memory {m['server_peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
