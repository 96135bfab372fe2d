"""Fast bulk loading: COPY on PostgreSQL, executemany on SQLite.

The ORM unit of work costs ~100x more per row; imports and the demo generator
load millions of answers, so they come through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice

from sqlalchemy import Connection

import dashboard.db.models  # noqa: F401  (registers every table on Base.metadata)
from dashboard.db.base import Base


def bulk_insert(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence], batch: int = 50_000
) -> int:
    """Insert `rows` (tuples in `columns` order) into `table` inside the
    caller's transaction; returns the number of rows written."""
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        return _copy_postgres(raw, table, columns, rows)
    placeholders = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
    cursor = raw.cursor()
    total = 0
    iterator = iter(rows)
    while chunk := list(islice(iterator, batch)):
        cursor.executemany(sql, chunk)
        total += len(chunk)
    cursor.close()
    return total


def _copy_postgres(raw, table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    total = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            total += 1
    return total


def next_id(conn: Connection, table: str) -> int:
    """First free integer id, for loaders that assign ids themselves so that
    child rows can be written without a round trip per parent."""
    value = conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").scalar_one()
    return int(value)


def reset_sequence(conn: Connection, table: str) -> None:
    """After explicit ids on PostgreSQL, move the serial sequence past them."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        )


def table_columns(table: str) -> tuple[str, ...]:
    """A table's columns in model order: loaders build rows in this order."""
    return tuple(Base.metadata.tables[table].c.keys())


def insert_numbered(conn: Connection, table: str, rows: Sequence[Sequence]) -> int:
    """Insert rows (all columns but `id`, in model order) under fresh ids;
    returns the first id so child rows can refer to their parents."""
    first = next_id(conn, table)
    bulk_insert(conn, table, table_columns(table), [(first + k, *row) for k, row in enumerate(rows)])
    reset_sequence(conn, table)
    return first
