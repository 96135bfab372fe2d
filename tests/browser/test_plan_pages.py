"""Improvement plans in real Chromium: create a plan from a drill-down link,
see it on the plans page; read-only for a team member who does not own it;
a stale edit is refused without losing what was typed; titles render inert."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select

from dashboard.auth.users import to_auth_user
from dashboard.db.models import AppUser, ImprovementPlan
from dashboard.services.plans import create_plan, update_plan
from tests.browser.conftest import dom_click

pytestmark = pytest.mark.browser

START_LINK = "/plans/new?branch=B02&department=SRV&element=S&items=S2,S3"


def _plan_by(runtime, username: str, **form) -> int:
    """A plan created through the service by a demo user; its id."""
    with runtime.write_session() as s:
        user = to_auth_user(s.scalar(select(AppUser).where(AppUser.username == username)))
        return create_plan(s, user, form)


def _type(duo, selector, text):
    field = duo.find_element(selector)
    field.clear()
    field.send_keys(text)


def test_create_plan_from_the_drill_down_and_see_it_listed(
    dash_duo, demo_app, demo_runtime, artifacts_dir, login_as
):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "head.harbour", path="/elements?element=S&by=department")
    dash_duo.wait_for_element("#drill-spots-table", timeout=20)
    start = next(
        a
        for a in dash_duo.find_elements("#drill-spots-table a")
        if a.text == "Start a plan for this weakness"
    )
    href = start.get_attribute("href")
    assert "branch=B02" in href and "department=" in href and "element=S" in href  # the head's branch is kept
    dom_click(dash_duo, start)
    dash_duo.wait_for_element("#plan-title", timeout=20)
    # prefilled from the link
    assert "Responsiveness" in dash_duo.find_element("#plan-element").text
    assert "B02 Harbour" in dash_duo.find_element("#plan-branch").text
    title = 'Shorter queues <img src=x onerror="window.__xss=1">'
    _type(dash_duo, "#plan-title", title)
    _type(dash_duo, "#plan-baseline", "4.2")
    _type(dash_duo, "#plan-target", "5.4")
    _type(dash_duo, "#plan-cost", "25000")
    dom_click(dash_duo, "#plan-save")
    dash_duo.wait_for_text_to_equal("#plan-title-heading", title, timeout=20)
    with demo_runtime.read_session() as s:
        plan = s.scalar(select(ImprovementPlan).where(ImprovementPlan.title == title))
        assert plan.element == "S" and plan.cost == 25_000 and plan.target_score == 5.4
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
        form = dict(
            title="Eastbrook refurbishment (phase 2)", branch="B07", department="ACC", element="T",
            items=["T1", "T2"], owner=fresh.owner_id, stage=fresh.stage, status=fresh.status,
            start=fresh.start_on, due=fresh.due_on, cost=fresh.cost,
        )  # fmt: skip
        update_plan(s, other, plan_id, fresh.version, form)
    _type(dash_duo, "#plan-title", "My competing title")
    dom_click(dash_duo, "#plan-save")
    dash_duo.wait_for_contains_text("#plan-stale", "admin changed this plan", timeout=20)
    assert dash_duo.find_element("#plan-title").get_attribute("value") == "My competing title"
    with demo_runtime.read_session() as s:
        assert s.get(ImprovementPlan, plan_id).title == "Eastbrook refurbishment (phase 2)"
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_team_member_cannot_edit_a_colleagues_plan_in_their_own_unit(
    dash_duo, demo_app, demo_runtime, login_as
):
    """Same unit, so visible, but owned by the unit's manager: the page shows
    it read-only, without the edit form or the action switches' add row."""
    colleague_plan = _plan_by(
        demo_runtime, "head.harbour",
        title="Manager's own queue plan", branch="B02", department="SRV", element="S",
        items=["S1"], start="2026-01-01", due="2026-06-30",
    )  # fmt: skip
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "team.harbour", path=f"/plans/{colleague_plan}")
    dash_duo.wait_for_text_to_equal("#plan-title-heading", "Manager's own queue plan", timeout=20)
    dash_duo.wait_for_text_to_equal("#plan-readonly", "You can view this plan but not change it.")
    assert not dash_duo.driver.find_elements("css selector", "#plan-save")
    assert not dash_duo.driver.find_elements("css selector", "#plan-action-add")
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_invalid_form_marks_the_fields_and_keeps_the_typing(dash_duo, demo_app, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "head.harbour", path=START_LINK)
    dash_duo.wait_for_element("#plan-title", timeout=20)
    _type(dash_duo, "#plan-title", "Q")  # too short
    _type(dash_duo, "#plan-target", "5.5")
    _type(dash_duo, "#plan-cost", "1200")
    dom_click(dash_duo, "#plan-save")
    dash_duo.wait_for_contains_text("#plan-errors", "Title: a title of 3 to 200 characters", timeout=20)
    assert "is-invalid" in dash_duo.find_element("#plan-title").get_attribute("class")
    for selector in ("#plan-target", "#plan-cost", "#plan-start", "#plan-element"):
        assert "is-invalid" not in dash_duo.find_element(selector).get_attribute("class")
    for selector, typed in (("#plan-title", "Q"), ("#plan-target", "5.5"), ("#plan-cost", "1200")):
        assert dash_duo.find_element(selector).get_attribute("value") == typed
    assert dash_duo.driver.current_url.endswith(START_LINK)  # nothing created, still the form
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_out_of_range_numbers_are_refused_by_name_not_dropped(dash_duo, demo_app, demo_runtime, login_as):
    """A browser's number input with min/max reports 9 on a 1-7 scale as no
    value at all; the form sends what was typed, so the server names it."""
    from sqlalchemy import func

    with demo_runtime.read_session() as s:
        plans_before = s.scalar(select(func.count()).select_from(ImprovementPlan))
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "team.harbour", path="/plans/new")
    dash_duo.wait_for_element("#plan-title", timeout=20)
    _type(dash_duo, "#plan-title", "Faster call-backs")
    typed = {"#plan-baseline": "9", "#plan-target": "0", "#plan-cost": "-100"}
    for selector, text in typed.items():
        _type(dash_duo, selector, text)
    dom_click(dash_duo, "#plan-save")  # no element chosen either
    dash_duo.wait_for_element("#plan-errors", timeout=20)
    errors = dash_duo.find_element("#plan-errors").text
    for message in (
        "Targeted RATER element: choose the RATER element the plan targets",
        "Baseline score: must be between 1 and 7",
        "Target score: must be between 1 and 7",
        "Cost: must not be negative",
    ):
        assert message in errors, errors
    for selector in (*typed, "#plan-element"):
        assert "is-invalid" in dash_duo.find_element(selector).get_attribute("class"), selector
    assert "is-invalid" not in dash_duo.find_element("#plan-title").get_attribute("class")
    for selector, text in typed.items():
        assert dash_duo.find_element(selector).get_attribute("value") == text

    # corrected: saved with exactly the numbers typed
    dash_duo.select_dcc_dropdown("#plan-element", value="Responsiveness")
    _type(dash_duo, "#plan-baseline", "4.5")
    _type(dash_duo, "#plan-target", "5.5")
    _type(dash_duo, "#plan-cost", "2500")
    dom_click(dash_duo, "#plan-save")
    dash_duo.wait_for_text_to_equal("#plan-title-heading", "Faster call-backs", timeout=20)
    with demo_runtime.read_session() as s:
        assert s.scalar(select(func.count()).select_from(ImprovementPlan)) == plans_before + 1
        plan = s.scalar(select(ImprovementPlan).where(ImprovementPlan.title == "Faster call-backs"))
        assert (plan.baseline_score, plan.target_score, plan.cost) == (4.5, 5.5, 2500)
    assert dash_duo.find_element("#plan-cost").get_attribute("value") == "2500"  # shown as stored
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_a_branch_link_is_completed_with_the_heads_own_department(dash_duo, demo_app, login_as):
    """The drill-down by branch links with ?branch= only; Lending's head can
    only hold Lending plans, so the form fills in the department."""
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "head.lending", path="/plans/new?branch=B04&element=R&items=R1")
    dash_duo.wait_for_element("#plan-title", timeout=20)
    assert "Lending" in dash_duo.find_element("#plan-department").text
    assert "B04" in dash_duo.find_element("#plan-branch").text
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_a_link_to_a_unit_outside_the_scope_falls_back_and_says_so(dash_duo, demo_app, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "head.lending", path="/plans/new?branch=B02&department=SRV&element=S")
    dash_duo.wait_for_contains_text("#plan-link-outside", "The linked department is outside", timeout=20)
    assert "your own department is filled in instead" in dash_duo.find_element("#plan-link-outside").text
    assert "Lending" in dash_duo.find_element("#plan-department").text
    assert "B02 Harbour" in dash_duo.find_element("#plan-branch").text  # in scope: kept

    dash_duo.driver.delete_all_cookies()  # sign out
    login_as(dash_duo, "team.harbour", path="/plans/new?branch=B01&department=LEN")
    dash_duo.wait_for_contains_text("#plan-link-outside", "The linked branch is outside", timeout=20)
    assert "The linked department is outside" in dash_duo.find_element("#plan-link-outside").text
    assert "B02 Harbour" in dash_duo.find_element("#plan-branch").text
    assert "Service" in dash_duo.find_element("#plan-department").text
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_an_added_action_shows_in_place_with_its_history(dash_duo, demo_app, demo_runtime, login_as):
    """Adding an action renders the plan again as stored (actions, history,
    version) without leaving or reloading the page; the next save is not
    refused as stale."""
    plan_id = _plan_by(
        demo_runtime, "executive",
        title="Branch signage refresh", branch="B03", department="ACC", element="T",
        items=["T2"], start="2026-01-01", due="2026-09-30",
    )  # fmt: skip
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path=f"/plans/{plan_id}")
    dash_duo.wait_for_element("#plan-action-text", timeout=20)
    dash_duo.driver.execute_script("window.__same_page = true")  # gone after a reload
    _type(dash_duo, "#plan-action-text", "Order new door signs")
    dom_click(dash_duo, "#plan-action-add")
    dash_duo.wait_for_contains_text("#plan-actions", "Order new door signs", timeout=20)
    assert dash_duo.driver.execute_script("return window.__same_page === true")
    assert dash_duo.driver.current_url.endswith(f"/plans/{plan_id}")
    # the body was just rendered again: type into the new input and see it hold the text
    renamed = "Branch signage refresh (phase 1)"
    for _ in range(5):
        _type(dash_duo, "#plan-title", renamed)
        if dash_duo.find_element("#plan-title").get_attribute("value") == renamed:
            break
        time.sleep(0.5)
    dom_click(dash_duo, "#plan-save")
    dash_duo.wait_for_element("#plan-saved", timeout=20)
    with demo_runtime.read_session() as s:
        plan = s.get(ImprovementPlan, plan_id)
        assert plan.title == renamed
        assert [a.text for a in plan.actions] == ["Order new door signs"]
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
