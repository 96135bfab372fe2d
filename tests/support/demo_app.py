"""A migrated SQLite demo database wrapped in a Runtime, for tests that run the app."""

from __future__ import annotations

from dashboard.config import Settings
from dashboard.db.engine import make_engine
from dashboard.db.migrate import upgrade
from dashboard.ingest.demo import generate_demo
from dashboard.runtime import Runtime


def demo_runtime_at(path, responses: int, seed: int) -> Runtime:
    """Demo data plus churn scores (as `csat demo` leaves them), as of a fixed date."""
    from datetime import date

    from dashboard.services import churn

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, responses=responses, seed=seed)
    engine.dispose()
    runtime = Runtime.start(Settings(database_url=url, environment="test"))
    with runtime.write_session() as session:
        churn.train(session, date(2026, 11, 22))
    return runtime
