"""Edge cases found in review (degenerate spreads, missing expectations) and
oracle checks not covered elsewhere (scipy.stats.bootstrap for the bootstrap,
scipy.stats.ttest_ind_from_stats as a property over random moments)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from dashboard.analytics.indices import csi_estimate, csi_table, weighted_index
from dashboard.analytics.moments import Moments
from dashboard.analytics.ranking import rank_units
from dashboard.analytics.servqual import NOT_MEASURED, element_gaps, item_gaps
from dashboard.analytics.significance import BOOTSTRAP, bootstrap_mean_diff, welch_test


def _unit(name, values):
    m = Moments.of(values)
    return {"unit": name, "n": m.n, "total": m.total, "total_sq": m.total_sq}


def test_units_without_any_spread_are_still_ranked_by_their_means():
    # every answer of A is 5 and of B is 6 (n 10 each): no within-unit spread anywhere, so the
    # means are (almost) exact; B ranks 1, A 2, with degenerate intervals - never NaN ranks
    ranked = rank_units(pd.DataFrame([_unit("A", [5] * 10), _unit("B", [6] * 10)])).set_index("unit")
    assert ranked["rank"].to_dict() == {"A": 2, "B": 1}
    assert ranked[["rank_low", "rank_high"]].notna().all().all()
    # a single eligible unit of identical answers: rank 1, shrunk to itself
    single = rank_units(pd.DataFrame([_unit("A", [5] * 12), _unit("B", [4, 5] * 3)])).set_index("unit")
    assert single.loc["A", "rank"] == 1 and single.loc["A", "shrunk"] == pytest.approx(5.0)
    assert math.isnan(single.loc["B", "rank"])


def test_csi_table_se_column_is_the_index_scale_se():
    # answers 4, 5, 6, 7 on 1..7: se = sqrt(5/3) / 2 = 0.6455 -> 100 * 0.6455 / 6 = 10.758 index points
    df = pd.DataFrame({"n_p": [4], "sum_p": [22], "sumsq_p": [126]})
    out = csi_table(df, 1, 7, min_n=1)
    assert out.loc[0, "se"] == pytest.approx(100 * math.sqrt(5 / 3) / 2 / 6)
    assert out.loc[0, "se"] == pytest.approx(csi_estimate(4, 22, 126, 1, 7, min_n=1).se)


def test_items_without_expectations_are_not_measured_even_with_stray_gap_counts():
    # item 2 has n_e == 0: whatever the gap columns say, the gap is "not measured", and so is its element
    items = pd.DataFrame(
        {
            "element": ["R", "R", "S"],
            "n_e": [2, 0, 2],
            "n_gap": [2, 2, 2],
            "sum_gap": [-3, -1, 2],
            "sumsq_gap": [5, 1, 2],
        }
    )
    gaps = item_gaps(items)
    assert gaps["gap_status"].tolist() == ["measured", NOT_MEASURED, "measured"]
    assert math.isnan(gaps.loc[1, "gap"])
    el = element_gaps(items).set_index("element")
    assert el.loc["R", "status"] == NOT_MEASURED and el.loc["S", "gap"] == pytest.approx(1.0)


def test_bootstrap_interval_matches_scipy_bootstrap():
    rng = np.random.default_rng(8)
    a, b = rng.integers(1, 8, 60).astype(float), rng.integers(2, 8, 45).astype(float)
    ours = bootstrap_mean_diff(a, b, n_boot=20_000, seed=3)
    ref = stats.bootstrap(  # oracle: scipy.stats.bootstrap, independent resampling, percentile method
        (a, b),
        lambda x, y, axis: y.mean(axis=axis) - x.mean(axis=axis),
        paired=False,
        vectorized=True,
        n_resamples=20_000,
        method="percentile",
        rng=np.random.default_rng(4),
    )
    se = math.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    # two independent Monte-Carlo runs: the bounds agree to a few hundredths of a standard error
    assert ours.ci_low == pytest.approx(ref.confidence_interval.low, abs=0.05 * se)
    assert ours.ci_high == pytest.approx(ref.confidence_interval.high, abs=0.05 * se)
    assert ours.test == BOOTSTRAP and ours.diff == pytest.approx(b.mean() - a.mean())


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 300),
    st.floats(1, 7),
    st.floats(0.1, 3),
    st.integers(2, 300),
    st.floats(1, 7),
    st.floats(0.1, 3),
)
def test_welch_on_moments_equals_scipy_from_stats(n1, m1, s1, n2, m2, s2):
    # moments built from (n, mean, sd): sum = n m, sum of squares = (n - 1) s^2 + n m^2
    a = Moments(n1, n1 * m1, (n1 - 1) * s1**2 + n1 * m1**2)
    b = Moments(n2, n2 * m2, (n2 - 1) * s2**2 + n2 * m2**2)
    res = welch_test(a, b)
    ref = stats.ttest_ind_from_stats(m2, s2, n2, m1, s1, n1, equal_var=False)  # oracle: scipy
    assert res.statistic == pytest.approx(ref.statistic, rel=1e-6, abs=1e-9)
    assert res.p_value == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-12)
    assert res.ci_low <= res.diff <= res.ci_high
    assert res.significant == (res.p_value < 0.05)


@given(
    st.lists(st.tuples(st.floats(0, 100), st.floats(0.01, 10), st.floats(0.1, 10)), min_size=1, max_size=6)
)
def test_weighted_index_lies_within_its_parts_and_inside_its_interval(parts):
    values = {f"e{i}": v for i, (v, _w, _s) in enumerate(parts)}
    weights = {f"e{i}": w for i, (_v, w, _s) in enumerate(parts)}
    ses = {f"e{i}": s for i, (_v, _w, s) in enumerate(parts)}
    est = weighted_index(values, weights, ses=ses)
    assert min(values.values()) - 1e-9 <= est.value <= max(values.values()) + 1e-9
    assert est.ci_low < est.value < est.ci_high


def test_csi_table_hides_the_index_of_suppressed_rows():
    # row 1 has 3 answers < min_n 10: flagged, index and bounds NaN, count kept
    df = pd.DataFrame({"n_p": [30, 3], "sum_p": [150, 21], "sumsq_p": [800, 147]})
    out = csi_table(df, 1, 7, min_n=10)
    assert out["suppressed"].tolist() == [False, True]
    assert out.loc[1, ["csi", "csi_low", "csi_high", "se"]].isna().all() and out.loc[1, "n_p"] == 3
    assert out.loc[0, ["csi", "csi_low", "csi_high", "se"]].notna().all()


def test_bootstrap_p_value_agrees_with_welch_and_is_high_without_a_shift():
    rng = np.random.default_rng(11)
    a, b = rng.normal(5, 1, 200), rng.normal(5.2, 1, 200)
    boot = bootstrap_mean_diff(a, b, n_boot=20_000)
    welch = welch_test(Moments.of(a), Moments.of(b))  # large samples: both tests give about the same p
    assert boot.p_value == pytest.approx(welch.p_value, abs=0.02)
    same = bootstrap_mean_diff(a, a)
    assert same.diff == 0 and same.p_value > 0.9 and not same.significant


def test_movers_leave_out_units_small_in_the_current_period():
    from dashboard.analytics.ranking import movers

    # D: 20 answers before, only 4 now -> excluded even though its change (-3) would be the largest
    prev = pd.DataFrame([_unit("A", [5] * 20), _unit("D", [6] * 20)])
    curr = pd.DataFrame([_unit("A", [5, 6] * 10), _unit("D", [3] * 4)])
    assert movers(prev, curr, min_n=10)["unit"].tolist() == ["A"]
