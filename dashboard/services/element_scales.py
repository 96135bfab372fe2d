"""The scale of each RATER element's respondent means, from the questions.

The driver rollup holds each respondent's mean perception of an element on
the scale of the element's items (a 1-7 template gives 1-7 means, a 1-5 one
1-5 means). Before such moments become an index, their scale is read from
the questions actually answered in the selection, never assumed.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.queries.filters import Filters
from dashboard.queries.rollups import item_moments


def element_scales(session: Session, scope: Scope, filters: Filters) -> dict[str, tuple[float, float]]:
    """(scale_min, scale_max) per element answered in the selection. An
    element whose items use several scales there (two templates pooled, or
    mixed items) is left out: its respondent means mix units and have no
    index."""
    df = item_moments(session, scope, filters, by=("element", "scale_min", "scale_max"))
    df = df[df["element"].notna() & (df["n_p"] > 0)]
    single = df.groupby("element").filter(lambda g: len(g) == 1)
    return {str(r.element): (float(r.scale_min), float(r.scale_max)) for r in single.itertuples(index=False)}


def element_scale(
    session: Session, scope: Scope, filters: Filters, element: str
) -> tuple[float, float] | None:
    """The one scale of `element` in the selection, or None (no answers, or
    several scales)."""
    scales = element_scales(session, scope, filters)
    return scales.get(element)
