"""The overview page in real Chromium shows the numbers the service computes."""

from __future__ import annotations

import os

import pytest

from dashboard.auth.scope import Scope
from dashboard.components.cards import fmt
from dashboard.services.overview import home_summary

pytestmark = pytest.mark.browser


def test_overview_shows_service_numbers(dash_duo, demo_app, demo_runtime, artifacts_dir, login_as):
    with demo_runtime.read_session() as session:
        expected = home_summary(session, Scope.everything(), min_n=demo_runtime.settings.min_n)
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive")
    dash_duo.wait_for_text_to_equal("#kpi-csi-value", fmt(expected.latest.value), timeout=20)
    assert f"n = {expected.latest.n:,}" in dash_duo.find_element("#kpi-csi-detail").text
    assert "Welch" in dash_duo.find_element("#kpi-change-detail").text
    dash_duo.wait_for_element("#home-trend .scatterlayer .trace")
    points = dash_duo.find_elements("#home-trend .scatterlayer .trace:last-child .point")
    assert len(points) == expected.trend["csi"].notna().sum() == 19
    bars = dash_duo.find_elements("#home-elements .barlayer .point")
    assert len(bars) == 5
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "overview.png"))
    verdict = dash_duo.find_element("#home-pairwise-verdict").text
    assert verdict == expected.branch_verdicts.verdict
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_rankings_page_matches_service_and_url_restores_view(
    dash_duo, demo_app, demo_runtime, artifacts_dir, login_as
):
    from dashboard.services.rankings import ranking_view

    with demo_runtime.read_session() as session:
        view = ranking_view(session, Scope.everything(), None, "branch", "S", demo_runtime.settings.min_n)
    expected = view.table
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive")
    dash_duo.wait_for_page(dash_duo.server_url + "/rankings?unit=branch&element=S&wave=all")
    dash_duo.wait_for_element("#rankings-table", timeout=20)
    first = dash_duo.find_elements("#rankings-table tbody tr")[0].text
    top = expected.iloc[0]
    assert first.startswith(
        f"{top.rank_label} {int(top.rank_low)}-{int(top.rank_high)} {top['name']} ({top.code}) {top.group} "
        f"{fmt(top['mean'])}"
    ), first
    # which differences are real, in words: the planted weak Responsiveness of B02
    assert dash_duo.find_element("#rankings-pairwise-verdict").text == view.verdict
    assert view.verdict.startswith("Harbour (B02) is below"), view.verdict
    assert "Holm" in dash_duo.find_element("#rankings-pairwise-method").text
    last_ranked = expected[expected["status"] == "ranked"].iloc[-1]
    assert last_ranked["code"] == "B02"
    dash_duo.select_dcc_dropdown("#rankings-unit", value="Departments")
    dash_duo.wait_for_contains_text("#rankings-table", "LEN", timeout=15)
    assert "unit=department" in dash_duo.driver.current_url and "element=S" in dash_duo.driver.current_url
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "rankings.png"))
    # one history entry per change, none for the first render: back and forward walk it
    dash_duo.driver.back()
    dash_duo.wait_for_contains_text("#rankings-table thead", "Branch", timeout=15)
    assert dash_duo.driver.current_url.endswith("/rankings?unit=branch&element=S&wave=all")
    dash_duo.driver.forward()
    dash_duo.wait_for_contains_text("#rankings-table", "LEN", timeout=15)
    assert "unit=department" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_rankings_show_ties_when_units_do_not_differ(dash_duo, demo_app, demo_runtime, login_as):
    """On this demo the departments' Empathy in 2026-Q1 shows no between-unit
    variance: every department is shrunk to the mean and they all tie."""
    from dashboard.queries.filters import Filters
    from dashboard.queries.reference import waves
    from dashboard.services.metrics import unit_ranking

    with demo_runtime.read_session() as session:
        wave_ids = waves(session).set_index("code").loc[["2026-Q1"], "wave_id"]
        expected = unit_ranking(
            session, Scope.everything(), Filters(wave_ids=tuple(wave_ids)), "department", "E", min_n=10
        )
    ranked = expected[expected["status"] == "ranked"]
    assert expected.attrs["tau2"] == 0 and len(ranked) > 1  # the case under test
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path="/rankings?unit=department&element=E&wave=2026-Q1")
    dash_duo.wait_for_contains_text("#rankings-no-differences", "No real differences", timeout=20)
    headers = [th.text for th in dash_duo.find_elements("#rankings-table thead th")]
    assert headers[:3] == ["Rank", "Rank interval", "Department"]
    ranks = [td.text for td in dash_duo.find_elements("#rankings-table tbody tr td:first-child")]
    assert ranks[: len(ranked)] == ["=1"] * len(ranked)
    labels = [t.text for t in dash_duo.find_elements("#rankings-figure .yaxislayer-above .ytick text")]
    assert sorted(labels) == sorted(
        f"=1 {name} ({code})" for name, code in zip(ranked["name"], ranked["code"], strict=True)
    )

    dash_duo.wait_for_page(dash_duo.server_url + "/rankings?unit=branch&element=overall&wave=all")
    dash_duo.wait_for_contains_text("#rankings-table thead", "Branch", timeout=20)
    assert not dash_duo.driver.find_elements("css selector", "#rankings-no-differences")
    dash_duo.wait_for_page(dash_duo.server_url + "/")
    dash_duo.wait_for_contains_text("#home-ranking", "Rank", timeout=20)
    assert (
        "shrunk (empirical-Bayes) estimate"
        in dash_duo.find_element("#home-ranking")
        .find_element("xpath", "./ancestor::div[contains(@class, 'card-body')]")
        .text
    )
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
