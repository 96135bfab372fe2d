"""Test databases on SQLite and on the PostgreSQL server: throwaway ones, and
databases built once per test session, shared by tests that only read them
or copied for tests that write.

PostgreSQL (and Redis) tests skip when no server answers, except in CI
(CI=true), where a missing server must fail the run instead of silently
skipping part of it.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from dashboard.db.engine import make_engine
from dashboard.db.migrate import upgrade

BACKENDS = ("sqlite", "postgresql")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

Build = Callable[[Engine], object]


def postgres_available() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any connection failure means "no server"
        return False


def require_postgres() -> None:
    if postgres_available():
        return
    message = f"PostgreSQL not reachable at {PG_ADMIN_URL}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: PostgreSQL tests must run)")
    pytest.skip(message)


TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require_redis() -> str:
    """The Redis test database's URL (emptied first); skips without a server,
    except in CI, like PostgreSQL."""
    client = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=3)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        message = f"Redis not reachable at {TEST_REDIS_URL}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: Redis tests must run)")
        pytest.skip(message)
    finally:
        client.close()
    return TEST_REDIS_URL


def _postgres_admin(statement: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(statement))
    admin.dispose()


def create_postgres_database(prefix: str = "csat_test", template: str | None = None) -> str:
    """Create a database on the server (empty, or a copy of `template`, a URL
    nobody is connected to); returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
    _postgres_admin(f'CREATE DATABASE "{name}"{copy}')
    return make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str, engine: Engine | None = None) -> None:
    if engine is not None:
        engine.dispose()
    _postgres_admin(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def drop_database(url: str, engine: Engine | None = None) -> None:
    """Dispose the engine; on PostgreSQL also drop the database (a SQLite file
    goes with its pytest temporary folder)."""
    if make_url(url).get_backend_name() == "postgresql":
        drop_postgres_database(url, engine)
    elif engine is not None:
        engine.dispose()


def _new_url(backend: str, directory: Path, template: str | None = None) -> str:
    if backend == "postgresql":
        require_postgres()
        return create_postgres_database(template=template)
    path = Path(directory) / f"test-{uuid.uuid4().hex[:8]}.db"
    if template:  # the backup API copies a consistent state, WAL included
        with sqlite3.connect(make_url(template).database) as src, sqlite3.connect(path) as dst:
            src.backup(dst)
    return f"sqlite:///{path}"


@contextmanager
def throwaway_engine(backend: str, directory: Path) -> Iterator[Engine]:
    """A fresh, migrated database: a SQLite file in `directory`, or a new
    PostgreSQL database dropped on exit."""
    url = _new_url(backend, directory)
    engine = make_engine(url)
    try:
        upgrade(engine)
        yield engine
    finally:
        drop_database(url, engine)


class SessionDatabases:
    """Databases built at most once per test session, keyed by backend and
    by what `build` put in them (e.g. ("demo", responses, seed)).

    `shared` hands every caller the same engine: for tests that only read.
    `copy` hands each caller a private copy of a build (a SQLite backup, or
    CREATE DATABASE ... TEMPLATE on PostgreSQL), far cheaper than building
    it again, for tests that write."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._shared: dict[tuple, Engine] = {}
        self._templates: dict[tuple, str] = {}

    def shared(self, backend: str, key: Hashable, build: Build) -> Engine:
        if (backend, key) not in self._shared:
            engine = make_engine(_new_url(backend, self._directory))
            upgrade(engine)
            build(engine)
            self._shared[backend, key] = engine
        return self._shared[backend, key]

    @contextmanager
    def copy(self, backend: str, key: Hashable, build: Build) -> Iterator[Engine]:
        if (backend, key) not in self._templates:
            url = _new_url(backend, self._directory)
            engine = make_engine(url)
            try:
                upgrade(engine)
                build(engine)
            except BaseException:
                drop_database(url, engine)
                raise
            engine.dispose()  # a PostgreSQL template must have no connections
            self._templates[backend, key] = url
        url = _new_url(backend, self._directory, template=self._templates[backend, key])
        engine = make_engine(url)
        try:
            yield engine
        finally:
            drop_database(url, engine)

    def close(self) -> None:
        for engine in self._shared.values():
            drop_database(engine.url.render_as_string(hide_password=False), engine)
        for url in self._templates.values():
            drop_database(url)
