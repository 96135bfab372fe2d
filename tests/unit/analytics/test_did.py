"""Difference in differences (dashboard/analytics/did.py) on hand-worked data
and against statsmodels OLS (y ~ treated * post, HC2 errors) as the oracle."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from dashboard.analytics.did import TOO_EARLY, DidCells, difference_in_differences, effect_per_cost
from dashboard.analytics.moments import Moments


def test_hand_worked_example():
    # treated 3,4,5 -> 5,6,7 (+2); controls 4,4,5,5 -> 4,5,5,6 (+0.5): effect 1.5
    cells = DidCells(
        Moments.of([3, 4, 5]), Moments.of([5, 6, 7]), Moments.of([4, 4, 5, 5]), Moments.of([4, 5, 5, 6])
    )
    result = difference_in_differences(cells, min_n=2)
    assert result.effect == pytest.approx(1.5)
    assert result.treated_change == pytest.approx(2.0) and result.control_change == pytest.approx(0.5)
    # cell variances 1, 1, 1/3, 2/3 over n 3, 3, 4, 4 -> se^2 = 1/3 + 1/3 + 1/12 + 1/6 = 11/12
    assert result.se == pytest.approx(math.sqrt(11 / 12))
    # Welch-Satterthwaite df = (11/12)^2 / ((1/3)^2/2 + (1/3)^2/2 + (1/12)^2/3 + (1/6)^2/3)
    df = (11 / 12) ** 2 / (1 / 18 + 1 / 18 + 1 / 432 + 1 / 108)
    assert result.df == pytest.approx(df)
    assert not result.significant and result.verdict == "no significant change"
    # the same numbers through the oracle: OLS with the treated x post interaction, HC2 errors
    frame = pd.DataFrame(
        {
            "y": [3, 4, 5, 5, 6, 7, 4, 4, 5, 5, 4, 5, 5, 6],
            "treated": [1] * 6 + [0] * 8,
            "post": [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1],
        }
    )
    fit = smf.ols("y ~ treated * post", data=frame).fit(cov_type="HC2")
    assert fit.params["treated:post"] == pytest.approx(1.5)
    assert fit.bse["treated:post"] == pytest.approx(math.sqrt(11 / 12))


def _frame(rng, n, shift_treated, shift_control=0.3):
    rows = []
    for treated in (0, 1):
        for post in (0, 1):
            size = n * (1 + treated)  # unequal cells and variances
            sd = 1.0 + 0.5 * treated
            mean = 4 + 0.2 * treated + post * (shift_control + treated * shift_treated)
            rows.append(pd.DataFrame({"y": rng.normal(mean, sd, size), "treated": treated, "post": post}))
    return pd.concat(rows, ignore_index=True)


def _cells(frame):
    def m(t, p):
        return Moments.of(frame.loc[(frame.treated == t) & (frame.post == p), "y"])

    return DidCells(m(1, 0), m(1, 1), m(0, 0), m(0, 1))


@pytest.mark.parametrize("seed,shift", [(1, 0.0), (2, 0.5), (3, -0.4)])
def test_matches_statsmodels_ols_with_hc2_errors(seed, shift):
    frame = _frame(np.random.default_rng(seed), 120, shift)
    fit = smf.ols("y ~ treated * post", data=frame).fit(cov_type="HC2")
    result = difference_in_differences(_cells(frame))
    assert result.effect == pytest.approx(fit.params["treated:post"], abs=1e-10)
    assert result.se == pytest.approx(fit.bse["treated:post"], rel=1e-10)


def test_planted_effect_is_found_and_absence_is_not():
    rng = np.random.default_rng(9)
    assert difference_in_differences(_cells(_frame(rng, 400, 0.8))).verdict == "improved"
    assert difference_in_differences(_cells(_frame(rng, 400, -0.8))).verdict == "worsened"
    null = [difference_in_differences(_cells(_frame(rng, 100, 0.0))).significant for _ in range(200)]
    assert 0.01 <= np.mean(null) <= 0.10  # about alpha = 5% false positives


def test_too_early_and_missing_controls():
    few = Moments.of([5, 6])
    plenty = Moments.of(np.arange(40) % 7 + 1)
    assert difference_in_differences(DidCells(plenty, few, plenty, plenty)).verdict == TOO_EARLY
    early = difference_in_differences(DidCells(plenty, Moments(0, 0, 0), plenty, plenty))
    assert early.verdict == TOO_EARLY and early.effect is None
    no_controls = difference_in_differences(DidCells(plenty, plenty, Moments(0, 0, 0), plenty))
    assert no_controls.verdict == "no comparison units"


def test_effect_per_cost():
    assert effect_per_cost(5.0, 50_000) == pytest.approx(1.0)
    assert effect_per_cost(5.0, 0) is None and effect_per_cost(None, 10) is None
