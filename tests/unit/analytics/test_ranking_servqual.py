"""Rankings with shrinkage and SERVQUAL gaps: hand-worked and property tests."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.analytics.moments import Moments
from dashboard.analytics.ranking import dersimonian_laird_tau2, movers, rank_units
from dashboard.analytics.servqual import NOT_MEASURED, element_gaps, item_gaps, weighted_servqual


def _unit(name, values):
    m = Moments.of(values)
    return {"unit": name, "n": m.n, "total": m.total, "total_sq": m.total_sq}


def test_three_perfect_answers_do_not_top_the_table():
    rng = np.random.default_rng(0)
    units = [_unit(f"U{i}", np.clip(rng.normal(5 + 0.2 * i, 1.2, 200).round(), 1, 7)) for i in range(6)]
    units.append(_unit("TINY", [7, 7, 7]))  # three perfect answers
    ranked = rank_units(pd.DataFrame(units), min_n=2)
    tiny = ranked.set_index("unit").loc["TINY"]
    assert tiny["mean"] > ranked["mean"].drop(index=6).max()  # best raw mean ...
    assert tiny["rank"] > 1  # ... but not ranked first
    assert tiny["rank_high"] - tiny["rank_low"] >= 3  # and its rank is very uncertain


def test_units_under_min_n_are_not_ranked():
    df = pd.DataFrame([_unit("A", [5] * 5 + [6] * 10), _unit("B", [4, 5, 6]), _unit("C", [3, 4] * 8)])
    ranked = rank_units(df, min_n=10).set_index("unit")
    assert ranked.loc["B", "status"] == "too few responses" and math.isnan(ranked.loc["B", "rank"])
    assert ranked.loc[["A", "C"], "rank"].tolist() == [1, 2]


def test_dersimonian_laird_hand_worked():
    # means 1, 3 with se 1: w = 1, grand = 2, Q = 2, C = 2 - 2/2 = 1 -> tau2 = (2 - 1) / 1 = 1
    assert dersimonian_laird_tau2(np.array([1.0, 3.0]), np.array([1.0, 1.0])) == pytest.approx(1.0)
    # identical means: no between-unit variance
    assert dersimonian_laird_tau2(np.array([2.0, 2.0]), np.array([1.0, 1.0])) == 0.0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(2, 60), st.floats(1, 7), st.floats(0.3, 2)), min_size=2, max_size=12),
    st.integers(2, 30),
)
def test_shrunk_mean_lies_between_raw_and_grand_and_min_n_is_respected(specs, min_n):
    rows = []
    for i, (n, mu, sd) in enumerate(specs):
        values = np.linspace(mu - sd, mu + sd, n)
        rows.append(_unit(f"U{i}", values))
    ranked = rank_units(pd.DataFrame(rows), min_n=min_n)
    assert ranked.loc[ranked["n"] < min_n, "rank"].isna().all()
    r = ranked[ranked["status"] == "ranked"]
    if r.empty:
        return
    grand = ranked.attrs["grand_mean"]
    lo = np.minimum(r["mean"], grand) - 1e-9
    hi = np.maximum(r["mean"], grand) + 1e-9
    assert ((r["shrunk"] >= lo) & (r["shrunk"] <= hi)).all()
    # a higher posterior mean never ranks worse; ties share the better rank
    assert r.sort_values("shrunk", ascending=False)["rank"].is_monotonic_increasing
    assert r["rank"].min() == 1 and r["rank"].max() <= len(r)
    if ranked.attrs["tau2"] == 0:  # no detectable difference: everyone ties, intervals span all ranks
        assert (r["rank"] == 1).all() and (r["rank_low"] == 1).all() and (r["rank_high"] == len(r)).all()
    assert (r["rank_low"] <= r["rank"]).all() and (r["rank"] <= r["rank_high"]).all()


def test_movers_exclude_small_units_and_sort_by_change():
    prev = pd.DataFrame([_unit("A", [5] * 20), _unit("B", [4, 5] * 10), _unit("C", [5, 6])])
    curr = pd.DataFrame([_unit("A", [5, 6] * 10), _unit("B", [6, 7] * 10), _unit("C", [1, 2] * 10)])
    out = movers(prev, curr, min_n=10)
    assert out["unit"].tolist() == ["B", "A"]
    assert out.loc[0, "change"] == pytest.approx(2.0) and bool(out.loc[0, "significant"])
    assert out.loc[0, "test"] == "Welch two-sample t-test"


def test_servqual_gaps_hand_worked():
    # item 1: gaps -1, -2 -> mean -1.5; item 2: gaps 0, -1 -> -0.5; element mean -1.0
    items = pd.DataFrame({"element": ["R", "R"], "n_gap": [2, 2], "sum_gap": [-3, -1], "sumsq_gap": [5, 1]})
    assert item_gaps(items)["gap"].tolist() == [-1.5, -0.5]
    el = element_gaps(items)
    assert el.loc[0, "gap"] == pytest.approx(-1.0) and el.loc[0, "status"] == "measured"
    # weights 30/10 -> 0.75 R + 0.25 S
    assert weighted_servqual({"R": -1.0, "S": -2.0}, {"R": 30, "S": 10}) == pytest.approx(-1.25)


def test_item_gap_interval_is_student_t():
    """Oracle: statsmodels' t interval of the paired differences."""
    from statsmodels.stats.weightstats import DescrStatsW

    diffs = np.array([-2.0, -1.0, 0.0, -3.0, -1.0, 1.0, -2.0])
    items = pd.DataFrame({"n_gap": [diffs.size], "sum_gap": [diffs.sum()], "sumsq_gap": [(diffs**2).sum()]})
    low, high = DescrStatsW(diffs).tconfint_mean(alpha=0.05)
    assert item_gaps(items)["gap_half"].iloc[0] == pytest.approx((high - low) / 2)


def test_servqual_without_expectations_is_not_measured():
    items = pd.DataFrame({"element": ["T", "T"], "n_gap": [0, 0], "sum_gap": [0, 0], "sumsq_gap": [0, 0]})
    el = element_gaps(items)
    assert el.loc[0, "status"] == NOT_MEASURED and math.isnan(el.loc[0, "gap"])
    assert weighted_servqual({"T": float("nan"), "R": -1.0}, {"T": 1, "R": 1}) == NOT_MEASURED


def test_element_gaps_of_nothing_keep_their_columns():
    empty = pd.DataFrame({"element": [], "n_gap": [], "sum_gap": [], "sumsq_gap": []})
    assert list(element_gaps(empty).columns) == ["element", "gap", "items", "status"]
