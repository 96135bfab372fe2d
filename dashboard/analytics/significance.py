"""Significance of a change between two waves or two units, with the test
named in the result so the screen can say which test was used (DOMAIN 5)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from dashboard.analytics.moments import Moments

WELCH = "Welch two-sample t-test"
TWO_PROPORTION = "two-proportion z-test"
BOOTSTRAP = "percentile bootstrap of the mean difference"
NPS_DIFFERENCE = "NPS difference z-test (multinomial variance)"


@dataclass(frozen=True)
class TestResult:
    """Outcome of a named test of `second - first`: the difference with its
    CI, the test statistic (t or z), p-value, the verdict at `alpha` and, for
    t-tests, the degrees of freedom."""

    test: str
    diff: float  # second minus first
    ci_low: float
    ci_high: float
    statistic: float
    p_value: float
    significant: bool
    df: float | None = None


def welch_test(first: Moments, second: Moments, alpha: float = 0.05) -> TestResult:
    """Welch's t-test on moments: unequal variances, Welch-Satterthwaite df."""
    if first.n < 2 or second.n < 2:
        return TestResult(WELCH, second.mean - first.mean, math.nan, math.nan, math.nan, math.nan, False)
    v1, v2 = first.var / first.n, second.var / second.n
    diff = second.mean - first.mean
    se = math.sqrt(v1 + v2)
    if se == 0:
        return TestResult(WELCH, diff, diff, diff, math.nan, math.nan if diff == 0 else 0.0, diff != 0)
    df = (v1 + v2) ** 2 / (v1**2 / (first.n - 1) + v2**2 / (second.n - 1))
    t = diff / se
    p = float(2 * stats.t.sf(abs(t), df))
    half = float(stats.t.ppf(1 - alpha / 2, df)) * se
    return TestResult(WELCH, diff, diff - half, diff + half, t, p, p < alpha, df)


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int, alpha: float = 0.05) -> TestResult:
    """Pooled z-test of p2 - p1 (e.g. top-box shares); Wald CI of the difference."""
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    diff = p2 - p1
    z = diff / se_pooled if se_pooled > 0 else math.nan
    p = float(2 * stats.norm.sf(abs(z))) if se_pooled > 0 else math.nan
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    half = float(stats.norm.ppf(1 - alpha / 2)) * se
    return TestResult(TWO_PROPORTION, diff, diff - half, diff + half, z, p, bool(p < alpha))


def bootstrap_mean_diff(a, b, n_boot: int = 4000, seed: int = 0, alpha: float = 0.05) -> TestResult:
    """Percentile bootstrap for mean(b) - mean(a) on raw values; the p-value
    is the two-sided share of resampled differences on the other side of 0."""
    rng = np.random.default_rng(seed)
    a, b = np.asarray(a, float), np.asarray(b, float)
    diffs = rng.choice(b, (n_boot, b.size)).mean(axis=1) - rng.choice(a, (n_boot, a.size)).mean(axis=1)
    low, high = np.quantile(diffs, [alpha / 2, 1 - alpha / 2])
    p = min(1.0, 2 * min((diffs <= 0).mean(), (diffs >= 0).mean()))
    diff = float(b.mean() - a.mean())
    return TestResult(BOOTSTRAP, diff, float(low), float(high), math.nan, float(p), bool(p < alpha))


def nps_change_test(
    promoters1: int,
    detractors1: int,
    n1: int,
    promoters2: int,
    detractors2: int,
    n2: int,
    alpha: float = 0.05,
) -> TestResult:
    """Change in NPS between two independent samples, in NPS points (second
    minus first): z = diff / sqrt(v1 + v2), each v = ((pp + pd) - (pp - pd)^2) / n,
    the multinomial variance of pp - pd. A two-proportion test does not apply:
    NPS is a difference of two shares of the same answers."""
    if min(n1, n2) <= 0:
        raise ValueError("both samples need at least one answer")
    nps1 = (promoters1 - detractors1) / n1
    nps2 = (promoters2 - detractors2) / n2
    v1 = max(0.0, (promoters1 + detractors1) / n1 - nps1**2) / n1
    v2 = max(0.0, (promoters2 + detractors2) / n2 - nps2**2) / n2
    diff, se = nps2 - nps1, math.sqrt(v1 + v2)
    if se == 0:
        return TestResult(NPS_DIFFERENCE, 100 * diff, 100 * diff, 100 * diff, math.nan, math.nan, False)
    z = diff / se
    p = float(2 * stats.norm.sf(abs(z)))
    half = float(stats.norm.ppf(1 - alpha / 2)) * se
    return TestResult(NPS_DIFFERENCE, 100 * diff, 100 * (diff - half), 100 * (diff + half), z, p, p < alpha)
