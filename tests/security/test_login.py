"""Login, sessions, CSRF and the guard, through Flask's test client."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.config import Settings
from dashboard.db.models import AuditEntry
from dashboard.webapp import create_app
from tests.support.web_client import login_form_token, post_callback, signed_in_test_client


def _login(client, username, password, **extra):
    token = login_form_token(client.get("/login").get_data(as_text=True))
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token, **extra}
    )


@pytest.mark.parametrize("path", ["/", "/rankings", "/rankings?unit=branch", "/anything"])
def test_anonymous_pages_redirect_to_login(security_app, path):
    response = security_app.server.test_client().get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/_dash-layout"),
        ("GET", "/_dash-dependencies"),
        ("POST", "/_dash-update-component"),
        ("GET", "/_dash-component-suites/dash/dcc/dash_core_components.js"),
        ("GET", "/_reload-hash"),
    ],
)
def test_anonymous_dash_endpoints_refused(security_app, method, path):
    client = security_app.server.test_client()
    response = client.open(path, method=method, json={} if method == "POST" else None)
    assert response.status_code == 401
    assert response.get_json() == {"error": "login required"}


def test_vendored_css_is_public_so_the_login_page_is_styled(security_app):
    assert security_app.server.test_client().get("/assets/bootstrap.min.css").status_code == 200


def test_login_without_csrf_token_is_refused(security_app):
    client = security_app.server.test_client()
    response = client.post("/login", data={"username": "executive", "password": "demo-password"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_login_sets_hardened_cookies_and_next_path(security_app):
    client = security_app.server.test_client()
    token = login_form_token(client.get("/login?next=/rankings").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"username": "executive", "password": "demo-password", "csrf_token": token, "next": "/rankings"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/rankings"
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("csat_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200 and "Erin Executive" in layout.get_data(as_text=True)
    assert layout.headers["Cache-Control"] == "no-store"
    assert layout.headers["X-Frame-Options"] == "DENY"


def test_production_cookies_are_secure(security_runtime):
    settings = security_runtime.settings.with_overrides(environment="production", secret_key="x" * 40)
    app = create_app(
        runtime=type(security_runtime)(settings, security_runtime.engine, security_runtime.sessions)
    )
    assert app.server.config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"]
)
def test_login_never_redirects_off_site(security_app, next_url):
    client = security_app.server.test_client()
    response = _login(client, "executive", "demo-password", next=next_url)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_wrong_password_keeps_username_escaped_and_is_audited(security_app, security_runtime):
    client = security_app.server.test_client()
    name = '<script>alert("x")</script>'
    response = _login(client, name, "wrong-password-123")
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Unknown username or wrong password." in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    with security_runtime.read_session() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.username == name.lower())).all()
    assert actions == ["login_failed"]


def test_repeated_failures_lock_the_account_even_for_the_right_password(security_app, security_runtime):
    from dashboard.auth.users import NewUser, create_user

    with security_runtime.write_session() as s:
        create_user(s, NewUser("lock.target", "right-password-1", "executive"))
    client = security_app.server.test_client()
    attempts = security_runtime.settings.login_attempts
    for _ in range(attempts):
        assert _login(client, "lock.target", "not-the-password").status_code == 401
    locked = _login(client, "lock.target", "right-password-1")
    assert locked.status_code == 429 and "Too many failed attempts" in locked.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # other users are not affected by someone guessing lock.target's password
    assert _login(security_app.server.test_client(), "head.lending", "demo-password").status_code == 302


def test_logout_needs_csrf_ends_session_and_is_audited(security_app, security_runtime):
    client = signed_in_test_client(security_app, "executive")
    assert client.post("/logout").status_code == 400  # no token: a cross-site form cannot sign you out
    token = client.get_cookie("_csrf_token").value
    assert client.post("/logout", headers={"X-CSRFToken": token}).status_code == 302
    assert client.get("/_dash-layout").status_code == 401
    with security_runtime.read_session() as s:
        assert (
            "logout" in s.scalars(select(AuditEntry.action).where(AuditEntry.username == "executive")).all()
        )


def test_callback_without_csrf_header_is_refused(security_app):
    client = signed_in_test_client(security_app, "executive")
    response = client.post("/_dash-update-component", json={"output": "x.children", "inputs": []})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)


def test_deactivating_a_user_ends_their_session_at_the_next_request(security_app, security_runtime):
    from dashboard.auth.users import NewUser, create_user, set_active

    with security_runtime.write_session() as s:
        create_user(s, NewUser("temp.exec", "temporary-pass-1", "executive"))
    client = signed_in_test_client(security_app, "temp.exec", "temporary-pass-1")
    with security_runtime.write_session() as s:
        set_active(s, "temp.exec", False)
    assert client.get("/_dash-layout").status_code == 401
    assert post_callback(client, {"output": "x.children", "inputs": []}).status_code == 401


def test_production_refuses_the_default_secret():
    from dashboard.config import ConfigError

    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings(environment="production").validate()
