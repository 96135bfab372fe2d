"""Which differences are real, through the services the pages and the CLI
use, on the hand-made 1-5 database of test_five_point_scale: the pairwise
verdicts against scipy's Welch test and statsmodels' Holm correction on the
respondents' scores computed in pandas (oracles only), the differences in
index points of the 1-5 scale, units by name and code, the sentence, the
unit page's comparison and the too-few-units flag."""

from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner
from scipy import stats
from sqlalchemy import select
from sqlalchemy.orm import Session
from statsmodels.stats.multitest import multipletests

from dashboard.auth.scope import Scope
from dashboard.cli import main
from dashboard.db.models import Branch, Department
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.services.rankings import unit_verdicts
from dashboard.services.unit_view import resolve_unit, unit_summary
from tests.integration import test_five_point_scale as five_point
from tests.integration.test_five_point_scale import MIN_N, _respondent_means

EVERYONE = Scope.everything()
hand_made = five_point.five  # the hand-made 1-5 database, built once for this module


def _names(session, model) -> dict[str, str]:
    return dict(session.execute(select(model.code, model.name)).all())


def _oracle(groups: dict) -> dict[frozenset, tuple[float, float, bool]]:
    """pair -> (mean of the second minus the first in 1-5 points, Holm p, differs)."""
    pairs = list(itertools.combinations(sorted(groups), 2))
    p = [stats.ttest_ind(groups[a], groups[b], equal_var=False).pvalue for a, b in pairs]
    reject, p_holm, _, _ = multipletests(p, alpha=0.05, method="holm")
    return {
        frozenset((a, b)): (groups[b].mean() - groups[a].mean(), ph, bool(r))
        for (a, b), ph, r in zip(pairs, p_holm, reject, strict=True)
    }


def test_department_verdicts_on_reliability_match_the_oracle(hand_made):
    engine, responses = hand_made
    scores = _respondent_means(responses, "R")  # one score per respondent: the independent units
    groups = {code: g["p"].to_numpy() for code, g in scores.groupby("department_code")}
    expected = _oracle(groups)
    with Session(engine) as session:
        view = unit_verdicts(session, EVERYONE, Filters(), "department", "R", MIN_N)
        names = _names(session, Department)
    got = {frozenset((r.unit_a, r.unit_b)): r for r in view.comparison.pairs.itertuples()}
    assert set(got) == set(expected)
    for pair, (diff, p_holm, differs) in expected.items():
        row = got[pair]
        a, b = sorted(pair)
        sign = 1 if (row.unit_a, row.unit_b) == (a, b) else -1
        assert row.diff_points == pytest.approx(sign * 100 * diff / 4)  # 1-5 scale: 4 raw points = 100
        assert row.p_holm == pytest.approx(p_holm)
        assert row.significant == differs
    # the oracle separates LEN from SRV only: ACC cannot be told apart from either
    assert [k for k, v in expected.items() if v[2]] == [frozenset(("LEN", "SRV"))]
    points = abs(100 * expected[frozenset(("LEN", "SRV"))][0] / 4)
    p_holm = expected[frozenset(("LEN", "SRV"))][1]
    assert view.verdict == (
        f"{names['LEN']} (LEN) is below {names['SRV']} (SRV) by {points:.1f} points, p = {p_holm:.3f}; "
        "the other pairs of departments cannot be told apart."
    )
    assert view.groups == (
        f"a: {names['SRV']} (SRV), {names['ACC']} (ACC)",
        f"b: {names['ACC']} (ACC), {names['LEN']} (LEN)",
    )
    shown = view.table.set_index("code")
    assert shown["rank_label"].to_dict() == {"SRV": "=1", "ACC": "=1", "LEN": "2"}
    assert shown["group"].to_dict() == {"SRV": "a", "ACC": "ab", "LEN": "b"}
    assert set(view.table["name"]) == {names[c] for c in groups}
    # three departments: too few to estimate the between-unit variance, said so
    assert view.shrinkage_note and "Fewer than 5 departments" in view.shrinkage_note
    assert (view.table["shrunk"] == view.table["mean"]).all()


def test_tied_ranks_follow_the_verdicts(hand_made):
    engine, _ = hand_made
    with Session(engine) as session:
        view = unit_verdicts(session, EVERYONE, Filters(), "department", "R", MIN_N)
    table = view.table.set_index("code")
    for code in table.index:
        better = sum(
            view.comparison.differs(code, other) and table.loc[other, "mean"] > table.loc[code, "mean"]
            for other in table.index
        )
        assert table.loc[code, "rank_shown"] == 1 + better
    shared = table["rank_shown"].duplicated(keep=False)
    assert all(label.startswith("=") == tie for label, tie in zip(table["rank_label"], shared, strict=True))


def test_unit_page_compares_the_branch_with_the_other_branches(hand_made):
    engine, responses = hand_made
    overall = {b: g["OVERALL"].to_numpy() for b, g in responses.groupby("branch_code")}
    (diff, p_holm, differs) = _oracle(overall)[frozenset(("N01", "S01"))]
    with Session(engine) as session:
        unit = resolve_unit(session, EVERYONE, "S01", None)
        summary = unit_summary(session, EVERYONE, Filters(), unit, reference.waves(session), MIN_N)
        names = _names(session, Branch)
    peers = summary.peers
    assert peers.title == "Against the other branches, overall satisfaction"
    assert differs and diff > 0  # the oracle: S01 (second) is above N01
    assert peers.verdict == (
        f"{names['S01']} (S01) is above {names['N01']} (N01) by {100 * diff / 4:.1f} points, p < 0.001."
    )
    assert p_holm < 0.001
    assert "Holm" in peers.view.method and "0-100 index points" in peers.view.method


def test_ranking_json_names_units_by_name_and_code_never_by_id(hand_made, monkeypatch):
    engine, _ = hand_made
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(main, ["metrics", "ranking", "--unit", "department", "--element", "R"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    with Session(engine) as session:
        names = _names(session, Department)
    assert all("unit" not in row for row in report["units"])
    assert {row["code"]: row["name"] for row in report["units"]} == {
        c: names[c] for c in ("ACC", "LEN", "SRV")
    }
    assert report["scale"].startswith("0-100 index points") and "1-5 scale" in report["scale"]
    assert "Holm" in report["method"] and report["verdict"]
    assert {u for g in report["groups"] for u in g["units"]} == {"ACC", "LEN", "SRV"}
    assert report["shrinkage"].startswith("Fewer than 5 departments")
