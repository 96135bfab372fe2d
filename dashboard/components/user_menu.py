"""The navbar's signed-in user and sign-out button."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_wtf.csrf import generate_csrf

from dashboard.auth.roles import ROLE_LABELS, AuthUser


def user_menu(user: AuthUser | None) -> html.Div:
    if user is None:
        return html.Div()
    return html.Div(
        [
            html.Span(
                [html.Span(user.display_name, id="user-name"), " · ", ROLE_LABELS.get(user.role, user.role)],
                className="navbar-text text-white-50 me-3 small",
                id="user-role",
            ),
            # A real form POST: sign-out works without JavaScript and carries the CSRF token.
            html.Form(
                [
                    dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
                    dbc.Button(
                        "Sign out", type="submit", color="light", outline=True, size="sm", id="logout"
                    ),
                ],
                method="POST",
                action="/logout",
                className="d-inline",
            ),
        ],
        className="d-flex align-items-center ms-auto",
    )
