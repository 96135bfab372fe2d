"""The overview page in real Chromium shows the numbers the service computes."""

from __future__ import annotations

import os

import pytest

from dashboard.auth.scope import Scope
from dashboard.components.cards import fmt
from dashboard.services.overview import home_summary

pytestmark = pytest.mark.browser


def test_overview_shows_service_numbers(dash_duo, demo_app, demo_runtime, artifacts_dir):
    with demo_runtime.read_session() as session:
        expected = home_summary(session, Scope.everything(), min_n=demo_runtime.settings.min_n)
    dash_duo.start_server(demo_app)
    dash_duo.wait_for_text_to_equal("#kpi-csi-value", fmt(expected.latest.value), timeout=20)
    assert f"n = {expected.latest.n:,}" in dash_duo.find_element("#kpi-csi-detail").text
    assert "Welch" in dash_duo.find_element("#kpi-change-detail").text
    dash_duo.wait_for_element("#home-trend .scatterlayer .trace")
    points = dash_duo.find_elements("#home-trend .scatterlayer .trace:last-child .point")
    assert len(points) == expected.trend["value"].notna().sum() == 19
    bars = dash_duo.find_elements("#home-elements .barlayer .point")
    assert len(bars) == 5
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "overview.png"))
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
