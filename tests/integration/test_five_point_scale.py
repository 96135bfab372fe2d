"""A template on a 1-5 scale through every page service and export, on both
backends, against indices worked out by hand in pandas from the answers this
module writes (the oracle never calls the product: an index here is
100 (mean - 1) / 4, a reverse-coded answer x counts as 6 - x).

The database is built the way a customer builds one: the sample units,
staff and customers, then a 1-5 template, its waves and its responses
imported as files. One unit (N01 x ACC) improves on Reliability after
2026-07-01, where an improvement plan starts."""

from __future__ import annotations

import io
import json
from datetime import date

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy import stats
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.cli import main
from dashboard.db.models import Branch, Department, ImprovementPlan, ServiceStandard
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.services import churn
from dashboard.services.drilldown import element_profile, item_table, weak_spots
from dashboard.services.gaps_view import gaps_view
from dashboard.services.metrics import unit_ranking, weighted_csi
from dashboard.services.overview import home_summary
from dashboard.services.plan_effects import plan_effect, plans_with_effects
from dashboard.services.unit_view import resolve_unit, unit_summary
from tests.integration.import_fixtures import run_import, sample_path
from tests.support.databases import BACKENDS, throwaway_engine

MIN_N = 10
ELEMENT_ITEMS = {
    "R": ["R1", "R2"],
    "A": ["A1", "A2"],
    "T": ["T1", "T2"],
    "E": ["E1", "E2"],
    "S": ["S1", "S2"],
}
REVERSED = "R2"  # asked the other way round: 5 means poor
ITEMS = [code for codes in ELEMENT_ITEMS.values() for code in codes]
UNITS = [("N01", "ACC"), ("N01", "LEN"), ("S01", "ACC"), ("S01", "SRV")]
CUSTOMERS = {"N01": ["007", "C101"], "S01": ["C102", "C104", "C105"]}
WAVES = pd.DataFrame(
    {
        "code": ["F-2026-Q1", "F-2026-Q2", "F-2026-Q3", "F-2026-Q4"],
        "name": ["Q1 2026", "Q2 2026", "Q3 2026", "Q4 2026"],
        "template_code": "FIVE",
        "period_start": ["2026-01-01", "2026-04-01", "2026-07-01", "2026-10-01"],
        "period_end": ["2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31"],
    }
)
PLAN_START = date(2026, 7, 1)
PER_UNIT_AND_WAVE = 12
TARGET = 60.0  # company-wide service standard, index points, every element


def _template() -> str:
    lines = [
        "code: FIVE",
        "name: Five-point customer survey",
        "audience: customer",
        "scale: {min: 1, max: 5}",
        "questions:",
    ]
    for element, codes in ELEMENT_ITEMS.items():
        for code in codes:
            reverse = ", reverse_coded: true" if code == REVERSED else ""
            lines.append(
                f'  - {{code: {code}, element: {element}, asks: [E, P]{reverse}, text: "Item {code}"}}'
            )
    lines.append('  - {code: OVERALL, construct: overall, asks: [P], required: true, text: "Overall"}')
    lines.append(
        '  - {code: NPS, type: nps, construct: recommend, asks: [P], scale: {min: 0, max: 10}, text: "NPS"}'
    )
    return "\n".join(lines) + "\n"


def _responses(seed: int = 5) -> pd.DataFrame:
    """Wide responses as imported: answers on 1-5, REVERSED stored reversed."""
    rng = np.random.default_rng(seed)
    shift = {"R": -0.4, "A": 0.3, "T": 0.1, "E": -0.1, "S": 0.2}
    rows = []
    for w, wave in WAVES.iterrows():
        for u, (branch, department) in enumerate(UNITS):
            for j in range(PER_UNIT_AND_WAVE):
                row = {
                    "response_id": f"F{w}-{u}-{j}",
                    "wave": wave["code"],
                    "customer_ref": CUSTOMERS[branch][j % len(CUSTOMERS[branch])] if j < 3 else "",
                    "branch_code": branch,
                    "department_code": department,
                    "channel": "survey",
                    "submitted_at": f"{wave['period_start'][:8]}15 10:00",
                    "segment": "" if j < 3 else "retail",
                }
                scores = []
                for element, codes in ELEMENT_ITEMS.items():
                    lift = (
                        1.2 if (branch, department) == ("N01", "ACC") and element == "R" and w >= 2 else 0.0
                    )
                    for code in codes:
                        p = int(
                            np.clip(np.rint(3 + shift[element] + 0.3 * u + lift + rng.normal(0, 0.9)), 1, 5)
                        )
                        e = int(np.clip(np.rint(4 + rng.normal(0, 0.7)), 1, 5))
                        scores.append(p)
                        row[f"{code}_P"], row[f"{code}_E"] = (6 - p, 6 - e) if code == REVERSED else (p, e)
                row["OVERALL"] = int(np.clip(np.rint(np.mean(scores) + rng.normal(0, 0.6)), 1, 5))
                row["NPS"] = int(rng.integers(0, 11))
                rows.append(row)
    return pd.DataFrame(rows)


@pytest.fixture(scope="module", params=BACKENDS)
def five(request, tmp_path_factory):
    """(engine, wide responses) of a database with the 1-5 template, a
    plan on Reliability for N01 x ACC and company-wide standards."""
    tmp = tmp_path_factory.mktemp(f"five-{request.param}")
    responses = _responses()
    (tmp / "five.yaml").write_text(_template())
    WAVES.to_csv(tmp / "waves.csv", index=False)
    responses.to_csv(tmp / "responses.csv", index=False)
    with throwaway_engine(request.param, tmp) as engine:
        for kind in ("units", "staff", "customers"):
            run_import(engine, kind, sample_path(kind))
        for kind, name in (("template", "five.yaml"), ("waves", "waves.csv"), ("responses", "responses.csv")):
            report = run_import(engine, kind, tmp / name)
            assert report.rows_written > 0, report.summary()
        with Session(engine) as session:
            branch = session.scalar(select(Branch.id).where(Branch.code == "N01"))
            department = session.scalar(select(Department.id).where(Department.code == "ACC"))
            session.add(
                ImprovementPlan(
                    title="Call back when promised",
                    branch_id=branch,
                    department_id=department,
                    element="R",
                    start_on=PLAN_START,
                    due_on=date(2026, 12, 31),
                    cost=5000.0,
                )
            )
            session.add_all(
                ServiceStandard(element=e, target_index=TARGET, valid_from=date(2020, 1, 1))
                for e in ELEMENT_ITEMS
            )
            session.commit()
        yield engine, responses


# --- the oracle: plain pandas on the answers written above -------------------------
def _index(mean) -> float:
    return 100 * (mean - 1) / 4


def _scored(responses: pd.DataFrame) -> pd.DataFrame:
    """Answers in long form, the reverse-coded item turned back as 6 - x."""
    long = []
    for element, codes in ELEMENT_ITEMS.items():
        for code in codes:
            p, e = responses[f"{code}_P"], responses[f"{code}_E"]
            if code == REVERSED:
                p, e = 6 - p, 6 - e
            long.append(
                responses[["response_id", "wave", "branch_code", "department_code"]].assign(
                    element=element, code=code, p=p, e=e
                )
            )
    return pd.concat(long, ignore_index=True)


def _respondent_means(responses: pd.DataFrame, element: str) -> pd.DataFrame:
    scored = _scored(responses)
    mine = scored[scored["element"] == element]
    return mine.groupby(["response_id", "wave", "branch_code", "department_code"], as_index=False)["p"].mean()


def _ids(session, model) -> dict[int, str]:
    return dict(session.execute(select(model.id, model.code)).all())


def test_overview_headline_trend_profile_and_ranking(five):
    engine, responses = five
    with Session(engine) as session:
        summary = home_summary(session, Scope.everything(), min_n=MIN_N)
    overall = responses.groupby("wave")["OVERALL"].mean()
    assert list(summary.trend["csi"]) == pytest.approx([_index(overall[w]) for w in WAVES["code"]])
    assert summary.latest.value == pytest.approx(_index(overall["F-2026-Q4"]))
    assert summary.change_points == pytest.approx(100 * (overall["F-2026-Q4"] - overall["F-2026-Q3"]) / 4)
    latest = _scored(responses[responses["wave"] == "F-2026-Q4"])
    profile = summary.elements.set_index("element")["csi"]
    assert dict(profile) == pytest.approx({e: _index(g["p"].mean()) for e, g in latest.groupby("element")})
    q4 = responses[responses["wave"] == "F-2026-Q4"].groupby("branch_code")["OVERALL"].mean()
    q3 = responses[responses["wave"] == "F-2026-Q3"].groupby("branch_code")["OVERALL"].mean()
    ranking = summary.ranking.set_index("code")
    assert dict(ranking["mean"]) == pytest.approx({b: _index(m) for b, m in q4.items()})
    assert dict(ranking["change"]) == pytest.approx({b: 100 * (q4[b] - q3[b]) / 4 for b in q4.index})


@pytest.mark.parametrize("unit", ["branch", "department"])
def test_rankings_on_an_element_and_on_overall(five, unit):
    engine, responses = five
    column = f"{unit}_code"
    with Session(engine) as session:
        on_r = unit_ranking(session, Scope.everything(), Filters(), unit, "R", min_n=MIN_N).set_index("code")
        overall = unit_ranking(session, Scope.everything(), Filters(), unit, None, min_n=MIN_N).set_index(
            "code"
        )
    people = _respondent_means(responses, "R").groupby(column)["p"]
    assert dict(on_r["mean"]) == pytest.approx({k: _index(m) for k, m in people.mean().items()})
    spread = people.std() / np.sqrt(people.count())  # the raw CI's half-width is t * se, in index points
    half = (on_r["ci_high"] - on_r["mean"]).to_dict()
    assert all(
        half[k] == pytest.approx(100 * s / 4 * _t(people.count()[k]), rel=1e-6) for k, s in spread.items()
    )
    expected = responses.groupby(column)["OVERALL"].mean()
    assert dict(overall["mean"]) == pytest.approx({k: _index(m) for k, m in expected.items()})


def _t(n: int) -> float:
    return float(stats.t.ppf(0.975, n - 1))


def test_drilldown_elements_items_and_weak_spots(five):
    engine, responses = five
    scored = _scored(responses)
    with Session(engine) as session:
        profile = element_profile(session, Scope.everything(), Filters(), MIN_N).set_index("element")
        items = item_table(session, Scope.everything(), Filters(), "R", MIN_N).set_index("code")
        spots = weak_spots(session, Scope.everything(), Filters(), "branch", "R", None, MIN_N)
        branches = _ids(session, Branch)
    by_element = scored.groupby("element")["p"].mean()
    assert dict(profile["csi"]) == pytest.approx({e: _index(m) for e, m in by_element.items()})
    reversed_raw = responses[f"{REVERSED}_P"]
    assert items.loc[REVERSED, "csi"] == pytest.approx(_index((6 - reversed_raw).mean()))
    assert items.loc["R1", "csi"] == pytest.approx(_index(responses["R1_P"].mean()))
    r = scored[scored["element"] == "R"]
    expected = r.groupby("branch_code")["p"].mean()
    got = dict(zip(spots["group"].map(branches), spots["csi"], strict=True))
    assert got == pytest.approx({b: _index(m) for b, m in expected.items()})
    assert dict(zip(spots["group"].map(branches), spots["diff"], strict=True)) == pytest.approx(
        {b: _index(m) - _index(r["p"].mean()) for b, m in expected.items()}
    )


def test_unit_page_trend_and_weakest_items(five):
    engine, responses = five
    mine = responses[responses["branch_code"] == "S01"]
    with Session(engine) as session:
        unit = resolve_unit(session, Scope.everything(), "S01", None)
        summary = unit_summary(session, Scope.everything(), Filters(), unit, reference.waves(session), MIN_N)
    trend = mine.groupby("wave")["OVERALL"].mean()
    assert list(summary.trend["csi"]) == pytest.approx([_index(trend[w]) for w in WAVES["code"]])
    by_item = _scored(mine).groupby("code")["p"].mean().map(_index).sort_values()
    assert list(summary.weakest_items["code"]) == list(by_item.index[:5])
    assert list(summary.weakest_items["csi"]) == pytest.approx(list(by_item.iloc[:5]))


def test_gaps_page_delivered_index_and_gaps(five):
    engine, responses = five
    scored = _scored(responses)
    with Session(engine) as session:
        view = gaps_view(session, Scope.everything(), Filters(), min_n=MIN_N)
    table = view.table.set_index("element")
    by_element = scored.groupby("element")
    assert dict(table["delivered"]) == pytest.approx({e: _index(g["p"].mean()) for e, g in by_element})
    assert dict(table["gap3"]) == pytest.approx({e: _index(g["p"].mean()) - TARGET for e, g in by_element})
    # gap 5 stays in scale points (P - E on 1-5); the reversed item's gap is reversed too
    assert dict(table["gap5"]) == pytest.approx({e: (g["p"] - g["e"]).mean() for e, g in by_element})
    performance = view.drivers.set_index("driver")["performance"]
    assert dict(performance) == pytest.approx({e: _index(g["p"].mean()) for e, g in by_element})


def test_plan_effect_in_index_points(five):
    engine, responses = five
    people = _respondent_means(responses, "R")
    post = people["wave"].isin(["F-2026-Q3", "F-2026-Q4"])
    treated = (people["branch_code"] == "N01") & (people["department_code"] == "ACC")
    control = (people["branch_code"] == "S01") & (people["department_code"] == "ACC")

    def change(group):
        return people.loc[group & post, "p"].mean() - people.loc[group & ~post, "p"].mean()

    with Session(engine) as session:
        plan = session.scalars(select(ImprovementPlan)).one()
        effect = plan_effect(session, plan, MIN_N, viewer=Scope.everything(), min_units=2)
        listed = plans_with_effects(session, Scope.everything(), MIN_N, min_units=2)
    assert effect.effect_points == pytest.approx(100 * (change(treated) - change(control)) / 4)
    assert effect.treated_change_points == pytest.approx(100 * change(treated) / 4)
    assert effect.control_change_points == pytest.approx(100 * change(control) / 4)
    assert effect.effect_points > 10  # the lift written into the data shows
    assert listed["effect_points"].iloc[0] == pytest.approx(effect.effect_points)
    assert effect.per_10k == pytest.approx(effect.effect_points * 10_000 / 5000)
    series = effect.series[effect.series["group"] == "plan unit"].set_index("code")["index"]
    by_wave = people[treated].groupby("wave")["p"].mean()
    assert dict(series) == pytest.approx({w: _index(m) for w, m in by_wave.items()})


def test_weighted_index_elements(five):
    engine, responses = five
    with Session(engine) as session:
        got = weighted_csi(session, Scope.everything(), Filters(), min_n=MIN_N)
    expected = {e: _index(_respondent_means(responses, e)["p"].mean()) for e in ELEMENT_ITEMS}
    assert got["element_csi"] == pytest.approx(expected)
    assert got["unweighted"]["value"] == pytest.approx(np.mean(list(expected.values())))


def test_metrics_cli_json(five, monkeypatch):
    engine, responses = five
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    runner = CliRunner()

    def metric(*args):
        result = runner.invoke(main, ["metrics", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    headline = metric("headline")
    assert headline["overall_csi"]["value"] == pytest.approx(_index(responses["OVERALL"].mean()))
    by_element = {r["element"]: r["csi"] for r in metric("csi", "--by", "element")["rows"]}
    scored = _scored(responses)
    assert by_element == pytest.approx({e: _index(g["p"].mean()) for e, g in scored.groupby("element")})
    ranking = {r["code"]: r["mean"] for r in metric("ranking", "--element", "S")["units"]}
    people = _respondent_means(responses, "S").groupby("branch_code")["p"].mean()
    assert ranking == pytest.approx({b: _index(m) for b, m in people.items()})
    index = metric("index", "--wave", "F-2026-Q1")
    q1 = responses[responses["wave"] == "F-2026-Q1"]
    assert index["element_csi"] == pytest.approx(
        {e: _index(_respondent_means(q1, e)["p"].mean()) for e in ELEMENT_ITEMS}
    )


def test_churn_csv_export_runs_on_the_five_point_template(five):
    """The churn export carries no index; it must still run on these
    customers (every scored customer in it, with the export's columns)."""
    engine, responses = five
    today = date(2027, 1, 15)
    with Session(engine) as session:
        churn.score_all(session, today, churn.train(session, today))
        session.commit()
        table = churn.at_risk(session, Scope.everything())
    exported = pd.read_csv(io.StringIO(churn.export_csv(table)), dtype=str, keep_default_na=False)
    assert list(exported.columns) == list(churn.EXPORT_COLUMNS)
    assert set(exported["external_ref"]) == set(table["external_ref"])
    surveyed = {ref for ref in responses["customer_ref"] if ref}
    assert surveyed <= set(exported["external_ref"])
