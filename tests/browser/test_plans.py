"""Improvement plans in real Chromium: create a plan from a drill-down link,
see it on the plans page; read-only for a team member who does not own it;
a stale edit is refused without losing what was typed; titles render inert."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from dashboard.db.models import ImprovementPlan
from tests.browser.conftest import dom_click

pytestmark = pytest.mark.browser

START_LINK = "/plans/new?branch=B02&department=SRV&element=S&items=S2,S3"


def _type(duo, selector, text):
    field = duo.find_element(selector)
    field.clear()
    field.send_keys(text)


def test_create_plan_from_link_and_see_it_listed(dash_duo, demo_app, demo_runtime, artifacts_dir, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "head.harbour", path=START_LINK)
    dash_duo.wait_for_element("#plan-title", timeout=20)
    # prefilled from the link
    assert "Responsiveness" in dash_duo.find_element("#plan-element").text
    assert (
        "S2" in dash_duo.find_element("#plan-items").text
        and "S3" in dash_duo.find_element("#plan-items").text
    )
    title = 'Shorter queues <img src=x onerror="window.__xss=1">'
    _type(dash_duo, "#plan-title", title)
    _type(dash_duo, "#plan-baseline", "4.2")
    _type(dash_duo, "#plan-target", "5.4")
    _type(dash_duo, "#plan-cost", "25000")
    dom_click(dash_duo, "#plan-save")
    dash_duo.wait_for_text_to_equal("#plan-title-heading", title, timeout=20)
    with demo_runtime.read_session() as s:
        plan = s.scalar(select(ImprovementPlan).where(ImprovementPlan.title == title))
        assert plan.item_codes == ["S2", "S3"] and plan.cost == 25_000 and plan.target_score == 5.4
        plan_id = plan.id
    assert dash_duo.driver.current_url.endswith(f"/plans/{plan_id}")
    assert "created" in dash_duo.find_element("#plan-history").text
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "plan-detail.png"))

    dash_duo.wait_for_page(f"{dash_duo.server_url}/plans")
    dash_duo.wait_for_contains_text("#plans-table", "Shorter queues", timeout=20)
    assert title in dash_duo.find_element("#plans-table").text  # shown as text ...
    assert dash_duo.driver.execute_script("return window.__xss === undefined")  # ... never run
    assert "Harbour responsiveness programme" in dash_duo.find_element("#plans-table").text
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "plans.png"))
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_team_member_reads_a_colleagues_plan_and_edits_own(dash_duo, demo_app, demo_runtime, login_as):
    with demo_runtime.read_session() as s:
        own = s.scalar(
            select(ImprovementPlan.id).where(ImprovementPlan.title == "Harbour responsiveness programme")
        )
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "team.harbour", path=f"/plans/{own}")
    dash_duo.wait_for_element("#plan-save", timeout=20)  # owner: may edit
    hillcrest = f"/plans/{own + 1}"  # Hillcrest, another branch
    dash_duo.wait_for_page(dash_duo.server_url + hillcrest)
    dash_duo.wait_for_text_to_equal(
        "#plan-missing", "This plan does not exist or is not available to you.", timeout=20
    )
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_stale_edit_is_refused_and_form_keeps_the_typing(dash_duo, demo_app, demo_runtime, login_as):
    from dashboard.auth.users import to_auth_user
    from dashboard.db.models import AppUser
    from dashboard.services.plans import PlanInput, update_plan

    with demo_runtime.read_session() as s:
        plan = s.scalar(
            select(ImprovementPlan).where(ImprovementPlan.title == "Eastbrook branch refurbishment")
        )
        plan_id = plan.id
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path=f"/plans/{plan_id}")
    dash_duo.wait_for_element("#plan-title", timeout=20)
    # meanwhile someone else saves the plan
    with demo_runtime.write_session() as s:
        other = to_auth_user(s.scalar(select(AppUser).where(AppUser.username == "admin")))
        fresh = s.get(ImprovementPlan, plan_id)
        form = PlanInput(
            title="Eastbrook refurbishment (phase 2)", branch_code="B07", department_code="ACC", element="T",
            item_codes=["T1", "T2"], owner_id=fresh.owner_id, stage=fresh.stage, status=fresh.status,
            start_on=fresh.start_on, due_on=fresh.due_on, cost=fresh.cost,
        )  # fmt: skip
        update_plan(s, other, plan_id, fresh.version, form)
    _type(dash_duo, "#plan-title", "My competing title")
    dom_click(dash_duo, "#plan-save")
    dash_duo.wait_for_contains_text("#plan-stale", "admin changed this plan", timeout=20)
    assert dash_duo.find_element("#plan-title").get_attribute("value") == "My competing title"
    with demo_runtime.read_session() as s:
        assert s.get(ImprovementPlan, plan_id).title == "Eastbrook refurbishment (phase 2)"
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
