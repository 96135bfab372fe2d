"""Bootstrap intervals of the PLS path model (ACSI method). Oracle: an
independent respondent bootstrap written here with numpy, each resample
fitted by the reference package plspm (its outer weights give the index by
the ACSI formula, computed here; its path matrix and R^2 are used as they
are). The two bootstraps use different random draws, so they agree within
Monte Carlo error, which the tolerances below are derived from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.analytics.pls_bootstrap import bootstrap_pls
from tests.unit.analytics.plspm_oracle import plspm_config

pytestmark = pytest.mark.filterwarnings("ignore:.*chained_assignment.*")

BLOCKS = {"A": ["a0", "a1"], "B": ["b0", "b1"], "C": ["c0", "c1"]}
PATHS = [("A", "B"), ("A", "C"), ("B", "C")]
CODES = [c for items in BLOCKS.values() for c in items]
SCALES = dict.fromkeys(CODES, (1, 7))


def survey(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = 0.6 * a + rng.normal(0, 0.8, n)
    c = 0.3 * a + 0.5 * b + rng.normal(0, 0.7, n)
    return pd.DataFrame(
        {
            f"{k}{i}": np.clip(np.rint(4 + 1.2 * ((0.9 - 0.2 * i) * lat + rng.normal(0, 0.6, n))), 1, 7)
            for k, lat in (("a", a), ("b", b), ("c", c))
            for i in range(2)
        }
    )


def _plspm_fit(plspm_cls, data: pd.DataFrame) -> dict:
    from plspm.scheme import Scheme

    config = plspm_config(BLOCKS, PATHS)
    sd = data.std(ddof=1)
    ref = plspm_cls((data - data.mean()) / sd, config, Scheme.PATH, 300, 1e-7)
    outer = ref.outer_model()
    out = {}
    for name, items in BLOCKS.items():
        unstd = outer.loc[items, "weight"] / sd[items]  # plspm's weight scale and sign cancel below
        tilde = unstd / unstd.sum()
        out[("index", name)] = 100 * (float(tilde @ data[items].mean()) - 1) / 6
    sign = {lv: np.sign(outer.loc[items, "loading"].sum()) for lv, items in BLOCKS.items()}
    coefficients = ref.path_coefficients()
    for f, t in PATHS:
        out[("path", f, t)] = sign[f] * sign[t] * coefficients.loc[t, f]
    r2 = ref.inner_summary()["r_squared"]
    for name in ("B", "C"):
        out[("r2", name)] = r2[name]
    return out


def _ours(boot) -> dict:
    out = {}
    for kind, table, keys in (
        ("index", boot.index, ["construct"]),
        ("path", boot.paths, ["from", "to"]),
        ("r2", boot.r_squared, ["construct"]),
    ):
        for r in table.to_dict("records"):
            out[(kind, *(r[k] for k in keys))] = r
    return out


def test_agrees_with_an_independent_plspm_bootstrap(plspm_on_pandas3):
    data = survey(200)
    ours = _ours(bootstrap_pls(data[CODES].to_numpy(), CODES, BLOCKS, PATHS, SCALES, 2000, seed=11))
    rng = np.random.default_rng(2024)
    draws = [
        _plspm_fit(plspm_on_pandas3, data.iloc[rng.integers(0, len(data), len(data))].reset_index(drop=True))
        for _ in range(150)
    ]
    full = _plspm_fit(plspm_on_pandas3, data)
    assert set(ours) == set(full)
    for key, row in ours.items():
        values = np.array([d[key] for d in draws])
        assert row["estimate"] == pytest.approx(full[key], abs=1e-4), key
        se = values.std(ddof=1)
        # a 2.5% / 97.5% quantile from B draws has sd ~ 2.7 se / sqrt(B) under normality:
        # with B = 150 and 2000 the difference has sd ~ 0.23 se; allow 4 of them
        for end, q in (("low", 0.025), ("high", 0.975)):
            assert abs(row[end] - np.quantile(values, q)) < 0.9 * se, (key, end)
        # the interval's width is ~ 3.92 se of the reference bootstrap (se estimated within ~6%)
        assert (row["high"] - row["low"]) / (3.92 * se) == pytest.approx(1, abs=0.3), key


def test_intervals_cover_the_estimate_and_are_reproducible():
    x = survey(150)[CODES].to_numpy()
    first = bootstrap_pls(x, CODES, BLOCKS, PATHS, SCALES, 300, seed=5)
    again = bootstrap_pls(x, CODES, BLOCKS, PATHS, SCALES, 300, seed=5)
    other = bootstrap_pls(x, CODES, BLOCKS, PATHS, SCALES, 300, seed=6)
    for table in (first.index, first.paths, first.r_squared):
        assert (table["low"] < table["estimate"]).all() and (table["estimate"] < table["high"]).all()
    pd.testing.assert_frame_equal(first.index, again.index)
    pd.testing.assert_frame_equal(first.paths, again.paths)
    assert not np.allclose(first.index["low"], other.index["low"])
    assert (first.resamples, first.failed, first.level) == (300, 0, 0.95)


def test_intervals_shrink_with_n():
    small = bootstrap_pls(survey(100)[CODES].to_numpy(), CODES, BLOCKS, PATHS, SCALES, 400, seed=1)
    large = bootstrap_pls(survey(1600, seed=2)[CODES].to_numpy(), CODES, BLOCKS, PATHS, SCALES, 400, seed=1)
    for a, b in ((small.index, large.index), (small.paths, large.paths), (small.r_squared, large.r_squared)):
        ratio = (a["high"] - a["low"]) / (b["high"] - b["low"])
        # 16 times the respondents: widths fall by about 4 (sqrt 16)
        assert ratio.between(2.5, 6).all(), ratio.tolist()


def test_a_resample_that_cannot_be_fitted_is_counted():
    data = survey(40)
    data.loc[1:, "c1"] = 4.0  # one respondent differs: resamples without them have a constant indicator
    data.loc[0, "c1"] = 6.0
    boot = bootstrap_pls(data[CODES].to_numpy(), CODES, BLOCKS, PATHS, SCALES, 200, seed=0)
    # P(a resample misses that respondent) = (1 - 1/40)^40 ~ 0.36
    assert 40 < boot.failed < 110
    with pytest.raises(ValueError, match="at least one resample"):
        bootstrap_pls(data[CODES].to_numpy(), CODES, BLOCKS, PATHS, SCALES, 0)
