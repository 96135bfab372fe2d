"""Honest rankings of branches and departments (DOMAIN 5).

Units are ranked by an empirical-Bayes (normal-normal) posterior mean: each
unit's mean is shrunk toward the precision-weighted grand mean by
tau^2 / (tau^2 + se^2), with the between-unit variance tau^2 estimated by
DerSimonian-Laird. A unit with three perfect answers has a large se, is
shrunk hard, and cannot top the table on noise. Units under the minimum n are
shown as "too few responses" and get no rank. Rank intervals come from a
fixed-seed simulation of the posteriors.

The posterior accounts for the uncertainty of the estimated grand mean (flat
prior on it, tau^2 taken as known), so posterior sd^2 = B se^2 + (1 - B)^2 V_mu
with B = tau^2 / (tau^2 + se^2) and V_mu = 1 / sum 1 / (se^2 + tau^2). When
tau^2 = 0 the data show no difference between units: all of them share rank 1
and every rank interval is [1, k], instead of ranks read from input order.

With fewer than MIN_UNITS_FOR_SHRINKAGE ranked units tau^2 is not estimated
at all: the method-of-moments statistic Q has k - 1 degrees of freedom, and
with two to four units it is 0 or wildly off most of the time, so the
shrinkage it implies would be arbitrary. Units are then not shrunk (weight 1,
shrunk = mean, sd = se), rank intervals come from independent normal draws
around each mean, and attrs["shrinkage"] says why (tau2 is None).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.analytics.moments import TOO_FEW, Moments, mean_var_se
from dashboard.analytics.significance import welch_test

RANKED = "ranked"
MIN_UNITS_FOR_SHRINKAGE = 5
SHRINKAGE_REFUSED = (
    f"not estimated: fewer than {MIN_UNITS_FOR_SHRINKAGE} ranked units, too few to estimate the "
    "between-unit variance; indices are not shrunk"
)


def dersimonian_laird_tau2(means: np.ndarray, ses: np.ndarray) -> float:
    """Between-unit variance by the method of moments, truncated at 0."""
    w = 1.0 / ses**2
    grand = np.sum(w * means) / np.sum(w)
    q = np.sum(w * (means - grand) ** 2)
    c = np.sum(w) - np.sum(w**2) / np.sum(w)
    return float(max(0.0, (q - (len(means) - 1)) / c)) if c > 0 else 0.0


def _effective_se(
    se: np.ndarray, var: np.ndarray, n: np.ndarray, mean: np.ndarray, eligible: np.ndarray
) -> np.ndarray:
    """Standard errors safe to invert. A unit with zero spread (all answers
    equal) would claim infinite precision, so it gets the pooled SD of the
    ranked units (or of every unit with two answers). If no unit shows any
    spread, a tiny floor keeps the arithmetic finite: units then differ only
    by their means, which are treated as (almost) exact."""
    pooled_var = np.nan
    for mask in (eligible, n >= 2):
        if mask.any():
            pooled_var = float(np.nanmean(var[mask]))
            if np.isfinite(pooled_var) and pooled_var > 0:
                break
    floor = 1e-9 * np.maximum(1.0, np.abs(np.nan_to_num(mean)))
    fallback = np.sqrt(pooled_var / np.maximum(n, 1)) if np.isfinite(pooled_var) and pooled_var > 0 else floor
    return np.where(se > 0, se, np.maximum(fallback, floor))


def rank_units(
    df: pd.DataFrame, min_n: int = 10, level: float = 0.95, draws: int = 4000, seed: int = 0
) -> pd.DataFrame:
    """Rank rows of `df` (columns unit, n, total, total_sq; any extra columns
    are kept). Adds mean, ci_low, ci_high, shrunk, shrunk_sd, weight, rank,
    rank_low, rank_high and status ("ranked" or "too few responses").
    Rank 1 is the best (highest) posterior mean."""
    out = df.copy().reset_index(drop=True)
    mean, var, se = mean_var_se(out["n"], out["total"], out["total_sq"])
    out["mean"] = mean
    with np.errstate(invalid="ignore"):
        half = stats.t.ppf(0.5 + level / 2, np.maximum(out["n"].to_numpy(float) - 1, 1)) * se
    out["ci_low"], out["ci_high"] = mean - half, mean + half
    eligible = (out["n"].to_numpy(float) >= max(min_n, 2)) & np.isfinite(se)
    se_eff = _effective_se(se, var, out["n"].to_numpy(float), mean, eligible)
    for col in ("shrunk", "shrunk_sd", "weight", "rank", "rank_low", "rank_high"):
        out[col] = np.nan
    out["status"] = np.where(eligible, RANKED, TOO_FEW)
    idx = np.flatnonzero(eligible)
    if idx.size == 0:
        return out
    m, s = mean[idx], se_eff[idx]
    k = idx.size
    refused = 1 < k < MIN_UNITS_FOR_SHRINKAGE
    tau2 = dersimonian_laird_tau2(m, s) if k >= MIN_UNITS_FOR_SHRINKAGE else 0.0
    w = 1.0 / (s**2 + tau2)
    grand = float(np.sum(w * m) / np.sum(w))
    grand_var = 0.0 if refused else float(1.0 / np.sum(w))  # no shared mean is estimated
    weight = np.ones(k) if refused else tau2 / (tau2 + s**2)
    shrunk = grand + weight * (m - grand)
    post_sd = np.sqrt(weight * s**2 + (1 - weight) ** 2 * grand_var)
    out.loc[idx, "weight"] = weight
    out.loc[idx, "shrunk"] = shrunk
    out.loc[idx, "shrunk_sd"] = post_sd
    # equal posterior means share a rank (rounding absorbs floating-point noise)
    out.loc[idx, "rank"] = stats.rankdata(-np.round(shrunk, 10), method="min")
    if tau2 > 0 or refused:
        # theta_i = shrunk_i + (1 - B_i)(mu - grand) + sqrt(B_i) se_i z_i, mu ~ N(grand, V_mu)
        rng = np.random.default_rng(seed)
        mu = np.sqrt(grand_var) * rng.standard_normal((draws, 1))
        sims = shrunk + (1 - weight) * mu + np.sqrt(weight) * s * rng.standard_normal((draws, k))
        sim_ranks = (-sims).argsort(axis=1).argsort(axis=1) + 1
        alpha = (1 - level) / 2
        out.loc[idx, "rank_low"] = np.quantile(sim_ranks, alpha, axis=0, method="lower")
        out.loc[idx, "rank_high"] = np.quantile(sim_ranks, 1 - alpha, axis=0, method="higher")
    else:
        out.loc[idx, "rank_low"], out.loc[idx, "rank_high"] = 1.0, float(k)
    out.attrs.update(
        grand_mean=grand,
        tau2=None if refused else tau2,
        shrinkage=SHRINKAGE_REFUSED if refused else "empirical Bayes (DerSimonian-Laird tau^2)",
    )
    return out


def rank_labels(ranks) -> list[str]:
    """Ranks as shown: one shared by several units is marked as a tie ("=1"),
    so six units tied at the top do not read as six firsts; NaN (not ranked)
    gives ""."""
    values = pd.Series(ranks, dtype=float)
    shared = values.duplicated(keep=False) & values.notna()
    return [
        "" if np.isnan(r) else ("=" if tie else "") + f"{int(r)}"
        for r, tie in zip(values, shared, strict=True)
    ]


def no_differences_detected(ranked: pd.DataFrame) -> bool:
    """Whether `rank_units` estimated the between-unit variance as zero for
    two or more ranked units: the data show no real difference between them,
    every unit is shrunk to the overall mean and all share rank 1."""
    n_ranked = int((ranked["status"] == RANKED).sum()) if "status" in ranked else 0
    return n_ranked > 1 and ranked.attrs.get("tau2") == 0


def shrinkage_refused(ranked: pd.DataFrame) -> bool:
    """Whether `rank_units` declined to estimate the between-unit variance
    (two to four ranked units): the indices are shown unshrunk."""
    return ranked.attrs.get("shrinkage") == SHRINKAGE_REFUSED


def movers(
    previous: pd.DataFrame, current: pd.DataFrame, min_n: int = 10, alpha: float = 0.05
) -> pd.DataFrame:
    """Change per unit between two periods (columns unit, n, total, total_sq in
    each), with a Welch test; units under `min_n` in either period are left
    out. Sorted by absolute change, largest first."""
    both = previous.merge(current, on="unit", suffixes=("_prev", "_curr"))
    rows = []
    for r in both.itertuples(index=False):
        if r.n_prev < min_n or r.n_curr < min_n:
            continue
        a, b = (
            Moments(r.n_prev, r.total_prev, r.total_sq_prev),
            Moments(r.n_curr, r.total_curr, r.total_sq_curr),
        )
        test = welch_test(a, b, alpha)
        rows.append(
            {
                "unit": r.unit,
                "previous": a.mean,
                "current": b.mean,
                "change": test.diff,
                "ci_low": test.ci_low,
                "ci_high": test.ci_high,
                "p_value": test.p_value,
                "significant": test.significant,
                "test": test.test,
                "n_prev": int(r.n_prev),
                "n_curr": int(r.n_curr),
            }
        )
    cols = [
        "unit",
        "previous",
        "current",
        "change",
        "ci_low",
        "ci_high",
        "p_value",
        "significant",
        "test",
        "n_prev",
        "n_curr",
    ]
    out = pd.DataFrame(rows, columns=cols)
    return out.reindex(out["change"].abs().sort_values(ascending=False).index).reset_index(drop=True)
