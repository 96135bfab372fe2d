"""Element-level CSI intervals with respondents as the independent units.

Element CSIs are means over all answers to the element's items (they match
the item tables), but a respondent's answers to one element are correlated,
so their CI comes from the spread of the respondents' element means in the
driver rollup (see `analytics.indices.respondent_csi_interval`)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.indices import pooled_respondent_interval, with_respondent_ci
from dashboard.auth.scope import Scope
from dashboard.db.models import DRIVER_VARIABLES
from dashboard.queries.filters import Filters
from dashboard.queries.rollups import (
    DRIVER_DIMENSIONS,
    driver_matrices,
    driver_moments_by,
    respondent_moments_by_element,
)

_RESP = {"n": "resp_n", "total": "resp_total", "total_sq": "resp_total_sq"}


def can_group(keys: Sequence[str]) -> bool:
    """Whether the driver rollup has every dimension in `keys`."""
    return all(k in DRIVER_DIMENSIONS for k in keys)


def element_respondent_ci(
    session: Session,
    scope: Scope,
    filters: Filters,
    df: pd.DataFrame,
    keys: Sequence[str] = (),
    lo: str = "scale_min",
    hi: str = "scale_max",
    **columns: str | None,
) -> pd.DataFrame:
    """`df` has one row per element (column `element`) and group of `keys`,
    a CSI and its item-answer CI (column names as `with_respondent_ci`,
    overridable through `columns`). Returns it with the CI from the
    respondents' element means of the same scope, filters and group, and a
    `ci_basis` column. Rows keep the item-answer CI where that is not
    possible: no complete-case respondent in the group (n < 2 in the driver
    rollup, e.g. everyone skipped overall satisfaction), or an element whose
    items use several scales in the group (respondent means would mix them)."""
    keys = list(keys)
    if df.empty:
        return df.assign(ci_basis=pd.Series(dtype=object))
    resp = respondent_moments_by_element(session, scope, filters, by=keys).rename(columns=_RESP)
    on = [*keys, "element"]
    if resp.empty:  # typed like df so that the merge below accepts it
        resp = resp.astype({k: df[k].dtype for k in on})
    mixed = df.duplicated(on, keep=False).to_numpy()
    merged = df.reset_index(drop=True).merge(resp, on=on, how="left", validate="many_to_one")
    merged.loc[mixed, list(_RESP.values())] = np.nan
    out = with_respondent_ci(merged, lo, hi, **columns)
    out.index = df.index
    return out.drop(columns=list(_RESP.values()))


def pooled_respondent_ci(
    session: Session,
    scope: Scope,
    filters: Filters,
    out: pd.DataFrame,
    items: pd.DataFrame,
    keys: Sequence[str],
) -> pd.DataFrame:
    """`out`: CSI rows per group of `keys` and scale that pool the items of
    several RATER elements (a `csi_table` with scale_min, scale_max);
    `items`: the item moments behind them (one row per question, with
    element and question_id). Each row's CI becomes cluster-robust with
    respondents as clusters (`pooled_respondent_interval`), the elements
    weighted by their number of items in the group. A row keeps its
    item-answer CI (`ci_basis` "answers") where an element's items are split
    over several scales in the group or the group has no complete-case
    respondents."""
    keys = list(keys)
    out = out.assign(ci_basis="answers")
    if out.empty:
        return out
    counts = items.groupby([*keys, "element", "scale_min", "scale_max"], dropna=False)[
        "question_id"
    ].nunique()
    counts = counts.reset_index(name="items")
    split = counts.duplicated([*keys, "element"], keep=False)
    resp = driver_moments_by(session, scope, filters, keys)
    resp_rows = {tuple(r[k] for k in keys): r for _, r in resp.iterrows()}
    position = {v: i for i, v in enumerate(DRIVER_VARIABLES)}
    for idx, row in out.iterrows():
        if row["suppressed"] or pd.isna(row["csi"]):
            continue
        key = tuple(row[k] for k in keys)
        mine = counts[(counts[keys].apply(tuple, axis=1) == key) if keys else np.ones(len(counts), bool)]
        mine = mine[(mine["scale_min"] == row["scale_min"]) & (mine["scale_max"] == row["scale_max"])]
        if mine.empty or split[mine.index].any() or key not in resp_rows:
            continue
        n, sums, products = driver_matrices(resp_rows[key])
        at = [position[e] for e in mine["element"]]
        weights = mine["items"].to_numpy(float) / mine["items"].sum()
        low, high, se = pooled_respondent_interval(
            float(row["csi"]),
            n,
            sums[at],
            products[np.ix_(at, at)],
            weights,
            row["scale_min"],
            row["scale_max"],
        )
        if np.isfinite(se):
            out.loc[idx, ["csi_low", "csi_high", "se", "ci_basis"]] = [low, high, se, "respondents"]
    return out
