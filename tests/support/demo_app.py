"""A migrated SQLite demo database wrapped in a Runtime, for tests that run the app."""

from __future__ import annotations

from dashboard.config import Settings
from dashboard.db.engine import make_engine
from dashboard.db.migrate import upgrade
from dashboard.ingest.demo import generate_demo
from dashboard.runtime import Runtime


def demo_runtime_at(path, responses: int, seed: int) -> Runtime:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, responses=responses, seed=seed)
    engine.dispose()
    return Runtime.start(Settings(database_url=url, environment="test"))
