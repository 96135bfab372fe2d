"""SERVQUAL gap scores (DOMAIN 2): item gap P - E, unweighted element score
(mean over the element's items of their gaps) and the importance-weighted
SERVQUAL score sum_d w_d gap_d. Templates without expectations give
NOT_MEASURED, never a number."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from dashboard.analytics.indices import normalise_weights
from dashboard.analytics.moments import mean_var_se

NOT_MEASURED = "not measured"


def item_gaps(df: pd.DataFrame) -> pd.DataFrame:
    """Per item (rows with n_gap, sum_gap, sumsq_gap, optionally n_e): gap
    mean and se. Items with no expectation answers (n_e == 0) or no paired
    E and P (n_gap == 0) get status NOT_MEASURED and gap NaN."""
    mean, _var, se = mean_var_se(df["n_gap"], df["sum_gap"], df["sumsq_gap"])
    measured = df["n_gap"].to_numpy(float) > 0
    if "n_e" in df:
        measured &= df["n_e"].fillna(0).to_numpy(float) > 0
    # 95% Student-t half-width on the paired answers, like every other interval
    with np.errstate(invalid="ignore"):
        half = stats.t.ppf(0.975, np.maximum(df["n_gap"].to_numpy(float) - 1, 1)) * se
    return df.assign(
        gap=np.where(measured, mean, np.nan),
        gap_se=np.where(measured, se, np.nan),
        gap_half=np.where(measured, half, np.nan),
        gap_status=np.where(measured, "measured", NOT_MEASURED),
    )


def element_gaps(items: pd.DataFrame, element_col: str = "element") -> pd.DataFrame:
    """Unweighted element score: the mean of its items' gaps (items equally
    weighted, as SERVQUAL defines it). An element with any unmeasured item
    gap is NOT_MEASURED rather than a mean of the rest."""
    gaps = item_gaps(items)
    rows = []
    for element, group in gaps.groupby(element_col, sort=False):
        if (group["gap_status"] == NOT_MEASURED).any():
            rows.append({element_col: element, "gap": np.nan, "items": len(group), "status": NOT_MEASURED})
        else:
            rows.append(
                {
                    element_col: element,
                    "gap": float(group["gap"].mean()),
                    "items": len(group),
                    "status": "measured",
                }
            )
    return pd.DataFrame(rows, columns=[element_col, "gap", "items", "status"])  # columns even when empty


def weighted_servqual(element_gap: Mapping[str, float], weights: Mapping[str, float]) -> float | str:
    """sum_d w_d gap_d with weights normalised to 1; NOT_MEASURED if any
    weighted element has no gap."""
    w = normalise_weights({k: weights[k] for k in element_gap})
    if any(isinstance(v, str) or v != v for v in element_gap.values()):
        return NOT_MEASURED
    return float(sum(w[k] * element_gap[k] for k in element_gap))
