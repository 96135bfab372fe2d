"""Access to the app's Runtime from inside a request (layouts, callbacks).

The Runtime hangs off the Flask app, not a module global, so several apps
(tests, workers) can live in one process with different databases.
"""

from __future__ import annotations

import flask

from dashboard.auth.scope import Scope
from dashboard.runtime import Runtime

EXTENSION_KEY = "csat_runtime"


def current_runtime() -> Runtime:
    return flask.current_app.extensions[EXTENSION_KEY]


def current_scope() -> Scope:
    """The viewer's data scope, resolved on the server for every request.

    Until logins exist (see docs/ARCHITECTURE.md, access control), every
    viewer sees the whole organisation.
    """
    return Scope.everything()
