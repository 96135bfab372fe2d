"""A small demo database and app shared by the security tests (SQLite)."""

from __future__ import annotations

import pytest

from dashboard.runtime import Runtime
from tests.support.demo_app import demo_runtime_at


@pytest.fixture(scope="session")
def security_runtime(tmp_path_factory) -> Runtime:
    return demo_runtime_at(tmp_path_factory.mktemp("security") / "demo.db", responses=2_000, seed=5)


@pytest.fixture(scope="session")
def security_app(security_runtime):
    from dashboard.webapp import create_app

    return create_app(runtime=security_runtime)
