"""Unit rankings as the pages and `csat metrics ranking` show them: the
ranked table, which differences between the units are real (pairwise Welch
tests with Holm's correction, analytics/pairwise.py) in a plain sentence and
as groups of units that cannot be separated, ranks shown as tied where the
tests cannot order the units, and whether the shrinkage could be estimated.
Units are named "Name (CODE)", never by database id."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.pairwise import PairwiseComparison, compare_units
from dashboard.analytics.ranking import (
    MIN_UNITS_FOR_SHRINKAGE,
    RANKED,
    no_differences_detected,
    rank_labels,
    shrinkage_refused,
)
from dashboard.auth.scope import Scope
from dashboard.queries.filters import Filters
from dashboard.services.metrics import unit_ranking

NOUNS = {
    "branch": ("branch", "branches"),
    "department": ("department", "departments"),
    "manager": ("account manager", "account managers"),
}
LISTED_DIFFERENCES = 3  # the sentence names the largest ones; the groups show the rest
SCALE = "0-100 index points"
SUPPRESSED_COLUMNS = ("total", "total_sq", "mean", "ci_low", "ci_high", "shrunk", "shrunk_sd", "weight")


@dataclass
class RankingView:
    table: pd.DataFrame  # unit_ranking's columns plus rank_shown, rank_label, group (letters), label
    comparison: PairwiseComparison | None  # None: nothing ranked
    unit: str  # "branch" or "department"
    verdict: str  # which differences are real, in one sentence
    method: str  # the test, its correction, the scale and who was left out
    groups: tuple[str, ...]  # "a: Name (CODE), ..." per group that cannot be separated
    labels: dict  # code -> "Name (CODE)"
    no_differences: bool  # between-unit variance estimated as zero: every index shrunk to the mean
    shrinkage_note: str | None  # set when too few units to estimate the between-unit variance


def unit_label(name, code) -> str:
    return f"{name} ({code})" if isinstance(name, str) and name else str(code)


def ranking_view(
    session: Session,
    scope: Scope,
    wave_ids: tuple[int, ...] | None,
    unit: str,
    element: str | None,
    min_n: int,
) -> RankingView:
    """The rankings page: units ranked on an element (None: overall
    satisfaction) over the waves (None: all of them), with the verdicts."""
    return unit_verdicts(session, scope, Filters(wave_ids=wave_ids), unit, element, min_n)


def unit_verdicts(
    session: Session, scope: Scope, filters: Filters, unit: str, element: str | None, min_n: int
) -> RankingView:
    """Units ranked on an element (None: overall satisfaction) under any
    filters, with the verdicts on which of them differ."""
    return with_verdicts(unit_ranking(session, scope, filters, unit, element, min_n=min_n), unit, min_n)


def with_verdicts(ranked: pd.DataFrame, unit: str, min_n: int) -> RankingView:
    """`ranked` (from unit_ranking) with the pairwise verdicts: the rank each
    unit's data support (1 + the units significantly better) labelled "=" when
    shared, its group letters, the sentence and the groups in words."""
    singular, plural = NOUNS[unit]
    if ranked.empty:
        return RankingView(ranked, None, unit, f"No {singular} has responses here.", "", (), {}, False, None)
    moments = ranked[["code", "n", "total", "total_sq"]].rename(columns={"code": "unit"})
    comparison = compare_units(moments, ranked.attrs["scale_min"], ranked.attrs["scale_max"], min_n=min_n)
    shown = comparison.supported_ranks()
    letters = comparison.letters()
    table = ranked.assign(
        rank_shown=ranked["code"].map(shown).astype(float),
        group=ranked["code"].map(letters).astype(object),  # all units unranked: no letters, not floats
    )
    unranked = table["status"] != RANKED
    table.loc[unranked, "rank_shown"] = float("nan")
    table.loc[unranked, "group"] = ""
    table = table.sort_values(["rank_shown", "rank", "code"], na_position="last").reset_index(drop=True)
    table["rank_label"] = rank_labels(table["rank_shown"])
    table["label"] = list(map(unit_label, table["name"], table["code"]))
    labels = dict(zip(table["code"], table["label"], strict=True))
    note = None
    if shrinkage_refused(ranked):
        note = (
            f"Fewer than {MIN_UNITS_FOR_SHRINKAGE} {plural} can be ranked: too few to estimate how much "
            f"{plural} really differ, so the indices are not shrunk."
        )
    return RankingView(
        table,
        comparison,
        unit,
        verdict_sentence(comparison, labels, plural),
        method_sentence(comparison, labels, plural),
        group_lines(comparison, labels),
        labels,
        no_differences_detected(ranked),
        note,
    )


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _differences(rows: pd.DataFrame, labels: dict) -> list[str]:
    """The listed differences, one clause per lower unit: "B is below A by
    7.1 points, p < 0.001", or with several: "B is below A by 7.1 points
    (p < 0.001) and C by 5.0 points (p = 0.012)". unit_a has the higher
    mean, so diff_points (b - a) is negative."""
    clauses = []
    for lower in dict.fromkeys(rows["unit_b"]):
        mine = rows[rows["unit_b"] == lower]
        amounts = [
            (labels[r.unit_a], f"by {abs(r.diff_points):.1f} points", _p(r.p_holm)) for r in mine.itertuples()
        ]
        if len(amounts) == 1:
            above, by, p = amounts[0]
            clauses.append(f"{labels[lower]} is below {above} {by}, {p}")
        else:
            items = [f"{above} {by} ({p})" for above, by, p in amounts]
            clauses.append(f"{labels[lower]} is below " + ", ".join(items[:-1]) + f" and {items[-1]}")
    return clauses


def verdict_sentence(comparison: PairwiseComparison, labels: dict, plural: str) -> str:
    """Which units differ, in words: the largest significant differences
    (index points, Holm-adjusted p), then what cannot be told apart."""
    k = len(comparison.units)
    if k < 2:
        return f"Fewer than two {plural} have at least {comparison.min_n} respondents: nothing to compare."
    sig = comparison.significant
    if sig.empty:
        return f"No two of the {k} {plural} can be told apart."
    parts = _differences(sig.head(LISTED_DIFFERENCES), labels)
    more = len(sig) - LISTED_DIFFERENCES
    if more > 0:
        parts.append(f"{more} more pair{'s differ' if more > 1 else ' differs'} (see the groups)")
    if len(sig) < len(comparison.pairs):
        parts.append(f"the other pairs of {plural} cannot be told apart")
    return "; ".join(parts) + "."


def focus_sentence(view: RankingView, focus: str) -> str:
    """The verdicts that concern one unit (the unit page): whom it is above
    or below, and from how many it cannot be told apart."""
    singular, plural = NOUNS[view.unit]
    comparison, labels = view.comparison, view.labels
    name = labels.get(focus, focus)
    if comparison is None or focus not in comparison.units:
        return f"{name} has fewer than the minimum respondents here: not compared with other {plural}."
    others = len(comparison.units) - 1
    if others == 0:
        return f"No other {singular} has enough respondents here to be compared with {name}."
    pairs = comparison.significant
    mine = pairs[(pairs["unit_a"] == focus) | (pairs["unit_b"] == focus)]
    parts = []
    for r in mine.itertuples():
        other = r.unit_b if r.unit_a == focus else r.unit_a
        side = "above" if r.unit_a == focus else "below"
        parts.append(f"{side} {labels[other]} by {abs(r.diff_points):.1f} points, {_p(r.p_holm)}")
    if not parts:
        return f"{name} cannot be told apart from any of the other {others} {plural}."
    rest = others - len(mine)
    noun = singular if rest == 1 else plural
    tail = f"; it cannot be told apart from the other {rest} {noun}" if rest else ""
    return f"{name} is " + "; ".join(parts) + tail + "."


def method_sentence(comparison: PairwiseComparison, labels: dict, plural: str) -> str:
    pairs = len(comparison.pairs)
    text = (
        f"Welch t-tests on the respondents' scores for every pair of {plural} ({pairs} pair"
        f"{'s' if pairs != 1 else ''}), p-values Holm-adjusted over all pairs "
        f"({100 * comparison.alpha:.0f}% family-wise level); differences in {SCALE}."
    )
    if comparison.excluded:
        left_out = ", ".join(labels.get(u, str(u)) for u in comparison.excluded)
        text += f" Not compared (fewer than {comparison.min_n} respondents): {left_out}."
    return text


def group_lines(comparison: PairwiseComparison, labels: dict) -> tuple[str, ...]:
    """Each group of units no test separates, by its letter; none when all
    units form one group (the sentence already says so)."""
    if len(comparison.groups) < 2:
        return ()
    order = {u: i for i, u in enumerate(comparison.units)}
    return tuple(
        f"{letter}: " + ", ".join(labels[u] for u in sorted(group, key=order.get))
        for letter, group in comparison.named_groups()
    )


def ranking_report(view: RankingView) -> dict:
    """The view as `csat metrics ranking` prints it: units by name and code
    (no database ids), the verdicts, the method and the scale."""
    comparison, attrs = view.comparison, view.table.attrs
    units = view.table.drop(columns=["unit", "label"], errors="ignore")
    hidden = [c for c in SUPPRESSED_COLUMNS if c in units]
    units.loc[units["status"] != RANKED, hidden] = float("nan")  # under min n: n only, no number of it
    order = {u: i for i, u in enumerate(comparison.units)} if comparison else {}
    scale = SCALE
    if "scale_min" in attrs:
        scale += (
            f"; n counts respondents; total and total_sq are their scores on the "
            f"{attrs['scale_min']:g}-{attrs['scale_max']:g} scale"
        )
    return {
        "scale": scale,
        "method": view.method,
        "shrinkage": view.shrinkage_note or attrs.get("shrinkage"),
        "verdict": view.verdict,
        "groups": [
            {"letter": letter, "units": sorted(g, key=order.get)} for letter, g in comparison.named_groups()
        ]
        if comparison
        else [],
        "pairs": comparison.pairs if comparison else [],
        "units": units,
    }
