"""CSV import (interfaces.md): all or nothing, every problem listed, idempotent.

Phase 1 reads and validates every row of every file (types, enums, required and unknown
columns, duplicate keys, references to rows in the files or already in the database, the
rules of metrics.md). If anything is wrong, nothing is written and every problem is returned
as `file:line: column: message`. Phase 2 loads each file into a temporary table with COPY
and upserts by natural key inside one transaction, touching only rows that differ, so a
re-import of the same files changes nothing.

- files: the files, their columns, keys and upserts
- parsers: the value of each kind of cell
- checks: references and rules across rows
- staged: the SQL path of large files (checked in Postgres with the same messages)
"""
from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.imports import staged
from dashboard.imports.checks import check_references
from dashboard.imports.files import WRITES, FileSpec, specs
from dashboard.imports.parsers import BadValue


class ImportFailed(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _decode(path: Path, spec: FileSpec, problems: list[str]) -> str | None:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        problems.append(f"{spec.name}:{line}: -: not valid UTF-8 (byte {e.start})")
        return None


def _check_header(content: str, spec: FileSpec, problems: list[str]) -> list[str] | None:
    """The header's columns, or None (with the problems listed) when it cannot be used."""
    try:
        header = next(csv.reader(io.StringIO(content, newline="")))
    except StopIteration:
        problems.append(f"{spec.name}:1: -: the file is empty (a header row is required)")
        return None
    header = [h.strip() for h in header]
    bad_header = False
    for col in header:
        if col not in spec.columns:
            problems.append(f"{spec.name}:1: {col}: unknown column")
            bad_header = True
    for col in {c for c in header if header.count(c) > 1}:
        problems.append(f"{spec.name}:1: {col}: column appears more than once")
        bad_header = True
    for col, (required, _) in spec.columns.items():
        if required and col not in header:
            problems.append(f"{spec.name}:1: {col}: required column is missing")
            bad_header = True
    return None if bad_header else header


def read_file(path: Path, spec: FileSpec, problems: list[str], show_progress: bool, content: str | None = None,
              header: list[str] | None = None) -> None:
    if content is None:
        content = _decode(path, spec, problems)
        if content is None:
            return
        header = _check_header(content, spec, problems)
    if header is None:
        return
    reader = csv.reader(io.StringIO(content, newline=""))
    next(reader)
    seen: dict[tuple, int] = {}
    line = 1
    for record in reader:
        line_start = line + 1
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(f"{spec.name}:{line_start}: -: has {len(record)} fields, the header has {len(header)}")
            continue
        row: dict = {}
        for col, cell in zip(header, record):
            required, parse = spec.columns[col]
            if "\x00" in cell:  # Postgres text cannot hold it
                problems.append(f"{spec.name}:{line_start}: {col}: contains a NUL character (\\x00)")
                row[col] = None
                continue
            cell = cell.strip()
            if cell == "":
                if required:
                    problems.append(f"{spec.name}:{line_start}: {col}: required value is empty")
                row[col] = None
                continue
            try:
                row[col] = parse(cell)
            except BadValue as e:
                problems.append(f"{spec.name}:{line_start}: {col}: {e}")
                row[col] = None
        key = tuple(row.get(k) for k in spec.key)
        if None not in key:
            if key in seen:
                problems.append(f"{spec.name}:{line_start}: {spec.key[0]}: duplicate key "
                                f"{'/'.join(map(str, key))} (first on line {seen[key]})")
            else:
                seen[key] = line_start
        spec.rows.append((line_start, row))
        if show_progress and len(spec.rows) % 200_000 == 0:
            _progress(f"  {spec.name}: {len(spec.rows):,} rows read")


def _copy_rows(dbapi_conn, table: str, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for _, row in rows:
        writer.writerow([
            "" if (v := row.get(c)) is None else (v.isoformat() if isinstance(v, (date, datetime)) else v)
            for c in columns
        ])
    buffer.seek(0)
    with dbapi_conn.cursor() as cur:
        cur.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer)


def import_directory(engine: Engine, directory: Path, actor: str = "import",
                     show_progress: bool = False) -> dict[str, int]:
    """Import the CSV files in `directory`. Returns rows written per file; raises ImportFailed."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ImportFailed([f"{directory}: not a directory"])
    known = {spec.name: spec for spec in specs()}
    problems: list[str] = []
    for path in sorted(directory.glob("*.csv")):
        if path.name not in known:
            problems.append(f"{path.name}:1: -: unknown file (expected one of {', '.join(known)})")
    files: dict[str, FileSpec] = {}
    with engine.begin() as conn:
        for spec in specs():
            path = directory / spec.name
            if not path.exists():
                continue
            if show_progress:
                _progress(f"reading {spec.name}")
            files[spec.name] = spec
            content = _decode(path, spec, problems)
            header = _check_header(content, spec, problems) if content is not None else None
            if header is None:
                continue
            if not (spec.name in staged.SQL_CHECKED and staged.stage(conn, spec, content, header, problems)):
                read_file(path, spec, problems, show_progress, content, header)
        if not files and not problems:
            raise ImportFailed([f"{directory}: no CSV files to import (expected {', '.join(known)})"])
        check_references(conn, files, problems)
        if problems:
            raise ImportFailed(problems)
        dbapi = conn.connection.dbapi_connection
        # who imports, for the writes that keep a history of their own (budget adjustments)
        conn.execute(sa.text("SELECT set_config('dashboard.actor', :actor, true)"), {"actor": actor})
        changed: dict[str, int] = {}
        for name in [spec.name for spec in specs() if spec.name in files]:  # in dependency order
            spec = files[name]
            if show_progress:
                _progress(f"writing {spec.name} ({spec.staged_count or len(spec.rows):,} rows)")
            columns_sql, upsert_sql = WRITES[spec.name]
            conn.execute(sa.text("DROP TABLE IF EXISTS s"))
            if spec.staged is not None:
                conn.execute(sa.text(f"CREATE TEMP TABLE s ON COMMIT DROP AS {staged.typed_select(spec, columns_sql)}"))
            else:
                conn.execute(sa.text(f"CREATE TEMP TABLE s ({columns_sql}) ON COMMIT DROP"))
                columns = [c.split()[0] for c in columns_sql.split(", ")]
                _copy_rows(dbapi, "s", columns, spec.rows)
            conn.execute(sa.text("ANALYZE s"))
            with dbapi.cursor() as cur:
                for statement in filter(str.strip, upsert_sql.split(";")):
                    cur.execute(statement)
                    changed[spec.name] = changed.get(spec.name, 0) + max(cur.rowcount, 0)
        if not any(changed.values()):
            return {name: 0 for name in files}
        conn.execute(sa.text(
            "INSERT INTO audit_log (actor, action, table_name, record_key, after) "
            "VALUES (:actor, 'import', 'import', :dir, CAST(:summary AS jsonb))"),
            {"actor": actor, "dir": str(directory),
             "summary": json.dumps(changed)})
    return changed
