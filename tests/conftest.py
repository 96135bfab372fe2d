"""Shared fixtures: throwaway and session-built databases on both backends
(tests/support/databases.py), demo data, browser wiring."""

from __future__ import annotations

import contextlib
import os

import pytest

from tests.support.databases import BACKENDS, SessionDatabases, throwaway_engine
from tests.support.demo_app import demo_build, demo_key, shared_demo

DEMO_RESPONSES = 4_000
DEMO_SEED = 7


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def fresh_engine(backend, tmp_path):
    """An empty, migrated database on the parametrised backend."""
    with throwaway_engine(backend, tmp_path) as engine:
        yield engine


@pytest.fixture
def sqlite_engine(tmp_path):
    with throwaway_engine("sqlite", tmp_path) as engine:
        yield engine


@pytest.fixture(scope="session")
def session_databases(tmp_path_factory):
    """Databases built once per test session (tests/support/databases.py)."""
    databases = SessionDatabases(tmp_path_factory.mktemp("session-databases"))
    yield databases
    databases.close()


@pytest.fixture
def demo_engine(backend, session_databases):
    """The shared demo database on the parametrised backend; only read it."""
    return shared_demo(session_databases, backend, DEMO_RESPONSES, DEMO_SEED)


@pytest.fixture
def demo_copy(backend, session_databases):
    """`demo_copy(responses, seed)`: a private, writable copy of a demo
    database on the parametrised backend, built once per session."""
    with contextlib.ExitStack() as copies:

        def copy(responses: int, seed: int):
            key, build = demo_key(responses, seed), demo_build(responses, seed)
            return copies.enter_context(session_databases.copy(backend, key, build))

        yield copy


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
