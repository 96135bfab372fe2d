"""The plan page's measured effect in real Chromium, per viewer: the team
member sees no comparison line, no comparison n and a note saying why (the
small demo has too few respondents per wave for the plan unit's own line);
the executive sees the comparison
(docs/SECURITY.md "Aggregates over units you cannot see")."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from dashboard.db.models import ImprovementPlan

pytestmark = pytest.mark.browser

TRACES = "return document.querySelector('#plan-effect-figure .js-plotly-plot').data.map(t => t.name)"


def _harbour(runtime) -> int:
    with runtime.read_session() as s:
        return s.scalar(
            select(ImprovementPlan.id).where(ImprovementPlan.title == "Harbour responsiveness programme")
        )


def _traces(duo) -> list[str]:
    duo.wait_for_element("#plan-effect-figure .js-plotly-plot", timeout=20)
    return duo.driver.execute_script(TRACES)


@pytest.mark.parametrize(("username", "comparison_shown"), [("team.harbour", False), ("executive", True)])
def test_the_comparison_line_only_for_a_viewer_who_covers_it(
    dash_duo, demo_app, demo_runtime, artifacts_dir, login_as, username, comparison_shown
):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, username, path=f"/plans/{_harbour(demo_runtime)}")
    dash_duo.wait_for_element("#plan-effect-summary", timeout=20)
    traces = _traces(dash_duo)
    summary = dash_duo.find_element("#plan-effect-summary").text
    notes = dash_duo.find_elements("#plan-effect-pool-note")
    assert ("comparison units" in traces) is comparison_shown
    assert (" vs " in summary) is comparison_shown  # the comparison's n before/after
    assert bool(notes) is not comparison_shown
    if notes:
        assert "outside your scope" in notes[0].text
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, f"plan-effect-{username}.png"))
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
