"""Browser tests run the real app on a small demo database (SQLite)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from dashboard.ingest.demo.users import DEMO_PASSWORD
from dashboard.runtime import Runtime
from tests.support.demo_app import demo_runtime as build_demo_runtime


@pytest.fixture(scope="session")
def demo_runtime(session_databases) -> Runtime:
    return build_demo_runtime(session_databases, responses=3_000, seed=11)


@pytest.fixture
def demo_app(demo_runtime):
    from dashboard.webapp import create_app

    return create_app(runtime=demo_runtime)


@pytest.fixture(autouse=True)
def _start_server_without_navigating(request):
    """Every page now needs a login, so `dash_duo.start_server(app)` must not
    wait for the dashboard on the login page; `login_as` navigates instead."""
    if "dash_duo" not in request.fixturenames:
        return
    duo = request.getfixturevalue("dash_duo")
    original = duo.start_server

    def start_server(app, navigate=False, **kwargs):
        original(app, navigate=False, **kwargs)
        duo._url = duo.server.url  # server_url's setter would wait for the Dash entry point
        if navigate:
            duo.wait_for_page()

    duo.start_server = start_server


@pytest.fixture
def login_as():
    """`login_as(dash_duo, "executive")`: sign in through the real form
    (demo users, see dashboard/ingest/demo/users.py) and land on `path`."""

    def sign_in(duo, username: str, password: str = DEMO_PASSWORD, path: str = "/") -> None:
        duo.driver.get(f"{duo.server_url}/login?next={quote(path, safe='')}")
        duo.wait_for_element("#username", timeout=15).send_keys(username)
        duo.find_element("#password").send_keys(password)
        duo.find_element("#login-submit").click()
        duo.wait_for_element("#user-name", timeout=20)

    return sign_in


def dom_click(duo, target) -> None:
    """Click through the DOM: selenium's pointer click misses elements below
    the headless window's fold ("element click intercepted")."""
    element = duo.find_element(target) if isinstance(target, str) else target
    duo.driver.execute_script("arguments[0].click()", element)
