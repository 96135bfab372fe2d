"""The production entry point: `gunicorn app:server` serves every page, the
vendored assets (no CDN) and callbacks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support.web_client import signed_in_session

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn_url(demo_runtime):
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": demo_runtime.settings.database_url}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "app:server",
            "--chdir",
            str(ROOT),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--no-control-socket",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(url + "/login", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            proc.kill()
            pytest.fail("gunicorn did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


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
    # Two workers share nothing but the signed cookie, so this also checks
    # the session and CSRF token are valid on whichever worker answers.
    for _ in range(4):
        payload = http.post(gunicorn_url + "/_dash-update-component", json=body, timeout=30)
        assert payload.status_code == 200
        assert "rankings-table" in payload.text and "B04" in payload.text
    without_token = requests.post(
        gunicorn_url + "/_dash-update-component", json=body, cookies=http.cookies, timeout=30
    )
    assert without_token.status_code == 400 and "CSRF" in without_token.text
