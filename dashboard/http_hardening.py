"""Response headers and request limits for every route (docs/SECURITY.md).

- Content-Security-Policy: scripts only from this server plus the hashes of
  Dash's own inline scripts (the renderer start-up line and clientside
  callbacks, from `Dash.csp_hashes()`), so an injected <script> never runs.
  Styles keep 'unsafe-inline': Plotly writes its chart styles into <style>
  elements at run time, which no hash or nonce can cover; style injection
  cannot execute code under this script policy.
- Strict-Transport-Security only when cookies are Secure (the deployment
  serves HTTPS); over plain HTTP the header would be ignored or lock out.
- MAX_CONTENT_LENGTH: a request body larger than the limit is refused with
  413 before anything parses it.
- ProxyFix: only with CSAT_TRUSTED_PROXIES = the number of proxies in front,
  so X-Forwarded-For is believed from them and from nobody else.
"""

from __future__ import annotations

import flask
from dash import Dash
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.config import Settings

HSTS = "max-age=31536000; includeSubDomains"
STATIC_POLICY = {
    "default-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def content_security_policy(app: Dash) -> str:
    # computed per response: pages register clientside callbacks as they load
    policy = {**STATIC_POLICY, "script-src": " ".join(["'self'", *app.csp_hashes()])}
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def install_http_hardening(app: Dash, settings: Settings) -> None:
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        server.wsgi_app = ProxyFix(server.wsgi_app, x_for=n, x_proto=n, x_host=n)

    def add_headers(response: flask.Response) -> flask.Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", content_security_policy(app))
        if settings.cookies_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    server.after_request(add_headers)
