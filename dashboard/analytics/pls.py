"""ACSI-method satisfaction index via a PLS path model (DOMAIN 4).

Wold/Lohmöller PLS-PM with reflective (mode A) blocks and the path weighting
inner scheme on standardised indicators. Construct scores are scaled to unit
population variance (the convention of the reference package plspm, which the
tests use as an oracle). The index of a construct is the ACSI one: outer
weights brought back to the raw scale (w_i / sd_i, normalised to sum 1),
applied to the indicator means and rescaled to 0-100.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class PlsResult:
    outer: pd.DataFrame  # construct, indicator, weight, loading
    paths: pd.DataFrame  # from, to, coefficient
    r_squared: dict[str, float]
    scores: pd.DataFrame
    index: dict[str, float]  # construct -> ACSI-method index 0-100
    iterations: int


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


def _unit(y: np.ndarray) -> np.ndarray:
    y = y - y.mean(axis=0)
    return y / y.std(axis=0, ddof=0)


def _inner_weights(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Path scheme: a construct's predecessors weigh by their multiple
    regression coefficients on it, its successors by their correlation."""
    k = y.shape[1]
    e = np.zeros((k, k))
    corr = np.corrcoef(y, rowvar=False)
    for j in range(k):
        before = np.flatnonzero(pred[j])
        if before.size:
            coef, *_ = np.linalg.lstsq(y[:, before], y[:, j], rcond=None)
            e[before, j] = coef
        after = np.flatnonzero(pred[:, j])
        e[after, j] = corr[after, j]
    return e


def pls_path_model(
    data: pd.DataFrame,
    blocks: dict[str, list[str]],
    paths: list[tuple[str, str]],
    scales: dict[str, tuple[float, float]] | None = None,
    tol: float = 1e-7,
    max_iter: int = 300,
) -> PlsResult:
    """Estimate the model; `scales` maps each indicator to its (lo, hi) for
    the index (a construct's indicators must share one scale)."""
    constructs = _order(list(blocks), paths)
    unknown = [c for p in paths for c in p if c not in blocks]
    if unknown:
        raise ValueError(f"paths name unknown constructs: {sorted(set(unknown))}")
    cols = [c for name in constructs for c in blocks[name]]
    raw = data[cols].astype(float)
    if raw.isna().any().any():
        raise ValueError("PLS-PM needs complete cases; drop or impute missing answers first")
    constant = [c for c in cols if raw[c].std(ddof=1) == 0]
    if constant:
        raise ValueError(f"indicators without variance cannot be standardised: {constant}")
    isolated = [c for c in constructs if not any(c in p for p in paths)]
    if isolated:
        # without a neighbour its inner proxy is zero and its weights are undefined
        raise ValueError(f"constructs without any structural path: {isolated}")
    x = ((raw - raw.mean()) / raw.std(ddof=1)).to_numpy()
    n = x.shape[0]
    member = np.zeros((len(cols), len(constructs)))
    for j, name in enumerate(constructs):
        for c in blocks[name]:
            member[cols.index(c), j] = 1.0
    pred = np.zeros((len(constructs), len(constructs)), dtype=bool)  # pred[j, i]: i -> j
    for f, t in paths:
        pred[constructs.index(t), constructs.index(f)] = True

    w = member.copy()
    for iteration in range(1, max_iter + 1):  # noqa: B007 (reported after the loop)
        y = _unit(x @ w)
        z = y @ _inner_weights(y, pred)
        new = member * (x.T @ z) / n  # mode A: covariance of each indicator with its inner proxy
        new = new / (x @ new).std(axis=0, ddof=0)
        change = float(((np.abs(new).sum(axis=1) - np.abs(w).sum(axis=1)) ** 2).sum())
        w = new
        if change < tol:
            break
    else:
        raise RuntimeError(f"PLS-PM did not converge in {max_iter} iterations")

    scores = x @ w
    scores = (scores - scores.mean(axis=0)) / scores.std(axis=0, ddof=0)
    loadings = np.array(
        [np.corrcoef(x[:, i], scores[:, j])[0, 1] for i, j in zip(*np.nonzero(member), strict=True)]
    )
    # orient each construct so its indicators load positively on it
    for j in range(len(constructs)):
        rows = np.flatnonzero(member[:, j])
        if loadings[rows].sum() < 0:
            w[rows, j] *= -1
            loadings[rows] *= -1
            scores[:, j] *= -1
    outer = pd.DataFrame(
        {
            "construct": [constructs[j] for _i, j in zip(*np.nonzero(member), strict=True)],
            "indicator": [cols[i] for i, _j in zip(*np.nonzero(member), strict=True)],
            "weight": w[np.nonzero(member)],
            "loading": loadings,
        }
    )
    path_rows, r2 = [], {}
    for j, name in enumerate(constructs):
        before = np.flatnonzero(pred[j])
        if not before.size:
            continue
        coef, *_ = np.linalg.lstsq(scores[:, before], scores[:, j], rcond=None)
        fitted = scores[:, before] @ coef
        r2[name] = float(1 - ((scores[:, j] - fitted) ** 2).sum() / (scores[:, j] ** 2).sum())
        path_rows.extend((constructs[i], name, float(c)) for i, c in zip(before, coef, strict=True))
    index = acsi_index(raw, outer, scales) if scales else {}
    return PlsResult(
        outer,
        pd.DataFrame(path_rows, columns=["from", "to", "coefficient"]),
        r2,
        pd.DataFrame(scores, columns=constructs),
        index,
        iteration,
    )


def acsi_index(
    raw: pd.DataFrame, outer: pd.DataFrame, scales: dict[str, tuple[float, float]]
) -> dict[str, float]:
    """100 (sum w~_i mean(x_i) - lo) / (hi - lo), w~_i = (w_i / sd_i) / sum(w_j / sd_j)."""
    out = {}
    for name, block in outer.groupby("construct", sort=False):
        bounds = {scales[i] for i in block["indicator"]}
        if len(bounds) != 1:
            raise ValueError(f"indicators of {name} do not share one scale")
        lo, hi = bounds.pop()
        unstd = block["weight"].to_numpy() / raw[block["indicator"]].std(ddof=1).to_numpy()
        tilde = unstd / unstd.sum()
        out[name] = float(100 * (tilde @ raw[block["indicator"]].mean().to_numpy() - lo) / (hi - lo))
    return out
