"""Differences as the CLI and the pages state them: a construct between two
waves, between two units, and the units that moved most. Every difference
is the second minus the first, in index points on 0-100 (converted with the
questions' scale), tested by Welch's t-test on respondents (one answer each),
and refused below the minimum n."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.indices import index_scale, to_index, to_index_points
from dashboard.analytics.moments import TOO_FEW, Moments
from dashboard.analytics.ranking import movers
from dashboard.analytics.significance import welch_test
from dashboard.auth.scope import Scope
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.rollups import item_moments


def _overall(session: Session, scope: Scope, filters: Filters, key: str, construct: str = "overall"):
    """Moments (unit, n, total, total_sq) of a one-question construct per
    value of `key`, and its answer scale (None when there are no answers or
    the selection mixes scales). n counts respondents: one answer each."""
    df = item_moments(session, scope, filters, by=(key, "construct", "scale_min", "scale_max"))
    df = df[df["construct"] == construct]
    moments = pd.DataFrame({"unit": df[key], "n": df["n_p"], "total": df["sum_p"], "total_sq": df["sumsq_p"]})
    scales = set(zip(df["scale_min"], df["scale_max"], strict=True))
    if len(scales) != 1 or moments["unit"].duplicated().any():
        return moments, None
    return moments.reset_index(drop=True), next(iter(scales))


def _difference(
    moments: pd.DataFrame, scale, first, second, labels: tuple[str, str], what: str, min_n: int
) -> dict:
    """Welch test of `second` minus `first` (rows of `moments` by unit), in
    index points; groups under `min_n` respondents are refused, not tested."""
    if scale is None:
        return {"error": f"no {what} answers on one scale in this selection"}
    df = moments.set_index("unit")
    n = {
        side: int(df.loc[u, "n"]) if u in df.index else 0
        for side, u in (("first", first), ("second", second))
    }
    direction = f"{labels[1]} minus {labels[0]}"
    base = {"direction": direction, "n_first": n["first"], "n_second": n["second"], "min_n": min_n}
    if min(n.values()) < max(min_n, 2):
        return {**base, "status": TOO_FEW, "scale": index_scale(*scale)}
    a, b = (Moments(df.loc[u, "n"], df.loc[u, "total"], df.loc[u, "total_sq"]) for u in (first, second))
    test = welch_test(a, b)
    lo, hi = scale
    return {
        **base,
        "status": "tested",
        "test": test.test,
        "first": float(to_index(a.mean, lo, hi)),
        "second": float(to_index(b.mean, lo, hi)),
        "diff": float(to_index_points(test.diff, lo, hi)),
        "ci_low": float(to_index_points(test.ci_low, lo, hi)),
        "ci_high": float(to_index_points(test.ci_high, lo, hi)),
        "statistic": test.statistic,
        "df": test.df,
        "p_value": test.p_value,
        "significant": test.significant,
        "scale": index_scale(lo, hi),
    }


def wave_change(
    session: Session,
    scope: Scope,
    filters: Filters,
    first_wave: int,
    second_wave: int,
    construct: str = "overall",
    *,
    min_n: int,
) -> dict:
    """Welch test of a one-question construct (overall satisfaction) between
    two waves: second minus first, in index points, with the direction in
    wave codes; refused below `min_n` respondents in either wave."""
    both = replace(filters, wave_ids=(first_wave, second_wave))
    moments, scale = _overall(session, scope, both, "wave_id", construct)
    codes = reference.waves(session).set_index("wave_id")["code"]
    labels = (str(codes.get(first_wave)), str(codes.get(second_wave)))
    return _difference(moments, scale, first_wave, second_wave, labels, construct, min_n)


def biggest_movers(
    session: Session,
    scope: Scope,
    filters: Filters,
    first_wave: int,
    second_wave: int,
    unit: str,
    *,
    min_n: int,
) -> pd.DataFrame:
    """Units whose overall satisfaction changed most between two waves
    (second minus first, index points), each change with a Welch test; units
    under `min_n` respondents in either wave left out."""
    key = f"{unit}_id"
    prev, scale_a = _overall(session, scope, replace(filters, wave_ids=(first_wave,)), key)
    curr, scale_b = _overall(session, scope, replace(filters, wave_ids=(second_wave,)), key)
    out = movers(prev, curr, min_n=min_n)
    if scale_a is None or scale_a != scale_b:  # nothing to compare on one scale
        out = out.iloc[0:0]
        scale_a = (np.nan, np.nan)
    lo, hi = scale_a
    if len(out):
        for col in ("previous", "current"):
            out[col] = to_index(out[col], lo, hi)
        for col in ("change", "ci_low", "ci_high"):
            out[col] = to_index_points(out[col], lo, hi)
    names = reference.units(session, scope).drop_duplicates(key).set_index(key)[f"{unit}_code"]
    out.insert(1, "code", out["unit"].map(names))
    return out.assign(scale_min=lo, scale_max=hi)


def unit_comparison(
    session: Session, scope: Scope, filters: Filters, first: int, second: int, unit: str, *, min_n: int
) -> dict:
    """Welch test of overall satisfaction between two units: second minus
    first, in index points, with the direction in unit codes; refused below
    `min_n` respondents in either unit."""
    key = f"{unit}_id"
    moments, scale = _overall(session, scope, filters, key)
    names = reference.units(session, scope).drop_duplicates(key).set_index(key)[f"{unit}_code"]
    labels = (str(names.get(first)), str(names.get(second)))
    return _difference(moments, scale, first, second, labels, "overall satisfaction", min_n)
