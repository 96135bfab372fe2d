"""The login session: which user a request belongs to (Flask's signed cookie)."""

from __future__ import annotations

import flask

from dashboard.auth.roles import AuthUser
from dashboard.auth.users import active_user
from dashboard.runtime import Runtime


def load_session_user(runtime: Runtime) -> AuthUser | None:
    user_id = flask.session.get("uid")
    password_fp = flask.session.get("pwf")
    if not isinstance(user_id, int) or not isinstance(password_fp, str):
        return None
    with runtime.read_session() as session:
        return active_user(session, user_id, password_fp)


def begin(user: AuthUser, password_fp: str) -> None:
    """Start a fresh session (never reuse a pre-login one)."""
    flask.session.clear()
    flask.session["uid"] = user.id
    flask.session["pwf"] = password_fp
    flask.session.permanent = True
    flask.g.csat_user = user


def end() -> None:
    flask.session.clear()
    flask.g.csat_user = None
