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


def _row_keys(df: pd.DataFrame, cols: Sequence[str]) -> list[tuple]:
    """Group keys as tuples, missing values (e.g. no construct) as one marker."""
    if not cols:
        return [()] * len(df)
    frame = df[list(cols)].astype(object)
    return list(frame.where(frame.notna(), "<none>").itertuples(index=False, name=None))


def pooled_respondent_ci(
    session: Session,
    scope: Scope,
    filters: Filters,
    out: pd.DataFrame,
    items: pd.DataFrame,
    keys: Sequence[str],
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """`out`: CSI rows per group of `keys` (driver-rollup dimensions), of
    `extra` (question attributes such as construct) and scale, that pool
    several items (a `csi_table` with scale_min, scale_max); `items`: the
    item moments behind them (one row per question, with element and
    question_id). A row pooling RATER items only takes a cluster-robust CI
    with respondents as clusters (`pooled_respondent_interval`), the
    elements weighted by their number of items in the group. A row keeps
    its item-answer CI (`ci_basis` "answers") where it pools a question
    without an element, where an element's items are split over several
    scales in the group, or where the group has no complete-case
    respondents."""
    keys, extra = list(keys), list(extra)
    out = out.assign(ci_basis="answers")
    if out.empty:
        return out
    by = [*keys, *extra]
    per_element = list(dict.fromkeys([*by, "element"]))  # `by` may hold element itself
    counts = items.groupby([*per_element, "scale_min", "scale_max"], dropna=False)["question_id"]
    counts = counts.nunique().reset_index(name="items")
    split = counts.duplicated(per_element, keep=False).to_numpy()
    counts["key"] = _row_keys(counts, [*by, "scale_min", "scale_max"])
    resp = driver_moments_by(session, scope, filters, keys)
    resp_rows = dict(zip(_row_keys(resp, keys), (r for _, r in resp.iterrows()), strict=True))
    position = {v: i for i, v in enumerate(DRIVER_VARIABLES) if v != "O"}  # O: overall, not an element
    row_keys = _row_keys(out, [*by, "scale_min", "scale_max"])
    driver_keys = _row_keys(out, keys)
    for i, idx in enumerate(out.index):
        if out.at[idx, "suppressed"] or pd.isna(out.at[idx, "csi"]):
            continue
        at_row = (counts["key"] == row_keys[i]).to_numpy()
        mine = counts[at_row]
        elements = list(mine["element"])
        single = mine["items"].sum() < 2  # one question: its t interval already counts respondents
        if single or split[at_row].any() or not set(elements) <= set(position):
            continue
        if driver_keys[i] not in resp_rows:
            continue
        n, sums, products = driver_matrices(resp_rows[driver_keys[i]])
        at = [position[e] for e in elements]
        weights = mine["items"].to_numpy(float) / mine["items"].sum()
        lo, hi = float(out.at[idx, "scale_min"]), float(out.at[idx, "scale_max"])
        low, high, se = pooled_respondent_interval(
            float(out.at[idx, "csi"]), n, sums[at], products[np.ix_(at, at)], weights, lo, hi
        )
        if np.isfinite(se):
            out.loc[idx, ["csi_low", "csi_high", "se", "ci_basis"]] = [low, high, se, "respondents"]
    return out
