"""Read the rollup tables: moments (n, sum, sum of squares, top-box counts)
grouped by any of the rollup dimensions, restricted to the viewer's scope.

This is the one place pages get survey numbers from; it never touches raw
answers, so its cost depends on the number of groups, not of responses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import (
    DRIVER_PRODUCTS,
    DRIVER_SUMS,
    DRIVER_VARIABLES,
    ITEM_MEASURES,
    Question,
    RollupDriver,
    RollupIndicatorPair,
    RollupItem,
    RollupItemSegment,
    RollupLoyalty,
)
from dashboard.queries.filters import Filters, where

ROLLUP_DIMENSIONS = ("wave_id", "branch_id", "department_id", "channel", "segment", "question_id")
QUESTION_DIMENSIONS = ("element", "construct", "code", "scale_min", "scale_max", "qtype")
DRIVER_DIMENSIONS = ("wave_id", "branch_id", "department_id", "channel", "segment")


def item_moments(
    session: Session,
    scope: Scope,
    filters: Filters,
    by: Sequence[str] = ("question_id",),
) -> pd.DataFrame:
    """Sum the rollup measures by `by` (rollup dimensions and/or question
    attributes such as element). Returns one row per group with the columns of
    `by` followed by the measures (see dashboard.db.models.rollups)."""
    unknown = [d for d in by if d not in ROLLUP_DIMENSIONS + QUESTION_DIMENSIONS]
    if unknown:
        raise ValueError(f"cannot group rollups by {unknown}")
    use_segment = filters.needs_segment_grain or "segment" in by
    table = (RollupItemSegment if use_segment else RollupItem).__table__
    q = Question.__table__
    group_cols = [q.c[d] if d in QUESTION_DIMENSIONS else table.c[d] for d in by]
    stmt = (
        select(*group_cols, *[func.sum(table.c[m]).label(m) for m in ITEM_MEASURES])
        .select_from(table.join(q, q.c.id == table.c.question_id))
        .where(*where(table, scope, filters))
        .group_by(*group_cols)
        .order_by(*group_cols)
    )
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=[*by, *ITEM_MEASURES])
    for m in ITEM_MEASURES:
        frame[m] = pd.to_numeric(frame[m]).fillna(0)
    return frame


def _driver_sums(
    session: Session, scope: Scope, filters: Filters, variables: Sequence[str], by: Sequence[str]
) -> pd.DataFrame:
    """Per group of `by`: n (complete-case respondents) and, per driver
    variable v, total_v and total_sq_v of the respondents' means."""
    t = RollupDriver.__table__
    keys = [t.c[k] for k in by]
    sums = [func.sum(t.c[f"s_{v.lower()}"]) for v in variables]
    squares = [func.sum(t.c[f"p_{v.lower()}{v.lower()}"]) for v in variables]
    stmt = select(*keys, func.sum(t.c.n), *sums, *squares).where(*where(t, scope, filters))
    if keys:
        stmt = stmt.group_by(*keys).order_by(*keys)
    columns = [*by, "n", *(f"total_{v}" for v in variables), *(f"total_sq_{v}" for v in variables)]
    return pd.DataFrame(session.execute(stmt).all(), columns=columns)


def driver_moments_by(session: Session, scope: Scope, filters: Filters, by: Sequence[str]) -> pd.DataFrame:
    """Per group of `by` (driver-rollup dimensions): n (complete-case
    respondents), the sums (DRIVER_SUMS) and the cross-products
    (DRIVER_PRODUCTS) of the respondents' driver variables, as floats.
    Groups without respondents are left out."""
    unknown = [d for d in by if d not in DRIVER_DIMENSIONS]
    if unknown:
        raise ValueError(f"cannot group respondent moments by {unknown}")
    t = RollupDriver.__table__
    keys = [t.c[k] for k in by]
    cols = [func.sum(t.c.n), *[func.sum(t.c[c]) for c in DRIVER_SUMS + DRIVER_PRODUCTS]]
    stmt = select(*keys, *cols).where(*where(t, scope, filters))
    if keys:
        stmt = stmt.group_by(*keys).order_by(*keys)
    measures = ["n", *DRIVER_SUMS, *DRIVER_PRODUCTS]
    frame = pd.DataFrame(session.execute(stmt).all(), columns=[*by, *measures])
    for m in measures:
        frame[m] = pd.to_numeric(frame[m]).fillna(0).astype(float)
    return frame[frame["n"] > 0].reset_index(drop=True)


def driver_matrices(row) -> tuple[float, np.ndarray, np.ndarray]:
    """(n, sums, symmetric cross-product matrix) of one `driver_moments_by`
    row, in DRIVER_VARIABLES order."""
    k = len(DRIVER_VARIABLES)
    sums = np.array([float(row[c]) for c in DRIVER_SUMS])
    products = np.zeros((k, k))
    pairs = [(a, b) for a in range(k) for b in range(a, k)]
    for name, (a, b) in zip(DRIVER_PRODUCTS, pairs, strict=True):
        products[a, b] = products[b, a] = float(row[name])
    return float(row["n"]), sums, products


def driver_moments(session: Session, scope: Scope, filters: Filters) -> tuple[float, np.ndarray, np.ndarray]:
    """(n, sums, cross-products) of the driver variables (the respondents'
    five element means and overall satisfaction, in DRIVER_VARIABLES order)
    over the cells in scope; the symmetric products matrix is filled in."""
    frame = driver_moments_by(session, scope, filters, ())
    if frame.empty:
        k = len(DRIVER_VARIABLES)
        return 0.0, np.zeros(k), np.zeros((k, k))
    return driver_matrices(frame.iloc[0])


def respondent_element_moments(
    session: Session, scope: Scope, filters: Filters, element: str, by: Sequence[str] = ("branch_id",)
) -> pd.DataFrame:
    """Moments of each respondent's mean perception of one RATER element
    (complete cases), grouped by `by`: the right sample for comparing units,
    since a respondent's items are not independent observations."""
    if element not in DRIVER_VARIABLES:
        raise ValueError(f"unknown element {element!r}")
    frame = _driver_sums(session, scope, filters, [element], by).rename(
        columns={f"total_{element}": "total", f"total_sq_{element}": "total_sq"}
    )
    for c in ("n", "total", "total_sq"):
        frame[c] = pd.to_numeric(frame[c]).fillna(0)
    return frame


def respondent_moments_by_element(
    session: Session, scope: Scope, filters: Filters, by: Sequence[str] = ()
) -> pd.DataFrame:
    """Like `respondent_element_moments`, for all five RATER elements in one
    query: one row per group of `by` (dimensions of the driver rollup) and
    element, with n (complete-case respondents), total and total_sq of the
    respondents' element means on the items' perception scale."""
    unknown = [d for d in by if d not in DRIVER_DIMENSIONS]
    if unknown:
        raise ValueError(f"cannot group respondent moments by {unknown}")
    elements = [v for v in DRIVER_VARIABLES if v != "O"]  # O is overall satisfaction, not an element
    wide = _driver_sums(session, scope, filters, elements, by)
    wide = wide[pd.to_numeric(wide["n"]).fillna(0) > 0]  # no rows at all gives one row of NULLs
    frames = [
        wide[list(by)].assign(
            element=v, n=wide["n"], total=wide[f"total_{v}"], total_sq=wide[f"total_sq_{v}"]
        )
        for v in elements
    ]
    frame = pd.concat(frames, ignore_index=True) if len(wide) else pd.DataFrame(columns=[*by, "element"])
    frame = frame.reindex(columns=[*by, "element", "n", "total", "total_sq"])
    for c in ("n", "total", "total_sq"):
        frame[c] = pd.to_numeric(frame[c]).fillna(0).astype(float)
    return frame.reset_index(drop=True)


def sums_by(
    session: Session, table, key: str, measures: Sequence[str], scope: Scope, filters: Filters
) -> pd.DataFrame:
    """The `measures` of a rollup table summed per value of its `key` column
    over the cells in scope and filters; columns `key` then the measures."""
    stmt = (
        select(table.c[key], *[func.sum(table.c[m]) for m in measures])
        .where(*where(table, scope, filters))
        .group_by(table.c[key])
        .order_by(table.c[key])
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=[key, *measures])


def loyalty_levels(session: Session, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Respondents and promoters per overall-satisfaction answer level."""
    measures = ["n", "promoters", "sum_recommend"]
    frame = sums_by(session, RollupLoyalty.__table__, "level", measures, scope, filters)
    return frame.astype({"n": int, "promoters": int, "sum_recommend": float})


def indicator_moments(session: Session, scope: Scope, filters: Filters, question_ids: Sequence[int]):
    """n, sums and the cross-product matrix of a structural model's indicators
    (complete cases), summed over the cells in scope. Returns (n, sums,
    products) ordered like `question_ids`; n is 0 when nothing matches."""
    t = RollupIndicatorPair.__table__
    ids = [int(q) for q in question_ids]
    stmt = (
        select(
            t.c.question_a,
            t.c.question_b,
            func.sum(t.c.n),
            func.sum(t.c.sum_a),
            func.sum(t.c.sum_b),
            func.sum(t.c.sum_ab),
        )
        .where(*where(t, scope, filters), t.c.question_a.in_(ids), t.c.question_b.in_(ids))
        .group_by(t.c.question_a, t.c.question_b)
    )
    pos = {q: i for i, q in enumerate(ids)}
    k = len(ids)
    sums, products, n = np.zeros(k), np.zeros((k, k)), 0.0
    for a, b, count, sum_a, sum_b, sum_ab in session.execute(stmt):
        i, j = pos[a], pos[b]
        products[i, j] = products[j, i] = float(sum_ab)
        sums[i], sums[j] = float(sum_a), float(sum_b)
        n = float(count)  # complete cases: the same count for every pair
    return n, sums, products
