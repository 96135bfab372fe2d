"""The production entry point: `gunicorn app:server` serves every page, the
vendored assets (no CDN) and callbacks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

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
                urllib.request.urlopen(url + "/", timeout=1)
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


def test_gunicorn_serves_pages_assets_and_callbacks(gunicorn_url):
    for path in ("/", "/rankings", "/_dash-layout", "/_dash-dependencies", "/assets/bootstrap.min.css"):
        with urllib.request.urlopen(gunicorn_url + path, timeout=10) as resp:
            assert resp.status == 200, path
    deps = json.load(urllib.request.urlopen(gunicorn_url + "/_dash-dependencies", timeout=10))
    ranking = next(d for d in deps if "rankings-body.children" in d["output"])
    body = {
        "output": ranking["output"],
        "outputs": [
            {"id": "rankings-body", "property": "children"},
            {"id": "rankings-url", "property": "search"},
        ],
        "inputs": [
            {"id": "rankings-unit", "property": "value", "value": "branch"},
            {"id": "rankings-element", "property": "value", "value": "R"},
            {"id": "rankings-wave", "property": "value", "value": "all"},
        ],
        "changedPropIds": ["rankings-unit.value"],
        "state": [],
    }
    req = urllib.request.Request(
        gunicorn_url + "/_dash-update-component",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        payload = json.load(resp)
    assert "rankings-table" in json.dumps(payload) and "B04" in json.dumps(payload)
