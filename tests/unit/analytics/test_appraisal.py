"""Account-manager verdicts on hand-made respondents. Oracles: statsmodels'
Holm adjustment and scipy's one-sample and Welch t intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from dashboard.analytics.appraisal import NO_CLEAR_WEAKNESS, holm, outstanding, training_need
from dashboard.analytics.moments import Moments

ELEMENTS = ["R", "A", "T", "E", "S"]
SCALES = dict.fromkeys(ELEMENTS, (1.0, 7.0))


def _sums(x: np.ndarray):
    return len(x), x.sum(axis=0), x.T @ x


def test_holm_equals_statsmodels():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5, 0.2])
    assert holm(p) == pytest.approx(multipletests(p, method="holm")[1])


def test_a_clear_weakness_is_named_and_noise_is_not():
    rng = np.random.default_rng(4)
    base = rng.normal(5, 0.7, (60, 1))
    weak = np.clip(base + rng.normal(0, 0.3, (60, 5)) - np.array([0, 0, 0, 0, 0.8]), 1, 7)  # S lower
    flat = np.clip(base + rng.normal(0, 0.3, (60, 5)), 1, 7)
    rest_x = np.clip(rng.normal(5, 0.8, (400, 5)), 1, 7)
    rest = {e: Moments(400, rest_x[:, i].sum(), (rest_x[:, i] ** 2).sum()) for i, e in enumerate(ELEMENTS)}
    need = training_need(*_sums(weak), rest, ELEMENTS, SCALES)
    assert need["element"] == "S" and need["need"] == "S"
    index = 100 * (weak - 1) / 6
    paired = index[:, 4] - index[:, :4].mean(axis=1)
    ci = stats.ttest_1samp(paired, 0).confidence_interval(0.99)
    assert (need["vs_others_low"], need["vs_others_high"]) == pytest.approx((ci.low, ci.high))
    welch = stats.ttest_ind(index[:, 4], 100 * (rest_x[:, 4] - 1) / 6, equal_var=False).confidence_interval(
        0.99
    )
    assert (need["element_vs_rest_low"], need["element_vs_rest_high"]) == pytest.approx(
        (welch.low, welch.high)
    )
    assert training_need(*_sums(flat), rest, ELEMENTS, SCALES)["need"] == NO_CLEAR_WEAKNESS


def test_outstanding_needs_a_holm_adjusted_welch_win():
    rng = np.random.default_rng(9)
    groups = {1: rng.normal(8.6, 1, 80), 2: rng.normal(7, 1, 80), 3: rng.normal(7, 1, 5)}
    rows = pd.DataFrame(
        [{"unit": u, "n": len(v), "total": v.sum(), "total_sq": (v**2).sum()} for u, v in groups.items()]
    ).assign(status=["ranked", "ranked", "too few responses"])
    everyone = np.concatenate(list(groups.values()))
    out = outstanding(rows, Moments(len(everyone), everyone.sum(), (everyone**2).sum())).set_index("unit")
    p = [
        stats.ttest_ind(
            groups[u], np.concatenate([groups[o] for o in groups if o != u]), equal_var=False
        ).pvalue
        for u in (1, 2)
    ]
    assert list(out.loc[[1, 2], "vs_rest_p_holm"]) == pytest.approx(list(multipletests(p, method="holm")[1]))
    assert list(out["outstanding"]) == [True, False, False]
    assert np.isnan(out.loc[3, "vs_rest_p"]) and "Holm over 2" in out.attrs["test"]
