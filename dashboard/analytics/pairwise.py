"""Which differences between units are real: every pair of units compared
with a Welch t-test on the respondents' scores, the p-values adjusted by
Holm's step-down method over all pairs (family-wise error rate at `alpha`).

Respondents are the independent observations: the moments passed in are
per-unit n, sum and sum of squares of one score per respondent. Units under
the minimum n (respondents) take no part and are listed as excluded.

From the verdicts follow the groups of units that cannot be separated (a
compact letter display: units sharing a letter do not differ significantly,
Piepho 2004's insert-absorb algorithm) and the rank each unit's data support:
1 + the number of units significantly better than it, so units the tests
cannot order share a rank.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.analytics.indices import to_index, to_index_points
from dashboard.analytics.moments import Moments
from dashboard.analytics.significance import welch_test

METHOD = "Welch t-tests on respondent scores, Holm-adjusted over all pairs"
PAIR_COLUMNS = [
    "unit_a",
    "unit_b",
    "diff_points",  # mean of b minus mean of a, in 0-100 index points
    "ci_low_points",  # unadjusted 95% Welch interval of the difference, index points
    "ci_high_points",
    "t",
    "df",
    "p_value",  # unadjusted
    "p_holm",
    "significant",  # p_holm < alpha
]


@dataclass(frozen=True)
class PairwiseComparison:
    """The verdicts on every pair of eligible units. `units` lists the
    eligible ones, best (highest mean) first; `excluded` those under min n."""

    method: str
    alpha: float
    min_n: int
    units: tuple
    excluded: tuple
    means: dict  # unit -> mean in index points
    pairs: pd.DataFrame  # PAIR_COLUMNS, one row per pair (a before b in `units` order)
    groups: tuple[frozenset, ...]  # maximal sets of units no test separates, best first

    @property
    def significant(self) -> pd.DataFrame:
        """The pairs that differ, largest difference first."""
        sig = self.pairs[self.pairs["significant"]]
        return sig.reindex(sig["diff_points"].abs().sort_values(ascending=False).index)

    def differs(self, a, b) -> bool:
        return frozenset((a, b)) in _significant_pairs(self.pairs)

    def named_groups(self) -> list[tuple[str, frozenset]]:
        """(letter, units) per group; "a" is the group of the best unit."""
        return list(zip(_letter_names(len(self.groups)), self.groups, strict=True))

    def letters(self) -> dict:
        """unit -> its group letters ("a", "ab", ...)."""
        return {u: "".join(n for n, g in self.named_groups() if u in g) for u in self.units}

    def supported_ranks(self) -> dict:
        """unit -> 1 + the number of units significantly better than it."""
        sig = _significant_pairs(self.pairs)
        return {
            u: 1 + sum(1 for v in self.units if frozenset((u, v)) in sig and self.means[v] > self.means[u])
            for u in self.units
        }


def holm_adjust(p_values) -> np.ndarray:
    """Holm's step-down adjusted p-values: the i-th smallest of m becomes
    max over j <= i of min(1, (m - j + 1) p_(j)). NaN counts as 1."""
    p = np.nan_to_num(np.asarray(p_values, dtype=float), nan=1.0)
    m = p.size
    if m == 0:
        return p
    order = np.argsort(p, kind="stable")
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(stepped)
    return adjusted


def compare_units(
    moments: pd.DataFrame, scale_min: float, scale_max: float, min_n: int, alpha: float = 0.05
) -> PairwiseComparison:
    """Compare every pair of units. `moments` has columns unit, n, total,
    total_sq (respondents' scores on [scale_min, scale_max]); differences are
    reported in index points on that scale."""
    n = moments["n"].to_numpy(float)
    eligible = moments[n >= max(min_n, 2)]
    excluded = tuple(moments.loc[n < max(min_n, 2), "unit"])
    stats = {
        r.unit: Moments(float(r.n), float(r.total), float(r.total_sq))
        for r in eligible.itertuples(index=False)
    }
    order = tuple(sorted(stats, key=lambda u: -stats[u].mean))
    rows = []
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            test = welch_test(stats[a], stats[b])
            rows.append([a, b, test.diff, test.ci_low, test.ci_high, test.statistic, test.df, test.p_value])
    pairs = pd.DataFrame(rows, columns=PAIR_COLUMNS[:-2])
    for col in ("diff_points", "ci_low_points", "ci_high_points"):
        pairs[col] = to_index_points(pairs[col].astype(float), scale_min, scale_max)
    pairs["p_holm"] = holm_adjust(pairs["p_value"])
    pairs["significant"] = pairs["p_holm"] < alpha
    means = {u: float(to_index(stats[u].mean, scale_min, scale_max)) for u in order}
    return PairwiseComparison(
        METHOD, alpha, min_n, order, excluded, means, pairs, _groups(order, _significant_pairs(pairs))
    )


def _significant_pairs(pairs: pd.DataFrame) -> set[frozenset]:
    sig = pairs[pairs["significant"]]
    return {frozenset((a, b)) for a, b in zip(sig["unit_a"], sig["unit_b"], strict=True)}


def _groups(order: tuple, significant: set[frozenset]) -> tuple[frozenset, ...]:
    """Insert-absorb: start from one group of all units; for each significant
    pair split every group holding both into one without each; drop groups
    contained in another. The result is every maximal set of units with no
    significant pair among them, ordered by their best member."""
    groups = [frozenset(order)] if order else []
    for pair in significant:
        a, b = tuple(pair)
        split = []
        for g in groups:
            split.extend((g - {a}, g - {b}) if pair <= g else (g,))
        groups = [g for g in set(split) if g and not any(g < h for h in split)]
    position = {u: i for i, u in enumerate(order)}
    return tuple(sorted(groups, key=lambda g: sorted(position[u] for u in g)))


def _letter_names(count: int) -> list[str]:
    letters = string.ascii_lowercase
    return [letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26] for i in range(count)]
