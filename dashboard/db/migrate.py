"""Apply the alembic migrations programmatically (used by `csat init-db`, the
app on first start and the tests), so SQLite and PostgreSQL share one path."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any fixed number: the PostgreSQL advisory lock that lets one process migrate at a time.
MIGRATION_LOCK_KEY = 7_411_502


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to `revision`; a no-op when already there.

    Every gunicorn worker of every app server runs this as it starts, so
    starts race on a new or outdated database: one process migrates while the
    others wait for it, then find the schema current."""
    cfg = alembic_config()
    with _one_migration_at_a_time(engine), engine.begin() as conn:
        _lock_postgres(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@contextmanager
def _one_migration_at_a_time(engine: Engine) -> Iterator[None]:
    """SQLite: an exclusive lock on a file beside the database (its DDL does
    not run in one transaction that could serialise it)."""
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        yield
        return
    with open(f"{path}-migrate-lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        yield


def _lock_postgres(conn: Connection) -> None:
    """PostgreSQL: a lock held until this transaction ends, so a waiting
    process reads the version the migrating one committed."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
