"""Login, logout and the guard in front of everything else.

Plain Flask routes (not Dash) so the login form works without JavaScript and
without any data-serving endpoint being reachable before a login. CSRF:
Flask-WTF checks every POST - the login form carries the token as a field,
Dash's renderer sends it as the X-CSRFToken header read from the
`_csrf_token` cookie set below.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import flask
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from markupsafe import escape

from dashboard.auth import sessions
from dashboard.auth.session_store import Lifetimes, SessionStore, make_session_store
from dashboard.auth.users import LoginLimits, audit, authenticate
from dashboard.runtime import Runtime
from dashboard.web_context import current_runtime, current_user

PUBLIC_PATHS = frozenset({"/login", "/_favicon.ico", "/favicon.ico"})
PUBLIC_PREFIXES = ("/assets/",)  # vendored CSS and fonts only; no data lives there
CSRF_COOKIE = "_csrf_token"  # the name Dash's renderer reads


def install_auth(server: flask.Flask, runtime: Runtime) -> None:
    settings = runtime.settings
    server.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookies_secure,
        SESSION_COOKIE_NAME="csat_session",
        WTF_CSRF_TIME_LIMIT=settings.session_hours * 3600,
    )
    lifetimes = Lifetimes(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_hours),
    )
    server.session_interface = sessions.ServerSessionInterface(
        make_session_store(runtime.engine, settings.redis_url, lifetimes)
    )
    server.before_request(_require_login)  # before CSRF: no login, no further checks
    CSRFProtect(server)
    server.after_request(_harden_response)
    server.register_error_handler(CSRFError, _csrf_refused)
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout, methods=["POST"])


def _require_login():
    path = flask.request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    if current_user() is not None:
        return None
    if flask.request.method == "GET" and not path.startswith("/_"):
        return flask.redirect(flask.url_for("login", next=flask.request.full_path.rstrip("?")))
    # Dash endpoints (layout, dependencies, callbacks, component bundles) and
    # every non-GET: a plain refusal, no redirect a script could follow.
    return flask.jsonify(error="login required"), 401


def session_store() -> SessionStore:
    return flask.current_app.session_interface.store


def _harden_response(response: flask.Response) -> flask.Response:
    if current_user() is not None and flask.request.path != "/logout":
        secure = flask.current_app.config["SESSION_COOKIE_SECURE"]
        response.set_cookie(CSRF_COOKIE, generate_csrf(), samesite="Strict", secure=secure, httponly=False)
        response.headers.setdefault("Cache-Control", "no-store")  # scoped data must not sit in shared caches
    return response


def _csrf_refused(error: CSRFError):
    return flask.jsonify(error=f"request refused: {error.description}"), 400


def _login():
    settings = current_runtime().settings
    next_url = _safe_next(flask.request.values.get("next"))
    if flask.request.method == "GET":
        if current_user() is not None:
            return flask.redirect(next_url)
        return _login_page(next_url)
    username = flask.request.form.get("username", "")
    password = flask.request.form.get("password", "")
    limits = LoginLimits.of(settings.login_attempts, settings.login_address_attempts)
    outcome = authenticate(
        current_runtime().write_session, username, password, flask.request.remote_addr, limits
    )
    if outcome.user is None:
        status = 429 if outcome.throttled else 401
        return _login_page(next_url, username=username, error=outcome.message), status
    sessions.begin(outcome.user, outcome.session_epoch)
    return flask.redirect(next_url)


def _logout():
    user = current_user()
    if user is not None:
        with current_runtime().write_session() as session:
            audit(session, "logout", user, ip=flask.request.remote_addr)
    sessions.end(session_store())
    response = flask.redirect(flask.url_for("login"))
    response.delete_cookie(CSRF_COOKIE)
    return response


def _safe_next(raw: str | None) -> str:
    """Only same-site paths: an attacker's link must not bounce a fresh
    login to another site."""
    if not raw or len(raw) > 2_000 or any(ord(c) < 32 or ord(c) == 127 for c in raw):
        return "/"  # CR/LF would split the Location header; no path of ours is that long
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return "/"
    return raw


def _login_page(next_url: str, username: str = "", error: str | None = None) -> str:
    alert = (
        f'<div class="alert alert-danger" role="alert" id="login-error">{escape(error)}</div>'
        if error
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in - Customer satisfaction</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css"></head>
<body class="bg-light">
<main class="container" style="max-width: 26rem; margin-top: 12vh;">
  <h1 class="h4 mb-3">Customer satisfaction</h1>
  <div class="card shadow-sm"><div class="card-body">
    <h2 class="h6 card-title mb-3">Sign in</h2>
    {alert}
    <form method="post" action="/login" id="login-form">
      <input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">
      <input type="hidden" name="next" value="{escape(next_url)}">
      <div class="mb-3"><label class="form-label" for="username">Username</label>
        <input class="form-control" id="username" name="username" autocomplete="username"
               value="{escape(username)}" required autofocus></div>
      <div class="mb-3"><label class="form-label" for="password">Password</label>
        <input class="form-control" id="password" name="password" type="password"
               autocomplete="current-password" required></div>
      <button class="btn btn-primary w-100" type="submit" id="login-submit">Sign in</button>
    </form>
  </div></div>
</main></body></html>"""
