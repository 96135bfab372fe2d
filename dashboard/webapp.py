"""Dash application factory: `create_app(settings)` -> Dash app whose Flask
server gunicorn serves (`app:server`)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html

from dashboard.auth.web import install_auth
from dashboard.components.user_menu import user_menu
from dashboard.config import PROJECT_ROOT, Settings
from dashboard.http_hardening import install_http_hardening
from dashboard.runtime import Runtime
from dashboard.web_context import EXTENSION_KEY, current_user
from dashboard.web_guards import NOTICE_ID, callback_error, install_guards


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Dash:
    """Build the dashboard. The database is migrated on start so a fresh
    SQLite file works out of the box."""
    runtime = runtime or Runtime.start(settings)
    app = Dash(
        "dashboard",  # the package: pages load as dashboard.pages.<name>
        use_pages=True,
        pages_folder="pages",
        assets_folder=str(PROJECT_ROOT / "assets"),
        title="Customer satisfaction",
        suppress_callback_exceptions=True,
        serve_locally=True,
        on_error=callback_error,  # a busy database: a message on the page, not an error
    )
    app.server.extensions[EXTENSION_KEY] = runtime
    install_auth(app.server, runtime)
    install_http_hardening(app, runtime.settings)
    install_guards(app.server)  # malformed callback bodies: 400; a busy database: 503
    app.layout = _shell
    return app


def _shell() -> html.Div:
    pages = sorted(dash.page_registry.values(), key=lambda p: 99 if p.get("order") is None else p["order"])
    links = [
        dbc.NavItem(
            dbc.NavLink(
                p["name"],
                href=p["relative_path"],
                active="exact",
                id=f"nav-{p['module'].rsplit('.', 1)[-1]}",
                className="text-nowrap",
            )
        )
        for p in pages
        if p.get("nav", True)
    ]
    return html.Div(
        [
            dbc.Navbar(
                dbc.Container(
                    [
                        dbc.NavbarBrand("Customer satisfaction", href="/"),
                        # wraps onto a second line on a tablet instead of squeezing the labels
                        dbc.Nav(links, navbar=True, className="flex-row flex-wrap me-auto gap-2"),
                        user_menu(current_user()),
                    ],
                    fluid=True,
                    className="flex-wrap",
                ),
                color="primary",
                dark=True,
                expand=True,
                className="mb-3",
            ),
            dbc.Container([html.Div(id=NOTICE_ID), dash.page_container], fluid=True, className="pb-4"),
        ]
    )
