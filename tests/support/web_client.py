"""Signed-in HTTP clients for tests that talk to the server without a browser:
Flask's test client (in process) and `requests` against a real server."""

from __future__ import annotations

import re

from dashboard.ingest.demo.users import DEMO_PASSWORD

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def login_form_token(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "login page without a CSRF token"
    return match.group(1)


def signed_in_test_client(app, username: str, password: str = DEMO_PASSWORD):
    """A Flask test client logged in through the real form; its cookie jar then
    holds the session and the `_csrf_token` cookie Dash's renderer would send."""
    client = app.server.test_client()
    token = login_form_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert client.get("/_dash-layout").status_code == 200
    return client


def post_callback(client, body: dict):
    """POST a callback request the way the renderer does (JSON + X-CSRFToken)."""
    cookie = client.get_cookie("_csrf_token")
    headers = {"X-CSRFToken": cookie.value} if cookie else {}
    return client.post("/_dash-update-component", json=body, headers=headers)


def router_request(pathname: object, search: object = "") -> dict:
    """The callback request Dash's renderer sends when the URL changes (its
    page router renders the page's layout)."""
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def signed_in_session(base_url: str, username: str, password: str = DEMO_PASSWORD):
    """A `requests.Session` logged in to a running server."""
    import requests

    http = requests.Session()
    token = login_form_token(http.get(f"{base_url}/login", timeout=10).text)
    response = http.post(
        f"{base_url}/login",
        data={"username": username, "password": password, "csrf_token": token},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:300]
    http.get(f"{base_url}/_dash-layout", timeout=10).raise_for_status()
    http.headers["X-CSRFToken"] = http.cookies["_csrf_token"]
    return http
