"""When an aggregate over units a viewer cannot see may be shown to them
(docs/SECURITY.md "Aggregates over units you cannot see").

A pool's figure is safe only when no single unit makes it up: at least
`min_units` units with respondents, and at least `min_n` respondents beyond
its largest unit (so removing any one unit still leaves a group the
statistical policy would show). Counts are respondents.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def pool_hides_each_unit(respondents_by_unit: Iterable[float], min_units: int, min_n: int) -> bool:
    """One pool (one wave): True when no unit can be read off its figure."""
    counts = [float(n) for n in respondents_by_unit if n > 0]
    if not counts:
        return True  # an empty pool shows nothing, so it reveals nothing
    return len(counts) >= min_units and sum(counts) - max(counts) >= min_n


def pool_safe_in_every_wave(
    frame: pd.DataFrame, unit_columns: list[str], min_units: int, min_n: int, wave_column: str = "wave_id"
) -> bool:
    """`frame`: respondents (`n`) per wave and unit; True when the pool passes
    `pool_hides_each_unit` in every wave it has respondents in."""
    per_unit = frame.groupby([wave_column, *unit_columns])["n"].sum()
    return all(
        pool_hides_each_unit(counts, min_units, min_n) for _, counts in per_unit.groupby(level=wave_column)
    )
