"""Every page in real Chromium at laptop and tablet width; the gaps and unit
pages show the services' numbers; rankings open a unit page; the unit page's
URL restores the view; a department head cannot open other units."""

from __future__ import annotations

import os

import pytest
from selenium.webdriver.common.keys import Keys

from dashboard.auth.scope import Scope
from dashboard.components.cards import fmt
from dashboard.services.gaps_view import gaps_view
from dashboard.services.unit_view import resolve_unit, unit_summary
from dashboard.services.view_state import load_global_filters, query_filters
from dashboard.urlstate import GAPS, UNIT

pytestmark = pytest.mark.browser

# a selector each page renders only once its data is on screen
PAGES = {
    "/": "#kpi-csi-value",
    "/rankings": "#rankings-table",
    "/elements": "#drill-elements-table",
    "/gaps": "#gaps-table",
    "/unit": "#unit-branches",
    "/unit?branch=B02": "#unit-items-table",
    "/managers?wave=all": "#managers-table",
    "/churn": "#churn-table",
    "/plans": "#plans-table",
}


# the elements that stick out to the right, to say what overflows
WIDEST = (
    "return [...document.querySelectorAll('body *')]"
    ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth)"
    ".slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)"
)


def _wait_for_graphs(duo, timeout: float = 25) -> None:
    """Until every graph on the page has drawn and no callback is loading."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(duo.driver, timeout).until(
        lambda d: d.execute_script(
            "return [...document.querySelectorAll('.dash-graph')].every(g => g.querySelector('.main-svg'))"
            " && !document.querySelector('[data-dash-is-loading]')"
        )
    )


def _search(duo) -> str:
    url = duo.driver.current_url
    return "?" + url.split("?", 1)[1] if "?" in url else ""


@pytest.mark.parametrize("width", [1366, 768])
def test_every_page_at_laptop_and_tablet_width(dash_duo, demo_app, artifacts_dir, login_as, width):
    dash_duo.start_server(demo_app)
    dash_duo.driver.set_window_size(width, 1000)
    login_as(dash_duo, "executive")
    nav = [
        a.get_attribute("href").removeprefix(dash_duo.server_url)
        for a in dash_duo.find_elements(".navbar .nav-link")
    ]
    # the navbar lists every registered page in `order`
    assert nav[:5] == ["/", "/rankings", "/elements", "/gaps", "/unit"], nav
    for path, ready in PAGES.items():
        if path.split("?")[0] not in nav:
            continue  # a page another branch adds (plans, churn) before it is merged
        dash_duo.wait_for_page(dash_duo.server_url + path)
        dash_duo.wait_for_element(ready, timeout=25)
        _wait_for_graphs(dash_duo)
        name = path.strip("/").replace("?", "-").replace("=", "-") or "overview"
        dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, f"page-{name}-{width}.png"))
        # nothing wider than the window: no sideways scrolling of the whole page
        overflow = dash_duo.driver.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, width, overflow, dash_duo.driver.execute_script(WIDEST))
        assert dash_duo.get_logs() == [], (path, dash_duo.get_logs())


def test_gaps_page_shows_the_service_numbers(dash_duo, demo_app, demo_runtime, artifacts_dir, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path="/gaps?from=2025-Q1&segment=retail")
    dash_duo.wait_for_element("#gaps-table", timeout=25)
    with demo_runtime.read_session() as session:
        current, waves = load_global_filters(session, GAPS.parse(_search(dash_duo)))
        filters = query_filters(current, waves)
        view = gaps_view(session, Scope.everything(), filters, demo_runtime.settings.min_n)
    assert current.segment == "retail" and current.wave_from == "2025-Q1"
    for r in view.table.itertuples():
        shown = {
            key: dash_duo.find_element(f"#gaps-{key}-{r.element} .gaps-value").text
            for key in ("gap1", "gap2", "gap3", "gap4", "gap5")
        }
        expected = {key: "—" if getattr(r, key) != getattr(r, key) else None for key in shown}
        for key, digits in (("gap1", 2), ("gap2", 1), ("gap3", 1), ("gap5", 2)):
            expected[key] = expected[key] or f"{getattr(r, key):+.{digits}f}"
        expected["gap4"] = fmt(r.gap4, 0, "%")
        assert shown == expected, (r.element, shown)
        # every shown gap states its interval and n under the value
        gap5 = view.summary[(view.summary["gap"] == 5) & (view.summary["element"] == r.element)].iloc[0]
        detail = dash_duo.find_element(f"#gaps-gap5-{r.element} small").text
        assert detail == f"[{gap5.ci_low:.2f}, {gap5.ci_high:.2f}] n = {gap5.n} customers", detail
        ranks = dash_duo.find_element(f"#gaps-row-{r.element} td:nth-child(3)").text
        assert ranks == f"{int(r.customer_rank)} / {int(r.management_rank)}"
    # the classic finding: customers rank Reliability first, management Tangibles
    assert dash_duo.find_element("#gaps-row-R td:nth-child(3)").text.startswith("1 /")
    assert dash_duo.find_element("#gaps-row-T td:nth-child(3)").text.endswith("/ 1")
    assert "self-selected" in dash_duo.find_element("#gaps-channel-note").text
    assert dash_duo.find_element("#gaps-sources")
    assert f"{view.weighted_servqual:+.2f}" in dash_duo.find_element("#gaps-summary").text
    markers = dash_duo.find_elements("#gaps-quadrants .scatterlayer .point")
    assert len(markers) == len(view.drivers) == 5
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "gaps.png"))
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_a_selection_without_ratings_explains_itself(dash_duo, demo_app, login_as):
    """Complaints carry no RATER ratings: the gaps page and the drill-down say
    so and keep the filter bar (the gaps page used to fail with a blank page)."""
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path="/gaps?channel=complaint")
    assert "No RATER ratings" in dash_duo.wait_for_element("#gaps-empty", timeout=25).text
    assert dash_duo.find_element("#gaps-channel")  # the filter bar is still there to undo the choice
    dash_duo.driver.get(f"{dash_duo.server_url}/elements?channel=complaint")
    assert "No RATER ratings" in dash_duo.wait_for_element("#drill-empty", timeout=25).text
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_unit_page_numbers_plans_and_copied_url(dash_duo, demo_app, demo_runtime, artifacts_dir, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "executive", path="/rankings?unit=branch&element=S&wave=all&sort=n")
    dash_duo.wait_for_element("#rankings-open-B02", timeout=25)
    rows = [r.text.split(" ") for r in dash_duo.find_elements("#rankings-table tbody tr")]
    ranked_n = [int(r[-1].replace(",", "")) for r in rows if r[0] != "—"]
    assert len(ranked_n) > 3 and ranked_n == sorted(ranked_n, reverse=True)  # sorted by responses
    link = dash_duo.find_element("#rankings-open-B02")
    dash_duo.driver.execute_script("arguments[0].click()", link)  # rankings -> the unit page
    dash_duo.wait_for_contains_text("#unit-title", "(B02)", timeout=25)
    assert dash_duo.driver.current_url.endswith("/unit?branch=B02")

    dash_duo.find_element("#unit-from").click()
    dash_duo.wait_for_element(".dash-dropdown-search").send_keys("Q1 2022" + Keys.ENTER)
    dash_duo.wait_for_contains_text("#unit-selection", "2022-Q1 to", timeout=25)
    search = _search(dash_duo)
    assert "branch=B02" in search and "from=2022-Q1" in search
    with demo_runtime.read_session() as session:
        current, waves = load_global_filters(session, UNIT.parse(search))
        unit = resolve_unit(session, Scope.everything(), "B02", None)
        summary = unit_summary(
            session,
            Scope.everything(),
            query_filters(current, waves),
            unit,
            waves,
            demo_runtime.settings.min_n,
        )
    last = summary.trend.iloc[-1]
    assert dash_duo.find_element("#unit-csi-value").text == fmt(last["csi"])
    assert f"n = {int(last['n']):,}" in dash_duo.find_element("#unit-csi-detail").text
    shown = [td.text for td in dash_duo.find_elements("#unit-items-table .unit-item-csi")]
    assert shown == [fmt(v) for v in summary.weakest_items["csi"]]
    assert dash_duo.find_element("#unit-peers-verdict").text == summary.peers.verdict
    plans = dash_duo.find_element("#unit-plans-table").text
    assert "Harbour responsiveness programme" in plans
    plan_id = int(
        summary.plans.loc[summary.plans["title"] == "Harbour responsiveness programme", "plan_id"].iloc[0]
    )
    link = dash_duo.find_element("#unit-plans-table a")
    assert link.get_attribute("href").endswith(f"/plans/{plan_id}")
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "unit.png"))

    # the copied URL restores the same view; back and forward walk the filter change
    copied, kpi = dash_duo.driver.current_url, dash_duo.find_element("#unit-csi-detail").text
    dash_duo.wait_for_page(dash_duo.server_url + "/gaps")
    dash_duo.wait_for_page(copied)
    dash_duo.wait_for_text_to_equal("#unit-csi-detail", kpi, timeout=25)
    dash_duo.driver.back()
    dash_duo.wait_for_element("#gaps-table", timeout=25)
    dash_duo.driver.forward()
    dash_duo.wait_for_text_to_equal("#unit-csi-detail", kpi, timeout=25)
    assert dash_duo.get_logs() == [], dash_duo.get_logs()


def test_department_head_cannot_open_other_units(dash_duo, demo_app, login_as):
    dash_duo.start_server(demo_app)
    login_as(dash_duo, "head.lending", path="/unit")
    dash_duo.wait_for_element("#unit-departments", timeout=25)
    assert dash_duo.find_element("#unit-departments").text.startswith("LEN ")
    assert len(dash_duo.find_elements("#unit-departments a")) == 1
    # forged ids: another department, and a branch x department outside the scope
    for forged in ("/unit?department=SRV", "/unit?branch=B02&department=SRV"):
        dash_duo.wait_for_page(dash_duo.server_url + forged)
        dash_duo.wait_for_element("#unit-refused", timeout=25)
        body = dash_duo.find_element("#unit-body").text
        assert "Harbour responsiveness programme" not in body and "Service Desk" not in body
    # own department across branches works, and lists nothing of other departments
    dash_duo.wait_for_page(dash_duo.server_url + "/unit?department=LEN")
    dash_duo.wait_for_element("#unit-items-table", timeout=25)
    assert "Lending (LEN)" in dash_duo.find_element("#unit-title").text
    dash_duo.wait_for_page(dash_duo.server_url + "/gaps")
    dash_duo.wait_for_element("#gaps-table", timeout=25)
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
