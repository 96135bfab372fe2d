"""The login session: which user a request belongs to.

After login the `csat_session` cookie holds only an opaque token; everything
else (user id, session epoch, the CSRF secret) lives in the session store
(`session_store.py`). Before login there is nothing to protect but the login
form's CSRF secret, which travels in a small signed cookie (`csat_login`), so
anonymous visitors create no server-side state.
"""

from __future__ import annotations

import flask
from flask.sessions import SecureCookieSessionInterface, SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from dashboard.auth.roles import AuthUser
from dashboard.auth.session_store import SessionStore
from dashboard.auth.users import active_user
from dashboard.runtime import Runtime

PRE_LOGIN_COOKIE = "csat_login"


class ServerSession(CallbackDict, SessionMixin):
    """A signed-in session's data, written back to the store when changed."""

    def __init__(self, data: dict, token: str, user_id: int, epoch: int) -> None:
        def changed(_self) -> None:
            self.modified = True

        super().__init__(data, changed)
        self.token, self.user_id, self.epoch = token, user_id, epoch
        self.modified = False
        self.revoked = False


class _PreLoginCookie(SecureCookieSessionInterface):
    def get_cookie_name(self, app: flask.Flask) -> str:
        return PRE_LOGIN_COOKIE


class ServerSessionInterface(SessionInterface):
    def __init__(self, store: SessionStore) -> None:
        self.store = store
        self._pre_login = _PreLoginCookie()

    def open_session(self, app: flask.Flask, request: flask.Request):
        token = request.cookies.get(self.get_cookie_name(app))
        record = self.store.load(token) if token else None
        if record is not None:
            return ServerSession(record.data, token, record.user_id, record.epoch)
        return self._pre_login.open_session(app, request)

    def save_session(self, app: flask.Flask, session: SessionMixin, response: flask.Response) -> None:
        login = flask.g.pop("csat_login", None)
        if login is not None:
            self._start(app, session, response, *login)
        elif isinstance(session, ServerSession):
            if session.revoked:
                self._delete_cookie(app, response, self.get_cookie_name(app))
            elif session.modified:
                self.store.save_data(session.token, dict(session))
        else:
            self._pre_login.save_session(app, session, response)

    def _start(self, app, session: SessionMixin, response, user_id: int, epoch: int) -> None:
        """A fresh token at every login (no fixation); the pre-login cookie goes."""
        if isinstance(session, ServerSession):
            self.store.revoke(session.token)
        token = self.store.create(user_id, epoch, dict(session))
        record = self.store.load(token)
        response.set_cookie(
            self.get_cookie_name(app),
            token,
            expires=self.store.expires_at(record),
            httponly=True,
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
        )
        self._delete_cookie(app, response, PRE_LOGIN_COOKIE)
        response.vary.add("Cookie")

    def _delete_cookie(self, app, response, name: str) -> None:
        response.delete_cookie(
            name,
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            httponly=True,
        )


def load_session_user(runtime: Runtime) -> AuthUser | None:
    """The user of a live server session whose epoch is still the user's."""
    session = flask.session
    if not isinstance(session, ServerSession):
        return None
    with runtime.read_session() as db:
        return active_user(db, session.user_id, session.epoch)


def begin(user: AuthUser, epoch: int) -> None:
    """Sign the user in: the response carries a new session token."""
    if isinstance(flask.session, ServerSession):
        flask.session.revoked = True
    flask.session.clear()
    flask.g.csat_login = (user.id, epoch)
    flask.g.csat_user = user


def end(store: SessionStore) -> None:
    """Sign out: the session is deleted from the store, so a copy of the cookie is dead too."""
    session = flask.session
    if isinstance(session, ServerSession):
        store.revoke(session.token)
        session.revoked = True
    session.clear()
    flask.g.csat_user = None
