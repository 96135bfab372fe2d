"""Whole-database backup and restore.

SQLite: the online backup API copies a consistent snapshot page by page
while the app keeps running (readers and writers wait only for each step),
and restores the same way into the live file. PostgreSQL: `pg_dump` in its
custom format and `pg_restore --clean`, which must be on PATH; the password
goes through PGPASSWORD, never the command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

SQLITE_HEADER = b"SQLite format 3\x00"
PGDUMP_HEADER = b"PGDMP"


class BackupError(RuntimeError):
    """The backup or restore cannot be done as asked; the message says why."""


def backup(engine: Engine, path: Path) -> None:
    if path.exists():
        raise BackupError(f"{path} exists: choose a new file (a backup never overwrites)")
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            with sqlite3.connect(path) as target:
                raw.driver_connection.backup(target)
            target.close()
        finally:
            raw.close()
    else:
        _pg_tool("pg_dump", engine, ["--format=custom", "--no-owner", f"--file={path}"])


def restore(engine: Engine, path: Path) -> None:
    """Replace the database's content with the backup's, after checking the
    file is a backup of this kind of database."""
    if not path.is_file():
        raise BackupError(f"no backup file {path}")
    head = path.read_bytes()[:16]
    if engine.dialect.name == "sqlite":
        if head != SQLITE_HEADER:
            raise BackupError(f"{path} is not a SQLite backup")
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as source:
            tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "alembic_version" not in tables:
                raise BackupError(f"{path} is not a backup of this dashboard (no schema version)")
            engine.dispose()  # no pooled connection keeps a stale view of the old content
            raw = engine.raw_connection()
            try:
                source.backup(raw.driver_connection)
            finally:
                raw.close()
        source.close()
    else:
        if not head.startswith(PGDUMP_HEADER):
            raise BackupError(f"{path} is not a pg_dump custom-format backup")
        engine.dispose()
        _pg_tool(
            "pg_restore", engine, ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(path)]
        )


def _pg_tool(tool: str, engine: Engine, args: list[str]) -> None:
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools, e.g. postgresql-client)")
    url = make_url(engine.url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    database = ["--dbname", target]
    done = subprocess.run([tool, *database, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip()[-2000:]}")
