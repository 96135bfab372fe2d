"""Pairwise verdicts between units (analytics/pairwise.py) against a
reference implementation used only as an oracle: scipy.stats.ttest_ind
(equal_var=False) for each pair and statsmodels' multipletests(method="holm")
for the correction, on hand-made respondent scores."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from dashboard.analytics.moments import Moments
from dashboard.analytics.pairwise import compare_units, holm_adjust
from dashboard.analytics.ranking import SHRINKAGE_REFUSED, rank_units, shrinkage_refused

# respondents' scores on a 1-10 scale, per unit; U5 has three respondents only
SCORES = {
    "U1": [9, 8, 9, 10, 9, 8, 9, 9, 10, 8, 9, 9],
    "U2": [8, 9, 8, 9, 7, 8, 9, 8, 8, 9, 8],
    "U3": [6, 7, 5, 6, 7, 6, 5, 6, 7, 6, 6, 5, 7],
    "U4": [7, 9, 5, 8, 9, 5, 8, 7, 6, 9, 4, 8],
    "U5": [10, 10, 10],
}
MIN_N = 5


def _moments(scores: dict) -> pd.DataFrame:
    rows = []
    for unit, values in scores.items():
        m = Moments.of(values)
        rows.append({"unit": unit, "n": m.n, "total": m.total, "total_sq": m.total_sq})
    return pd.DataFrame(rows)


def test_holm_adjustment_matches_statsmodels():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5, 0.2])
    assert holm_adjust(p) == pytest.approx(multipletests(p, method="holm")[1])
    assert holm_adjust([np.nan, 0.01]).tolist() == [1.0, 0.02]  # an untestable pair counts as p = 1


def test_pairwise_verdicts_match_scipy_welch_and_statsmodels_holm():
    comparison = compare_units(_moments(SCORES), 1, 10, min_n=MIN_N)
    assert comparison.excluded == ("U5",)  # 3 respondents < min n: not compared
    eligible = [u for u in SCORES if u != "U5"]
    assert set(comparison.units) == set(eligible) and comparison.units[0] == "U1"  # best first

    expected = {}
    for a, b in itertools.combinations(eligible, 2):
        test = stats.ttest_ind(SCORES[b], SCORES[a], equal_var=False)
        expected[frozenset((a, b))] = (a, b, test.pvalue, np.mean(SCORES[b]) - np.mean(SCORES[a]))
    keys = list(expected)
    reject, p_holm, _, _ = multipletests([expected[k][2] for k in keys], alpha=0.05, method="holm")
    got = {frozenset((r.unit_a, r.unit_b)): r for r in comparison.pairs.itertuples()}
    assert set(got) == set(keys)
    for key, p_adj, rejected in zip(keys, p_holm, reject, strict=True):
        row = got[key]
        a, b, p_raw, diff = expected[key]
        sign = 1 if (row.unit_a, row.unit_b) == (a, b) else -1
        assert row.p_value == pytest.approx(p_raw)
        assert row.p_holm == pytest.approx(p_adj)
        assert row.significant == rejected
        assert row.diff_points == pytest.approx(sign * 100 * diff / 9)  # 1-10 scale: 9 raw points = 100
    # the data separate U1 and U2 from U3, and U1 from U4; not U1 from U2, U2 from U4 nor U3 from U4
    sig = {frozenset((r.unit_a, r.unit_b)) for r in comparison.significant.itertuples()}
    assert sig == {frozenset(p) for p in [("U1", "U3"), ("U2", "U3"), ("U1", "U4")]}
    u1_u2 = got[frozenset(("U1", "U2"))]
    assert u1_u2.p_value < 0.05 < u1_u2.p_holm  # the correction is what keeps U1 and U2 together


def test_groups_and_supported_ranks_follow_the_verdicts():
    comparison = compare_units(_moments(SCORES), 1, 10, min_n=MIN_N)
    # maximal sets with no significant pair among them, best first
    assert comparison.groups == (frozenset({"U1", "U2"}), frozenset({"U2", "U4"}), frozenset({"U4", "U3"}))
    assert comparison.letters() == {"U1": "a", "U2": "ab", "U4": "bc", "U3": "c"}
    for a, b in itertools.combinations(comparison.units, 2):  # a shared letter <=> no difference found
        shared = set(comparison.letters()[a]) & set(comparison.letters()[b])
        assert bool(shared) != comparison.differs(a, b)
    # 1 + the number of units significantly better
    assert comparison.supported_ranks() == {"U1": 1, "U2": 1, "U4": 2, "U3": 3}


def test_two_overlapping_units_are_tied():
    """Rank 1 and rank 2 by their means, overlapping intervals, no
    significant difference: both read as rank 1."""
    scores = {"A": [7, 8, 9, 8, 7, 9, 8, 8, 9, 7], "B": [7, 8, 8, 7, 9, 8, 7, 8, 8, 7]}
    ranked = rank_units(_moments(scores), min_n=MIN_N).set_index("unit")
    assert ranked.loc["A", "rank"] == 1 and ranked.loc["B", "rank"] == 2  # the order of the point estimates
    assert ranked.loc["A", "ci_low"] < ranked.loc["B", "ci_high"]  # overlapping intervals
    comparison = compare_units(_moments(scores), 1, 10, min_n=MIN_N)
    assert stats.ttest_ind(scores["A"], scores["B"], equal_var=False).pvalue > 0.05  # oracle: no difference
    assert comparison.significant.empty
    assert comparison.supported_ranks() == {"A": 1, "B": 1}
    assert comparison.groups == (frozenset({"A", "B"}),)


def test_too_few_units_refuse_the_between_unit_variance():
    ranked = rank_units(_moments(SCORES), min_n=MIN_N)  # four eligible units
    assert shrinkage_refused(ranked) and ranked.attrs["shrinkage"] == SHRINKAGE_REFUSED
    assert ranked.attrs["tau2"] is None
    eligible = ranked[ranked["status"] == "ranked"]
    assert eligible["shrunk"].tolist() == pytest.approx(eligible["mean"].tolist())  # not shrunk
    assert (eligible["weight"] == 1).all()
    five = rank_units(_moments({**SCORES, "U6": [8, 7, 8, 9, 8, 7]}), min_n=MIN_N)
    assert not shrinkage_refused(five) and five.attrs["tau2"] is not None


def test_units_with_equal_means_and_no_spread_cannot_be_told_apart():
    comparison = compare_units(_moments({"A": [5] * 6, "B": [5] * 6}), 1, 5, min_n=MIN_N)
    assert not comparison.pairs["significant"].any()
    assert comparison.supported_ranks() == {"A": 1, "B": 1}


def test_fewer_than_two_units_give_no_pairs():
    comparison = compare_units(_moments({"A": [5, 6, 7, 5, 6], "B": [1, 2]}), 1, 7, min_n=MIN_N)
    assert comparison.units == ("A",) and comparison.excluded == ("B",)
    assert comparison.pairs.empty and comparison.groups == (frozenset({"A"}),)
