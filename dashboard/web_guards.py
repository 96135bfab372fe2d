"""What keeps bad input and a busy database from becoming a server error.

- Dash's own page router (the `_pages_location` callback) calls string
  methods on the pathname and search it is sent; a forged callback can send
  anything, so a callback request whose router inputs are not short strings,
  or whose body is not the renderer's shape, is refused with 400 before Dash
  sees it. Page callbacks clean their own inputs (urlstate, plan_form).
- SQLite has one writer at a time: a write that waited the whole busy
  timeout (a long import holding the lock) is answered 503 with a message
  saying to try again, not 500; inside a page callback the page shows that
  message (in the shell's notice area) and keeps what was typed.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import flask
from sqlalchemy.exc import OperationalError

from dashboard.runtime import DatabaseBusy, is_lock_timeout

CALLBACK_PATH = "/_dash-update-component"
NOTICE_ID = "app-notice"  # the shell's area for messages from any page
ROUTER_ID = "_pages_location"  # dash._pages: the Location the page router reads
MAX_ROUTER_TEXT = 4_000  # a pathname or search longer than this is no URL of ours
BUSY_MESSAGE = (
    "The database is busy with another write (for example a large import). "
    "Nothing was saved; please try again in a minute."
)


def install_guards(server: flask.Flask) -> None:
    server.before_request(_check_callback_request)
    server.register_error_handler(DatabaseBusy, _busy)
    server.register_error_handler(OperationalError, _operational_error)


def _check_callback_request():
    if flask.request.path != CALLBACK_PATH or flask.request.method != "POST":
        return None
    if not callback_body_is_valid(flask.request.get_json(silent=True)):
        return flask.jsonify(error="malformed callback request"), 400
    return None


def callback_body_is_valid(body: object) -> bool:
    """The renderer's shape: inputs (and state) are lists of {id, property,
    value} entries or lists of them; the router's pathname is a string and
    its search a string or None, each of a URL's length."""
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        return False
    entries = []
    for key in ("inputs", "state"):
        group = body.get(key, [])
        if not isinstance(group, list):
            return False
        for entry in group:
            entries.extend(entry if isinstance(entry, list) else [entry])
    if not all(isinstance(e, dict) and "id" in e and isinstance(e.get("property"), str) for e in entries):
        return False
    return all(_router_value_is_valid(e["property"], e.get("value")) for e in entries if e["id"] == ROUTER_ID)


def _router_value_is_valid(prop: str, value: object) -> bool:
    if value is None:
        return prop != "pathname"  # no search is fine; the router needs a path
    return isinstance(value, str) and len(value) <= MAX_ROUTER_TEXT


def callback_error(error: Exception):
    """Dash's `on_error` for every callback: a busy database is a message on
    the page (outputs unchanged, so nothing typed is lost); anything else
    stays an error."""
    if isinstance(error, DatabaseBusy) or is_lock_timeout(error):
        dash.set_props(
            NOTICE_ID,
            {
                "children": dbc.Alert(
                    BUSY_MESSAGE, color="warning", id="app-busy", dismissable=True, duration=20_000
                )
            },
        )
        return None
    raise error


def _busy(_error: DatabaseBusy):
    return _busy_response()


def _operational_error(error: OperationalError):
    if is_lock_timeout(error):
        return _busy_response()
    raise error  # any other database failure stays a logged server error


def _busy_response():
    if flask.request.path.startswith("/_dash"):
        response = flask.jsonify(error=BUSY_MESSAGE)
    else:
        response = flask.make_response(BUSY_MESSAGE)
        response.mimetype = "text/plain"
    response.status_code = 503
    response.headers["Retry-After"] = "30"
    return response
