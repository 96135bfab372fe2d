"""The gaps page and the overview on a database built from the sample files
only (no demo), in real Chromium: missing inputs are named with their
import command, the feedback channels carry their bias note, and imported
benchmarks sit beside the organisation's index."""

from __future__ import annotations

import os

import pytest
from sqlalchemy.orm import Session

from dashboard.auth.users import NewUser, create_user
from dashboard.config import Settings
from dashboard.runtime import Runtime
from tests.integration.import_fixtures import SAMPLES, load_samples, run_import
from tests.support.databases import throwaway_engine

PASSWORD = "imported-data-pw-1"


@pytest.fixture
def imported_app(tmp_path):
    """Samples without standards and promises, with benchmarks; min n 2."""
    from dashboard.webapp import create_app  # a fresh Dash app per test, as the demo fixture does

    with throwaway_engine("sqlite", tmp_path) as engine:
        load_samples(engine)
        run_import(engine, "template", SAMPLES / "management_template.yaml")
        for kind in ("management_survey", "audits", "benchmarks"):
            run_import(engine, kind, SAMPLES / f"{kind}.csv")
        with Session(engine) as session:
            create_user(session, NewUser("chief", PASSWORD, "executive", "Chief"))
            session.commit()
        url = engine.url.render_as_string(hide_password=False)
        yield create_app(runtime=Runtime.start(Settings(database_url=url, environment="test", min_n=2)))


def test_gaps_page_names_missing_inputs_and_overview_shows_benchmarks(
    dash_duo, imported_app, login_as, artifacts_dir
):
    dash_duo.start_server(imported_app)
    login_as(dash_duo, "chief", PASSWORD, path="/gaps")
    missing = dash_duo.wait_for_element("#gaps-missing", timeout=25).text
    assert "gap 2 needs service standards: import them with csat import standards" in missing
    assert "gap 4 needs published promises: import them with csat import promises" in missing
    assert dash_duo.find_element("#gaps-gap2-R .gaps-value").text == "—"
    assert dash_duo.find_element("#gaps-gap5-R small").text.endswith("n = 17 customers")
    assert "self-selected" in dash_duo.find_element("#gaps-channel-note").text
    assert dash_duo.find_element("#gaps-channel-S-2026-Q1-comment_card")
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "gaps-imported.png"))
    dash_duo.driver.get(f"{dash_duo.server_url}/")
    benchmarks = dash_duo.wait_for_element("#home-benchmarks", timeout=25).text
    assert "National Customer Satisfaction Index (retail banking)" in benchmarks
    assert "2026-H1" in benchmarks and "no survey wave within this period" in benchmarks
    dash_duo.driver.save_screenshot(os.path.join(artifacts_dir, "overview-benchmarks.png"))
    assert dash_duo.get_logs() == [], dash_duo.get_logs()
