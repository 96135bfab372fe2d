"""A small demo database and app shared by the security tests (SQLite)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from dashboard.config import Settings
from dashboard.runtime import Runtime
from tests.support.demo_app import demo_build, demo_key, demo_runtime

SECURITY_DEMO = (2_000, 5)  # responses, seed


@pytest.fixture(scope="session")
def security_runtime(session_databases) -> Runtime:
    return demo_runtime(session_databases, *SECURITY_DEMO)


@pytest.fixture(scope="session")
def security_app(security_runtime):
    from dashboard.webapp import create_app

    return create_app(runtime=security_runtime)


@pytest.fixture(scope="session")
def security_copy(session_databases):
    """`with security_copy(backend="sqlite") as runtime`: a private, writable
    copy of the security demo database, for tests whose writes must not reach others."""

    @contextmanager
    def copy(backend: str = "sqlite"):
        key, build = demo_key(*SECURITY_DEMO, True), demo_build(*SECURITY_DEMO, True)
        with session_databases.copy(backend, key, build) as engine:
            url = engine.url.render_as_string(hide_password=False)
            runtime = Runtime.start(Settings(database_url=url, environment="test"))
            try:
                yield runtime
            finally:
                runtime.engine.dispose()

    return copy
