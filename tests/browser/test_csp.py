"""Dash works under the Content-Security-Policy in real Chromium: pages with
charts, the churn page's clientside callback and the plans page render with
no console errors, while a script injected into the page is refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _csp_messages(logs) -> list[str]:
    return [entry["message"] for entry in logs if "Content Security Policy" in entry["message"]]


def test_pages_render_under_the_policy_and_injected_scripts_do_not_run(dash_duo, demo_app, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive")
    dash_duo.wait_for_element("#home-trend .scatterlayer .trace", timeout=20)  # Plotly drew its chart
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
    pages = (("/churn", "#churn-method"), ("/plans", "#nav-plans"), ("/rankings", "#rankings-table"))
    for path, ready in pages:
        dash_duo.wait_for_page(dash_duo.server_url + path)
        dash_duo.wait_for_element(ready, timeout=20)
        logs = dash_duo.get_logs()
        assert logs == [], (path, logs)

    # the policy is really in force: an inline script added to the page is refused
    dash_duo.driver.execute_script(
        "var s = document.createElement('script'); s.textContent = 'window.injectedRan = true;';"
        "document.body.appendChild(s);"
    )
    assert dash_duo.driver.execute_script("return window.injectedRan === true;") is False
    assert _csp_messages(dash_duo.get_logs()), "Chromium reports the refused inline script"
