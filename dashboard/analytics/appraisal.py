"""Appraisal of account managers by their customers' evaluations.

Two verdicts, each from a named test and only where the data support it:

- **outstanding**: a manager's customers are more satisfied than the rest of
  the organisation's (Welch two-sample t-test of overall satisfaction,
  manager's respondents against everyone else's, Holm over all ranked
  managers at 5%).
- **training need**: the manager's weakest RATER element (lowest index) is
  named only when its interval says it is below the manager's other
  elements (paired: each respondent's weakest-element index minus the mean
  of their other four, one-sample t interval) or below the rest of the
  organisation (Welch interval on the element index). The weakest element
  is picked from five, so both intervals are at 99% (Bonferroni, 0.05 / 5);
  otherwise "no clear weakness".

Respondents are the units: a respondent's element means come from their
own answers, and moments are of those means (complete cases of the five
elements). All differences are in index points (0-100, each element on its
own item scale).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.analytics.indices import to_index, to_index_points
from dashboard.analytics.moments import Moments
from dashboard.analytics.significance import WELCH, welch_test

NO_CLEAR_WEAKNESS = "no clear weakness"
ELEMENT_LEVEL = 1 - 0.05 / 5  # Bonferroni over the five elements the weakest is picked from
PAIRED = "paired t interval: weakest element minus the mean of the other four, per respondent"


def holm(p_values) -> np.ndarray:
    """Holm step-down adjusted p-values (family-wise error control)."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p)
    m = p.size
    adjusted = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def outstanding(managers: pd.DataFrame, organisation: Moments, alpha: float = 0.05) -> pd.DataFrame:
    """`managers` (unit, n, total, total_sq of overall satisfaction, and
    status) -> columns vs_rest (mean minus the rest's, raw scale), vs_rest_p,
    vs_rest_p_holm, outstanding; Holm over the ranked rows only."""
    out = managers.copy()
    for col in ("vs_rest", "vs_rest_p", "vs_rest_p_holm"):
        out[col] = math.nan
    out["outstanding"] = False
    ranked = out.index[out["status"] == "ranked"]
    out.attrs["test"] = f"{WELCH}, manager vs the rest of the organisation, Holm over {len(ranked)} managers"
    if not len(ranked):
        return out
    tests = [
        welch_test(
            Moments(organisation.n - r.n, organisation.total - r.total, organisation.total_sq - r.total_sq),
            Moments(r.n, r.total, r.total_sq),
        )
        for r in out.loc[ranked].itertuples()
    ]
    p = np.array([t.p_value for t in tests])
    p_holm = holm(np.nan_to_num(p, nan=1.0))
    out.loc[ranked, "vs_rest"] = [t.diff for t in tests]
    out.loc[ranked, "vs_rest_p"] = p
    out.loc[ranked, "vs_rest_p_holm"] = p_holm
    out.loc[ranked, "outstanding"] = [t.diff > 0 and q < alpha for t, q in zip(tests, p_holm, strict=True)]
    return out


def training_need(
    n: float,
    sums: np.ndarray,
    products: np.ndarray,
    rest: dict[str, Moments],
    elements: list[str],
    scales: dict[str, tuple[float, float]],
) -> dict:
    """One manager's weakest element and the verdict. `n`, `sums` and the
    cross-product matrix `products` are of the respondents' element means
    (ordered like `elements`); `rest` holds each element's moments over the
    rest of the organisation. Returns element, index, vs_others (low,
    high), element_vs_rest (low, high), in index points, and need (the
    element or NO_CLEAR_WEAKNESS)."""
    lo, hi = (np.array([scales[e][i] for e in elements], dtype=float) for i in (0, 1))
    f = to_index_points(1.0, lo, hi)  # index points per scale point, per element
    index = to_index(sums / n, lo, hi)
    # equal indices (to rounding noise) go to the first in `elements` order (RATER)
    weakest = int(np.argmin(np.round(index, 9)))
    cov = (products - np.outer(sums, sums) / n) / (n - 1)
    # per respondent: weakest index minus the mean of the other four (a linear contrast c of the means)
    c = np.where(np.arange(len(elements)) == weakest, f[weakest], -f / (len(elements) - 1))
    diff = index[weakest] - np.delete(index, weakest).mean()
    se = math.sqrt(max(0.0, float(c @ cov @ c)) / n)
    half = float(stats.t.ppf(0.5 + ELEMENT_LEVEL / 2, n - 1)) * se
    element = elements[weakest]
    r = rest[element]
    mine = Moments(n, sums[weakest], products[weakest, weakest])
    vs_rest = welch_test(r, mine, alpha=1 - ELEMENT_LEVEL) if r.n >= 2 else None
    to_points = f[weakest]
    rest_low = vs_rest.ci_low * to_points if vs_rest else math.nan
    rest_high = vs_rest.ci_high * to_points if vs_rest else math.nan
    below = diff + half < 0 or (vs_rest is not None and rest_high < 0)
    return {
        "element": element,
        "index": float(index[weakest]),
        "vs_others": float(diff),
        "vs_others_low": diff - half,
        "vs_others_high": diff + half,
        "element_vs_rest": float(vs_rest.diff * to_points) if vs_rest else math.nan,
        "element_vs_rest_low": rest_low,
        "element_vs_rest_high": rest_high,
        "need": element if below else NO_CLEAR_WEAKNESS,
    }
