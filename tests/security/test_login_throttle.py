"""Login throttling through the real app: atomic under parallel guesses, a
stranger cannot lock out a real user, the address limit is separate, and
only a configured proxy's X-Forwarded-For is believed."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.auth.throttle import Backoff
from dashboard.auth.users import NewUser, create_user
from dashboard.config import Settings
from dashboard.db.engine import make_session_factory
from dashboard.db.models import AuditEntry
from dashboard.runtime import Runtime
from dashboard.webapp import create_app
from tests.support.web_client import login_form_token

ADMIN_PASSWORD = "the-admins-password"
ATTEMPTS = 5


def _app(engine, **overrides):
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        environment="test",
        login_attempts=ATTEMPTS,
        **overrides,
    )
    with Session(engine) as s, s.begin():
        create_user(s, NewUser("root.admin", ADMIN_PASSWORD, "admin"))
    return create_app(runtime=Runtime(settings, engine, make_session_factory(engine)))


def _form(client):
    return login_form_token(client.get("/login").get_data(as_text=True))


def _post_login(client, token, username, password, **headers):
    form = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=form, headers=headers)


def _actions(engine, action: str) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).where(AuditEntry.action == action))


def test_forty_parallel_guesses_get_exactly_the_allowed_password_checks(fresh_engine):
    app = _app(fresh_engine)
    clients = [app.server.test_client() for _ in range(40)]
    tokens = [_form(c) for c in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(client, token):
        start.wait()
        statuses.append(_post_login(client, token, "root.admin", "wrong-guess-123").status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # every attempt that reached the password check is a login_failed entry
    assert _actions(fresh_engine, "login_failed") == ATTEMPTS
    assert sorted(statuses) == [401] * ATTEMPTS + [429] * (40 - ATTEMPTS)
    assert _actions(fresh_engine, "login_throttled") == 40 - ATTEMPTS


def test_made_up_names_from_one_address_do_not_lock_the_real_admin_out(fresh_engine):
    app = _app(fresh_engine)
    client = app.server.test_client()
    for i in range(20):
        assert _post_login(client, _form(client), f"nobody{i}", "some-guess-123").status_code == 401
    assert _post_login(client, _form(client), "root.admin", ADMIN_PASSWORD).status_code == 302


def test_the_address_limit_is_separate_and_backs_off(fresh_engine):
    app = _app(fresh_engine, login_address_attempts=8)
    client = app.server.test_client()
    for i in range(8):  # eight different names: no account reaches its own limit
        assert _post_login(client, _form(client), f"spray{i}", "some-guess-123").status_code == 401
    refused = _post_login(client, _form(client), "root.admin", ADMIN_PASSWORD)
    assert refused.status_code == 429 and "Try again in" in refused.get_data(as_text=True)
    other = app.server.test_client()  # a forged X-Forwarded-For (no trusted proxy) changes nothing
    ok = _post_login(other, _form(other), "root.admin", ADMIN_PASSWORD, **{"X-Forwarded-For": "1"})
    assert ok.status_code == 429


def test_forwarded_for_is_believed_only_from_a_configured_proxy(fresh_engine):
    app = _app(fresh_engine, trusted_proxies=1, login_address_attempts=3)
    client = app.server.test_client()
    for i in range(3):
        forwarded = {"X-Forwarded-For": "203.0.113.7"}
        assert (
            _post_login(client, _form(client), f"spray{i}", "some-guess-123", **forwarded).status_code == 401
        )
    with Session(fresh_engine) as s:
        assert set(s.scalars(select(AuditEntry.ip).where(AuditEntry.action == "login_failed"))) == {
            "203.0.113.7"
        }
    blocked = _post_login(
        client, _form(client), "root.admin", ADMIN_PASSWORD, **{"X-Forwarded-For": "203.0.113.7"}
    )
    assert blocked.status_code == 429
    elsewhere = _post_login(
        client, _form(client), "root.admin", ADMIN_PASSWORD, **{"X-Forwarded-For": "198.51.100.2"}
    )
    assert elsewhere.status_code == 302


@pytest.mark.parametrize(
    "failures,delay",
    [
        (4, timedelta(0)),
        (5, timedelta(seconds=30)),
        (6, timedelta(seconds=60)),
        (8, timedelta(seconds=240)),
        (20, timedelta(minutes=15)),
    ],
)
def test_backoff_doubles_from_the_free_attempts_up_to_the_cap(failures, delay):
    assert Backoff(free=5).delay(failures) == delay
