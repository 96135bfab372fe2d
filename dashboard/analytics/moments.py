"""Sufficient statistics (n, sum, sum of squares) and estimates with
confidence intervals. Rollup tables store exactly these moments, so every
mean, variance and interval on screen is computed here from them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

TOO_FEW = "too few responses"


@dataclass(frozen=True)
class Moments:
    """n observations with sum `total` and sum of squares `total_sq`."""

    n: float
    total: float
    total_sq: float

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n > 0 else math.nan

    @property
    def var(self) -> float:
        """Sample variance (ddof = 1); NaN below two observations."""
        if self.n < 2:
            return math.nan
        # max(0, .) guards against tiny negative values from floating-point cancellation
        return max(0.0, (self.total_sq - self.total**2 / self.n) / (self.n - 1))

    @property
    def sd(self) -> float:
        return math.sqrt(self.var)

    @property
    def se(self) -> float:
        return self.sd / math.sqrt(self.n) if self.n >= 2 else math.nan

    def __add__(self, other: Moments) -> Moments:
        return Moments(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq)

    @classmethod
    def of(cls, values) -> Moments:
        a = np.asarray(values, dtype=float)
        return cls(float(a.size), float(a.sum()), float((a * a).sum()))


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its 95% (or `level`) interval and sample size.
    When `suppressed`, value and bounds are None and `reason` says why."""

    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    se: float | None = None
    suppressed: bool = False
    reason: str | None = None

    @classmethod
    def too_few(cls, n: float) -> Estimate:
        return cls(None, None, None, int(n), None, True, TOO_FEW)


def t_interval(m: Moments, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval for the mean with n - 1 degrees of freedom."""
    if m.n < 2:
        return math.nan, math.nan
    half = float(stats.t.ppf(0.5 + level / 2, m.n - 1)) * m.se
    return m.mean - half, m.mean + half


def mean_estimate(m: Moments, min_n: int = 1, level: float = 0.95) -> Estimate:
    if m.n < max(min_n, 1):
        return Estimate.too_few(m.n)
    low, high = t_interval(m, level)
    return Estimate(m.mean, low, high, int(m.n), m.se)


def mean_var_se(n, total, total_sq) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vectorised mean, sample variance and standard error over arrays/Series."""
    n = np.asarray(n, dtype=float)
    total = np.asarray(total, dtype=float)
    total_sq = np.asarray(total_sq, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, total / n, np.nan)
        var = np.where(n > 1, np.maximum(0.0, (total_sq - total**2 / n) / (n - 1)), np.nan)
        se = np.sqrt(var / n)
    return mean, var, se
