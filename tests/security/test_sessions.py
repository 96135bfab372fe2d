"""Server-side sessions: revocation, idle and absolute lifetimes, reactivation,
on both databases and in Redis, through the real login form and guard."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.session_store import REDIS_PREFIX, DatabaseSessionStore, RedisSessionStore
from dashboard.auth.users import NewUser, create_user, set_active, set_password
from dashboard.config import Settings
from dashboard.db.engine import make_session_factory
from dashboard.db.models import LoginSession
from dashboard.runtime import Runtime
from dashboard.webapp import create_app
from tests.support.databases import require_redis
from tests.support.web_client import signed_in_test_client

PASSWORD = "session-test-password"
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=2)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture(params=["database", "redis"])
def store_kind(request) -> str:
    return request.param


@pytest.fixture
def session_app(fresh_engine, store_kind):
    """The app on an empty database of the parametrised backend, sessions in the parametrised store."""
    return _make_app(fresh_engine, require_redis() if store_kind == "redis" else None)


def _make_app(engine, redis_url: str | None):
    """An app on `engine` with one user, its session store on a clock the test moves."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        environment="test",
        session_hours=int(ABSOLUTE / timedelta(hours=1)),
        session_idle_minutes=int(IDLE / timedelta(minutes=1)),
        redis_url=redis_url,
    )
    with Session(engine) as s, s.begin():
        create_user(s, NewUser("sess.user", PASSWORD, "executive"))
    app = create_app(runtime=Runtime(settings, engine, make_session_factory(engine)))
    store = app.server.session_interface.store
    assert isinstance(store, RedisSessionStore if redis_url else DatabaseSessionStore)
    store.clock = Clock()
    return app


def _client(app):
    return signed_in_test_client(app, "sess.user", PASSWORD)


def _replay(app, token: str):
    """A second browser holding a copy of the cookie."""
    other = app.server.test_client()
    other.set_cookie("csat_session", token)
    return other


def _signed_in(client) -> bool:
    return client.get("/_dash-layout").status_code == 200


def test_cookie_is_an_opaque_token_stored_only_as_its_hash(session_app, store_kind, fresh_engine):
    token = _client(session_app).get_cookie("csat_session").value
    assert len(token) >= 43 and "sess" not in token and "." not in token  # 32 random bytes, nothing else
    digest = hashlib.sha256(token.encode()).hexdigest()
    if store_kind == "database":
        with Session(fresh_engine) as s:
            assert s.scalars(select(LoginSession.token_hash)).all() == [digest]
    else:
        client = session_app.server.session_interface.store.client
        assert client.keys(REDIS_PREFIX + "*") == [(REDIS_PREFIX + digest).encode()]


def test_a_copied_cookie_dies_with_logout(session_app):
    client = _client(session_app)
    token = client.get_cookie("csat_session").value
    copy = _replay(session_app, token)
    assert _signed_in(copy)  # the copy works while the session lives
    csrf = client.get_cookie("_csrf_token").value
    assert client.post("/logout", headers={"X-CSRFToken": csrf}).status_code == 302
    assert client.get_cookie("csat_session") is None
    replay = _replay(session_app, token)
    assert replay.get("/_dash-layout").status_code == 401
    page = replay.get("/plans")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_idle_timeout_and_absolute_lifetime(session_app):
    clock = session_app.server.session_interface.store.clock
    client = _client(session_app)
    # busy: a request every 20 minutes keeps it alive past the idle timeout ...
    for _ in range(5):
        clock.advance(timedelta(minutes=20))
        assert _signed_in(client)
    # ... but not past the absolute lifetime (2 h after login), however busy
    clock.advance(ABSOLUTE - timedelta(minutes=100) + timedelta(seconds=1))
    assert not _signed_in(client)

    idle = _client(session_app)
    clock.advance(IDLE - timedelta(seconds=1))
    assert _signed_in(idle)
    clock.advance(IDLE)  # idle for exactly the timeout
    assert not _signed_in(idle)


def test_password_change_and_reactivation_revive_no_session(session_app, fresh_engine):
    runtime_sessions = make_session_factory(fresh_engine)
    before = _client(session_app)
    with runtime_sessions.begin() as s:
        set_password(s, "sess.user", "a-new-password-1")
    assert not _signed_in(before)

    issued = signed_in_test_client(session_app, "sess.user", "a-new-password-1")
    token = issued.get_cookie("csat_session").value
    with runtime_sessions.begin() as s:
        set_active(s, "sess.user", False)
    with runtime_sessions.begin() as s:
        set_active(s, "sess.user", True)
    assert not _signed_in(issued)
    assert not _signed_in(_replay(session_app, token))
    # a new login works
    assert _signed_in(signed_in_test_client(session_app, "sess.user", "a-new-password-1"))


def test_each_login_gets_a_new_token_and_a_repeated_login_revokes_the_old(session_app):
    client = _client(session_app)
    first = client.get_cookie("csat_session").value
    other_device = signed_in_test_client(session_app, "sess.user", PASSWORD)
    assert other_device.get_cookie("csat_session").value != first
    assert _signed_in(client)  # other devices stay signed in
    token = client.get_cookie("_csrf_token").value  # signed in: /login redirects, the cookie has the token
    form = {"username": "sess.user", "password": PASSWORD, "csrf_token": token}
    response = client.post("/login", data=form)
    assert response.status_code == 302
    assert client.get_cookie("csat_session").value != first
    assert not _signed_in(_replay(session_app, first))


def test_a_long_write_lock_on_sqlite_does_not_stall_or_fail_signed_in_requests(sqlite_engine):
    """The idle clock's update is best effort: while an import holds the write
    lock, pages keep answering at once."""
    app = _make_app(sqlite_engine, None)
    client = _client(app)
    app.server.session_interface.store.clock.advance(timedelta(minutes=5))  # due for a touch
    blocker = sqlite_engine.raw_connection()
    try:
        blocker.driver_connection.execute("BEGIN IMMEDIATE")  # what a long import's transaction holds
        started = time.perf_counter()
        assert _signed_in(client)
        assert time.perf_counter() - started < 5
    finally:
        blocker.driver_connection.rollback()
        blocker.close()
