"""Request size limit, CSP and HSTS headers through Flask's test client."""

from __future__ import annotations

import base64
import hashlib
import re

from dashboard.config import Settings
from dashboard.webapp import create_app
from tests.support.web_client import post_callback, signed_in_test_client


def test_an_oversized_callback_body_is_refused_before_parsing(security_app):
    client = signed_in_test_client(security_app, "executive")
    limit = security_app.server.config["MAX_CONTENT_LENGTH"]
    assert limit == Settings().max_request_bytes == 2 * 1024 * 1024
    huge = {"output": "x.children", "inputs": [{"id": "x", "property": "value", "value": "a" * limit}]}
    assert post_callback(client, huge).status_code == 413
    small = {"output": "x.children", "inputs": [{"id": "x", "property": "value", "value": "a" * 1000}]}
    assert post_callback(client, small).status_code != 413


def test_an_oversized_login_form_is_refused(security_app):
    response = security_app.server.test_client().post("/login", data={"username": "a" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def _policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def test_pages_carry_a_script_policy_with_dash_inline_scripts_hashed(security_app):
    client = signed_in_test_client(security_app, "executive")
    page = client.get("/")
    policy = _policy(page)
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    sources = policy["script-src"].split()
    assert sources[0] == "'self'" and "'unsafe-inline'" not in sources and "'unsafe-eval'" not in sources
    # every inline script of the page (outside HTML comments: Dash's IE notice) is covered by a hash
    html = re.sub(r"<!--.*?-->", "", page.get_data(as_text=True), flags=re.S)
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", html, re.S)
    assert inline, "Dash renders at least its renderer start-up inline"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in sources
    assert "Strict-Transport-Security" not in page.headers  # cookies not Secure: plain HTTP
    assert _policy(client.get("/login"))["form-action"] == "'self'"


def test_hsts_when_cookies_are_secure(security_runtime):
    settings = security_runtime.settings.with_overrides(secure_cookies=True)
    runtime = type(security_runtime)(settings, security_runtime.engine, security_runtime.sessions)
    app = create_app(runtime=runtime)
    response = app.server.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
