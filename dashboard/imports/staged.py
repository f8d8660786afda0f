"""The SQL path of the import for large files.

Validating millions of cells one by one in Python is the slow part of an import. For the files in
SQL_CHECKED, the raw text is COPYed into a temporary table `raw_<name>` and checked there with the
same rules, messages, line numbers and order of problems as `dashboard.imports.read_file`. A file whose
line numbers COPY could not reproduce (quoted fields may span lines) or whose shape COPY refuses
(a short row, a blank line) goes the Python way, which names those problems.
"""
from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

SQL_CHECKED = {"orders.csv", "calls.csv"}
_BLANKS = r"E' \t\r\n\f\v'"
# a date written 2026/5/1 or 2026年5月1日 as 2026-5-1, which Postgres reads (ISO dates pass unchanged)
_ISO = "replace(translate({v}, '/年月', '---'), '日', '')"


def _trimmed(column: str) -> str:
    """The cell as the Python path sees it: stripped, and NULL when empty."""
    return f"nullif(btrim({column}, {_BLANKS}), '')"


def _formats():
    """parser -> the checks that parser makes, in its order: (condition on {v}, message), both SQL.

    The messages are the Python path's (imports.parsers and core.limits), word for word.
    """
    from dashboard.core import limits
    from dashboard.imports.parsers import a_date, amount, code, count, long_text, text, timestamp

    def quoted(message: str) -> str:
        return "format('''%s'' " + message + "', {v})"

    def too_long(limit: int) -> tuple[str, str]:
        return (f"length({{v}}) > {limit}",
                f"format('is %s characters long; at most {limit:,}', to_char(length({{v}}), 'FM999,999,999,999'))")

    starts = ", ".join(f"'{c}'" for c in limits.FORMULA_STARTS)
    return {
        a_date: [("{v} !~ '^([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}|[0-9]{{4}}/[0-9]{{1,2}}/[0-9]{{1,2}}|"
                  "[0-9]{{4}}年[0-9]{{1,2}}月[0-9]{{1,2}}日)$'",
                  quoted("is not a date YYYY-MM-DD (or 2026/5/1, 2026年5月1日)")),
                 (f"NOT pg_input_is_valid({_ISO.format(v='{v}')}, 'date')", quoted("is not a valid date")),
                 (f"CAST({_ISO.format(v='{v}')} AS date) NOT BETWEEN '{limits.DATE_MIN}' AND '{limits.DATE_MAX}'",
                  f"format('%s is outside {limits.DATE_MIN} .. {limits.DATE_MAX}', CAST({_ISO.format(v='{v}')} AS date))")],
        amount: [("{v} !~ '^-?[0-9]{{1,12}}([.][0-9]{{1,2}})?$'",
                  quoted("is not an amount with up to 2 decimal places"))],
        code: [(f"left({{v}}, 1) IN ({starts})",
                "format('''%s'' starts with ''%s'': a code may not start with = + - or @', left({v}, 40), left({v}, 1))"),
               too_long(limits.SHORT_TEXT)],
        text: [too_long(limits.SHORT_TEXT)],
        long_text: [too_long(limits.LONG_TEXT)],
        count: [("{v} !~ '^[0-9]{{1,9}}$'", quoted("is not a whole number >= 0"))],
        timestamp: [],  # the cells _python_names does not send the Python way are valid
    }


# An ISO timestamp with a time of day (and perhaps its offset), as phone systems write them
_ISO_TIMESTAMP = ("'^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?"
                  "(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$'")
_OFFSET = "'(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'"


def _local_timestamp(v: str) -> str:
    """The SQL of cell `v` as a timestamptz: its own offset, else the company's time zone (as parsers.timestamp).

    stage() sets the transaction's TimeZone to the company's for a file with timestamps.
    """
    return f"CAST({v} AS timestamptz)"


def _python_names(parse, v: str) -> str | None:
    """The SQL condition on cell `v` under which only the Python path can name its problem (or its value)."""
    from dashboard.core import limits
    from dashboard.imports.parsers import timestamp

    if parse is timestamp:
        # dates well inside the limits, compared as ISO text (cheap); a cell near them goes the Python way
        low, high = limits.DATE_MIN + timedelta(days=1), limits.DATE_MAX - timedelta(days=1)
        return (f"CASE WHEN {v} !~ {_ISO_TIMESTAMP} THEN true "
                f"WHEN left({v}, 10) NOT BETWEEN '{low}' AND '{high}' THEN true "
                # the pattern admits only real hours and minutes: a day past the 28th is what may not exist
                # (the date alone: reading it as a timestamptz costs twice as much)
                f"WHEN substr({v}, 9, 2) > '28' THEN NOT pg_input_is_valid(left({v}, 10), 'date') ELSE false END")
    if getattr(parse, "accepted", None) is not None:
        names = ", ".join("'" + name.replace("'", "''") + "'" for name in parse.accepted)
        return f"CASE WHEN {v} IN ({names}) THEN false ELSE lower(normalize({v}, NFKC)) NOT IN ({names}) END"
    return None


def _enumerated(parse, v: str) -> str:
    """The code an accepted name `v` means (names checked by _python_names); a cell already written as an
    accepted name is not folded (the common case, and the cheap one)."""
    def cases(of: str) -> str:
        return f"CASE {of} " + " ".join("WHEN '" + name.replace("'", "''") + "' THEN '" + code.replace("'", "''") + "'"
                                        for name, code in parse.accepted.items()) + " END"
    names = ", ".join("'" + name.replace("'", "''") + "'" for name in parse.accepted)
    return f"CASE WHEN {v} IN ({names}) THEN {cases(v)} ELSE {cases(f'lower(normalize({v}, NFKC))')} END"


def stage(conn, spec, content: str, header: list[str], problems: list[str]) -> bool:
    """COPY the file into raw_<name> and list its problems; False when it must go the Python way."""
    formats = _formats()
    # quotes may span lines, and COPY refuses a NUL: both go the Python way, which names them
    if '"' in content or "\x00" in content or any(parse not in formats and getattr(parse, "accepted", None) is None
                                                   for _, parse in spec.columns.values()):
        return False
    import psycopg2

    dbapi = conn.connection.dbapi_connection
    savepoint = conn.begin_nested()
    try:
        conn.execute(sa.text(f"CREATE TEMP TABLE {spec.table} (line bigint GENERATED ALWAYS AS IDENTITY "
                             f"(START WITH 2), {', '.join(f'{c} text' for c in header)}) ON COMMIT DROP"))
        with dbapi.cursor() as cur:
            cur.copy_expert(f"COPY {spec.table} ({', '.join(header)}) FROM STDIN WITH (FORMAT csv, HEADER true)",
                            io.StringIO(content))
        savepoint.commit()
    except psycopg2.Error:
        savepoint.rollback()
        return False
    # cells only the Python path names as it does (a timestamp written 2026/5/1 9:30, a direction
    # in another case): the whole file goes that way, with its messages
    from dashboard.imports.parsers import timestamp

    if any(parse is timestamp for _, parse in spec.columns.values()):
        # a timestamp without an offset is in the company's time zone (parsers.timestamp), for this transaction
        from db.engine import app_timezone

        conn.execute(sa.text("SELECT set_config('TimeZone', :zone, true)"), {"zone": str(app_timezone())})
    odd = [condition for column in header
           if (condition := _python_names(spec.columns[column][1], _trimmed(column))) is not None]
    if odd and conn.execute(sa.text(f"SELECT EXISTS (SELECT 1 FROM {spec.table} WHERE "
                                    + " OR ".join(f"coalesce({c}, false)" for c in odd) + ")")).scalar():
        conn.execute(sa.text(f"DROP TABLE {spec.table}"))
        return False
    checks = []
    for position, column in enumerate(header):
        required, parse = spec.columns[column]
        v = _trimmed(column)
        cases = [f"WHEN {v} IS NULL THEN 'required value is empty'"] if required else []
        for condition, message in formats.get(parse, []):
            cases.append(f"WHEN {condition.format(v=v)} THEN {message.format(v=v)}")
        if cases:
            checks.append(f"SELECT line, {position} AS position, '{column}' AS column_name, "
                          f"CASE {' '.join(cases)} END AS message FROM {spec.table}")
    key = _trimmed(spec.key[0])
    checks.append(f"SELECT line, {len(header)}, '{spec.key[0]}', "
                  f"format('duplicate key %s (first on line %s)', k, first) "
                  f"FROM (SELECT line, {key} AS k, min(line) OVER (PARTITION BY {key}) AS first "
                  f"FROM {spec.table} WHERE {key} IS NOT NULL) d WHERE line > first")
    found = conn.execute(sa.text(f"SELECT line, column_name, message FROM ({' UNION ALL '.join(checks)}) c "
                                 f"WHERE message IS NOT NULL ORDER BY line, position"))
    problems.extend(f"{spec.name}:{line}: {column}: {message}" for line, column, message in found)
    spec.staged = header
    spec.staged_count = conn.execute(sa.text(f"SELECT count(*) FROM {spec.table}")).scalar()
    return True


REFERENCES = {"customer": ("customers", "code"), "staff member": ("staff", "staff_no"),
              "department": ("departments", "code"), "plan": ("plans", "plan_no")}


def reference_problems(conn, spec, column: str, what: str, in_files: set) -> list[str]:
    """Rows of a staged file whose `column` names a `what` neither in the database nor in the files."""
    table, key = REFERENCES[what]
    rows = conn.execute(sa.text(
        f"SELECT line, v FROM (SELECT line, {_trimmed(column)} AS v FROM {spec.table}) t "
        f"WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} x WHERE x.{key} = t.v) "
        f"AND NOT (v = ANY(:also)) ORDER BY line"), {"also": sorted(in_files)})
    return [f"{spec.name}:{line}: {column}: {what} '{value}' does not exist" for line, value in rows]


def typed_select(spec, columns_sql: str) -> str:
    """The staged rows, typed, in the staging columns the upsert of WRITES reads."""
    parts = []
    for definition in columns_sql.split(", "):
        column, sql_type = definition.split(" ", 1)
        parse = spec.columns[column][1] if column in spec.columns else None
        value = (_ISO.format(v=_trimmed(column)) if sql_type == "date"
                 else _local_timestamp(_trimmed(column)) if sql_type == "timestamptz"
                 else _enumerated(parse, _trimmed(column)) if getattr(parse, "accepted", None) is not None
                 else _trimmed(column))
        parts.append(f"CAST({value} AS {sql_type}) AS {column}" if column in spec.staged
                     else f"CAST(NULL AS {sql_type}) AS {column}")
    return f"SELECT {', '.join(parts)} FROM {spec.table} ORDER BY line"


def order_problems(conn, spec, order) -> list[str]:
    """Rows of a staged file where a time (later) precedes another (earlier), as checks.check_calls names them.

    stage() sent every file with a timestamp it cannot read the Python way, so each cell here casts.
    """
    rows = []
    for position, (later, earlier) in enumerate(order):
        if later not in spec.staged or earlier not in spec.staged:
            continue
        rows.append(f"SELECT line, {position} AS position, '{later}: is before {earlier}' AS message "
                    f"FROM {spec.table} WHERE "
                    f"{_local_timestamp(_trimmed(later))} < {_local_timestamp(_trimmed(earlier))}")
    if not rows:
        return []
    found = conn.execute(sa.text(" UNION ALL ".join(rows) + " ORDER BY line, position"))
    return [f"{spec.name}:{line}: {message}" for line, _, message in found]
