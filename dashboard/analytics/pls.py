"""ACSI-method satisfaction index via a PLS path model (DOMAIN 4).

Wold/Lohmöller PLS-PM with reflective (mode A) blocks and the path weighting
inner scheme on standardised indicators. Every step is linear in the
indicators' correlation matrix, so the model is fitted from moments
(n, means, SDs, correlations) - which the database rollups provide - and
`pls_path_model` on raw data is a thin wrapper that computes them. Construct
scores have unit population variance (the convention of the reference package
plspm, which the tests use as an oracle). The index of a construct is the
ACSI one: outer weights brought back to the raw scale (w_i / sd_i, normalised
to sum 1), applied to the indicator means and rescaled to 0-100.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analytics.indices import to_index


@dataclass
class PlsResult:
    outer: pd.DataFrame  # construct, indicator, weight, loading
    paths: pd.DataFrame  # from, to, coefficient
    r_squared: dict[str, float]
    scores: pd.DataFrame | None  # only when fitted on raw data
    index: dict[str, float]  # construct -> ACSI-method index 0-100
    iterations: int
    n: int = 0


def _order(constructs: list[str], paths: list[tuple[str, str]]) -> list[str]:
    """Topological order (a cycle is an error: the model must be recursive)."""
    remaining, order = list(constructs), []
    while remaining:
        ready = [c for c in remaining if not any(t == c and f in remaining for f, t in paths)]
        if not ready:
            raise ValueError("the structural model has a cycle")
        order.extend(ready)
        remaining = [c for c in remaining if c not in ready]
    return order


def _score_correlation(s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Correlation matrix of the construct scores X w."""
    c = w.T @ s @ w
    d = 1.0 / np.sqrt(np.diag(c))
    return c * np.outer(d, d)


def _inner_weights(r: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Path scheme: a construct's predecessors weigh by their multiple
    regression coefficients on it, its successors by their correlation."""
    k = r.shape[0]
    e = np.zeros((k, k))
    for j in range(k):
        before = np.flatnonzero(pred[j])
        if before.size:
            e[before, j] = np.linalg.solve(r[np.ix_(before, before)], r[before, j])
        after = np.flatnonzero(pred[:, j])
        e[after, j] = r[after, j]
    return e


def _check_model(blocks: dict[str, list[str]], paths: list[tuple[str, str]]) -> list[str]:
    unknown = [c for p in paths for c in p if c not in blocks]
    if unknown:
        raise ValueError(f"paths name unknown constructs: {sorted(set(unknown))}")
    constructs = _order(list(blocks), paths)
    isolated = [c for c in constructs if not any(c in p for p in paths)]
    if isolated:
        # without a neighbour its inner proxy is zero and its weights are undefined
        raise ValueError(f"constructs without any structural path: {isolated}")
    return constructs


def pls_from_moments(
    n: int,
    means: pd.Series,
    sds: pd.Series,
    corr: pd.DataFrame,
    blocks: dict[str, list[str]],
    paths: list[tuple[str, str]],
    scales: dict[str, tuple[float, float]] | None = None,
    tol: float = 1e-7,
    max_iter: int = 300,
) -> PlsResult:
    """Fit the model from indicator moments: `means` and sample `sds` (by
    indicator name) and their correlation matrix, over `n` complete cases."""
    constructs = _check_model(blocks, paths)
    cols = [c for name in constructs for c in blocks[name]]
    constant = [c for c in cols if not sds[c] > 0]
    if constant:
        raise ValueError(f"indicators without variance cannot be standardised: {constant}")
    s = corr.loc[cols, cols].to_numpy(float)
    member = np.zeros((len(cols), len(constructs)))
    for j, name in enumerate(constructs):
        for c in blocks[name]:
            member[cols.index(c), j] = 1.0
    pred = np.zeros((len(constructs), len(constructs)), dtype=bool)  # pred[j, i]: i -> j
    for f, t in paths:
        pred[constructs.index(t), constructs.index(f)] = True

    w = member / np.sqrt(np.diag(member.T @ s @ member))
    for iteration in range(1, max_iter + 1):  # noqa: B007 (reported after the loop)
        r = _score_correlation(s, w)
        # mode A: covariance of each indicator with its inner proxy, Z = Y E
        new = member * (s @ w @ np.diag(1.0 / np.sqrt(np.diag(w.T @ s @ w))) @ _inner_weights(r, pred))
        new = new / np.sqrt(np.diag(new.T @ s @ new))
        change = float(((np.abs(new).sum(axis=1) - np.abs(w).sum(axis=1)) ** 2).sum())
        w = new
        if change < tol:
            break
    else:
        raise RuntimeError(f"PLS-PM did not converge in {max_iter} iterations")

    # weights for scores of unit population variance (plspm's convention)
    w = w * np.sqrt(n / (n - 1))
    cov_xy = s @ w
    loadings_all = cov_xy / np.sqrt(np.diag(w.T @ s @ w))
    rows, cols_j = np.nonzero(member)
    loadings = loadings_all[rows, cols_j]
    for j in range(len(constructs)):  # orient each construct so its indicators load positively
        mine = cols_j == j
        if loadings[mine].sum() < 0:
            w[:, j] *= -1
            loadings[mine] *= -1
    outer = pd.DataFrame(
        {
            "construct": [constructs[j] for j in cols_j],
            "indicator": [cols[i] for i in rows],
            "weight": w[rows, cols_j],
            "loading": loadings,
        }
    )
    r = _score_correlation(s, w)
    path_rows, r2 = [], {}
    for j, name in enumerate(constructs):
        before = np.flatnonzero(pred[j])
        if not before.size:
            continue
        coef = np.linalg.solve(r[np.ix_(before, before)], r[before, j])
        r2[name] = float(r[before, j] @ coef)
        path_rows.extend((constructs[i], name, float(c)) for i, c in zip(before, coef, strict=True))
    index = acsi_index_from_moments(means, sds, outer, scales) if scales else {}
    return PlsResult(
        outer,
        pd.DataFrame(path_rows, columns=["from", "to", "coefficient"]),
        r2,
        None,
        index,
        iteration,
        int(n),
    )


def pls_from_sums(
    n: float,
    sums: np.ndarray,
    products: np.ndarray,
    codes: list[str],
    blocks: dict[str, list[str]],
    paths: list[tuple[str, str]],
    scales: dict[str, tuple[float, float]] | None = None,
) -> PlsResult:
    """Fit the model from raw sums: n complete cases, the indicators' sums and
    their cross-product matrix (ordered like `codes`), as the indicator-pair
    rollup and the respondent bootstrap provide them."""
    means = sums / n
    cov = (products - np.outer(sums, sums) / n) / (n - 1)
    sds = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant indicator is refused below
        corr = cov / np.outer(sds, sds)
    return pls_from_moments(
        int(n),
        pd.Series(means, index=codes),
        pd.Series(sds, index=codes),
        pd.DataFrame(corr, index=codes, columns=codes),
        blocks,
        paths,
        scales,
    )


def pls_path_model(
    data: pd.DataFrame,
    blocks: dict[str, list[str]],
    paths: list[tuple[str, str]],
    scales: dict[str, tuple[float, float]] | None = None,
    tol: float = 1e-7,
    max_iter: int = 300,
) -> PlsResult:
    """Fit the model on raw indicator data (complete cases), with scores."""
    cols = [c for name in blocks for c in blocks[name]]
    raw = data[cols].astype(float)
    if raw.isna().any().any():
        raise ValueError("PLS-PM needs complete cases; drop or impute missing answers first")
    sds = raw.std(ddof=1)
    result = pls_from_moments(len(raw), raw.mean(), sds, raw.corr(), blocks, paths, scales, tol, max_iter)
    x = (raw - raw.mean()) / sds
    weights = result.outer.pivot_table(
        index="indicator", columns="construct", values="weight", fill_value=0.0
    )
    order = list(dict.fromkeys(result.outer["construct"]))
    result.scores = pd.DataFrame(x[weights.index].to_numpy() @ weights[order].to_numpy(), columns=order)
    return result


def acsi_index_from_moments(
    means: pd.Series, sds: pd.Series, outer: pd.DataFrame, scales: dict[str, tuple[float, float]]
) -> dict[str, float]:
    """100 (sum w~_i mean(x_i) - lo) / (hi - lo), w~_i = (w_i / sd_i) / sum(w_j / sd_j)."""
    # plain arrays, not a groupby: the bootstrap calls this once per resample
    constructs = outer["construct"].to_numpy()
    indicators = outer["indicator"].to_numpy()
    weights = outer["weight"].to_numpy(float)
    mean, sd = means[indicators].to_numpy(float), sds[indicators].to_numpy(float)
    out = {}
    for name in dict.fromkeys(constructs):
        mine = constructs == name
        bounds = {tuple(scales[i]) for i in indicators[mine]}
        if len(bounds) != 1:
            raise ValueError(f"indicators of {name} do not share one scale")
        lo, hi = bounds.pop()
        unstd = weights[mine] / sd[mine]
        tilde = unstd / unstd.sum()
        out[name] = to_index(float(tilde @ mean[mine]), lo, hi)
    return out


def acsi_index(
    raw: pd.DataFrame, outer: pd.DataFrame, scales: dict[str, tuple[float, float]]
) -> dict[str, float]:
    """The ACSI-method index on raw indicator data."""
    return acsi_index_from_moments(raw.mean(), raw.std(ddof=1), outer, scales)
