"""CSI, Welch test, proportions and NPS: hand-worked cases and reference
implementations (scipy.stats and statsmodels, used only as oracles)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from dashboard.analytics.indices import csi_estimate, csi_table, to_index, weighted_index
from dashboard.analytics.moments import Moments, mean_estimate
from dashboard.analytics.significance import WELCH, bootstrap_mean_diff, two_proportion_z_test, welch_test
from dashboard.analytics.topbox import loyalty_by_level, nps_estimate, share_estimate, wilson_interval


def test_rescale_hand_worked():
    # mean 5.5 on 1..10 -> 100 * 4.5 / 9 = 50
    assert to_index(5.5, 1, 10) == pytest.approx(50.0)
    assert to_index(1, 1, 7) == 0 and to_index(7, 1, 7) == 100
    with pytest.raises(ValueError):
        to_index(3, 5, 5)


def test_csi_hand_worked():
    # answers 4, 5, 6, 7 on 1..7: mean 5.5, sd = sqrt(5/3), se = sd / 2
    # CSI = 100 * 4.5 / 6 = 75; half width = t(0.975, 3) * se * 100 / 6
    est = csi_estimate(4, 22, 126, 1, 7, min_n=1)
    se = math.sqrt(5 / 3) / 2
    half = 3.182446305284263 * se * 100 / 6
    assert est.value == pytest.approx(75.0)
    assert (est.ci_low, est.ci_high) == pytest.approx((75 - half, 75 + half))
    assert est.n == 4


def test_csi_suppressed_below_min_n_keeps_count():
    est = csi_estimate(9, 45, 230, 1, 7, min_n=10)
    assert est.suppressed and est.value is None and est.n == 9 and est.reason == "too few responses"


def test_csi_table_matches_scalar_function():
    import pandas as pd

    df = pd.DataFrame(
        {
            "n_p": [4, 3, 30],
            "sum_p": [22, 21, 150],
            "sumsq_p": [126, 147, 800],
            "lo": [1, 1, 1],
            "hi": [7, 7, 10],
        }
    )
    out = csi_table(df, "lo", "hi", min_n=4)
    assert out["suppressed"].tolist() == [False, True, False]
    for i in (0, 2):
        r = df.iloc[i]
        est = csi_estimate(r.n_p, r.sum_p, r.sumsq_p, r.lo, r.hi, min_n=4)
        assert out.loc[i, ["csi", "csi_low", "csi_high"]].tolist() == pytest.approx(
            [est.value, est.ci_low, est.ci_high]
        )


def test_mean_ci_matches_scipy_reference():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 8, 57)
    est = mean_estimate(Moments.of(x))
    low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))  # oracle: scipy
    assert (est.ci_low, est.ci_high) == pytest.approx((low, high))


@given(st.lists(st.integers(1, 7), min_size=2, max_size=200))
def test_ci_contains_the_mean(values):
    est = mean_estimate(Moments.of(values))
    assert est.ci_low <= est.value + 1e-9 and est.value <= est.ci_high + 1e-9


def test_welch_matches_scipy_from_stats_and_raw():
    rng = np.random.default_rng(3)
    a, b = rng.normal(5, 1, 40), rng.normal(5.6, 2, 25)
    res = welch_test(Moments.of(a), Moments.of(b))
    oracle = stats.ttest_ind(b, a, equal_var=False)  # oracle: scipy
    assert res.statistic == pytest.approx(oracle.statistic)
    assert res.p_value == pytest.approx(oracle.pvalue)
    fs = stats.ttest_ind_from_stats(b.mean(), b.std(ddof=1), 25, a.mean(), a.std(ddof=1), 40, equal_var=False)
    assert res.p_value == pytest.approx(fs.pvalue)
    assert res.test == WELCH and res.significant == (oracle.pvalue < 0.05)
    ci = oracle.confidence_interval(0.95)
    assert (res.ci_low, res.ci_high) == pytest.approx((ci.low, ci.high))


def test_two_proportion_test_matches_statsmodels():
    res = two_proportion_z_test(45, 100, 60, 110)
    z, p = proportions_ztest([60, 45], [110, 100])  # oracle: statsmodels
    assert res.statistic == pytest.approx(z) and res.p_value == pytest.approx(p)


def test_bootstrap_is_deterministic_and_detects_a_clear_shift():
    a, b = np.arange(50) % 5 + 1.0, np.arange(50) % 5 + 3.0
    r1, r2 = bootstrap_mean_diff(a, b, seed=1), bootstrap_mean_diff(a, b, seed=1)
    assert r1 == r2 and r1.diff == 2.0 and r1.significant and r1.ci_low > 0


def test_wilson_matches_statsmodels():
    low, high = wilson_interval(7, 40)
    ref = proportion_confint(7, 40, method="wilson")  # oracle: statsmodels
    assert (low, high) == pytest.approx(ref)
    assert share_estimate(3, 5, min_n=10).suppressed


def test_nps_hand_worked():
    # 50 promoters, 20 detractors of 100: NPS 30; var = (0.7 - 0.09) / 100
    est = nps_estimate(50, 20, 100)
    se = math.sqrt(0.61 / 100)
    assert est.value == pytest.approx(30.0)
    assert est.ci_high - est.value == pytest.approx(100 * 1.959963984540054 * se)


def test_loyalty_by_level_ratio():
    import pandas as pd

    df = loyalty_by_level(pd.DataFrame({"level": [5, 4], "n": [100, 200], "loyal": [60, 20]}))
    assert df["rate"].tolist() == pytest.approx([10.0, 60.0])
    assert df["ratio_to_next_lower"].iloc[1] == pytest.approx(6.0)


def test_weighted_index_with_and_without_covariance():
    values, weights = {"R": 60.0, "S": 70.0}, {"R": 3, "S": 1}
    # weights 0.75 / 0.25 -> 62.5
    assert weighted_index(values, weights).value == pytest.approx(62.5)
    indep = weighted_index(values, weights, ses={"R": 2.0, "S": 4.0})
    assert indep.se == pytest.approx(math.sqrt(0.75**2 * 4 + 0.25**2 * 16))
    cov = np.array([[4.0, 3.0], [3.0, 16.0]])
    corr = weighted_index(values, weights, cov=cov)
    assert corr.se == pytest.approx(math.sqrt(0.75**2 * 4 + 0.25**2 * 16 + 2 * 0.75 * 0.25 * 3))
