"""Demo databases for tests: what `csat demo` builds, at a chosen size and
seed, optionally with churn scores, and wrapped in a Runtime for tests that
run the app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dashboard.config import Settings
from dashboard.ingest.demo import generate_demo
from dashboard.runtime import Runtime
from tests.support.databases import SessionDatabases

CHURN_AS_OF = date(2026, 11, 22)


def demo_build(responses: int, seed: int, churn_scores: bool = False) -> Callable[[Engine], None]:
    """Fill an empty database with demo data; with `churn_scores` also train
    and score churn as of CHURN_AS_OF, as `csat demo` leaves it."""

    def build(engine: Engine) -> None:
        generate_demo(engine, responses=responses, seed=seed)
        if churn_scores:
            from dashboard.services import churn  # deferred: scikit-learn only where scores are wanted

            with Session(engine) as session, session.begin():
                churn.train(session, CHURN_AS_OF)

    return build


def demo_key(responses: int, seed: int, churn_scores: bool = False) -> tuple:
    return ("demo", responses, seed, churn_scores)


def shared_demo(databases: SessionDatabases, backend: str, responses: int, seed: int) -> Engine:
    """The session's demo database of that size and seed: read it, never write."""
    return databases.shared(backend, demo_key(responses, seed), demo_build(responses, seed))


def demo_runtime(databases: SessionDatabases, responses: int, seed: int) -> Runtime:
    """A Runtime on the session's SQLite demo database with churn scores."""
    engine = databases.shared("sqlite", demo_key(responses, seed, True), demo_build(responses, seed, True))
    url = engine.url.render_as_string(hide_password=False)
    return Runtime.start(Settings(database_url=url, environment="test"))
