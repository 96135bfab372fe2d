"""PLS path model (ACSI method) against the reference package plspm, used
only as a test oracle, on a synthetic ECSI-like data set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.analytics.pls import acsi_index, pls_path_model
from tests.unit.analytics.plspm_oracle import plspm_config

# plspm sets a pandas option that pandas 3 deprecates; not our code
pytestmark = pytest.mark.filterwarnings("ignore:.*chained_assignment.*")

BLOCKS = {
    "image": ["img1", "img2", "img3"],
    "expectation": ["exp1", "exp2", "exp3"],
    "quality": ["qua1", "qua2", "qua3"],
    "value": ["val1", "val2"],
    "satisfaction": ["sat1", "sat2", "sat3"],
    "complaints": ["com1"],
    "loyalty": ["loy1", "loy2"],
}
PATHS = [
    ("image", "expectation"),
    ("image", "satisfaction"),
    ("image", "loyalty"),
    ("expectation", "quality"),
    ("expectation", "value"),
    ("expectation", "satisfaction"),
    ("quality", "value"),
    ("quality", "satisfaction"),
    ("value", "satisfaction"),
    ("satisfaction", "complaints"),
    ("satisfaction", "loyalty"),
    ("complaints", "loyalty"),
]


def ecsi_data(n=250, seed=12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lat = {"image": rng.normal(size=n)}
    lat["expectation"] = 0.5 * lat["image"] + rng.normal(0, 0.85, n)
    lat["quality"] = 0.6 * lat["expectation"] + rng.normal(0, 0.8, n)
    lat["value"] = 0.3 * lat["expectation"] + 0.5 * lat["quality"] + rng.normal(0, 0.8, n)
    lat["satisfaction"] = (
        0.2 * lat["image"]
        + 0.1 * lat["expectation"]
        + 0.4 * lat["quality"]
        + 0.3 * lat["value"]
        + rng.normal(0, 0.6, n)
    )
    lat["complaints"] = -0.5 * lat["satisfaction"] + rng.normal(0, 0.85, n)
    lat["loyalty"] = (
        0.2 * lat["image"] + 0.5 * lat["satisfaction"] - 0.1 * lat["complaints"] + rng.normal(0, 0.7, n)
    )
    cols = {}
    for name, items in BLOCKS.items():
        for k, item in enumerate(items):
            noisy = (0.9 - 0.1 * k) * lat[name] + rng.normal(0, 0.55, n)
            cols[item] = np.clip(np.rint(6.5 + 1.4 * noisy), 1, 10)
    return pd.DataFrame(cols)


def _reference(data: pd.DataFrame):
    """plspm's own iterative estimation (weights and construct scores).

    plspm 0.5.7's InnerModel uses an indexing idiom that pandas 3 rejects, so
    the test stops after plspm's weight estimation and fits the structural
    regressions on plspm's scores with statsmodels OLS (plspm does the same).
    """
    import plspm.weights as plspm_weights
    import statsmodels.api as sm
    from plspm.estimator import Estimator
    from plspm.scheme import Scheme

    config = plspm_config(BLOCKS, PATHS)
    standardised = (data - data.mean()) / data.std(ddof=1)  # pre-standardised data
    correction = np.sqrt(len(data) / (len(data) - 1))
    calculator = plspm_weights.WeightsCalculatorFactory(config, 300, 1e-7, correction, Scheme.PATH)
    final, scores, weights = Estimator(config).estimate(calculator, config.filter(standardised))
    # plspm rescales its indicators to a population SD of sqrt(n / (n - 1)); ours have a sample SD of
    # 1. Scores are unit-variance in both, so a weight converts by the ratio of the indicator scales.
    scale = final[weights.index].std(ddof=1)
    converted = weights["weight"] * scale
    # plspm may report a construct's scores with the opposite orientation to its weights (here the
    # one-item complaints block); apply the convention of both implementations: loadings sum positive.
    for lv, mvs in BLOCKS.items():
        if sum(np.corrcoef(final[mv], scores[lv])[0, 1] for mv in mvs) < 0:
            scores[lv] = -scores[lv]
    loadings = {mv: np.corrcoef(final[mv], scores[lv])[0, 1] for lv, mvs in BLOCKS.items() for mv in mvs}
    paths, r2 = {}, {}
    for target in {t for _f, t in PATHS}:
        sources = [f for f, t in PATHS if t == target]
        fit = sm.OLS(scores[target], sm.add_constant(scores[sources])).fit()
        r2[target] = fit.rsquared
        paths.update({(f, target): fit.params[f] for f in sources})
    return converted, pd.Series(loadings), paths, r2


def test_matches_plspm_reference_to_1e_3():
    data = ecsi_data()
    ours = pls_path_model(data, BLOCKS, PATHS)
    ref_weights, ref_loadings, ref_paths, ref_r2 = _reference(data)
    mine = ours.outer.set_index("indicator")
    assert np.abs(mine["weight"] - ref_weights.loc[mine.index]).max() < 1e-3
    assert np.abs(mine["loading"] - ref_loadings.loc[mine.index]).max() < 1e-3
    for f, t, value in ours.paths.itertuples(index=False):
        assert value == pytest.approx(ref_paths[(f, t)], abs=1e-3), (f, t)
    for name, value in ours.r_squared.items():
        assert value == pytest.approx(ref_r2[name], abs=1e-3), name
    assert len(ours.paths) == len(PATHS)


def test_acsi_index_hand_worked():
    # two indicators on 1..10, standardised weights 0.6 and 0.4, sds 2 and 1:
    # w/sd = 0.3, 0.4 -> w~ = 3/7, 4/7; means 8 and 6 -> 48/7 ~ 6.857 -> 100 * (6.857 - 1) / 9 = 65.08
    raw = pd.DataFrame({"a": [6.0, 10.0, 8.0, 6.0, 10.0], "b": [5.0, 7.0, 6.0, 6.0, 6.0]})
    raw["a"] = 8 + (raw["a"] - raw["a"].mean()) * (2 / raw["a"].std(ddof=1))
    raw["b"] = 6 + (raw["b"] - raw["b"].mean()) * (1 / raw["b"].std(ddof=1))
    outer = pd.DataFrame({"construct": ["s", "s"], "indicator": ["a", "b"], "weight": [0.6, 0.4]})
    index = acsi_index(raw, outer, {"a": (1, 10), "b": (1, 10)})
    assert index["s"] == pytest.approx(100 * (48 / 7 - 1) / 9)


def test_index_lies_on_0_100_and_cycles_are_refused():
    data = ecsi_data(n=120, seed=3)
    scales = {c: (1, 10) for c in data.columns}
    result = pls_path_model(data, BLOCKS, PATHS, scales)
    assert all(0 <= v <= 100 for v in result.index.values())
    assert result.r_squared["satisfaction"] > 0.3
    with pytest.raises(ValueError, match="cycle"):
        pls_path_model(data, BLOCKS, [*PATHS, ("loyalty", "image")])


def test_matches_full_plspm_outputs_to_1e_3(plspm_on_pandas3):
    """Oracle: plspm.Plspm end to end (its outer model, path matrix, R^2 and scores)."""
    from plspm.scheme import Scheme

    data = ecsi_data()
    config = plspm_config(BLOCKS, PATHS)
    ref = plspm_on_pandas3((data - data.mean()) / data.std(ddof=1), config, Scheme.PATH, 300, 1e-7)
    ours = pls_path_model(data, BLOCKS, PATHS)

    ref_outer = ref.outer_model()
    # plspm does not orient constructs: apply the shared convention (loadings sum positive)
    sign = {lv: float(np.sign(ref_outer.loc[mvs, "loading"].sum())) for lv, mvs in BLOCKS.items()}
    assert -1.0 in sign.values()  # the one-item complaints block comes out reversed: the flip is exercised
    mine = ours.outer.set_index("indicator")
    ref_loading = pd.Series(
        {mv: sign[lv] * ref_outer.loc[mv, "loading"] for lv, mvs in BLOCKS.items() for mv in mvs}
    )
    assert np.abs(mine["loading"] - ref_loading.loc[mine.index]).max() < 1e-3
    # scores agree to 1e-3, and weights agree up to plspm's single indicator-scale constant
    ref_scores = ref.scores()
    for lv in BLOCKS:
        assert np.abs(ours.scores[lv].to_numpy() - sign[lv] * ref_scores[lv].to_numpy()).max() < 1e-3, lv
    ratio = mine["weight"] / ref_outer.loc[mine.index, "weight"].abs()
    assert ratio.max() - ratio.min() < 1e-4 and abs(ratio.mean() - 1) < 5e-3
    coefficients = ref.path_coefficients()
    for f, t, value in ours.paths.itertuples(index=False):
        assert value == pytest.approx(sign[f] * sign[t] * coefficients.loc[t, f], abs=1e-3), (f, t)
    r2 = ref.inner_summary()["r_squared"]
    for name, value in ours.r_squared.items():
        assert value == pytest.approx(r2[name], abs=1e-3), name


@pytest.mark.parametrize("seed", [5, 27, 37, 48])
def test_mixed_sign_blocks_are_oriented_so_loadings_sum_positive(seed):
    # blocks mixing reverse-coded items; for these seeds the iteration ends with a block whose
    # loadings sum negative, so the orientation rule must flip it (weights and loadings together)
    rng = np.random.default_rng(seed)
    n = 80
    la = rng.normal(size=n)
    lb = rng.uniform(-1, 1) * la + rng.normal(size=n)
    signs = rng.choice([-1, 1], size=5)
    data = pd.DataFrame({f"a{i}": signs[i] * rng.uniform(0.2, 1) * la + rng.normal(size=n) for i in range(3)})
    for i in range(2):
        data[f"b{i}"] = signs[3 + i] * rng.uniform(0.2, 1) * lb + rng.normal(size=n)
    res = pls_path_model(data, {"A": ["a0", "a1", "a2"], "B": ["b0", "b1"]}, [("A", "B")])
    assert (res.outer.groupby("construct")["loading"].sum() > 0).all()
    # each reported loading is the correlation of its indicator with the reported score
    for r in res.outer.itertuples():
        assert r.loading == pytest.approx(np.corrcoef(data[r.indicator], res.scores[r.construct])[0, 1])
