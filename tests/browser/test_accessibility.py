"""What a screen reader announces, read from Chromium's accessibility tree:
every dropdown is named by its visible label (Dash's dropdown names its
button by the current value alone unless the label takes part)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def accessible_name(duo, selector: str) -> str:
    """The accessible name Chromium computes for the element (what a screen
    reader announces), through the DevTools accessibility domain."""
    driver = duo.driver
    root = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    assert node, f"{selector} not in the DOM"
    tree = driver.execute_cdp_cmd("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})
    return tree["nodes"][0]["name"]["value"]


def _names(duo, labels: dict[str, str]) -> dict[str, str]:
    for selector in labels:
        duo.wait_for_element(selector, timeout=20)
    return {selector: accessible_name(duo, selector) for selector in labels}


def _assert_named_by_label(names: dict[str, str], labels: dict[str, str]) -> None:
    for selector, label in labels.items():
        assert names[selector].startswith(label), (selector, names[selector])


FILTER_BAR = {"from": "From wave", "to": "To wave", "segment": "Segment", "channel": "Channel"}


@pytest.mark.parametrize(
    "path, prefix", [("/elements", "drill"), ("/gaps", "gaps"), ("/unit?branch=B02", "unit")]
)
def test_filter_bar_dropdowns_are_named_by_their_labels(dash_duo, demo_app, login_as, path, prefix):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path=path)
    labels = {f"#{prefix}-{key}": label for key, label in FILTER_BAR.items()}
    names = _names(dash_duo, labels)
    _assert_named_by_label(names, labels)
    assert names[f"#{prefix}-segment"] == "Segment All segments"  # label, then the current value
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_churn_and_rankings_dropdowns_are_named_by_their_labels(dash_duo, demo_app, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path="/churn")
    labels = {"#churn-branch": "Branch", "#churn-segment": "Segment", "#churn-manager": "Account manager"}
    names = _names(dash_duo, labels)
    _assert_named_by_label(names, labels)
    assert len(set(names.values())) == 3, names  # not three buttons called "All"

    dash_duo.wait_for_page(dash_duo.server_url + "/rankings")
    labels = {
        "#rankings-unit": "Compare",
        "#rankings-element": "On",
        "#rankings-wave": "Wave",
        "#rankings-sort": "Sort by",
    }
    _assert_named_by_label(_names(dash_duo, labels), labels)
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_plan_form_dropdowns_are_named_by_their_labels(dash_duo, demo_app, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "head.harbour", path="/plans/new?branch=B02&department=SRV&element=S&items=S2,S3")
    labels = {
        "#plan-branch": "Branch",
        "#plan-department": "Department",
        "#plan-element": "Targeted RATER element",
        "#plan-items": "Items",
        "#plan-owner": "Owner",
        "#plan-stage": "Stage",
        "#plan-status": "Status",
    }
    _assert_named_by_label(_names(dash_duo, labels), labels)
    assert accessible_name(dash_duo, "#plan-title") == "Title"  # a plain input, named by its label already
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
