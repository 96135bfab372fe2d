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

from dashboard.analytics.indices import with_respondent_ci
from dashboard.auth.scope import Scope
from dashboard.queries.filters import Filters
from dashboard.queries.rollups import DRIVER_DIMENSIONS, respondent_moments_by_element

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
