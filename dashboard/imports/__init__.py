"""The import (interfaces.md): CSV files or Excel workbooks; all or nothing, every problem listed, idempotent.

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
- names: the Chinese sheet names and column headers
- excel: reading workbooks (typed cells become the text the parsers read)
- scoped: what a head's import may touch

Every file goes through the same machinery, whichever module declares its FileSpec: a file read
from a workbook, with Chinese headers or with Chinese labels is read as its CSV would be.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sys
from datetime import date, datetime
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.imports import excel, names, scoped, staged
from dashboard.imports.checks import check_references
from dashboard.imports.files import WRITES, FileSpec, specs
from dashboard.imports.parsers import BadValue
from dashboard.core.vocabulary import fold


class ImportFailed(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Source:
    """One entity's rows as given: a CSV file's text, or a sheet's cells (row 1 the header)."""
    name: str                  # the file of interfaces.md, e.g. orders.csv
    label: str                 # how problems name it: orders.csv, orders.xlsx, BOOK.xlsx:订单
    csv: str | None = None
    cells: list[list] | None = None
    uncached: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Outcome:
    """What an import changed, per file: rows read, added, updated, unchanged."""
    changed: dict[str, int]
    counts: dict[str, dict[str, int]]


def _decode(raw: bytes, label: str, problems: list[str]) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        problems.append(f"{label}:{line}: -: not valid UTF-8 (byte {e.start}); in Excel, save it as 'CSV UTF-8'")
        return None


def _map_header(cells: list[str], spec: FileSpec, problems: list[str]) -> list[str] | None:
    """The columns a header row names (English names or Chinese headers), or None with the problems listed."""
    lookup = names.header_lookup(spec)
    header = []
    bad_header = False
    for written in cells:
        written = (written or "").strip()
        column = lookup.get(fold(written))
        if column is None:
            problems.append(f"{spec.name}:1: {written or '-'}: unknown column")
            bad_header = True
        header.append(column or written)
    for col in dict.fromkeys(c for c in header if header.count(c) > 1):
        problems.append(f"{spec.name}:1: {col}: column appears more than once")
        bad_header = True
    for col, (required, _) in spec.columns.items():
        if required and col not in header:
            problems.append(f"{spec.name}:1: {col}: required column is missing")
            bad_header = True
    return None if bad_header else header


def _csv_header(content: str, spec: FileSpec, problems: list[str]) -> list[str] | None:
    try:
        cells = next(csv.reader(io.StringIO(content, newline="")))
    except StopIteration:
        problems.append(f"{spec.name}:1: -: the file is empty (a header row is required)")
        return None
    return _map_header(cells, spec, problems)


def _csv_records(content: str, header: list[str], spec: FileSpec, problems: list[str]):
    """(line, cells) of each row of a CSV file (a record's first line names it)."""
    reader = csv.reader(io.StringIO(content, newline=""))
    next(reader)
    line = 1
    for record in reader:
        line_start = line + 1
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(f"{spec.name}:{line_start}: -: has {len(record)} fields, the header has {len(header)}")
            continue
        yield line_start, record


def _sheet_records(source: Source, header: list[str], spec: FileSpec, problems: list[str]):
    """(row, cells as text) of each row of a sheet; empty rows (trailing ones too) are skipped."""
    kinds = [getattr(spec.columns[c][1], "kind", None) for c in header]
    width = len(header)
    uncached = {}
    for row, col in source.uncached:
        uncached.setdefault(row, []).append(col)
    for index, cells in enumerate(source.cells[1:], start=2):
        texts = [excel.cell_text(cells[i] if i < len(cells) else None, kinds[i]) for i in range(width)]
        beyond = [i for i in range(width, len(cells)) if excel.cell_text(cells[i], None).strip()]
        for col in uncached.get(index, ()):
            if col < width:
                problems.append(f"{spec.name}:{index}: {header[col]}: a formula without a saved value "
                                f"(open the file in Excel and save it, or type the value)")
                texts[col] = "\x00formula"
        if not any(t.strip() for t in texts) and not beyond:
            continue
        if beyond:
            problems.append(f"{spec.name}:{index}: -: a value in column {beyond[0] + 1}, which has no header")
            continue
        yield index, texts


_NOT_PLAIN = re.compile(r'["\r\n\x00]')


def _sheet_as_csv(source: Source, header: list[str], spec: FileSpec) -> str | None:
    """A sheet as the CSV the SQL path reads, when its rows are plain: each row one line (no empty
    rows before the last, no cell beyond the header, no formula without a value) and no cell that
    CSV would quote. None: the sheet goes the Python way, which names whatever is special."""
    if source.uncached:
        return None
    rows = source.cells[1:]
    while rows and not any(excel.cell_text(c, None).strip() for c in rows[-1]):
        rows = rows[:-1]  # trailing empty rows are ignored
    width = len(header)
    kinds = [getattr(spec.columns[c][1], "kind", None) for c in header]
    lines = [",".join(header)]
    text = excel.cell_text
    for cells in rows:
        if len(cells) > width and any(text(c, None).strip() for c in cells[width:]):
            return None
        line = ",".join([text(cells[i], kinds[i]) if i < len(cells) else "" for i in range(width)])
        if line.count(",") != width - 1 or _NOT_PLAIN.search(line) or line.replace(",", "").strip() == "":
            return None
        lines.append(line)
    return "\n".join(lines) + "\n"


def read_rows(records, spec: FileSpec, header: list[str], problems: list[str], show_progress: bool) -> None:
    """Parse and check each row of (line, cells); the good ones go to spec.rows."""
    seen: dict[tuple, int] = {}
    for line_start, record in records:
        row: dict = {}
        for col, cell in zip(header, record):
            required, parse = spec.columns[col]
            if cell == "\x00formula":  # named already
                row[col] = None
                continue
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


def read_file(path: Path, spec: FileSpec, problems: list[str], show_progress: bool, content: str | None = None,
              header: list[str] | None = None) -> None:
    """Read one CSV file into spec.rows (the Python path)."""
    if content is None:
        content = _decode(Path(path).read_bytes(), spec.name, problems)
        if content is None:
            return
        header = _csv_header(content, spec, problems)
    if header is None:
        return
    read_rows(_csv_records(content, header, spec, problems), spec, header, problems, show_progress)


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


# -- gathering the sources ------------------------------------------------------------------------

def directory_sources(directory: Path, problems: list[str]) -> list[Source]:
    """NAME.csv or NAME.xlsx (its first sheet) for each file of interfaces.md found in `directory`."""
    known = {spec.name: spec for spec in specs()}
    stems = {name.removesuffix(".csv"): name for name in known}
    sources = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith((".", "~$")) or not path.is_file() or path.suffix.lower() not in (".csv", ".xlsx"):
            continue
        if path.stem not in stems or path.suffix != path.suffix.lower():
            problems.append(f"{path.name}:1: -: unknown file (expected one of {', '.join(known)}, or .xlsx)")
            continue
        name = stems[path.stem]
        if path.suffix == ".xlsx" and (directory / name).exists():
            problems.append(f"{path.name}:1: -: both {name} and {path.name} are given; keep one")
            continue
        sources.extend(file_sources(path.name, path.read_bytes(), problems, single=True))
    return sources


def file_sources(filename: str, data: bytes, problems: list[str], single: bool = False) -> list[Source]:
    """The sources of one file: NAME.csv, NAME.xlsx (its first sheet; `single`) or a workbook with a sheet per file."""
    known = {spec.name: spec for spec in specs()}
    stem = filename.rsplit(".", 1)[0]
    if filename.lower().endswith(".csv"):
        if filename not in known:
            problems.append(f"{filename}:1: -: unknown file (expected one of {', '.join(known)}, or .xlsx)")
            return []
        content = _decode(data, filename, problems)
        return [] if content is None else [Source(filename, filename, csv=content)]
    if not filename.lower().endswith(".xlsx"):
        problems.append(f"{filename}:1: -: neither a .csv file nor an .xlsx workbook")
        return []
    try:
        sheet_names, sheets, uncached = excel.read_workbook(data)
    except excel.NotAWorkbook as e:
        problems.append(f"{filename}:1: -: {e}")
        return []
    if single and f"{stem}.csv" in known:  # orders.xlsx: its first sheet is orders
        if not sheet_names:
            problems.append(f"{filename}:1: -: the workbook has no sheet")
            return []
        first = sheet_names[0]
        return [Source(f"{stem}.csv", filename, cells=sheets[first], uncached=uncached.get(first, []))]
    lookup = names.sheet_lookup(specs())
    sources: list[Source] = []
    taken: dict[str, str] = {}
    for sheet in sheet_names:
        name = lookup.get(fold(sheet))
        if name is None:
            expected = ", ".join(f"{n.removesuffix('.csv')} ({names.sheet_name(known[n])})" for n in known)
            problems.append(f"{filename}:{sheet}:1: -: unknown sheet (expected one of {expected})")
            continue
        if name in taken:
            problems.append(f"{filename}:{sheet}:1: -: sheet {taken[name]} holds {name.removesuffix('.csv')} already")
            continue
        taken[name] = sheet
        sources.append(Source(name, f"{filename}:{sheet}", cells=sheets[sheet], uncached=uncached.get(sheet, [])))
    if not sheet_names:
        problems.append(f"{filename}:1: -: the workbook has no sheet")
    return sources


# -- the import -------------------------------------------------------------------------------------

def _relabel(problems: list[str], labels: dict[str, str]) -> list[str]:
    """Problems name a file by its name in interfaces.md (orders.csv); name it as it was given."""
    out = []
    for problem in problems:
        name = problem.split(":", 1)[0]
        out.append(labels[name] + problem[len(name):] if name in labels and labels[name] != name else problem)
    return out


def run_import(engine: Engine, sources: list[Source], problems: list[str] | None = None, actor: str = "import",
               what: str = "", scope=None, show_progress: bool = False, progress=None) -> Outcome:
    """Check every row of every source; write them all, or nothing (raises ImportFailed).

    `scope` (a Scope): the departments the import may touch (None or a company scope: all).
    `progress(fraction, message)` is told how far it got.
    """
    problems = list(problems or [])
    by_name: dict[str, Source] = {}
    for source in sources:
        if source.name in by_name:
            problems.append(f"{source.label}:1: -: {source.name} is given twice (also {by_name[source.name].label})")
        by_name.setdefault(source.name, source)
    labels = {name: s.label for name, s in by_name.items()}
    steps = max(1, 2 * len(by_name) + 1)
    done = 0

    def tell(message: str):
        if show_progress:
            _progress(message)
        if progress is not None:
            progress(min(done / steps, 1.0), message)

    files: dict[str, FileSpec] = {}
    with engine.begin() as conn:
        for spec in specs():
            source = by_name.get(spec.name)
            if source is None:
                continue
            tell(f"reading {source.label}")
            files[spec.name] = spec
            spec.source = source.label
            if source.csv is not None:
                header = _csv_header(source.csv, spec, problems)
                if header is not None and not (spec.name in staged.SQL_CHECKED
                                               and staged.stage(conn, spec, source.csv, header, problems)):
                    read_rows(_csv_records(source.csv, header, spec, problems), spec, header, problems, show_progress)
            else:
                if not source.cells:
                    problems.append(f"{spec.name}:1: -: the sheet is empty (a header row is required)")
                    continue
                header_cells = [excel.cell_text(c, None) for c in source.cells[0]]
                while header_cells and not header_cells[-1].strip():
                    header_cells.pop()
                header = _map_header(header_cells, spec, problems)
                content = _sheet_as_csv(source, header, spec) if header and spec.name in staged.SQL_CHECKED else None
                if header is not None and not (content and staged.stage(conn, spec, content, header, problems)):
                    read_rows(_sheet_records(source, header, spec, problems), spec, header, problems, show_progress)
            done += 1
        if not files and not problems:
            raise ImportFailed([f"{what or 'the import'}: no files to import (expected "
                                f"{', '.join(s.name for s in specs())}, as .csv or .xlsx)"])
        tell("checking references")
        check_references(conn, files, problems)
        if scope is not None and scope.department is not None:
            scoped.check_scope(conn, files, scope.department, problems)
        if problems:
            raise ImportFailed(_relabel(list(dict.fromkeys(problems)), labels))
        dbapi = conn.connection.dbapi_connection
        # who imports, for the writes that keep a history of their own (budget adjustments)
        conn.execute(sa.text("SELECT set_config('dashboard.actor', :actor, true)"), {"actor": actor})
        changed: dict[str, int] = {}
        counts: dict[str, dict[str, int]] = {}
        for name in [spec.name for spec in specs() if spec.name in files]:  # in dependency order
            spec = files[name]
            rows = spec.staged_count or len(spec.rows)
            done += 1
            tell(f"writing {spec.source} ({rows:,} rows)")
            columns_sql, upsert_sql = WRITES[spec.name]
            conn.execute(sa.text("DROP TABLE IF EXISTS s"))
            if spec.staged is not None:
                conn.execute(sa.text(f"CREATE TEMP TABLE s ON COMMIT DROP AS {staged.typed_select(spec, columns_sql)}"))
            else:
                conn.execute(sa.text(f"CREATE TEMP TABLE s ({columns_sql}) ON COMMIT DROP"))
                columns = [c.split()[0] for c in columns_sql.split(", ")]
                _copy_rows(dbapi, "s", columns, spec.rows)
            conn.execute(sa.text("ANALYZE s"))
            added = updated = 0
            replaces = False  # a file that replaces a table (tiers): its rows are all new
            with dbapi.cursor() as cur:
                for number, statement in enumerate(filter(str.strip, upsert_sql.split(";"))):
                    kind = " ".join(statement.split()).upper()
                    if number == 0 and _upsert(statement):
                        # the upsert's rows tell a new row (xmax = 0) from an updated one
                        cur.execute(f"WITH w AS ({statement} RETURNING (xmax = 0) AS new) "
                                    f"SELECT count(*) FILTER (WHERE new), count(*) FILTER (WHERE NOT new) FROM w")
                        added, updated = cur.fetchone()
                        written = added + updated
                    else:
                        cur.execute(statement)
                        written = max(cur.rowcount, 0)
                        if number == 0:
                            replaces = kind.startswith("DELETE")
                            updated = 0 if replaces else written
                        elif replaces and kind.startswith("INSERT"):
                            added += written
                    changed[spec.name] = changed.get(spec.name, 0) + written
            added, updated = min(added, rows), min(updated, rows - min(added, rows))
            counts[spec.name] = {"rows": rows, "added": added, "updated": updated,
                                 "unchanged": rows - added - updated}
        done = steps
        tell("done")
        if not any(changed.values()):
            return Outcome({name: 0 for name in files}, counts)
        conn.execute(sa.text(
            "INSERT INTO audit_log (actor, action, table_name, record_key, after) "
            "VALUES (:actor, 'import', 'import', :dir, CAST(:summary AS jsonb))"),
            {"actor": actor, "dir": what, "summary": json.dumps(changed)})
    return Outcome(changed, counts)


def _upsert(statement: str) -> bool:
    """An INSERT ... ON CONFLICT without RETURNING: its rows tell added (xmax = 0) from updated."""
    flat = " ".join(statement.split()).upper()
    return flat.startswith("INSERT") and " ON CONFLICT " in flat and " RETURNING " not in flat


def import_directory(engine: Engine, directory: Path, actor: str = "import", show_progress: bool = False,
                     scope=None, progress=None) -> dict[str, int]:
    """Import the files in `directory` (NAME.csv or NAME.xlsx). Returns rows written per file; raises ImportFailed."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ImportFailed([f"{directory}: not a directory"])
    problems: list[str] = []
    sources = directory_sources(directory, problems)
    return run_import(engine, sources, problems, actor, str(directory), scope, show_progress, progress).changed


def import_workbook(engine: Engine, path: Path, actor: str = "import", show_progress: bool = False,
                    scope=None, progress=None) -> dict[str, int]:
    """Import a workbook with one sheet per file (BOOK.xlsx). Returns rows written per file; raises ImportFailed."""
    path = Path(path)
    if not path.is_file():
        raise ImportFailed([f"{path}: no such file"])
    problems: list[str] = []
    sources = file_sources(path.name, path.read_bytes(), problems)
    return run_import(engine, sources, problems, actor, str(path), scope, show_progress, progress).changed


IMPORTING_ROLES = ("manager", "head")  # a head within the head's subtree; agents and hr import nothing


def import_uploads(engine: Engine, uploads: list[tuple[str, bytes]], user, progress=None) -> Outcome:
    """The import page's: files as uploaded (NAME.csv, NAME.xlsx, or workbooks with a sheet per file),
    by `user` within the user's scope. Raises AccessDenied for a role that does not import."""
    from dashboard.core.scope import AccessDenied, check_may_change, resolve

    check_may_change(user, "import", "")
    if user.role not in IMPORTING_ROLES:
        raise AccessDenied(f"a {user.role} account imports nothing")
    with engine.connect() as conn:
        scope = resolve(conn, user)
    problems: list[str] = []
    known = {spec.name.removesuffix(".csv") for spec in specs()}
    sources: list[Source] = []
    for filename, data in uploads:
        single = filename.lower().endswith(".xlsx") and filename.rsplit(".", 1)[0] in known
        sources.extend(file_sources(filename, data, problems, single=single))
    return run_import(engine, sources, problems, user.username, ", ".join(f for f, _ in uploads), scope,
                      progress=progress)
