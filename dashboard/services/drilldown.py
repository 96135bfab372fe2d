"""The RATER drill-down: element -> its items -> where it is weak -> the
comments behind it. Every function takes the viewer's scope; groups under
min_n keep their count but lose their numbers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.indices import csi_table, suppress_by_respondents
from dashboard.analytics.servqual import item_gaps
from dashboard.auth.scope import Scope
from dashboard.domain import CHANNELS, ELEMENTS, SEGMENTS
from dashboard.queries import reference
from dashboard.queries.comments import CommentPage, element_comments
from dashboard.queries.filters import Filters
from dashboard.queries.plans import element_items
from dashboard.queries.rollups import item_moments
from dashboard.services.element_ci import element_respondent_ci

DIMENSIONS = {
    "branch": "branch_id",
    "department": "department_id",
    "segment": "segment",
    "channel": "channel",
}
DIMENSION_LABELS = {
    "branch": "Branches",
    "department": "Departments",
    "segment": "Segments",
    "channel": "Channels",
}


def _element_totals(df: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Item moments (with a `code` column) summed to `keys`, and each group's
    respondents: every respondent answers each item once, so the most-answered
    item's count."""
    measures = [c for c in df.columns if c not in (*keys, "code")]
    summed = df.groupby(keys, as_index=False)[measures].sum()
    respondents = df.groupby(keys)["n_p"].max().reindex(pd.MultiIndex.from_frame(summed[keys]))
    return summed, pd.Series(respondents.to_numpy(), index=summed.index)


def _with_shares(df: pd.DataFrame, min_n: int, respondents: pd.Series | None = None) -> pd.DataFrame:
    out = csi_table(df, "scale_min", "scale_max", min_n=min_n)
    if respondents is not None:  # element rows pool items: the minimum counts respondents
        out = suppress_by_respondents(out, respondents.to_numpy(), min_n)
    hide = out["suppressed"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["p_mean"] = np.where(hide, np.nan, out["sum_p"] / out["n_p"])
        out["e_mean"] = np.where(hide | (out["n_e"] == 0), np.nan, out["sum_e"] / out["n_e"])
        out["top_box"] = np.where(hide, np.nan, 100 * out["top2"] / out["n_p"])
    gaps = item_gaps(out)
    hide = hide | (out["n_gap"].to_numpy(float) < max(min_n, 1))  # a gap counts its paired answers
    out["gap"] = np.where(hide, np.nan, gaps["gap"])
    out["gap_se"] = np.where(hide, np.nan, gaps["gap_se"])
    out["gap_half"] = np.where(hide, np.nan, gaps["gap_half"])
    return out


def element_profile(session: Session, scope: Scope, filters: Filters, min_n: int) -> pd.DataFrame:
    """Per RATER element: CSI with CI, P and E means, gap P - E, top-2-box share, n."""
    df = item_moments(session, scope, filters, by=("element", "code", "scale_min", "scale_max"))
    df, respondents = _element_totals(
        df[df["element"].isin(list(ELEMENTS))], ["element", "scale_min", "scale_max"]
    )
    out = _with_shares(df, min_n, respondents)
    # the CSI is the mean of all answers; its CI counts respondents, not answers.
    # gap_se stays answer-based: the driver rollup keeps no expectations.
    out = element_respondent_ci(session, scope, filters, out)
    out["name"] = out["element"].map(ELEMENTS)
    order = {e: i for i, e in enumerate(ELEMENTS)}
    return out.sort_values("element", key=lambda s: s.map(order)).reset_index(drop=True)


def profile_bars(profile: pd.DataFrame) -> pd.DataFrame:
    """An element profile as the bar chart takes it: element, csi, csi_low,
    csi_high and n (respondents)."""
    return profile[["element", "csi", "csi_low", "csi_high", "respondents"]].rename(
        columns={"respondents": "n"}
    )


def item_table(session: Session, scope: Scope, filters: Filters, element: str, min_n: int) -> pd.DataFrame:
    """The element's items: CSI (P) with CI, P, E, gap with its SE, top-2-box, n."""
    df = item_moments(session, scope, filters, by=("element", "code", "scale_min", "scale_max"))
    df = df[df["element"] == element]
    texts = element_items(session).drop_duplicates("code").set_index("code")["text"]
    out = _with_shares(df, min_n)
    out["text"] = out["code"].map(texts)
    return out.sort_values("code").reset_index(drop=True)


def weak_spots(
    session: Session,
    scope: Scope,
    filters: Filters,
    dimension: str,
    element: str,
    item: str | None,
    min_n: int,
) -> pd.DataFrame:
    """The element (or one item) per branch, department, segment or channel,
    weakest first, with its difference from the whole selection. Suppressed
    groups come last, with their n."""
    column = DIMENSIONS[dimension]
    df = item_moments(session, scope, filters, by=(column, "element", "code", "scale_min", "scale_max"))
    df = df[df["code"] == item] if item else df[df["element"] == element]
    if df.empty:
        return pd.DataFrame(
            columns=[
                "group",
                "label",
                "n_p",
                "respondents",
                "csi",
                "csi_low",
                "csi_high",
                "diff",
                "suppressed",
            ]
        )
    keys = [column, "scale_min", "scale_max"]
    df, respondents = _element_totals(df.drop(columns=["element"]), keys)
    out = csi_table(df, "scale_min", "scale_max", min_n=min_n)
    if item:  # one answer per respondent
        out["respondents"] = out["n_p"].astype(int)
    else:  # the element per group: its minimum and its CI count respondents, not answers
        out = suppress_by_respondents(out, respondents.to_numpy(), min_n)
        out = element_respondent_ci(session, scope, filters, out.assign(element=element), [column])
    out = out.rename(columns={column: "group"})
    whole = csi_table(
        df.groupby(["scale_min", "scale_max"], as_index=False)[["n_p", "sum_p", "sumsq_p"]].sum(),
        "scale_min",
        "scale_max",
        min_n=min_n,
    )["csi"].iloc[0]
    out["diff"] = out["csi"] - whole
    out["label"] = _labels(session, scope, dimension, out["group"])
    out = out.sort_values(["suppressed", "csi"], na_position="last").reset_index(drop=True)
    return out[["group", "label", "n_p", "respondents", "csi", "csi_low", "csi_high", "diff", "suppressed"]]


def _labels(session: Session, scope: Scope, dimension: str, groups: pd.Series) -> pd.Series:
    if dimension in ("branch", "department"):
        units = reference.units(session, scope).drop_duplicates(f"{dimension}_id")
        names = dict(
            zip(
                units[f"{dimension}_id"],
                units[f"{dimension}_code"] + " " + units[f"{dimension}_name"],
                strict=True,
            )
        )
        return groups.map(names)
    if dimension == "channel":
        return groups.map(lambda c: CHANNELS.get(c, c).split(" (")[0])
    return groups.map(lambda s: s.upper() if s == "sme" else s.capitalize())


def unit_filter(
    session: Session, scope: Scope, filters: Filters, dimension: str, value: str
) -> Filters | None:
    """Narrow filters to one group of a dimension; None when the value is not
    a group the viewer may see (a forged or stale URL)."""
    if dimension in ("branch", "department"):
        units = reference.units(session, scope)
        match = units.loc[units[f"{dimension}_code"] == value, f"{dimension}_id"]
        if match.empty:
            return None
        return replace(filters, **{f"{dimension}_ids": (int(match.iloc[0]),)})
    if dimension == "segment":
        return replace(filters, segments=(value,)) if value in SEGMENTS else None
    return replace(filters, channels=(value,)) if value in CHANNELS else None


def comments_for(
    session: Session, scope: Scope, filters: Filters, element: str, search: str, min_comments: int
) -> tuple[CommentPage | None, int]:
    """Comments behind the element, or (None, count) when the group has fewer
    than `min_comments` comments: showing them could identify the writers."""
    page = element_comments(session, scope, filters, element, search)
    if page.group_size < min_comments:
        return None, page.group_size
    return page, page.group_size
