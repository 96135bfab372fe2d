"""A small demo database and app shared by the security tests (SQLite)."""

from __future__ import annotations

import pytest

from dashboard.runtime import Runtime
from tests.support.demo_app import demo_runtime


@pytest.fixture(scope="session")
def security_runtime(session_databases) -> Runtime:
    return demo_runtime(session_databases, responses=2_000, seed=5)


@pytest.fixture(scope="session")
def security_app(security_runtime):
    from dashboard.webapp import create_app

    return create_app(runtime=security_runtime)
