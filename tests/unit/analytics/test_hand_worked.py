"""Hand-worked cases for formulas the other test modules check only against
oracles, plus the edge cases a page hits (ties, missing values, collinearity).
The arithmetic is written next to each assertion."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import Table2x2

from dashboard.analytics.drivers import (
    lmg,
    moments_to_correlation,
    r_squared,
    relative_weights,
    standardized_betas,
)
from dashboard.analytics.indices import stated_importance_weights, to_index_points
from dashboard.analytics.ipa import KEEP_UP, LOW_PRIORITY, quadrants
from dashboard.analytics.moments import Moments
from dashboard.analytics.pls import pls_path_model
from dashboard.analytics.ranking import SHRINKAGE_REFUSED, no_differences_detected, rank_labels, rank_units
from dashboard.analytics.significance import (
    NPS_DIFFERENCE,
    TWO_PROPORTION,
    nps_change_test,
    two_proportion_z_test,
    welch_test,
)
from dashboard.analytics.topbox import rate_ratio, top_level_ratio, wilson_interval

Z975 = 1.959963984540054


def _unit(name, values):
    m = Moments.of(values)
    return {"unit": name, "n": m.n, "total": m.total, "total_sq": m.total_sq}


# --- moments, indices -------------------------------------------------------------------------


def test_moments_hand_worked_and_combination():
    # 2, 4, 9: n 3, sum 15, sum of squares 4 + 16 + 81 = 101
    m = Moments.of([2, 4, 9])
    assert (m.n, m.total, m.total_sq) == (3, 15, 101)
    # mean 5; var = (101 - 225 / 3) / 2 = 13; se = sqrt(13 / 3)
    assert m.mean == 5 and m.var == pytest.approx(13) and m.se == pytest.approx(math.sqrt(13 / 3))
    # adding a group of one answer (1) equals the moments of all four answers
    assert m + Moments.of([1]) == Moments.of([2, 4, 9, 1])
    assert math.isnan(Moments.of([5]).var)  # one answer has no sample variance


def test_to_index_points_and_stated_weights():
    # se 0.3 on 1..7 -> 100 * 0.3 / 6 = 5 index points
    assert to_index_points(0.3, 1, 7) == pytest.approx(5.0)
    # mean allocations 30 / 25 / 45 points -> 0.30 / 0.25 / 0.45
    assert stated_importance_weights({"R": 30, "S": 25, "T": 45}) == pytest.approx(
        {"R": 0.30, "S": 0.25, "T": 0.45}
    )
    with pytest.raises(ValueError):
        stated_importance_weights({"R": 0, "S": 0})


# --- significance -----------------------------------------------------------------------------


def test_welch_hand_worked_df():
    # a: n 4, mean 5, var 2 -> sum 20, sumsq = 2 * 3 + 20^2 / 4 = 106
    # b: n 9, mean 6, var 4.5 -> sum 54, sumsq = 4.5 * 8 + 54^2 / 9 = 360
    # v_a = 2 / 4 = 0.5, v_b = 4.5 / 9 = 0.5 -> se 1, t = (6 - 5) / 1 = 1
    # df = (0.5 + 0.5)^2 / (0.25 / 3 + 0.25 / 8) = 1 / 0.114583 = 8.7273
    res = welch_test(Moments(4, 20, 106), Moments(9, 54, 360))
    assert res.diff == pytest.approx(1.0) and res.statistic == pytest.approx(1.0)
    assert res.df == pytest.approx(1 / (0.25 / 3 + 0.25 / 8))
    assert not res.significant


def test_two_proportion_hand_worked():
    # 45/100 vs 60/100: pooled 0.525, se = sqrt(0.525 * 0.475 * (1/100 + 1/100)) = 0.070622
    # z = 0.15 / 0.070622 = 2.1240 -> p = 0.0337, significant
    res = two_proportion_z_test(45, 100, 60, 100)
    assert res.statistic == pytest.approx(0.15 / math.sqrt(0.525 * 0.475 * 0.02))
    assert res.significant and res.test == TWO_PROPORTION


def test_nps_change_hand_worked():
    # wave 1: 50 promoters, 20 detractors of 100 -> NPS 0.3, v1 = (0.7 - 0.09) / 100 = 0.0061
    # wave 2: 40 promoters, 30 detractors of 100 -> NPS 0.1, v2 = (0.7 - 0.01) / 100 = 0.0069
    # z = -0.2 / sqrt(0.013) = -1.7541 -> p = 0.079, not significant; diff in NPS points -20
    res = nps_change_test(50, 20, 100, 40, 30, 100)
    assert res.diff == pytest.approx(-20.0)
    assert res.statistic == pytest.approx(-0.2 / math.sqrt(0.013))
    assert res.ci_high - res.diff == pytest.approx(100 * Z975 * math.sqrt(0.013))
    assert not res.significant and res.test == NPS_DIFFERENCE


# --- shares and loyalty -----------------------------------------------------------------------


def test_wilson_hand_worked_at_zero():
    # no successes of 10: lower bound 0, upper z^2 / (n + z^2) = 3.8415 / 13.8415 = 0.27753
    low, high = wilson_interval(0, 10)
    assert low == pytest.approx(0.0, abs=1e-12)
    assert high == pytest.approx(Z975**2 / (10 + Z975**2))


def test_top_level_ratio_matches_statsmodels_and_the_six_times_effect():
    # level 5: 60 of 100 buy again; level 4: 20 of 200 -> 0.6 / 0.1 = 6 times
    levels = pd.DataFrame({"level": [3, 4, 5], "n": [50, 200, 100], "loyal": [2, 20, 60]})
    est = top_level_ratio(levels)
    ref = Table2x2(np.array([[60, 40], [20, 180]]))  # oracle: statsmodels (log / Katz interval)
    assert est.value == pytest.approx(6.0) and est.value == pytest.approx(ref.riskratio)
    assert (est.ci_low, est.ci_high) == pytest.approx(ref.riskratio_confint())
    assert top_level_ratio(levels.assign(n=[50, 200, 9])).suppressed
    assert rate_ratio(0, 20, 5, 20).suppressed  # a zero rate has no log interval


# --- rankings ---------------------------------------------------------------------------------


def test_shrinkage_hand_worked():
    # five units {m - 1, m + 1}, m = 0..4: var 2, se = sqrt(2 / 2) = 1 each; grand = 2
    # DerSimonian-Laird: Q = 4 + 1 + 0 + 1 + 4 = 10, c = 5 - 5 / 5 = 4, tau^2 = (10 - 4) / 4 = 1.5
    # weight B = 1.5 / (1.5 + 1) = 0.6; shrunk = 2 + 0.6 (m - 2) -> 0.8, 1.4, 2, 2.6, 3.2
    # posterior var = B se^2 + (1 - B)^2 / sum(1 / (se^2 + tau^2)) = 0.6 + 0.16 * 0.5 = 0.68
    units = [_unit(f"U{m}", [m - 1, m + 1]) for m in range(5)]
    ranked = rank_units(pd.DataFrame(units), min_n=2)
    r = ranked.set_index("unit")
    assert ranked.attrs["tau2"] == pytest.approx(1.5)
    assert r["shrunk"].tolist() == pytest.approx([0.8, 1.4, 2.0, 2.6, 3.2])
    assert r["weight"].tolist() == pytest.approx([0.6] * 5)
    assert r["shrunk_sd"].tolist() == pytest.approx([math.sqrt(0.68)] * 5)
    assert r["rank"].tolist() == [5, 4, 3, 2, 1]


def test_two_units_are_not_shrunk():
    # {0, 2} and {2, 4}: means 1 and 3, se 1; two units cannot estimate tau^2 (fewer than 5)
    ranked = rank_units(pd.DataFrame([_unit("A", [0, 2]), _unit("B", [2, 4])]), min_n=2)
    r = ranked.set_index("unit")
    assert ranked.attrs["tau2"] is None and ranked.attrs["shrinkage"] == SHRINKAGE_REFUSED
    assert r["shrunk"].tolist() == pytest.approx([1.0, 3.0])
    assert r["weight"].tolist() == [1.0, 1.0]
    assert r["shrunk_sd"].tolist() == pytest.approx([1.0, 1.0])
    assert r["rank"].tolist() == [2, 1]


def test_identical_units_tie_instead_of_ranking_by_input_order():
    units = pd.DataFrame([_unit(f"U{i}", [4, 5, 6] * 10) for i in range(5)])
    ranked = rank_units(units)
    assert ranked.attrs["tau2"] == 0
    assert (ranked["rank"] == 1).all()
    assert (ranked["rank_low"] == 1).all() and (ranked["rank_high"] == 5).all()


def test_ties_are_shown_as_ties_and_zero_between_unit_variance_is_flagged():
    units = pd.DataFrame([_unit(f"U{i}", [4, 5, 6] * 10) for i in range(5)] + [_unit("TINY", [7, 7])])
    ranked = rank_units(units)
    assert rank_labels(ranked["rank"]) == ["=1"] * 5 + [""]
    assert no_differences_detected(ranked)
    assert rank_labels([1.0, 2.0, 2.0, 4.0, float("nan")]) == ["1", "=2", "=2", "4", ""]
    spread = rank_units(pd.DataFrame([_unit("A", [0, 2]), _unit("B", [2, 4])]), min_n=2)
    assert not no_differences_detected(spread) and rank_labels(spread["rank"]) == ["2", "1"]
    alone = rank_units(pd.DataFrame([_unit("A", [4, 5, 6] * 10)]))  # one unit: tau^2 = 0 says nothing
    assert alone.attrs["tau2"] == 0 and not no_differences_detected(alone)


def test_three_perfect_answers_under_default_min_n_are_not_ranked():
    rng = np.random.default_rng(4)
    units = [_unit(f"U{i}", np.clip(rng.normal(5, 1, 60).round(), 1, 7)) for i in range(5)]
    ranked = rank_units(pd.DataFrame([*units, _unit("TINY", [7, 7, 7])])).set_index("unit")
    assert ranked.loc["TINY", "status"] == "too few responses"
    assert math.isnan(ranked.loc["TINY", "rank"]) and ranked.loc["TINY", "mean"] == 7
    assert sorted(ranked["rank"].dropna()) == [1, 2, 3, 4, 5]


# --- IPA --------------------------------------------------------------------------------------


def test_ipa_rows_without_performance_get_no_quadrant():
    # performance of T is suppressed (NaN): the crosshairs use R and A only: 0.3 and 70
    df = pd.DataFrame(
        {"element": ["R", "A", "T"], "importance": [0.4, 0.2, 0.9], "performance": [80, 60, np.nan]}
    )
    out = quadrants(df).set_index("element")
    assert out.attrs["importance_cut"] == pytest.approx(0.3)
    assert out.attrs["performance_cut"] == pytest.approx(70)
    assert out.loc["R", "quadrant"] == KEEP_UP and out.loc["A", "quadrant"] == LOW_PRIORITY
    assert out.loc["T", "quadrant"] is None


# --- drivers ----------------------------------------------------------------------------------

CORR2 = np.array([[1.0, 0.2, 0.5], [0.2, 1.0, 0.3], [0.5, 0.3, 1.0]])  # x1, x2, y


def test_correlation_from_moments_hand_worked():
    # x = 1, 2, 3 and y = 1, 3, 2: sums 6, 6; xx = 14, yy = 14, xy = 1 + 6 + 6 = 13
    # cov = (13 - 36 / 3) / 2 = 0.5, var = (14 - 12) / 2 = 1 -> r = 0.5
    means, corr = moments_to_correlation(3, [6, 6], [[14, 13], [13, 14]])
    assert means.tolist() == [2, 2] and corr[0, 1] == pytest.approx(0.5)


def test_two_predictor_drivers_hand_worked():
    # r1y 0.5, r2y 0.3, r12 0.2: R^2 = (0.25 + 0.09 - 2 * 0.5 * 0.3 * 0.2) / (1 - 0.04) = 0.28 / 0.96
    r2 = 0.28 / 0.96
    assert r_squared(CORR2, 2, [0, 1]) == pytest.approx(r2)
    # LMG with two predictors: half alone, half added last
    # x1: (0.25 + (R^2 - 0.09)) / 2 = 0.225833; x2: (0.09 + (R^2 - 0.25)) / 2 = 0.065833
    assert lmg(CORR2, 2, [0, 1]) == pytest.approx([(0.25 + r2 - 0.09) / 2, (0.09 + r2 - 0.25) / 2])
    # betas: (r1y - r12 r2y) / (1 - r12^2) = 0.44 / 0.96; (r2y - r12 r1y) / 0.96 = 0.2 / 0.96
    betas = standardized_betas(CORR2, 2, [0, 1], n=100)
    assert betas["beta"].tolist() == pytest.approx([0.44 / 0.96, 0.2 / 0.96])
    # se_1 = sqrt((1 - R^2) / (100 - 3) * [Rxx^-1]_11), [Rxx^-1]_11 = 1 / 0.96
    assert betas["se"].iloc[0] == pytest.approx(math.sqrt((1 - r2) / 97 / 0.96))


def test_orthogonal_predictors_split_r2_by_squared_correlations():
    # uncorrelated predictors: relative weight = LMG = r_jy^2 = 0.16, 0.09, 0.01
    corr = np.eye(4)
    corr[:3, 3] = corr[3, :3] = [0.4, 0.3, 0.1]
    assert relative_weights(corr, 3, [0, 1, 2]) == pytest.approx([0.16, 0.09, 0.01])
    assert lmg(corr, 3, [0, 1, 2]) == pytest.approx([0.16, 0.09, 0.01])


def test_collinear_predictors_are_refused_with_a_clear_error():
    corr = np.array([[1.0, 1.0, 0.5], [1.0, 1.0, 0.5], [0.5, 0.5, 1.0]])
    for fn in (relative_weights, lmg):
        with pytest.raises(ValueError, match="collinear"):
            fn(corr, 2, [0, 1])
    with pytest.raises(ValueError, match="responses"):
        standardized_betas(CORR2, 2, [0, 1], n=3)


# --- PLS --------------------------------------------------------------------------------------

TINY = pd.DataFrame(
    {
        "a1": [1, 1, 2, 2, 3, 3],
        "a2": [1, 1, 3, 3, 5, 5],  # 2 a1 - 1: the same standardised indicator, twice the SD
        "b1": [2, 1, 3, 2, 4, 3],
        "b2": [1, 2, 2, 3, 3, 4],
    },
    dtype=float,
)


def test_tiny_pls_model_by_hand():
    scales = {c: (1, 5) for c in TINY.columns}
    res = pls_path_model(TINY, {"A": ["a1", "a2"], "B": ["b1", "b2"]}, [("A", "B")], scales)
    w = res.outer.set_index("indicator")["weight"]
    # a1 and a2 standardise to the same column, so mode A gives them equal weights ...
    assert w["a1"] == pytest.approx(w["a2"])
    # ... and w / sd = (1, 1/2) / sd(a1) -> w~ = (2/3, 1/3); means 2 and 3 -> 7/3 on 1..5
    # index = 100 (7/3 - 1) / 4 = 33.33
    assert res.index["A"] == pytest.approx(100 * (7 / 3 - 1) / 4)
    # two mode-A blocks: B's weights are proportional to corr(b_i, A) = corr(b_i, a1)
    r = [np.corrcoef(TINY[b], TINY["a1"])[0, 1] for b in ("b1", "b2")]
    assert w["b1"] / w["b2"] == pytest.approx(r[0] / r[1])
    # one predecessor: path = corr(A, B) and R^2 = path^2
    y_b = (TINY[["b1", "b2"]] - TINY[["b1", "b2"]].mean()) / TINY[["b1", "b2"]].std() @ np.array(r)
    path = np.corrcoef(TINY["a1"], y_b)[0, 1]
    assert res.paths["coefficient"].iloc[0] == pytest.approx(path)
    assert res.r_squared["B"] == pytest.approx(path**2)


def test_pls_refuses_constant_indicators_and_isolated_constructs():
    with pytest.raises(ValueError, match="variance"):
        pls_path_model(TINY.assign(b2=3.0), {"A": ["a1", "a2"], "B": ["b1", "b2"]}, [("A", "B")])
    with pytest.raises(ValueError, match="without any structural path"):
        pls_path_model(TINY, {"A": ["a1", "a2"], "B": ["b1"], "C": ["b2"]}, [("A", "B")])
