"""The churn page in real Chromium: scoped list with reasons, a customer's
history on click, model quality for admins only, an audited export."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select

from dashboard.auth.scope import Scope
from dashboard.db.models import AuditEntry
from dashboard.services import churn
from tests.browser.conftest import dom_click

pytestmark = pytest.mark.browser


def test_admin_sees_list_history_model_and_exports(dash_duo, demo_app, demo_runtime, artifacts_dir, login_as):
    with demo_runtime.read_session() as s:
        expected = churn.at_risk(s, Scope.everything())
        summary = churn.exposure(expected)
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "admin", path="/churn")
    dash_duo.wait_for_element("#churn-table", timeout=30)
    assert dash_duo.find_element("#churn-kpi-customers-value").text == f"{summary['customers']:,}"
    first = dash_duo.find_elements("#churn-table tbody tr")[0].text
    top = expected.iloc[0]
    assert first.startswith(f"{top.external_ref} {top.branch} {top.segment}")
    assert f"{100 * top.probability:.1f}%" in first
    dash_duo.wait_for_element("#churn-model-metrics")
    assert "Held-out AUC" in dash_duo.find_element("#churn-model-metrics").text
    button = next(
        b for b in dash_duo.find_elements('button[id*="churn-customer"]') if b.text == top.external_ref
    )
    dom_click(dash_duo, button)
    dash_duo.wait_for_contains_text("#churn-history", top.external_ref, timeout=30)
    assert "Service requests" in dash_duo.find_element("#churn-history").text
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "churn.png"))
    dom_click(dash_duo, "#churn-export")
    detail = None
    for _ in range(50):  # the server writes the export to the audit log
        with demo_runtime.read_session() as s:
            query = select(AuditEntry.detail).where(
                AuditEntry.action == "export", AuditEntry.username == "admin"
            )
            detail = s.scalar(query)
        if detail:
            break
        time.sleep(0.2)
    assert detail is not None and detail["rows"] == summary["customers"]
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_team_member_sees_only_their_unit_and_no_model_card(dash_duo, demo_app, demo_runtime, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "team.harbour", path="/churn")
    dash_duo.wait_for_element("#churn-table", timeout=30)
    branches = {row.text.split(" ")[1] for row in dash_duo.find_elements("#churn-table tbody tr")}
    assert branches == {"B02"}
    assert not dash_duo.find_elements("#churn-model")
    with demo_runtime.read_session() as s:
        outsider = churn.at_risk(s, Scope.everything())
        outsider = outsider[outsider["branch"] != "B02"].iloc[0]
    dash_duo.wait_for_page(f"{dash_duo.server_url}/churn?customer={int(outsider.customer_id)}")
    dash_duo.wait_for_text_to_equal(
        "#churn-history", "This customer does not exist or is not available to you.", timeout=30
    )
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_a_script_in_a_comment_stays_text(dash_duo, demo_app, demo_runtime, login_as):
    from sqlalchemy import update

    from dashboard.db.models import Response

    payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    with demo_runtime.write_session() as s:
        customer_id, response_id = s.execute(
            select(Response.customer_id, Response.id)
            .where(Response.customer_id.is_not(None))
            .order_by(Response.submitted_at.desc())
            .limit(1)
        ).one()
        s.execute(update(Response).where(Response.id == response_id).values(comment=payload))
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path=f"/churn?customer={customer_id}")
    dash_duo.wait_for_contains_text("#churn-history", "<script>window.__xss=2</script>", timeout=30)
    assert dash_duo.driver.execute_script("return window.__xss === undefined")
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_on_a_tablet_a_clicked_customer_s_history_comes_into_view(dash_duo, demo_app, login_as):
    """Below the lg breakpoint the columns stack; the history used to render
    below the 100-row list, out of sight, so a click seemed to do nothing."""
    dash_duo.start_server(demo_app)
    dash_duo.driver.set_window_size(768, 1024)
    try:
        login_as(dash_duo, "executive", path="/churn")
        dash_duo.wait_for_element("#churn-table", timeout=30)
        buttons = dash_duo.find_elements('button[id*="churn-customer"]')
        chosen = buttons[min(30, len(buttons) - 1)]
        ref = chosen.text
        dom_click(dash_duo, chosen)
        dash_duo.wait_for_contains_text("#churn-history", ref, timeout=30)
        for _ in range(50):  # the scroll follows the re-render
            top, height = dash_duo.driver.execute_script(
                "return [document.getElementById('churn-history').getBoundingClientRect().top,"
                " window.innerHeight];"
            )
            if -1 <= top < height:  # sub-pixel rounding
                break
            time.sleep(0.1)
        assert -1 <= top < height, (top, height)
        assert dash_duo.get_logs() == [], dash_duo.get_logs()
    finally:
        dash_duo.driver.set_window_size(1366, 900)
