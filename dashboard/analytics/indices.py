"""Customer satisfaction indices on 0-100 (DOMAIN 4).

CSI of a mean m on a scale [lo, hi] is 100 (m - lo) / (hi - lo), written
once in `to_index`; the map is linear, so CI bounds convert the same way and
differences and standard errors by `to_index_points` (no offset). The scale
always comes from the questions the numbers were measured on, never from a
constant.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.analytics.moments import Estimate, Moments, mean_estimate, mean_var_se


def to_index(value, scale_min: float, scale_max: float):
    """A score on [scale_min, scale_max] as an index on 0-100 (scalars,
    arrays, Series). The only place the index formula is written: every
    conversion of a mean, a bound or a shrunk estimate goes through here,
    with the scale of the question the value was measured on."""
    return 100.0 * (_as_float(value) - scale_min) / _span(scale_min, scale_max)


def to_index_points(difference, scale_min: float, scale_max: float):
    """A difference, standard error, CI half-width or standard deviation on
    [scale_min, scale_max] in index points: `to_index` without the offset,
    so that to_index(a) - to_index(b) == to_index_points(a - b)."""
    return 100.0 * _as_float(difference) / _span(scale_min, scale_max)


def to_index_sql(value: str, scale_min: str, scale_max: str) -> str:
    """`to_index` as a SQL expression over column expressions, for the
    rollup refresh (which converts per answer, where each item's own scale
    is at hand)."""
    return f"(100.0 * ({value} - {scale_min}) / ({scale_max} - {scale_min}))"


def index_scale(scale_min: float, scale_max: float) -> str:
    """How an index number states its scale (every output says it)."""
    return f"index points 0-100, from answers on {scale_min:g}-{scale_max:g}"


def _span(scale_min, scale_max):
    span = _as_float(scale_max) - _as_float(scale_min)
    if np.any(span <= 0):
        raise ValueError(f"scale maximum {scale_max} must exceed minimum {scale_min}")
    return span


def _as_float(value):
    """Floats out, in the shape that came in: a Series stays a Series (index
    kept), a scalar becomes a float, anything else an array."""
    if isinstance(value, pd.Series):
        return value.astype(float)
    result = np.asarray(value, dtype=float)
    return float(result) if result.ndim == 0 else result


def csi_estimate(n, total, total_sq, lo: float, hi: float, min_n: int = 10, level: float = 0.95) -> Estimate:
    """CSI with Student-t CI from moments; suppressed below `min_n` responses
    (the count is still reported)."""
    est = mean_estimate(Moments(float(n), float(total), float(total_sq)), min_n=min_n, level=level)
    if est.suppressed:
        return est
    return Estimate(
        to_index(est.value, lo, hi),
        to_index(est.ci_low, lo, hi),
        to_index(est.ci_high, lo, hi),
        est.n,
        to_index_points(est.se, lo, hi),
    )


def csi_table(
    df: pd.DataFrame,
    lo,
    hi,
    min_n: int = 10,
    level: float = 0.95,
    n: str = "n_p",
    total: str = "sum_p",
    total_sq: str = "sumsq_p",
) -> pd.DataFrame:
    """Add csi, csi_low, csi_high, se (standard error of the CSI, in index
    points) and suppressed columns to a frame of moments, one row per group.
    `lo`/`hi` are numbers or column names (per-row scales); rows under
    `min_n` are suppressed (NaN index, count kept) exactly as `csi_estimate`."""
    lo_v = df[lo].to_numpy(float) if isinstance(lo, str) else float(lo)
    hi_v = df[hi].to_numpy(float) if isinstance(hi, str) else float(hi)
    counts = df[n].to_numpy(float)
    mean, _var, se = mean_var_se(counts, df[total], df[total_sq])
    with np.errstate(invalid="ignore"):
        half = stats.t.ppf(0.5 + level / 2, np.maximum(counts - 1, 1)) * se
    suppressed = counts < max(min_n, 1)
    out = df.copy()
    out["csi"] = np.where(suppressed, np.nan, to_index(mean, lo_v, hi_v))
    out["csi_low"] = np.where(suppressed, np.nan, to_index(mean - half, lo_v, hi_v))
    out["csi_high"] = np.where(suppressed, np.nan, to_index(mean + half, lo_v, hi_v))
    out["se"] = np.where(suppressed, np.nan, to_index_points(se, lo_v, hi_v))
    out["suppressed"] = suppressed
    return out


def respondent_csi_interval(
    csi, n, total, total_sq, lo, hi, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CI of an element CSI with respondents, not answers, as the independent
    units: (low, high, se) in index points around `csi`, from the moments (n,
    total, total_sq) of each respondent's mean over the element's items, on
    the items' scale [lo, hi]. NaN where n < 2 (the caller falls back).

    A respondent's 4-5 answers to one element are strongly correlated, so
    treating them as independent understates the variance by the design
    effect 1 + (k - 1) rho. With every item answered, the all-answers mean
    is the mean of the respondent means, and its cluster-robust variance
    (respondents as clusters, small-sample factor n/(n - 1)) is exactly
    var(respondent means)/n. So se = sd(respondent means)/sqrt(n), with a
    Student-t interval on n - 1 df as in `csi_estimate`."""
    counts = np.asarray(n, dtype=float)
    _mean, _var, se = mean_var_se(counts, total, total_sq)
    with np.errstate(invalid="ignore"):
        half = stats.t.ppf(0.5 + level / 2, np.maximum(counts - 1, 1)) * se
    ok = counts >= 2
    csi = np.asarray(csi, dtype=float)
    half_index = np.where(ok, to_index_points(half, lo, hi), np.nan)
    return csi - half_index, csi + half_index, np.where(ok, to_index_points(se, lo, hi), np.nan)


def with_respondent_ci(
    df: pd.DataFrame,
    lo,
    hi,
    level: float = 0.95,
    value: str = "csi",
    low: str = "csi_low",
    high: str = "csi_high",
    se: str | None = "se",
    n: str = "resp_n",
    total: str = "resp_total",
    total_sq: str = "resp_total_sq",
) -> pd.DataFrame:
    """Replace the item-answer CI of element rows by `respondent_csi_interval`
    where respondent moments are available (n >= 2); other rows keep their
    item-answer CI. Adds `ci_basis`: "respondents" or "answers". Point
    estimates and suppressed (NaN) rows are left as they are."""
    lo_v = df[lo].to_numpy(float) if isinstance(lo, str) else float(lo)
    hi_v = df[hi].to_numpy(float) if isinstance(hi, str) else float(hi)
    counts = df[n].fillna(0).to_numpy(float)
    r_low, r_high, r_se = respondent_csi_interval(
        df[value], counts, df[total].fillna(0), df[total_sq].fillna(0), lo_v, hi_v, level
    )
    have = counts >= 2
    use = have & df[value].notna().to_numpy()  # suppressed rows stay NaN
    out = df.copy()
    out[low] = np.where(use, r_low, out[low])
    out[high] = np.where(use, r_high, out[high])
    if se is not None:
        out[se] = np.where(use, r_se, out[se])
    out["ci_basis"] = np.where(have, "respondents", "answers")
    return out


def suppress_by_respondents(out: pd.DataFrame, respondents, min_n: int) -> pd.DataFrame:
    """The minimum counts respondents, never answers: an element's answers
    are its items times its respondents, so 3 people x 5 items must not pass
    a minimum of 10. Rows of `out` (a `csi_table`) whose `respondents`
    (aligned to `out`) are below `min_n` lose csi, its interval and se;
    `suppressed` and `respondents` columns are set."""
    counts = np.asarray(respondents, dtype=float)
    few = counts < max(min_n, 1)
    out = out.copy()
    out.loc[few, ["csi", "csi_low", "csi_high", "se"]] = np.nan
    out["suppressed"] = out["suppressed"].to_numpy(bool) | few
    out["respondents"] = counts.astype(int)
    return out


def pooled_respondent_interval(
    csi: float, n: float, sums, products, weights, lo: float, hi: float, level: float = 0.95
) -> tuple[float, float, float]:
    """CI of a CSI pooled over the items of several elements, respondents as
    the independent units: (low, high, se in index points) around `csi`.
    With every item answered the all-answers mean is the mean over
    respondents of sum_e w_e x_ie (x_ie: the respondent's element mean, w_e:
    the element's share of the items), so its cluster-robust variance is
    w' C w / n, C the covariance of the respondents' element means from
    their moments (n, sums, cross-products). NaN below two respondents."""
    if n < 2:
        return math.nan, math.nan, math.nan
    w = np.asarray(weights, dtype=float)
    s = np.asarray(sums, dtype=float)
    cov = (np.asarray(products, dtype=float) - np.outer(s, s) / n) / (n - 1)
    se = math.sqrt(max(float(w @ cov @ w), 0.0) / n)
    half = float(to_index_points(stats.t.ppf(0.5 + level / 2, n - 1) * se, lo, hi))
    return csi - half, csi + half, float(to_index_points(se, lo, hi))


def normalise_weights(weights: Mapping[str, float]) -> dict[str, float]:
    total = float(sum(weights.values()))
    if total <= 0 or any(w < 0 for w in weights.values()):
        raise ValueError("weights must be non-negative with a positive sum")
    return {k: float(w) / total for k, w in weights.items()}


def stated_importance_weights(mean_points: Mapping[str, float]) -> dict[str, float]:
    """Weights from mean 100-point allocations per element, normalised to 1."""
    return normalise_weights(mean_points)


def weighted_index(
    values: Mapping[str, float],
    weights: Mapping[str, float],
    cov: np.ndarray | None = None,
    ses: Mapping[str, float] | None = None,
    level: float = 0.95,
) -> Estimate:
    """sum_d w_d x_d with a normal CI from w' S w. Pass `cov` (in the order of
    `values`) when the element scores share respondents; with only `ses` the
    elements are treated as independent, which understates the variance when
    they are positively correlated."""
    keys = list(values)
    w = np.array([normalise_weights({k: weights[k] for k in keys})[k] for k in keys])
    x = np.array([values[k] for k in keys], dtype=float)
    value = float(w @ x)
    if cov is None and ses is None:
        return Estimate(value, None, None, 0)
    sigma = np.asarray(cov, float) if cov is not None else np.diag([ses[k] ** 2 for k in keys])
    se = float(np.sqrt(w @ sigma @ w))
    z = float(stats.norm.ppf(0.5 + level / 2))
    return Estimate(value, value - z * se, value + z * se, 0, se)
