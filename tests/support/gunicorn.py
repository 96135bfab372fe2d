"""`gunicorn app:server` as a child process on a free loopback port, for tests
that talk to the production server over HTTP; it is stopped on exit, also
when the test fails."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_gunicorn(
    env: dict[str, str | None], workers: int = 2, ready_path: str = "/login"
) -> Iterator[str]:
    """Start gunicorn with `env` added to this process's environment (a value
    of None removes the variable); yields its base URL once `ready_path` answers."""
    port = free_port()
    merged = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    # a file, not a pipe: a full pipe nobody reads would block the server
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "app:server",
                "--chdir",
                str(ROOT),
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--no-control-socket",
            ],
            env=merged,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(proc, url + ready_path, log)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def _wait_until_serving(proc: subprocess.Popen, url: str, log) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answered: serving
        except OSError:
            time.sleep(0.2)
    log.seek(0)
    pytest.fail("gunicorn did not start: " + log.read().decode(errors="replace")[-2000:])
