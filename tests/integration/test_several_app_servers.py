"""Several app servers behind a load balancer, without sticky sessions: two
gunicorn instances on one PostgreSQL database (and one Redis for sessions, or
the database's own session table) serve one user whose requests alternate
between them. Signing in on one, working on the other and signing out on the
first must behave as one server would. And servers starting together on a
new database must not trip over each other's migrations.

The first test plays the TLS-terminating load balancer: it sends every request
with X-Forwarded-Proto/-Host/-For (CSAT_TRUSTED_PROXIES=1), so the servers
run with production settings, Secure cookies and Flask-WTF's HTTPS referrer
check included."""

from __future__ import annotations

import csv
import io
import json
import secrets
import subprocess
import sys
from contextlib import ExitStack

import pytest
import redis
import requests
from sqlalchemy import select

from dashboard.auth.session_store import REDIS_PREFIX, token_hash
from dashboard.db.engine import make_engine
from dashboard.db.migrate import is_up_to_date
from dashboard.db.models import AuditEntry, LoginSession
from dashboard.ingest.demo.users import DEMO_PASSWORD
from dashboard.urlstate import CHURN
from tests.support.databases import create_postgres_database, drop_database, require_postgres, require_redis
from tests.support.demo_app import demo_build, demo_key
from tests.support.gunicorn import ROOT, running_gunicorn
from tests.support.web_client import login_form_token, router_request

PUBLIC_ORIGIN = "https://csat.example"
SESSION_COOKIE = "csat_session"
USER = "executive"


class LoadBalancedBrowser:
    """One browser's cookie jar and the headers a TLS-terminating proxy adds;
    each request names the app server it is routed to."""

    def __init__(self) -> None:
        self.http = requests.Session()
        self.http.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "csat.example",
                "X-Forwarded-For": "203.0.113.7",
                "Referer": PUBLIC_ORIGIN + "/",  # Flask-WTF checks it on HTTPS POSTs
            }
        )

    def cookie_header(self) -> dict[str, str]:
        """The jar's cookies, Secure ones included: the browser sent them over
        HTTPS, and the hop from the proxy to the app is plain HTTP (requests
        itself would hold Secure cookies back there)."""
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)}

    def get(self, server: str, path: str) -> requests.Response:
        return self.http.get(server + path, headers=self.cookie_header(), allow_redirects=False, timeout=30)

    def post(self, server: str, path: str, **kwargs) -> requests.Response:
        headers = self.cookie_header()
        token = self.http.cookies.get("_csrf_token")
        if token:
            headers["X-CSRFToken"] = token  # what the renderer sends from the _csrf_token cookie
        return self.http.post(server + path, headers=headers, allow_redirects=False, timeout=60, **kwargs)


def export_request(search: str = "") -> dict:
    """The churn page's "Export CSV" click as the renderer posts it."""
    download, button = CHURN.id("download"), CHURN.id("export")
    return {
        "output": f"{download}.data",
        "outputs": {"id": download, "property": "data"},
        "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
        "changedPropIds": [f"{button}.n_clicks"],
        "state": [{"id": CHURN.url_id, "property": "search", "value": search}],
    }


@pytest.fixture
def demo_database(session_databases):
    """A private PostgreSQL copy of a small demo with churn scores (the test writes sessions and audits)."""
    key, build = demo_key(2_000, 5, churn_scores=True), demo_build(2_000, 5, churn_scores=True)
    with session_databases.copy("postgresql", key, build) as engine:
        yield engine


@pytest.fixture(params=["redis", "database"])
def session_backend(request):
    """REDIS_URL for the servers (None: sessions in the database); in Redis,
    only the keys this test created are removed afterwards."""
    if request.param == "database":
        yield None
        return
    url = require_redis()
    client = redis.Redis.from_url(url)
    before = set(client.keys(REDIS_PREFIX + "*"))
    try:
        yield url
    finally:
        created = set(client.keys(REDIS_PREFIX + "*")) - before
        if created:
            client.delete(*created)
        client.close()


@pytest.mark.slow
def test_two_servers_serve_one_user_alternately_and_logout_on_one_revokes_on_both(
    demo_database, session_backend
):
    database_url = demo_database.url.render_as_string(hide_password=False)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": session_backend,
        "SECRET_KEY": secrets.token_urlsafe(48),  # one secret shared by both servers
        "CSAT_ENV": "production",
        "CSAT_TRUSTED_PROXIES": "1",
        "CSAT_SECURE_COOKIES": None,  # production's default: Secure cookies and HSTS
    }
    with ExitStack() as servers:
        a = servers.enter_context(running_gunicorn(env))
        b = servers.enter_context(running_gunicorn(env))
        browser = LoadBalancedBrowser()

        # sign in on A
        form = browser.get(a, "/login")
        assert form.headers["Strict-Transport-Security"]  # production settings are in force
        signed_in = browser.post(
            a,
            "/login",
            data={"username": USER, "password": DEMO_PASSWORD, "csrf_token": login_form_token(form.text)},
        )
        assert signed_in.status_code == 302, signed_in.text[:300]
        cookie = browser.http.cookies[SESSION_COOKIE]
        assert "Secure" in signed_in.headers["Set-Cookie"]
        _assert_session_stored(demo_database, session_backend, cookie)

        # pages, callbacks and the export on B with A's cookie, then back and forth
        page = browser.get(b, "/churn")
        assert page.status_code == 200 and "_dash-renderer" in page.text
        assert browser.get(b, "/_dash-layout").status_code == 200  # also sets B's CSRF cookie
        for server in (b, a, b):
            churn = browser.post(server, "/_dash-update-component", json=router_request("/churn"))
            assert churn.status_code == 200, churn.text[:300]
            assert "churn-table" in churn.text and "churn-kpi-customers" in churn.text
        exported = browser.post(b, "/_dash-update-component", json=export_request())
        assert exported.status_code == 200, exported.text[:300]
        download = json.loads(exported.text)["response"][CHURN.id("download")]["data"]
        assert download["filename"] == "churn-risk.csv"
        rows = list(csv.DictReader(io.StringIO(download["content"])))
        assert rows and "probability" in rows[0]
        with demo_database.connect() as conn:
            audits = conn.execute(
                select(AuditEntry.action, AuditEntry.username, AuditEntry.detail, AuditEntry.ip)
                .where(AuditEntry.action.in_(("login", "export")))
                .order_by(AuditEntry.id)
            ).all()
        # A recorded the login at the client's address behind the proxy, B the export as the user
        assert [(e.action, e.username) for e in audits] == [("login", USER), ("export", USER)]
        assert audits[0].ip == "203.0.113.7" and audits[1].detail["rows"] == len(rows)

        # sign out on A: the same cookie is refused on both
        logout = browser.post(a, "/logout")
        assert logout.status_code == 302 and logout.headers["Location"].endswith("/login")
        replay = LoadBalancedBrowser()
        replay.http.cookies.set(SESSION_COOKIE, cookie)
        for server in (b, a):
            assert replay.get(server, "/_dash-layout").status_code == 401
            refused = replay.post(server, "/_dash-update-component", json=router_request("/churn"))
            assert refused.status_code == 401
            page = replay.get(server, "/churn")
            assert page.status_code == 302 and "/login" in page.headers["Location"]
        _assert_session_gone(demo_database, session_backend, cookie)


def _stored_rows(engine, cookie: str) -> int:
    with engine.connect() as conn:
        rows = conn.execute(select(LoginSession).where(LoginSession.token_hash == token_hash(cookie)))
        return len(rows.all())


def _assert_session_stored(engine, redis_url: str | None, cookie: str) -> None:
    """The session lives in the configured store, and only there."""
    if redis_url:
        assert redis.Redis.from_url(redis_url).exists(REDIS_PREFIX + token_hash(cookie)) == 1
        assert _stored_rows(engine, cookie) == 0
    else:
        assert _stored_rows(engine, cookie) == 1


def _assert_session_gone(engine, redis_url: str | None, cookie: str) -> None:
    if redis_url:
        assert redis.Redis.from_url(redis_url).exists(REDIS_PREFIX + token_hash(cookie)) == 0
    assert _stored_rows(engine, cookie) == 0


# Imports first, then "ready", then the migration once the test writes a line: all start together.
MIGRATE_ON_CUE = (
    "import sys; from dashboard.db.engine import make_engine; from dashboard.db.migrate import upgrade; "
    "engine = make_engine(sys.argv[1]); print('ready', flush=True); sys.stdin.readline(); upgrade(engine)"
)


def test_servers_starting_together_on_a_new_database_migrate_it_once(backend, tmp_path):
    """Every worker of every server migrates as it starts; on a new (or
    outdated) database they must not trip over each other's DDL."""
    if backend == "postgresql":
        require_postgres()
        url = create_postgres_database()
    else:
        url = f"sqlite:///{tmp_path / 'new.db'}"
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE_ON_CUE, url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    engine = None
    try:
        for start in starts:
            assert start.stdout.readline().strip() == "ready", start.stderr.read()[-2000:]
        for start in starts:
            start.stdin.write("go\n")
            start.stdin.flush()
        for start in starts:
            _, errors = start.communicate(timeout=120)
            assert start.returncode == 0, errors[-2000:]
        engine = make_engine(url)
        assert is_up_to_date(engine)
    finally:
        for start in starts:
            start.kill()
            start.wait()
        drop_database(url, engine)
