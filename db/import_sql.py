"""The SQL path of the import for large files.

Validating millions of cells one by one in Python is the slow part of an import. For the files in
SQL_CHECKED, the raw text is COPYed into a temporary table `raw_<name>` and checked there with the
same rules, messages, line numbers and order of problems as `db.importer.read_file`. A file whose
line numbers COPY could not reproduce (quoted fields may span lines) or whose shape COPY refuses
(a short row, a blank line) goes the Python way, which names those problems.
"""
from __future__ import annotations

import io

import sqlalchemy as sa

SQL_CHECKED = {"orders.csv"}
_BLANKS = r"E' \t\r\n\f\v'"


def _trimmed(column: str) -> str:
    """The cell as the Python path sees it: stripped, and NULL when empty."""
    return f"nullif(btrim({column}, {_BLANKS}), '')"


def _formats():
    from db.importer import a_date, amount

    # parser -> (pattern, message when the pattern fails, Postgres type to check, message when it fails)
    return {
        a_date: ("'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'", "is not a date YYYY-MM-DD", "date", "is not a valid date"),
        amount: ("'^-?[0-9]{1,12}([.][0-9]{1,2})?$'", "is not an amount with up to 2 decimal places", None, None),
    }


def _quoted_message(value_sql: str, message: str) -> str:
    return "format('''%s'' " + message + "', " + value_sql + ")"


def stage(conn, spec, content: str, header: list[str], problems: list[str]) -> bool:
    """COPY the file into raw_<name> and list its problems; False when it must go the Python way."""
    from db.importer import text

    formats = _formats()
    if '"' in content or any(parse not in (text, *formats) for _, parse in spec.columns.values()):
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
    checks = []
    for position, column in enumerate(header):
        required, parse = spec.columns[column]
        v = _trimmed(column)
        cases = [f"WHEN {v} IS NULL THEN 'required value is empty'"] if required else []
        if parse in formats:
            pattern, bad_format, pg_type, bad_value = formats[parse]
            cases.append(f"WHEN {v} !~ {pattern} THEN {_quoted_message(v, bad_format)}")
            if pg_type:
                cases.append(f"WHEN NOT pg_input_is_valid({v}, '{pg_type}') THEN {_quoted_message(v, bad_value)}")
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
        parts.append(f"CAST({_trimmed(column)} AS {sql_type}) AS {column}" if column in spec.staged
                     else f"CAST(NULL AS {sql_type}) AS {column}")
    return f"SELECT {', '.join(parts)} FROM {spec.table} ORDER BY line"
