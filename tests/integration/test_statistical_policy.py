"""The statistical policy (docs/ANALYTICS.md "Statistical policy") on a small
hand-made data set: 3 branches x 2 departments x 2 waves, one branch (B3)
with only 6 respondents. The files are written here and imported the way a
customer imports them; every expected number is computed from the answers
this module writes, with pandas, scipy and statsmodels (oracles), never with
the product's functions.

Checked in the CLI (`csat metrics`, through click's CliRunner) and in the
page services: the minimum n counts respondents, item answers pooled over a
respondent are not independent (statsmodels' cluster-robust standard error,
one cluster per respondent, is the oracle), a change is refused for small
groups and states its direction and scale; and with CSAT_MIN_N above B3's
size no output carries a number from a smaller group."""

from __future__ import annotations

import contextlib
import functools
import json
import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from click.testing import CliRunner
from scipy import stats
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.auth.users import NewUser, create_user
from dashboard.cli import main
from dashboard.config import Settings
from dashboard.db.models import AppUser, Branch
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.runtime import Runtime
from dashboard.services.drilldown import element_profile, item_table, weak_spots
from dashboard.services.overview import home_summary
from dashboard.services.rankings import ranking_view
from dashboard.services.unit_view import resolve_unit, unit_summary
from dashboard.webapp import create_app
from tests.integration.import_fixtures import run_import
from tests.support.databases import BACKENDS, throwaway_engine
from tests.support.web_client import post_callback, router_request, signed_in_test_client

EVERYONE = Scope.everything()
ELEMENTS = {"R": ["R1", "R2"], "A": ["A1", "A2"], "T": ["T1", "T2"], "E": ["E1", "E2"], "S": ["S1", "S2"]}
ITEMS = [c for codes in ELEMENTS.values() for c in codes]
BRANCHES = {"B1": "Riverside", "B2": "Eastbrook", "B3": "Kiosk"}
DEPARTMENTS = {"D1": "Accounts", "D2": "Lending"}
WAVES = ["W-2026-Q2", "W-2026-Q3"]
PER_UNIT_AND_WAVE = 8  # B1 and B2: 8 respondents per department and wave (32 per branch)
SMALL = {("W-2026-Q2", "D1"): 2, ("W-2026-Q2", "D2"): 1, ("W-2026-Q3", "D1"): 1, ("W-2026-Q3", "D2"): 2}
MIN_N = 10
PASSWORD = "policy-pages-password-1"


def _template() -> str:
    lines = [
        "code: POLICY",
        "name: Policy survey",
        "audience: customer",
        "scale: {min: 1, max: 7}",
        "questions:",
    ]
    for element, codes in ELEMENTS.items():
        lines += [f'  - {{code: {c}, element: {element}, asks: [E, P], text: "Item {c}"}}' for c in codes]
    lines.append(
        "  - {code: OVERALL, construct: overall, asks: [P], scale: {min: 1, max: 10}, required: true, "
        'text: "All"}'
    )
    lines.append(
        '  - {code: NPS, type: nps, construct: recommend, asks: [P], scale: {min: 0, max: 10}, text: "NPS"}'
    )
    return "\n".join(lines) + "\n"


def _responses(seed: int = 13) -> pd.DataFrame:
    """One row per respondent. A person effect shared by all their answers
    makes answers of one respondent correlated (the case clustering is for);
    B1 improves from the first wave to the second."""
    rng = np.random.default_rng(seed)
    shift = {"B1": 0.0, "B2": -0.6, "B3": 0.4}
    rows = []
    for w, wave in enumerate(WAVES):
        for branch in BRANCHES:
            for department in DEPARTMENTS:
                count = SMALL[wave, department] if branch == "B3" else PER_UNIT_AND_WAVE
                for j in range(count):
                    person = rng.normal(0, 1.0) + shift[branch] + (0.9 if branch == "B1" and w == 1 else 0)
                    row = {
                        "response_id": f"{wave}-{branch}-{department}-{j}",
                        "wave": wave,
                        "customer_ref": "",
                        "branch_code": branch,
                        "department_code": department,
                        "channel": "survey",
                        "submitted_at": f"2026-{5 + 3 * w:02d}-15 10:00",
                        "segment": "retail" if j % 2 else "sme",
                    }
                    for code in ITEMS:
                        row[f"{code}_P"] = int(np.clip(np.rint(4.5 + person + rng.normal(0, 0.7)), 1, 7))
                        row[f"{code}_E"] = int(np.clip(np.rint(5.5 + rng.normal(0, 0.8)), 1, 7))
                    row["OVERALL"] = int(np.clip(np.rint(6.5 + 1.4 * person + rng.normal(0, 0.8)), 1, 10))
                    row["NPS"] = int(np.clip(np.rint(7 + person + rng.normal(0, 1.5)), 0, 10))
                    rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module", params=BACKENDS)
def policy(request, tmp_path_factory):
    """(engine, wide responses) of the hand-made data set, imported from files."""
    tmp = tmp_path_factory.mktemp(f"policy-{request.param}")
    units = pd.DataFrame(
        [
            {
                "branch_code": b,
                "branch_name": bn,
                "region": "South",
                "department_code": d,
                "department_name": dn,
            }
            for b, bn in BRANCHES.items()
            for d, dn in DEPARTMENTS.items()
        ]
    )
    waves = pd.DataFrame(
        {
            "code": WAVES,
            "name": ["Q2 2026", "Q3 2026"],
            "template_code": "POLICY",
            "period_start": ["2026-04-01", "2026-07-01"],
            "period_end": ["2026-06-30", "2026-09-30"],
        }
    )
    responses = _responses()
    units.to_csv(tmp / "units.csv", index=False)
    (tmp / "policy.yaml").write_text(_template())
    waves.to_csv(tmp / "waves.csv", index=False)
    responses.to_csv(tmp / "responses.csv", index=False)
    with throwaway_engine(request.param, tmp) as engine:
        for kind, name in (
            ("units", "units.csv"),
            ("template", "policy.yaml"),
            ("waves", "waves.csv"),
            ("responses", "responses.csv"),
        ):
            report = run_import(engine, kind, tmp / name)
            assert report.rows_written > 0, report.summary()
        yield engine, responses


# --- the oracle: pandas, scipy and statsmodels on the answers written above ----------------
def _long(responses: pd.DataFrame) -> pd.DataFrame:
    keys = ["response_id", "wave", "branch_code", "department_code"]
    parts = [
        responses[keys].assign(element=e, code=c, p=responses[f"{c}_P"], e=responses[f"{c}_E"])
        for e, codes in ELEMENTS.items()
        for c in codes
    ]
    return pd.concat(parts, ignore_index=True)


def _item_index(mean):
    return 100 * (mean - 1) / 6


def _cluster_se(answers: pd.DataFrame) -> float:
    """statsmodels' cluster-robust standard error of the mean answer, one
    cluster per respondent, in index points of the 1-7 scale."""
    fit = sm.OLS(answers["p"].to_numpy(float), np.ones(len(answers))).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(answers["response_id"])[0]}
    )
    return 100 * float(fit.bse[0]) / 6


def _cli(engine, monkeypatch, min_n: int, *args: str) -> dict:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CSAT_MIN_N", str(min_n))
    result = CliRunner().invoke(main, ["metrics", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _branch_codes(engine) -> dict[int, str]:
    with Session(engine) as session:
        return dict(session.execute(select(Branch.id, Branch.code)).all())


def _check_interval(row: dict, answers: pd.DataFrame) -> None:
    """csi = mean of the answers; se = the cluster-robust se; the interval is
    Student t on respondents - 1 degrees of freedom."""
    people = answers["response_id"].nunique()
    assert row["respondents"] == people and row["n"] == len(answers)
    assert row["csi"] == pytest.approx(_item_index(answers["p"].mean()))
    se = _cluster_se(answers)
    assert row["se"] == pytest.approx(se, rel=1e-9)
    half = stats.t.ppf(0.975, people - 1) * se
    assert (row["csi_low"], row["csi_high"]) == pytest.approx((row["csi"] - half, row["csi"] + half))
    assert row["ci_basis"] == "respondents"


# --- the minimum counts respondents; pooled items are clustered by respondent ----------------
def test_csi_by_branch_and_element_counts_respondents(policy, monkeypatch):
    engine, responses = policy
    out = _cli(engine, monkeypatch, MIN_N, "csi", "--by", "branch_id,element")
    assert "index points 0-100" in out["scale"] and out["min_n"] == MIN_N
    codes, answers = _branch_codes(engine), _long(responses)
    rows = {(codes[r["branch_id"]], r["element"]): r for r in out["rows"]}
    assert set(rows) == {(b, e) for b in BRANCHES for e in ELEMENTS}
    for element in ELEMENTS:
        small = rows["B3", element]  # 12 answers from 6 people: below a minimum of 10 respondents
        assert small["n"] == 12 and small["respondents"] == 6 and small["suppressed"]
        assert all(small[k] is None for k in ("csi", "csi_low", "csi_high", "se"))
        for branch in ("B1", "B2"):
            mine = answers[(answers["branch_code"] == branch) & (answers["element"] == element)]
            _check_interval(rows[branch, element], mine)


def test_csi_by_branch_pools_items_with_respondent_clusters(policy, monkeypatch):
    engine, responses = policy
    out = _cli(engine, monkeypatch, MIN_N, "csi", "--by", "branch_id")
    codes, answers = _branch_codes(engine), _long(responses)
    rows = {codes[r["branch_id"]]: r for r in out["rows"]}
    assert set(rows) == set(BRANCHES)  # the RATER items pooled, one row per branch
    assert rows["B3"]["respondents"] == 6 and rows["B3"]["csi"] is None and rows["B3"]["suppressed"]
    for branch in ("B1", "B2"):
        mine = answers[answers["branch_code"] == branch]
        _check_interval(rows[branch], mine)
        naive = 100 * mine["p"].std(ddof=1) / np.sqrt(len(mine)) / 6  # 320 answers taken as independent
        assert rows[branch]["se"] > 1.5 * naive


def test_csi_by_wave_and_construct_clusters_the_pooled_items(policy, monkeypatch):
    engine, responses = policy
    out = _cli(engine, monkeypatch, MIN_N, "csi", "--by", "wave_id,construct")
    answers = _long(responses)
    with Session(engine) as session:
        codes = reference.waves(session).set_index("wave_id")["code"]
    rows = {(codes[r["wave_id"]], r["construct"]): r for r in out["rows"]}
    for wave in WAVES:
        _check_interval(rows[wave, None], answers[answers["wave"] == wave])  # the RATER items
        overall = rows[wave, "overall"]  # one question: one answer per respondent, Student t
        mine = responses.loc[responses["wave"] == wave, "OVERALL"]
        assert overall["ci_basis"] == "respondents" and overall["respondents"] == len(mine)
        low, high = stats.t.interval(0.95, len(mine) - 1, mine.mean(), stats.sem(mine))
        assert (overall["csi_low"], overall["csi_high"]) == pytest.approx(
            (100 * (low - 1) / 9, 100 * (high - 1) / 9)
        )


def test_csi_by_branch_and_item_keeps_the_items_own_interval(policy, monkeypatch):
    engine, responses = policy
    out = _cli(engine, monkeypatch, MIN_N, "csi", "--by", "branch_id,element,code")
    codes = _branch_codes(engine)
    rows = {(codes[r["branch_id"]], r["code"]): r for r in out["rows"]}
    assert rows["B3", "R1"]["csi"] is None and rows["B3", "R1"]["respondents"] == 6
    mine = responses.loc[responses["branch_code"] == "B2", "T2_P"]  # one answer per respondent
    low, high = stats.t.interval(0.95, len(mine) - 1, mine.mean(), stats.sem(mine))
    row = rows["B2", "T2"]
    assert row["ci_basis"] == "respondents" and row["respondents"] == len(mine)
    assert (row["csi_low"], row["csi_high"]) == pytest.approx((_item_index(low), _item_index(high)))


def test_servqual_suppresses_small_items_and_elements(policy, monkeypatch):
    engine, responses = policy
    small = _cli(engine, monkeypatch, MIN_N, "servqual", "--branch", "B3")
    assert "raw answer points" in small["scale"] and "1-7" in small["scale"]
    assert {r["gap_status"] for r in small["items"]} == {"too few responses"}
    assert all(r["gap"] is None and r["gap_se"] is None and r["gap_half"] is None for r in small["items"])
    assert {r["status"] for r in small["elements"]} == {"too few responses"}
    assert all(r["gap"] is None and r["respondents"] == 6 for r in small["elements"])
    assert small["unweighted"] == "too few responses"
    big = _cli(engine, monkeypatch, MIN_N, "servqual", "--branch", "B1")
    answers = _long(responses)
    mine = answers[answers["branch_code"] == "B1"]
    gaps = (mine["p"] - mine["e"]).groupby(mine["code"]).mean()
    assert {r["code"]: r["gap"] for r in big["items"]} == pytest.approx(gaps.to_dict())
    by_element = (
        (mine["p"] - mine["e"]).groupby([mine["element"], mine["code"]]).mean().groupby(level=0).mean()
    )
    assert {r["element"]: r["gap"] for r in big["elements"]} == pytest.approx(by_element.to_dict())
    assert big["unweighted"] == pytest.approx(by_element.mean())


def test_change_refuses_small_groups_and_states_direction_and_scale(policy, monkeypatch):
    engine, responses = policy
    refused = _cli(
        engine, monkeypatch, MIN_N, "change", "--wave", WAVES[0], "--wave", WAVES[1], "--branch", "B3"
    )
    assert refused["status"] == "too few responses" and (refused["n_first"], refused["n_second"]) == (3, 3)
    assert not {"diff", "p_value", "significant", "ci_low"} & set(refused)
    out = _cli(engine, monkeypatch, MIN_N, "change", "--wave", WAVES[0], "--wave", WAVES[1], "--branch", "B1")
    assert out["direction"] == f"{WAVES[1]} minus {WAVES[0]}"
    assert out["scale"] == "index points 0-100, from answers on 1-10"
    b1 = responses[responses["branch_code"] == "B1"]
    before, after = (b1.loc[b1["wave"] == w, "OVERALL"] for w in WAVES)
    welch = stats.ttest_ind(after, before, equal_var=False)  # oracle: scipy, second minus first
    ci = welch.confidence_interval()
    assert out["diff"] == pytest.approx(100 * (after.mean() - before.mean()) / 9)
    assert (out["ci_low"], out["ci_high"]) == pytest.approx((100 * ci.low / 9, 100 * ci.high / 9))
    assert out["p_value"] == pytest.approx(welch.pvalue) and out["test"] == "Welch two-sample t-test"
    units = _cli(engine, monkeypatch, MIN_N, "change", "--branch", "B1", "--branch", "B3")
    assert units["status"] == "too few responses" and units["direction"] == "B3 minus B1"
    assert units["n_second"] == 6 and "diff" not in units


def test_options_a_metric_cannot_honour_are_errors(policy, monkeypatch):
    engine, _responses = policy
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    for args, message in (
        (["loyalty", "--element", "R"], "--element applies to ranking only"),
        (["headline", "--by", "branch_id"], "--by applies to csi only"),
        (["index", "--unit", "department"], "--unit applies to ranking and movers only"),
    ):
        result = runner.invoke(main, ["metrics", *args])
        assert result.exit_code != 0 and message in result.output, result.output


def test_page_services_count_respondents_and_cluster(policy):
    engine, responses = policy
    answers = _long(responses)
    with Session(engine) as session:
        b3 = session.scalar(select(Branch.id).where(Branch.code == "B3"))
        profile = element_profile(session, EVERYONE, Filters(branch_ids=(b3,)), MIN_N)
        spots = weak_spots(session, EVERYONE, Filters(), "branch", "R", None, MIN_N)
        ranked = ranking_view(session, EVERYONE, None, "branch", None, MIN_N).table
    assert profile["suppressed"].all() and (profile["respondents"] == 6).all() and profile["csi"].isna().all()
    spots = spots.set_index("label")
    assert spots.loc["B3 Kiosk", "respondents"] == 6 and np.isnan(spots.loc["B3 Kiosk", "csi"])
    b1 = answers[(answers["branch_code"] == "B1") & (answers["element"] == "R")]
    half = stats.t.ppf(0.975, b1["response_id"].nunique() - 1) * _cluster_se(b1)
    row = spots.loc["B1 Riverside"]
    assert row["respondents"] == 32 and row["csi"] == pytest.approx(_item_index(b1["p"].mean()))
    assert (row["csi_low"], row["csi_high"]) == pytest.approx((row["csi"] - half, row["csi"] + half))
    kiosk = ranked.set_index("code").loc["B3"]
    assert kiosk["status"] == "too few responses" and np.isnan(kiosk["mean"]) and np.isnan(kiosk["ci_low"])


# --- CSAT_MIN_N above the small branch: no number from a smaller group anywhere -------------------
COUNTS = ("respondents", "n", "n_p")  # the first present is the group's count of respondents
NUMBERS = (
    "csi", "csi_low", "csi_high", "se", "mean", "ci_low", "ci_high", "shrunk", "shrunk_sd", "value",
    "diff", "rate", "rate_low", "rate_high", "loyal", "mean_recommend", "p_mean", "e_mean", "top_box",
    "total", "total_sq",
)  # fmt: skip
GAPS = ("gap", "gap_se", "gap_half")  # counted by n_gap (respondents with both P and E) where given


def _count(obj: dict, keys) -> float | None:
    return next((obj[k] for k in keys if isinstance(obj.get(k), int | float)), None)


def _leaks(obj, min_n: int, path: str = "") -> list[str]:
    """Paths of numbers shown for a group counted below `min_n`: a record
    with a count under the minimum must carry no estimate."""
    found: list[str] = []
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            found += _leaks(item, min_n, f"{path}[{i}]")
    elif isinstance(obj, dict):
        for fields, counts in ((NUMBERS, COUNTS), (GAPS, ("n_gap", *COUNTS))):
            count = _count(obj, counts)
            if count is not None and count < min_n:
                found += [
                    f"{path}.{k}" for k in fields if isinstance(obj.get(k), int | float) and obj[k] == obj[k]
                ]
        for key, value in obj.items():
            found += _leaks(value, min_n, f"{path}.{key}")
    return found


def _records(frame: pd.DataFrame) -> list[dict]:
    return json.loads(frame.to_json(orient="records"))


def test_a_high_minimum_leaves_no_number_from_a_smaller_group(policy, monkeypatch):
    engine, _responses = policy
    monkeypatch.setenv("CSAT_MIN_N", "7")
    min_n = Settings.from_env().min_n  # what pages and the CLI read, once
    assert min_n == 7
    both = ("--wave", WAVES[0], "--wave", WAVES[1])
    runs = [
        ("headline",),
        ("csi",),
        ("csi", "--by", "branch_id,element"),
        ("csi", "--by", "branch_id"),
        ("csi", "--by", "wave_id,branch_id,department_id"),
        ("csi", "--by", "branch_id,code"),
        ("index",),
        ("servqual", "--branch", "B3"),
        ("ranking",),
        ("ranking", "--element", "R", "--unit", "department"),
        ("drivers", "--branch", "B3"),
        ("loyalty",),
        ("change", *both, "--branch", "B3"),
        ("change", "--branch", "B1", "--branch", "B3"),
        ("movers", *both),
    ]
    # the check can fail: under a minimum of 1 the small branch's numbers are there to find
    assert _leaks(_cli(engine, monkeypatch, 1, "csi", "--by", "branch_id,element"), min_n)
    for args in runs:
        out = _cli(engine, monkeypatch, min_n, *args)
        assert not _leaks(out, min_n), (args, _leaks(out, min_n))
    for metric in ("headline", "index", "servqual", "drivers", "loyalty", "ranking"):
        small = _cli(engine, monkeypatch, min_n, metric, "--branch", "B3")
        assert not _leaks(small, min_n), (metric, _leaks(small, min_n))
    with Session(engine) as session:
        b3 = session.scalar(select(Branch.id).where(Branch.code == "B3"))
        summary = home_summary(session, EVERYONE, min_n=min_n)
        unit = resolve_unit(session, EVERYONE, "B3", None)
        unit_page = unit_summary(session, EVERYONE, Filters(), unit, reference.waves(session), min_n)
        outputs = {
            "home trend": summary.trend,
            "home elements": summary.elements,
            "home ranking": summary.ranking,
            "unit trend": unit_page.trend,
            "unit profile": unit_page.profile,
            "unit weakest items": unit_page.weakest_items,
            "drill profile": element_profile(session, EVERYONE, Filters(branch_ids=(b3,)), min_n),
            "drill items": item_table(session, EVERYONE, Filters(branch_ids=(b3,)), "R", min_n),
            "drill weak spots": weak_spots(session, EVERYONE, Filters(), "branch", "R", None, min_n),
            "drill weak items": weak_spots(session, EVERYONE, Filters(), "branch", "R", "R1", min_n),
            "rankings": ranking_view(session, EVERYONE, None, "branch", "S", min_n).table,
        }
    for name, frame in outputs.items():
        assert not _leaks(_records(frame), min_n), (name, _leaks(_records(frame), min_n))
    assert unit_page.weakest_items.empty and unit_page.profile["csi"].isna().all()
    assert unit_page.trend["csi"].isna().all()  # 3 respondents a wave


# --- the pages themselves, rendered by the app's page router under CSAT_MIN_N=7 --------------------
DECIMAL = re.compile(r"\d+\.\d")


def _texts(node) -> list[str]:
    """Every string shown in a rendered layout (component children)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [t for child in node for t in _texts(child)]
    if isinstance(node, dict):
        props = node.get("props", node)
        return _texts(props.get("children")) if isinstance(props, dict) else []
    return []


def _components(node, kind: str) -> list[dict]:
    found = []
    if isinstance(node, list):
        for child in node:
            found += _components(child, kind)
    elif isinstance(node, dict):
        if node.get("type") == kind:
            found.append(node)
        for value in (node.get("props") or {}).values():
            found += _components(value, kind)
    return found


def _plotted(layout) -> list:
    """The numbers drawn in the layout's charts, by trace."""
    found = []
    for graph in _components(layout, "Graph"):
        for trace in (graph["props"].get("figure") or {}).get("data", []):
            ys = [v for v in trace.get("y") or [] if isinstance(v, int | float)]
            if ys:
                found.append((trace.get("name"), ys))
    return found


def _render(client, path: str, search: str = "") -> dict:
    """The page router's callback, posted as the browser posts it."""
    body = router_request(path, search)
    response = post_callback(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    layout = response.get_json()["response"]["_pages_content"]["children"]
    assert "404 - Page not found" not in _texts(layout), path
    return layout


@contextlib.contextmanager
def _signed_in(policy, monkeypatch, username: str, role: str, **unit: str):
    """A client of the app started from the environment (CSAT_MIN_N=7),
    signed in as a user of `role` created for the test."""
    engine, _responses = policy
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("CSAT_MIN_N", "7")
    monkeypatch.setenv("CSAT_ENV", "test")
    runtime = Runtime.start(Settings.from_env())
    with runtime.write_session() as session:
        if not session.scalar(select(AppUser.id).where(AppUser.username == username)):
            create_user(session, NewUser(username, PASSWORD, role, **unit))
    try:
        yield signed_in_test_client(create_app(runtime=runtime), username, PASSWORD)
    finally:
        runtime.engine.dispose()


@pytest.fixture
def policy_pages(policy, monkeypatch):
    with _signed_in(policy, monkeypatch, "policy.exec", "executive") as client:
        yield client


def test_pages_show_no_number_from_a_group_under_the_minimum(policy_pages):
    client = policy_pages
    for path, search in (("/rankings", "?wave=all"), ("/rankings", "?wave=all&element=R"), ("/", "")):
        layout = _render(client, path, search)
        rows = [" ".join(_texts(tr)) for tr in _components(layout, "Tr")]
        kiosk = [r for r in rows if "B3" in r]
        assert kiosk, (path, rows[:5])  # the small branch is listed, with its n ...
        assert not [r for r in kiosk if DECIMAL.search(r)], (path, kiosk)  # ... and no number
        assert [r for r in rows if "B1" in r and DECIMAL.search(r)]  # the check can find numbers
    spots = _render(client, "/elements", "?element=R&by=branch")
    rows = [" ".join(_texts(tr)) for tr in _components(spots, "Tr")]
    assert [r for r in rows if "B3" in r] and not [r for r in rows if "B3" in r and DECIMAL.search(r)]
    unit = _render(client, "/unit", "?branch=B3")  # every group on this page is under 7 people
    assert "Kiosk" in " ".join(_texts(unit))
    assert not [t for t in _texts(unit) if DECIMAL.search(t)]
    assert not _plotted(unit)


def test_a_viewer_of_the_small_branch_sees_no_number_on_any_page(policy, monkeypatch):
    """A head of B3 (6 respondents, 3 a wave) under CSAT_MIN_N=7: the
    overview, gaps (with its channels section), rankings, drill-down, unit
    and account-manager pages render and show no estimate, since every
    group in that scope is under the minimum."""
    pages = (
        ("/", ""),
        ("/gaps", ""),
        ("/rankings", "?wave=all"),
        ("/elements", "?element=R&by=department"),
        ("/unit", "?branch=B3"),
        ("/managers", "?wave=all"),
    )
    with _signed_in(policy, monkeypatch, "policy.b3", "department_head", branch_code="B3") as client:
        for path, search in pages:
            layout = _render(client, path, search)
            method = ("p < 0.05", "p < 0.001")  # significance levels in the method notes, no estimates
            texts = [functools.reduce(lambda t, m: t.replace(m, ""), method, t) for t in _texts(layout)]
            shown = [t for t in texts if DECIMAL.search(t)]
            assert not shown, (path, shown[:5])
            assert not _plotted(layout), path
