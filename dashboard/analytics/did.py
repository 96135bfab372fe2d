"""Difference in differences of a plan's targeted score (DOMAIN 9): the
treated unit's change from before to after the plan start, minus the change
of comparable units without a plan over the same waves.

Works on moments of respondent-level scores (one observation per respondent:
their mean perception of the targeted element), so respondents are the
independent units. With the four cells treated/control x pre/post this is the
saturated OLS model y ~ treated * post, and the standard error below equals
OLS with HC2 (heteroskedasticity-robust) errors; tests check both against
statsmodels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from dashboard.analytics.moments import Moments

TEST_NAME = "difference in differences, Welch-Satterthwaite t-test (HC2 standard error)"
TOO_EARLY = "too early to tell"


@dataclass(frozen=True)
class DidCells:
    treated_pre: Moments
    treated_post: Moments
    control_pre: Moments
    control_post: Moments


@dataclass(frozen=True)
class DidResult:
    """`effect` (post-pre change of treated minus that of controls) in the
    scale of the inputs, with its CI and test. When `verdict` is TOO_EARLY
    (or another reason), the numbers are None."""

    effect: float | None
    ci_low: float | None
    ci_high: float | None
    se: float | None
    p_value: float | None
    df: float | None
    significant: bool
    cells: DidCells
    verdict: str  # "improved", "worsened", "no significant change", TOO_EARLY, "no comparison units"
    test: str = TEST_NAME

    @property
    def treated_change(self) -> float:
        return self.cells.treated_post.mean - self.cells.treated_pre.mean

    @property
    def control_change(self) -> float:
        return self.cells.control_post.mean - self.cells.control_pre.mean


def difference_in_differences(cells: DidCells, min_n: int = 10, alpha: float = 0.05) -> DidResult:
    """DiD with a t interval whose df follow Welch-Satterthwaite over the
    four cell variances; refuses to estimate when a cell has fewer than
    `min_n` respondents (post-plan cells first: the usual reason is that
    the plan is too recent)."""
    if cells.treated_post.n < min_n or cells.control_post.n < min_n:
        return _undecided(cells, TOO_EARLY)
    if cells.treated_pre.n < min_n:
        return _undecided(cells, "too few responses before the plan")
    if cells.control_pre.n < min_n:
        return _undecided(cells, "no comparison units")
    four = (cells.treated_pre, cells.treated_post, cells.control_pre, cells.control_post)
    parts = [c.var / c.n for c in four]
    effect = (cells.treated_post.mean - cells.treated_pre.mean) - (
        cells.control_post.mean - cells.control_pre.mean
    )
    se = math.sqrt(sum(parts))
    if se == 0:
        return DidResult(
            effect, effect, effect, 0.0, None, None, effect != 0, cells, _verdict(effect, effect != 0)
        )
    df = sum(parts) ** 2 / sum(p**2 / (c.n - 1) for p, c in zip(parts, four, strict=True))
    t = effect / se
    p_value = float(2 * stats.t.sf(abs(t), df))
    half = float(stats.t.ppf(1 - alpha / 2, df)) * se
    significant = p_value < alpha
    return DidResult(
        effect,
        effect - half,
        effect + half,
        se,
        p_value,
        df,
        significant,
        cells,
        _verdict(effect, significant),
    )


def _verdict(effect: float, significant: bool) -> str:
    if not significant:
        return "no significant change"
    return "improved" if effect > 0 else "worsened"


def _undecided(cells: DidCells, reason: str) -> DidResult:
    return DidResult(None, None, None, None, None, None, False, cells, reason)


def effect_per_cost(effect_points: float | None, cost: float | None, per: float = 10_000.0) -> float | None:
    """Index points gained per `per` units of cost; None without a positive
    cost or an estimate."""
    if effect_points is None or cost is None or cost <= 0:
        return None
    return effect_points / cost * per
