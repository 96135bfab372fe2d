"""Top-box shares and NPS (DOMAIN 4): in competitive markets only the highly
satisfied are loyal, so shares of the top answers matter more than means."""

from __future__ import annotations

import math

import pandas as pd
from scipy import stats

from dashboard.analytics.moments import Estimate


def wilson_interval(successes: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion (good coverage near 0 and 1)."""
    if n <= 0:
        return math.nan, math.nan
    z = float(stats.norm.ppf(0.5 + level / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def share_estimate(successes: int, n: int, min_n: int = 10, level: float = 0.95) -> Estimate:
    """Share in percent with a Wilson CI; suppressed below `min_n`."""
    if n < max(min_n, 1):
        return Estimate.too_few(n)
    low, high = wilson_interval(successes, n, level)
    return Estimate(100 * successes / n, 100 * low, 100 * high, int(n))


def nps_estimate(promoters: int, detractors: int, n: int, min_n: int = 10, level: float = 0.95) -> Estimate:
    """NPS = % promoters (9-10) - % detractors (0-6), with a normal CI from the
    multinomial variance ((pp + pd) - (pp - pd)^2) / n."""
    if n < max(min_n, 1):
        return Estimate.too_few(n)
    pp, pd_ = promoters / n, detractors / n
    value = pp - pd_
    se = math.sqrt(max(0.0, (pp + pd_) - value**2) / n)
    z = float(stats.norm.ppf(0.5 + level / 2))
    return Estimate(100 * value, 100 * (value - z * se), 100 * (value + z * se), int(n), 100 * se)


def loyalty_by_level(levels: pd.DataFrame, min_n: int = 10) -> pd.DataFrame:
    """Rate of a loyal outcome per satisfaction answer level.

    `levels` has columns level, n, loyal. Adds rate, rate_low, rate_high (in %)
    and `ratio_to_next_lower`: how many times more often the level is loyal
    than the level below it (the 'top box is six times as loyal' effect)."""
    df = levels.sort_values("level").reset_index(drop=True).copy()
    ests = [share_estimate(int(r.loyal), int(r.n), min_n) for r in df.itertuples()]
    df["rate"] = [e.value if not e.suppressed else math.nan for e in ests]
    df["rate_low"] = [e.ci_low if not e.suppressed else math.nan for e in ests]
    df["rate_high"] = [e.ci_high if not e.suppressed else math.nan for e in ests]
    df["ratio_to_next_lower"] = df["rate"] / df["rate"].shift(1)
    return df


def rate_ratio(x1: int, n1: int, x2: int, n2: int, level: float = 0.95) -> Estimate:
    """Ratio of two rates (x1 / n1) / (x2 / n2) with the Katz log interval,
    se(log ratio) = sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2). Suppressed when a rate is
    0 (the ratio or its log interval is then undefined). `se` is left None:
    the interval is symmetric on the log scale, not around the ratio."""
    if min(n1, n2) <= 0:
        return Estimate.too_few(max(n1, 0) + max(n2, 0))
    if x1 <= 0 or x2 <= 0:
        return Estimate(None, None, None, int(n1 + n2), None, True, "no loyal outcome in a group")
    ratio = (x1 / n1) / (x2 / n2)
    se_log = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    z = float(stats.norm.ppf(0.5 + level / 2))
    return Estimate(ratio, ratio * math.exp(-z * se_log), ratio * math.exp(z * se_log), int(n1 + n2))


def top_level_ratio(levels: pd.DataFrame, min_n: int = 10, level: float = 0.95) -> Estimate:
    """How many times as often the top answer level shows the loyal outcome as
    the level just below it (the copier study's 'six times', DOMAIN 4).
    `levels` has columns level, n, loyal; both levels need `min_n` answers."""
    df = levels.sort_values("level")
    if len(df) < 2:
        raise ValueError("need at least two answer levels")
    top, below = df.iloc[-1], df.iloc[-2]
    if top["n"] < min_n or below["n"] < min_n:
        return Estimate.too_few(min(top["n"], below["n"]))
    return rate_ratio(int(top["loyal"]), int(top["n"]), int(below["loyal"]), int(below["n"]), level)
