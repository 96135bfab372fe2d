"""95% intervals of the five gaps (docs/ANALYTICS.md "Gap intervals").

Point estimates are the product's usual ones (means over all answers, like
every element index); the spread comes from the independent units: each
respondent's (or manager's) mean over the element's items, each audit, each
service request. With every item answered the all-answers mean is the mean
of the respondent means, so these are the cluster-robust intervals."""

from __future__ import annotations

import math

from scipy import stats

from dashboard.analytics.moments import Moments


def t_half_width(units: Moments, level: float = 0.95) -> float:
    """Student-t half-width of a mean over `units` (n - 1 df); NaN below 2."""
    if units.n < 2:
        return math.nan
    return float(stats.t.ppf(0.5 + level / 2, units.n - 1)) * units.se


def welch_half_width(first: Moments, second: Moments, level: float = 0.95) -> tuple[float, float]:
    """(half-width, Welch-Satterthwaite df) of a difference of two
    independent groups' means; NaN when either group has fewer than 2."""
    if first.n < 2 or second.n < 2:
        return math.nan, math.nan
    v1, v2 = first.var / first.n, second.var / second.n
    if v1 + v2 == 0:
        return 0.0, math.nan
    df = (v1 + v2) ** 2 / (v1**2 / (first.n - 1) + v2**2 / (second.n - 1))
    return float(stats.t.ppf(0.5 + level / 2, df)) * math.sqrt(v1 + v2), df
