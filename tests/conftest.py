"""Shared fixtures: databases on both backends, demo data, browser wiring."""

from __future__ import annotations

import os

import pytest

from dashboard.db.engine import make_engine
from dashboard.db.migrate import upgrade
from tests.support.databases import create_postgres_database, drop_postgres_database, require_postgres

BACKENDS = ("sqlite", "postgresql")
DEMO_RESPONSES = 4_000
DEMO_SEED = 7


def _new_database(backend: str, tmp_dir) -> tuple[str, callable]:
    if backend == "sqlite":
        return f"sqlite:///{tmp_dir}/test.db", lambda engine: engine.dispose()
    require_postgres()
    url = create_postgres_database()
    return url, lambda engine: drop_postgres_database(url, engine)


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def fresh_engine(backend, tmp_path):
    """An empty, migrated database on the parametrised backend."""
    url, cleanup = _new_database(backend, tmp_path)
    engine = make_engine(url)
    upgrade(engine)
    yield engine
    cleanup(engine)


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/test.db")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def demo_engines(tmp_path_factory):
    """Demo databases (one per backend), built once per test session and
    only read by tests."""
    made = {}
    yield made
    for engine, cleanup in made.values():
        cleanup(engine)


@pytest.fixture
def demo_engine(backend, demo_engines, tmp_path_factory):
    if backend not in demo_engines:
        from dashboard.ingest.demo import generate_demo

        url, cleanup = _new_database(backend, tmp_path_factory.mktemp(f"demo-{backend}"))
        engine = make_engine(url)
        upgrade(engine)
        generate_demo(engine, responses=DEMO_RESPONSES, seed=DEMO_SEED)
        demo_engines[backend] = (engine, cleanup)
    return demo_engines[backend][0]


# --- real-browser wiring (see docs/TESTING.md) --------------------------------
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
os.environ.setdefault("DASH_TEST_CHROMEPATH", CHROMIUM)
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--window-size=1366,900",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-extensions",
]


@pytest.hookimpl(optionalhook=True)
def pytest_setup_options():
    """Dash testing hook: return ONE selenium Options object."""
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    return options


@pytest.fixture
def artifacts_dir():
    path = os.environ.get("ARTIFACTS_DIR", "artifacts")
    os.makedirs(path, exist_ok=True)
    return path
