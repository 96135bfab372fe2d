"""Importance-performance analysis (DOMAIN 4): each element placed by its
importance and performance against configurable crosshairs."""

from __future__ import annotations

import pandas as pd

KEEP_UP = "Keep up the good work"
CONCENTRATE = "Concentrate here"
LOW_PRIORITY = "Low priority"
OVERKILL = "Possible overkill"


def quadrants(
    df: pd.DataFrame,
    importance: str = "importance",
    performance: str = "performance",
    importance_cut: float | None = None,
    performance_cut: float | None = None,
) -> pd.DataFrame:
    """Label each row; crosshairs default to the mean of each axis (over the
    rows that have both values). A point on a crosshair counts as high. A row
    missing either value (e.g. a CSI suppressed for too few responses) gets
    no quadrant (None): a NaN compares as "low" and would be mislabelled."""
    placed = df[importance].notna() & df[performance].notna()
    icut = df.loc[placed, importance].mean() if importance_cut is None else importance_cut
    pcut = df.loc[placed, performance].mean() if performance_cut is None else performance_cut
    high_i = df[importance] >= icut
    high_p = df[performance] >= pcut
    label = pd.Series(LOW_PRIORITY, index=df.index, dtype=object)
    label[high_i & high_p] = KEEP_UP
    label[high_i & ~high_p] = CONCENTRATE
    label[~high_i & high_p] = OVERKILL
    label[~placed] = None
    out = df.assign(quadrant=label)
    out.attrs.update(importance_cut=float(icut), performance_cut=float(pcut))
    return out
