"""The production entry point: `gunicorn app:server` serves every page, the
vendored assets (no CDN) and callbacks."""

from __future__ import annotations

import pytest

from tests.support.gunicorn import running_gunicorn
from tests.support.web_client import signed_in_session


@pytest.fixture
def gunicorn_url(demo_runtime):
    with running_gunicorn({"DATABASE_URL": demo_runtime.settings.database_url}) as url:
        yield url


def test_gunicorn_refuses_anonymous_and_serves_a_signed_in_user(gunicorn_url):
    import requests

    anonymous = requests.Session()
    login = anonymous.get(gunicorn_url + "/rankings", timeout=10)
    assert login.url.startswith(gunicorn_url + "/login") and 'id="login-form"' in login.text
    assert anonymous.get(gunicorn_url + "/_dash-layout", timeout=10).status_code == 401
    assert anonymous.get(gunicorn_url + "/assets/bootstrap.min.css", timeout=10).status_code == 200

    http = signed_in_session(gunicorn_url, "executive")
    for path in ("/", "/rankings", "/_dash-layout", "/_dash-dependencies"):
        assert http.get(gunicorn_url + path, timeout=10).status_code == 200, path
    deps = http.get(gunicorn_url + "/_dash-dependencies", timeout=10).json()
    # the page router's callback renders a rankings view from its URL
    router = next(d for d in deps if "_pages_content.children" in d["output"])
    body = {
        "output": router["output"],
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/rankings"},
            {"id": "_pages_location", "property": "search", "value": "?unit=branch&element=R&wave=all"},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    # Two workers share only the session store in the database, so this also checks
    # the session and CSRF token are valid on whichever worker answers.
    for _ in range(4):
        payload = http.post(gunicorn_url + "/_dash-update-component", json=body, timeout=30)
        assert payload.status_code == 200
        assert "rankings-table" in payload.text and "B04" in payload.text
    without_token = requests.post(
        gunicorn_url + "/_dash-update-component", json=body, cookies=http.cookies, timeout=30
    )
    assert without_token.status_code == 400 and "CSRF" in without_token.text
