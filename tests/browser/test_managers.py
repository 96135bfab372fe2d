"""/managers in real Chromium: an executive sees the ranked account managers
with the service's numbers and opens one; a team member (not an account
manager) sees only the empty state; neither logs a console error."""

from __future__ import annotations

import os

import pytest

from dashboard.auth.scope import Scope
from dashboard.components.cards import fmt
from dashboard.queries.filters import Filters
from dashboard.services.managers import manager_appraisal

pytestmark = pytest.mark.browser


def test_executive_sees_the_ranking_and_opens_a_manager(
    dash_duo, demo_app, demo_runtime, artifacts_dir, login_as
):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path="/managers?wave=all")
    dash_duo.wait_for_element("#managers-table", timeout=25)
    with demo_runtime.read_session() as session:
        view = manager_appraisal(session, Scope.everything(), Filters(), demo_runtime.settings.min_n)
    first = view.table.iloc[0]
    assert first.status == "ranked"
    row = dash_duo.find_element("#managers-table tbody tr").text
    assert f"{first['name']} ({first.employee_ref})" in row and fmt(first["mean"]) in row
    assert len(dash_duo.find_elements("#managers-table tbody tr")) == len(view.table)
    dash_duo.find_element(f"#managers-open-{first.employee_ref}").click()
    dash_duo.wait_for_element("#managers-detail", timeout=25)
    assert first.employee_ref in dash_duo.driver.current_url
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "managers-executive.png"))
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_team_member_sees_only_themselves(dash_duo, demo_app, artifacts_dir, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "team.harbour", path="/managers")
    dash_duo.wait_for_element("#managers-empty", timeout=25)  # not an account manager: nobody listed
    assert dash_duo.find_elements("#managers-table") == []
    assert dash_duo.find_element("#nav-managers").text == "Account managers"
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "managers-team-member.png"))
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
