"""Driver analysis and IPA against reference implementations (statsmodels
OLS is the oracle for R^2 of every subset, betas, t and p)."""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.analytics.drivers import (
    compare_importance,
    driver_table,
    lmg,
    moments_to_correlation,
    r_squared,
    relative_weights,
)
from dashboard.analytics.ipa import CONCENTRATE, KEEP_UP, LOW_PRIORITY, OVERKILL, quadrants


def _data(seed=5, n=400, p=4):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, p)) + 0.5 * rng.normal(size=(n, 1))  # correlated predictors
    y = x @ np.array([0.6, 0.3, 0.0, 0.15][:p]) + rng.normal(size=n)
    return x, y


def _moments(x, y):
    data = np.column_stack([x, y])
    return len(data), data.sum(axis=0), data.T @ data


def _ols_r2(x, y, cols):
    if not cols:
        return 0.0
    return sm.OLS(y, sm.add_constant(x[:, list(cols)])).fit().rsquared  # oracle: statsmodels


def test_correlation_from_moments_matches_numpy():
    x, y = _data()
    _means, corr = moments_to_correlation(*_moments(x, y))
    assert np.allclose(corr, np.corrcoef(np.column_stack([x, y]), rowvar=False))


def test_lmg_matches_brute_force_ols_and_sums_to_r2():
    x, y = _data()
    n, s, pr = _moments(x, y)
    _m, corr = moments_to_correlation(n, s, pr)
    shares = lmg(corr, 4, [0, 1, 2, 3])
    p = 4
    expected = np.zeros(p)
    for j in range(p):
        others = [i for i in range(p) if i != j]
        for size in range(p):
            w = factorial(size) * factorial(p - size - 1) / factorial(p)
            for sub in combinations(others, size):
                expected[j] += w * (_ols_r2(x, y, (*sub, j)) - _ols_r2(x, y, sub))
    assert shares == pytest.approx(expected, abs=1e-10)
    assert shares.sum() == pytest.approx(_ols_r2(x, y, (0, 1, 2, 3)))


def test_relative_weights_sum_to_r2_and_match_svd_route():
    x, y = _data(seed=9)
    _m, corr = moments_to_correlation(*_moments(x, y))
    eps = relative_weights(corr, 4, [0, 1, 2, 3])
    assert eps.sum() == pytest.approx(r_squared(corr, 4, [0, 1, 2, 3]))
    # Johnson's original route on standardized data: X = P D Q', Z = P Q', Lambda = Q D Q' / sqrt(n - 1)
    xs = (x - x.mean(0)) / x.std(0, ddof=1)
    ys = (y - y.mean()) / y.std(ddof=1)
    p_, d, qt = np.linalg.svd(xs, full_matrices=False)
    z = p_ @ qt
    lam = qt.T @ np.diag(d) @ qt / np.sqrt(len(y) - 1)
    beta = np.linalg.lstsq(z * np.sqrt(len(y) - 1), ys, rcond=None)[0]
    assert eps == pytest.approx((lam**2) @ (beta**2), rel=1e-8)


def test_driver_table_betas_and_p_values_match_statsmodels():
    x, y = _data(seed=2)
    n, s, pr = _moments(x, y)
    table = driver_table(["R", "A", "T", "E", "O"], n, s, pr, "O")
    xs = (x - x.mean(0)) / x.std(0, ddof=1)
    ys = (y - y.mean()) / y.std(ddof=1)
    fit = sm.OLS(ys, sm.add_constant(xs)).fit()  # oracle: statsmodels
    assert table["beta"].to_numpy() == pytest.approx(fit.params[1:], rel=1e-8)
    assert table["t"].to_numpy() == pytest.approx(fit.tvalues[1:], rel=1e-8)
    assert table["p_value"].to_numpy() == pytest.approx(fit.pvalues[1:], rel=1e-6)
    assert table.attrs["r_squared"] == pytest.approx(fit.rsquared)
    # the third predictor has no true effect: flagged non-significant here
    assert table.set_index("driver").loc["T", "significant"] == bool(fit.pvalues[3] < 0.05)


def test_lmg_refuses_more_than_eight_predictors():
    corr = np.eye(10)
    with pytest.raises(ValueError, match="limited to 8"):
        lmg(corr, 9, list(range(9)))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 6))
def test_shares_are_non_negative_and_sum_to_r2(seed, p):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(80, p)) + rng.normal(size=(80, 1))
    y = x @ rng.uniform(-1, 1, p) + rng.normal(size=80)
    _m, corr = moments_to_correlation(*_moments(x, y))
    shares = lmg(corr, p, list(range(p)))
    r2 = r_squared(corr, p, list(range(p)))
    assert shares.sum() == pytest.approx(r2, abs=1e-9)
    assert relative_weights(corr, p, list(range(p))).min() >= -1e-12


def test_compare_importance_shares_sum_to_one():
    out = compare_importance({"R": 30, "T": 10, "S": 20}, {"R": 0.2, "T": 0.05, "S": 0.3})
    assert out["stated_share"].sum() == pytest.approx(1) and out["derived_share"].sum() == pytest.approx(1)
    assert out.set_index("element").loc["S", "derived_rank"] == 1


def test_ipa_quadrants_default_and_custom_crosshairs():
    df = pd.DataFrame(
        {"element": list("RATE"), "importance": [0.4, 0.1, 0.3, 0.2], "performance": [50, 80, 70, 60]}
    )
    out = quadrants(df).set_index("element")["quadrant"]  # crosshairs: 0.25, 65
    assert out.to_dict() == {"R": CONCENTRATE, "A": OVERKILL, "T": KEEP_UP, "E": LOW_PRIORITY}
    custom = quadrants(df, importance_cut=0.1, performance_cut=55).set_index("element")["quadrant"]
    assert custom["A"] == KEEP_UP and custom["R"] == CONCENTRATE
