"""Property tests (hypothesis) for invariants every estimator must keep."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dashboard.analytics.drivers import lmg, moments_to_correlation, r_squared
from dashboard.analytics.indices import csi_estimate, normalise_weights, to_index
from dashboard.analytics.moments import Moments
from dashboard.analytics.topbox import nps_estimate, wilson_interval

finite = st.floats(-1e3, 1e3, allow_nan=False)


@given(finite, st.floats(0.5, 1e3))
def test_rescale_maps_lo_to_0_hi_to_100_and_midpoint_to_50(lo, width):
    hi = lo + width
    assert to_index(lo, lo, hi) == pytest.approx(0, abs=1e-9)
    assert to_index(hi, lo, hi) == pytest.approx(100)
    assert to_index((lo + hi) / 2, lo, hi) == pytest.approx(50)


@given(st.dictionaries(st.sampled_from("RATES"), st.floats(0, 100), min_size=1))
def test_normalised_weights_sum_to_one(points):
    assume(sum(points.values()) > 1e-6)
    w = normalise_weights(points)
    assert sum(w.values()) == pytest.approx(1)
    assert all(v >= 0 for v in w.values())


@given(st.lists(st.integers(1, 7), min_size=1, max_size=50), st.lists(st.integers(1, 7), max_size=50))
def test_combined_moments_equal_moments_of_all_answers(a, b):
    both, whole = Moments.of(a) + Moments.of(b), Moments.of(a + b)
    assert both.n == whole.n and both.mean == pytest.approx(whole.mean)
    if whole.n > 1:
        assert both.var == pytest.approx(whole.var, abs=1e-9)


@given(st.lists(st.integers(1, 5), min_size=10, max_size=120))
def test_csi_interval_contains_the_index_and_stays_ordered(values):
    m = Moments.of(values)
    est = csi_estimate(m.n, m.total, m.total_sq, 1, 5)
    assert 0 <= est.value <= 100
    assert est.ci_low <= est.value + 1e-9 <= est.ci_high + 2e-9


@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_interval_lies_in_0_1_and_contains_the_share(x, n):
    assume(x <= n)
    low, high = wilson_interval(x, n)
    assert -1e-12 <= low <= x / n + 1e-12 and x / n - 1e-12 <= high <= 1 + 1e-12


@given(st.integers(0, 300), st.integers(0, 300), st.integers(0, 300))
def test_nps_lies_in_range_and_its_interval_contains_it(promoters, detractors, passives):
    n = promoters + detractors + passives
    assume(n >= 10)
    est = nps_estimate(promoters, detractors, n)
    assert -100 <= est.value <= 100
    assert est.ci_low <= est.value <= est.ci_high


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 7))
def test_lmg_shares_are_non_negative_and_sum_to_r2(seed, p):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(60, p)) + rng.normal(size=(60, 1))
    y = x @ rng.uniform(-1, 1, p) + rng.normal(size=60)
    data = np.column_stack([x, y])
    _m, corr = moments_to_correlation(len(data), data.sum(axis=0), data.T @ data)
    shares = lmg(corr, p, list(range(p)))
    assert shares.sum() == pytest.approx(r_squared(corr, p, list(range(p))), abs=1e-9)
    assert shares.min() >= -1e-12  # adding a predictor never lowers R^2
    assert not math.isnan(shares.sum())
