"""Access to the app's Runtime and the logged-in user from inside a request
(layouts, callbacks, Flask routes).

The Runtime hangs off the Flask app, not a module global, so several apps
(tests, workers) can live in one process with different databases.
"""

from __future__ import annotations

import flask

from dashboard.auth.roles import AuthUser
from dashboard.auth.scope import Scope
from dashboard.auth.sessions import load_session_user
from dashboard.runtime import Runtime

EXTENSION_KEY = "csat_runtime"


def current_runtime() -> Runtime:
    return flask.current_app.extensions[EXTENSION_KEY]


def current_user() -> AuthUser | None:
    """The logged-in user, loaded once per request from the session cookie
    and the database (a deactivated user loses access at the next request)."""
    if "csat_user" not in flask.g:
        flask.g.csat_user = load_session_user(current_runtime())
    return flask.g.csat_user


def current_scope() -> Scope:
    """The viewer's data scope, resolved on the server for every request.
    No user, no data: callbacks reached without a login see nothing."""
    user = current_user()
    return user.scope if user is not None else Scope.nothing()
