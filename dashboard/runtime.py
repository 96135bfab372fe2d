"""Process-level wiring: settings -> engine -> session factory, created once
per app (not at import time) and shared by CLI, web app and tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dashboard.config import Settings
from dashboard.db.engine import make_engine, make_session_factory
from dashboard.db.migrate import upgrade


class DatabaseBusy(RuntimeError):
    """A write waited the whole busy timeout for another writer (SQLite has
    one at a time); nothing was written, trying again later will work."""


def is_lock_timeout(error: BaseException) -> bool:
    """SQLite's "database is locked" / "database table is locked" after the
    busy timeout, wrapped by SQLAlchemy or raw from a bulk loader's cursor."""
    orig = error.orig if isinstance(error, OperationalError) else error
    return isinstance(orig, sqlite3.OperationalError) and "locked" in str(orig).lower()


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def start(cls, settings: Settings | None = None, migrate: bool = True) -> Runtime:
        settings = settings or Settings.from_env()
        engine = make_engine(settings.database_url, echo=settings.sql_echo)
        if migrate:
            upgrade(engine)  # first run creates the embedded SQLite database
        return cls(settings, engine, make_session_factory(engine))

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reads; rolled back at the end, never commits."""
        session = self.sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error; a
        write that timed out waiting for the lock raises DatabaseBusy."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except OperationalError as error:
            session.rollback()
            if is_lock_timeout(error):
                raise DatabaseBusy(str(error.orig)) from error
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
