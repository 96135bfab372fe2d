"""Browser tests run the real app on a small demo database (SQLite)."""

from __future__ import annotations

import pytest

from dashboard.config import Settings
from dashboard.db.engine import make_engine
from dashboard.db.migrate import upgrade
from dashboard.ingest.demo import generate_demo
from dashboard.runtime import Runtime


@pytest.fixture(scope="session")
def demo_runtime(tmp_path_factory) -> Runtime:
    path = tmp_path_factory.mktemp("browser") / "demo.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, responses=3_000, seed=11)
    engine.dispose()
    return Runtime.start(Settings(database_url=url, environment="test"))


@pytest.fixture
def demo_app(demo_runtime):
    from dashboard.webapp import create_app

    return create_app(runtime=demo_runtime)
