"""Derived importance (key drivers, DOMAIN 4): how much each RATER element
explains overall satisfaction, from a correlation matrix that the database
rollups give exactly (n, sums and cross-products per respondent).

- LMG / Shapley value of R^2: each predictor's average increase in R^2 over
  all orders of entry; exact enumeration, so at most 8 predictors.
- Johnson's relative weights: R^2 split through the orthogonal counterparts
  of the predictors (close to LMG, cheap for many predictors).
- Standardised OLS betas with t-tests, so non-significant drivers are flagged.
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
from scipy import stats

MAX_SHAPLEY_PREDICTORS = 8


def moments_to_correlation(n: float, sums: np.ndarray, products: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Means and correlation matrix from n, the vector of sums and the matrix
    of cross-product sums (sample covariance with ddof = 1)."""
    sums = np.asarray(sums, float)
    products = np.asarray(products, float)
    if n < 3:
        raise ValueError("need at least 3 complete responses for correlations")
    means = sums / n
    cov = (products - np.outer(sums, sums) / n) / (n - 1)
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    if np.any(sd == 0):
        raise ValueError("a variable has no variance; correlations are undefined")
    return means, cov / np.outer(sd, sd)


def _require_full_rank(corr: np.ndarray, predictors: list[int]) -> None:
    """Refuse (near-)collinear predictors with a clear message: their split
    of R^2 is arbitrary and the matrix square root / inverse is not defined."""
    eigval = np.linalg.eigvalsh(corr[np.ix_(predictors, predictors)])
    if eigval.min() < 1e-10 * max(1.0, eigval.max()):
        raise ValueError("the predictors are perfectly collinear; drop or merge one of them")


def r_squared(corr: np.ndarray, y: int, predictors: tuple[int, ...] | list[int]) -> float:
    """R^2 of the regression of y on `predictors`: r_yS' R_SS^-1 r_yS."""
    if len(predictors) == 0:
        return 0.0
    idx = list(predictors)
    r_xy = corr[idx, y]
    return float(r_xy @ np.linalg.solve(corr[np.ix_(idx, idx)], r_xy))


def lmg(corr: np.ndarray, y: int, predictors: list[int]) -> np.ndarray:
    """Shapley decomposition of R^2 (LMG); the shares sum to the full R^2."""
    p = len(predictors)
    if p > MAX_SHAPLEY_PREDICTORS:
        raise ValueError(f"exact Shapley/LMG is limited to {MAX_SHAPLEY_PREDICTORS} predictors, got {p}")
    _require_full_rank(corr, predictors)
    cache: dict[tuple[int, ...], float] = {}

    def r2(subset: tuple[int, ...]) -> float:
        if subset not in cache:
            cache[subset] = r_squared(corr, y, [predictors[i] for i in subset])
        return cache[subset]

    shares = np.zeros(p)
    for j in range(p):
        others = [i for i in range(p) if i != j]
        for size in range(p):
            weight = factorial(size) * factorial(p - size - 1) / factorial(p)
            for subset in combinations(others, size):
                shares[j] += weight * (r2(tuple(sorted((*subset, j)))) - r2(subset))
    return shares


def relative_weights(corr: np.ndarray, y: int, predictors: list[int]) -> np.ndarray:
    """Johnson (2000) relative weights epsilon_j; they sum to R^2."""
    _require_full_rank(corr, predictors)
    rxx = corr[np.ix_(predictors, predictors)]
    rxy = corr[predictors, y]
    eigval, eigvec = np.linalg.eigh(rxx)
    lam = eigvec @ np.diag(np.sqrt(eigval)) @ eigvec.T  # Rxx^(1/2): predictors on their orthogonal twins
    beta_z = np.linalg.solve(lam, rxy)  # y on the orthogonal twins
    return (lam**2) @ (beta_z**2)


def standardized_betas(corr: np.ndarray, y: int, predictors: list[int], n: float) -> pd.DataFrame:
    """Standardised OLS coefficients with standard errors, t and two-sided p
    (df = n - p - 1)."""
    _require_full_rank(corr, predictors)
    if n - len(predictors) - 1 < 1:
        raise ValueError(f"need more than {len(predictors) + 1} responses for t-tests, got {n:g}")
    rxx = corr[np.ix_(predictors, predictors)]
    rxy = corr[predictors, y]
    inv = np.linalg.inv(rxx)
    beta = inv @ rxy
    r2 = float(rxy @ beta)
    df = n - len(predictors) - 1
    se = np.sqrt((1 - r2) / df * np.diag(inv))
    t = beta / se
    p = 2 * stats.t.sf(np.abs(t), df)
    return pd.DataFrame({"beta": beta, "se": se, "t": t, "p_value": p})


def driver_table(
    names: list[str], n: float, sums: np.ndarray, products: np.ndarray, y_name: str, alpha: float = 0.05
) -> pd.DataFrame:
    """Everything a driver chart needs: per predictor LMG and relative weight
    (absolute and as shares of R^2), beta, p and a significance flag; the
    frame's attrs carry R^2 and n."""
    _means, corr = moments_to_correlation(n, sums, products)
    y = names.index(y_name)
    predictors = [i for i, name in enumerate(names) if i != y]
    r2 = r_squared(corr, y, predictors)
    shapley = lmg(corr, y, predictors)
    rw = relative_weights(corr, y, predictors)
    betas = standardized_betas(corr, y, predictors, n)
    out = pd.DataFrame(
        {
            "driver": [names[i] for i in predictors],
            "lmg": shapley,
            "lmg_share": shapley / r2,
            "relative_weight": rw,
            "relative_weight_share": rw / r2,
        }
    )
    out = pd.concat([out, betas], axis=1)
    out["significant"] = out["p_value"] < alpha
    out.attrs.update(r_squared=r2, n=int(n))
    return out


def compare_importance(stated: dict[str, float], derived: dict[str, float]) -> pd.DataFrame:
    """Stated (e.g. mean 100-point allocations) against derived importance,
    both as shares summing to 1, with each side's rank."""
    keys = list(stated)
    s = np.array([stated[k] for k in keys], float)
    d = np.array([derived[k] for k in keys], float)
    out = pd.DataFrame({"element": keys, "stated_share": s / s.sum(), "derived_share": d / d.sum()})
    out["stated_rank"] = out["stated_share"].rank(ascending=False, method="min").astype(int)
    out["derived_rank"] = out["derived_share"].rank(ascending=False, method="min").astype(int)
    return out
