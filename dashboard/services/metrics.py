"""Metric use cases shared by pages and `csat metrics`: each combines a
rollup query with the pure analytics and returns a DataFrame (or dict) whose
columns say what they are, including n and confidence bounds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.drivers import compare_importance, driver_table, lmg, moments_to_correlation
from dashboard.analytics.indices import (
    csi_table,
    stated_importance_weights,
    to_index,
    to_index_points,
    weighted_index,
)
from dashboard.analytics.ipa import quadrants
from dashboard.analytics.moments import Moments
from dashboard.analytics.pls import pls_from_sums
from dashboard.analytics.pls_bootstrap import bootstrap_pls
from dashboard.analytics.ranking import movers, rank_units
from dashboard.analytics.servqual import NOT_MEASURED, element_gaps, item_gaps, weighted_servqual
from dashboard.analytics.significance import welch_test
from dashboard.analytics.topbox import loyalty_by_level, nps_estimate, share_estimate
from dashboard.auth.scope import Scope
from dashboard.db.models import DRIVER_VARIABLES
from dashboard.domain import ELEMENTS
from dashboard.queries import gaps as gap_queries
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.respondents import respondent_indicators
from dashboard.queries.rollups import (
    driver_moments,
    indicator_moments,
    item_moments,
    loyalty_levels,
    respondent_element_moments,
)
from dashboard.services.element_ci import can_group, element_respondent_ci
from dashboard.services.element_scales import element_scale, element_scales

RATER = list(ELEMENTS)


def csi_by(
    session: Session, scope: Scope, filters: Filters, by: tuple[str, ...] = ("element",), min_n: int = 10
) -> pd.DataFrame:
    """CSI (0-100) with 95% CI and n per group; RATER items only when grouping
    by element, otherwise every scored question on its own scale. Element
    rows (grouped by element and driver-rollup dimensions only) take their
    CI from the respondents' element means (`ci_basis` says which)."""
    df = item_moments(session, scope, filters, by=(*by, "scale_min", "scale_max"))
    if "element" in by:
        df = df[df["element"].notna()]
    out = csi_table(df, "scale_min", "scale_max", min_n=min_n)
    keys = [k for k in by if k != "element"]
    if "element" in by and can_group(keys):
        out = element_respondent_ci(session, scope, filters, out, keys)
    return out.drop(columns=["sum_e", "sumsq_e", "sum_gap", "sumsq_gap", "sumsq_p"])


def servqual(session: Session, scope: Scope, filters: Filters) -> dict:
    """Item and element gaps P - E, and the SERVQUAL score weighted by the
    customers' stated importance; "not measured" without expectations."""
    items = item_moments(session, scope, filters, by=("element", "code"))
    items = item_gaps(items[items["element"].notna()])
    elements = element_gaps(items)
    imp = gap_queries.customer_importance(session, scope, filters)
    weights = {r.element: r.total / r.n for r in imp.itertuples() if r.n > 0}
    gap_map = {
        r.element: (r.gap if r.status != NOT_MEASURED else float("nan")) for r in elements.itertuples()
    }
    weighted = (
        weighted_servqual(gap_map, weights) if gap_map and set(gap_map) <= set(weights) else NOT_MEASURED
    )
    return {
        "items": items[["element", "code", "n_gap", "gap", "gap_se", "gap_status"]],
        "elements": elements,
        "weights": stated_importance_weights(weights) if weights else {},
        "unweighted": float(np.nanmean(list(gap_map.values())))
        if gap_map and not all(np.isnan(list(gap_map.values())))
        else NOT_MEASURED,
        "weighted": weighted,
    }


def unit_ranking(
    session: Session,
    scope: Scope,
    filters: Filters,
    unit: str = "branch",
    element: str | None = None,
    min_n: int = 10,
) -> pd.DataFrame:
    """Rank branches or departments with shrinkage and rank intervals, on an
    element's CSI (respondents' element means, on the element's item scale)
    or, when element is None, on overall satisfaction. n counts responses."""
    key = f"{unit}_id"
    if element:
        scale = element_scale(session, scope, filters, element)
        if scale is None:  # no answers, or the selection mixes scales
            return pd.DataFrame()
        lo, hi = scale
        df = respondent_element_moments(session, scope, filters, element, by=(key,))
        df = df.rename(columns={key: "unit"})
    else:
        df = item_moments(session, scope, filters, by=(key, "construct", "scale_min", "scale_max"))
        df = df[df["construct"] == "overall"]
        if df.empty:
            return pd.DataFrame()
        lo, hi = float(df["scale_min"].iloc[0]), float(df["scale_max"].iloc[0])
        df = pd.DataFrame({"unit": df[key], "n": df["n_p"], "total": df["sum_p"], "total_sq": df["sumsq_p"]})
    if df.empty:
        return pd.DataFrame()
    names = reference.units(session, scope).drop_duplicates(key).set_index(key)[f"{unit}_code"]
    ranked = rank_units(df, min_n=min_n)
    for col in ("mean", "ci_low", "ci_high", "shrunk"):
        ranked[col] = to_index(ranked[col], lo, hi)
    ranked["shrunk_sd"] = to_index_points(ranked["shrunk_sd"], lo, hi)
    ranked.insert(1, "code", ranked["unit"].map(names))
    return ranked.sort_values(["rank", "code"], na_position="last").reset_index(drop=True)


def drivers(session: Session, scope: Scope, filters: Filters, min_n: int = 30) -> pd.DataFrame:
    """Derived importance of the RATER elements for overall satisfaction,
    against stated importance, with IPA quadrants (performance = element CSI)."""
    n, sums, products = driver_moments(session, scope, filters)
    if n < max(min_n, len(DRIVER_VARIABLES) + 2):
        return pd.DataFrame()
    table = driver_table(list(DRIVER_VARIABLES), n, sums, products, "O")
    attrs = dict(table.attrs)  # merges below drop DataFrame.attrs
    imp = gap_queries.customer_importance(session, scope, filters)
    stated = {r.element: r.total / r.n for r in imp.itertuples() if r.n > 0}
    perf = csi_by(session, scope, filters, ("element",)).set_index("element")["csi"]
    table["element_name"] = table["driver"].map(ELEMENTS)
    table["performance"] = table["driver"].map(perf)
    if set(stated) >= set(RATER):
        cmp = compare_importance(
            {e: stated[e] for e in RATER}, dict(zip(table["driver"], table["lmg"], strict=True))
        )
        table = table.merge(cmp.rename(columns={"element": "driver"}), on="driver")
    table = quadrants(table, importance="lmg_share", performance="performance")
    table.attrs.update(attrs)
    return table


def headline(session: Session, scope: Scope, filters: Filters, min_n: int = 10) -> dict:
    """Overall CSI, top-box share and NPS for the filtered responses."""
    df = item_moments(session, scope, filters, by=("construct", "scale_min", "scale_max"))
    out: dict = {}
    overall = df[df["construct"] == "overall"]
    if not overall.empty:
        r = csi_table(overall, "scale_min", "scale_max", min_n=min_n).iloc[0]
        out["overall_csi"] = {"value": r.csi, "ci_low": r.csi_low, "ci_high": r.csi_high, "n": int(r.n_p)}
        out["overall_top_box_pct"] = share_estimate(int(r.top1), int(r.n_p), min_n).__dict__
        out["overall_top2_box_pct"] = share_estimate(int(r.top2), int(r.n_p), min_n).__dict__
    rec = df[df["construct"] == "recommend"]
    if not rec.empty:
        r = rec.iloc[0]
        out["nps"] = nps_estimate(int(r.top2), int(r.low), int(r.n_p), min_n).__dict__
    return out


def wave_change(
    session: Session,
    scope: Scope,
    filters: Filters,
    first_wave: int,
    second_wave: int,
    construct: str = "overall",
) -> dict:
    """Welch test of a construct's mean between two waves (test named)."""
    rows = item_moments(
        session, scope, replace(filters, wave_ids=(first_wave, second_wave)), by=("wave_id", "construct")
    )
    rows = rows[rows["construct"] == construct].set_index("wave_id")
    if first_wave not in rows.index or second_wave not in rows.index:
        return {"error": "no responses in one of the waves"}
    a, b = (
        Moments(rows.loc[w, "n_p"], rows.loc[w, "sum_p"], rows.loc[w, "sumsq_p"])
        for w in (first_wave, second_wave)
    )
    return welch_test(a, b).__dict__


def weighted_csi(session: Session, scope: Scope, filters: Filters, min_n: int = 30) -> dict:
    """Overall CSI as the importance-weighted mean of the five element CSIs,
    with stated weights (100-point allocations) and derived weights (LMG
    shares); CIs use the covariance of the element means across respondents."""
    n, sums, products = driver_moments(session, scope, filters)
    if n < max(min_n, 8):
        return {"n": int(n), "status": "too few responses"}
    scales = element_scales(session, scope, filters)
    if not set(RATER) <= set(scales):
        return {"n": int(n), "status": "elements without one scale in this selection"}
    k = len(RATER)
    means = sums[:k] / n
    cov = (products[:k, :k] - np.outer(sums[:k], sums[:k]) / n) / (n - 1)
    lo, hi = (np.array([scales[e][i] for e in RATER]) for i in (0, 1))
    csi = dict(zip(RATER, to_index(means, lo, hi), strict=True))
    points = to_index_points(1.0, lo, hi)  # index points per scale point, per element
    cov_csi = cov / n * np.outer(points, points)
    imp = gap_queries.customer_importance(session, scope, filters)
    stated = {r.element: r.total / r.n for r in imp.itertuples() if r.n > 0}
    _m, corr = moments_to_correlation(n, sums, products)
    derived = dict(zip(RATER, lmg(corr, k, list(range(k))), strict=True))
    out = {
        "n": int(n),
        "element_csi": csi,
        "unweighted": weighted_index(csi, dict.fromkeys(RATER, 1.0), cov=cov_csi).__dict__,
        "derived_weights": stated_importance_weights(derived),
        "derived_weighted": weighted_index(csi, derived, cov=cov_csi).__dict__,
    }
    if set(stated) >= set(RATER):
        out["stated_weights"] = stated_importance_weights({e: stated[e] for e in RATER})
        out["stated_weighted"] = weighted_index(csi, stated, cov=cov_csi).__dict__
    for key in ("unweighted", "derived_weighted", "stated_weighted"):
        if key in out:
            out[key]["n"] = int(n)
    return out


def loyalty(session: Session, scope: Scope, filters: Filters, min_n: int = 10) -> pd.DataFrame:
    """Share of promoters (would recommend, 9-10) at each overall-satisfaction
    level, with Wilson CIs and the ratio to the level below (the top-box effect)."""
    levels = loyalty_levels(session, scope, filters)
    out = loyalty_by_level(levels.rename(columns={"promoters": "loyal"}), min_n=min_n)
    out["mean_recommend"] = out["sum_recommend"] / out["n"]
    return out.drop(columns=["sum_recommend"])


ACSI_METHOD = "PLS path model (mode A, path weighting scheme); ACSI index from unstandardised outer weights"


def acsi(session: Session, scope: Scope, filters: Filters, min_n: int, resamples: int, seed: int = 0) -> dict:
    """ACSI-method indices (0-100) of the constructs of the structural model
    declared by the template of the latest wave in the selection, fitted by
    PLS-PM from the indicator rollup, with percentile bootstrap intervals
    from `resamples` resamples of the complete-case respondents. Suppressed
    below `min_n` respondents; a segment filter is refused (the rollup has
    no segment, so it could not be honoured)."""
    if filters.segments is not None:
        raise ValueError(
            "the ACSI-method index cannot be filtered by segment: its indicator rollup has no "
            "segment; remove the segment filter"
        )
    template = reference.latest_structural_template(session, filters.wave_ids)
    if template is None:
        return {
            "status": "not measured",
            "reason": "no wave in the selection uses a template with a structural model",
        }
    model = template.structural_model
    questions = reference.template_questions(session, template.id)
    codes = [c for items in model["constructs"].values() for c in items]
    ids = [questions[c].id for c in codes]
    n, sums, products = indicator_moments(session, scope, filters, ids)
    needed = max(min_n, len(codes) + 2)
    if n < needed:
        return {"status": "too few responses", "n": int(n), "min_n": needed, "template": template.code}
    blocks, paths = model["constructs"], [tuple(p) for p in model["paths"]]
    scales = {c: (questions[c].scale_min, questions[c].scale_max) for c in codes}
    result = pls_from_sums(n, sums, products, codes, blocks, paths, scales)
    respondents = respondent_indicators(session, scope, filters, ids)
    if len(respondents) != int(n):  # rollups are rebuilt with every write, so this is a defect
        raise RuntimeError(f"indicator rollup holds {int(n)} respondents, the answers {len(respondents)}")
    boot = bootstrap_pls(respondents, codes, blocks, paths, scales, resamples, seed)
    return {
        "template": template.code,
        "n": result.n,
        "min_n": min_n,
        "index": result.index,
        "r_squared": result.r_squared,
        "paths": result.paths,
        "outer": result.outer,
        "iterations": result.iterations,
        "method": ACSI_METHOD,
        "scale": "index: 0-100 index points; paths: standardised coefficients; R-squared: 0-1",
        "bootstrap": {
            "resampled": "respondents (complete cases), drawn with replacement; model refitted each time",
            "resamples": boot.resamples,
            "failed": boot.failed,
            "seed": boot.seed,
            "interval": f"{boot.level:.0%} percentile",
            "index": boot.index,
            "paths": boot.paths,
            "r_squared": boot.r_squared,
        },
    }


def _unit_overall_moments(session: Session, scope: Scope, filters: Filters, unit: str) -> pd.DataFrame:
    key = f"{unit}_id"
    df = item_moments(session, scope, filters, by=(key, "construct"))
    df = df[df["construct"] == "overall"]
    return pd.DataFrame({"unit": df[key], "n": df["n_p"], "total": df["sum_p"], "total_sq": df["sumsq_p"]})


def biggest_movers(
    session: Session,
    scope: Scope,
    filters: Filters,
    first_wave: int,
    second_wave: int,
    unit: str = "branch",
    min_n: int = 10,
) -> pd.DataFrame:
    """Units whose overall satisfaction changed most between two waves, each
    change with a Welch test; units under min n in either wave left out."""
    prev = _unit_overall_moments(session, scope, replace(filters, wave_ids=(first_wave,)), unit)
    curr = _unit_overall_moments(session, scope, replace(filters, wave_ids=(second_wave,)), unit)
    out = movers(prev, curr, min_n=min_n)
    names = (
        reference.units(session, scope).drop_duplicates(f"{unit}_id").set_index(f"{unit}_id")[f"{unit}_code"]
    )
    out.insert(1, "code", out["unit"].map(names))
    return out


def unit_comparison(
    session: Session, scope: Scope, filters: Filters, first: int, second: int, unit: str = "branch"
) -> dict:
    """Welch test of overall satisfaction between two units (test named)."""
    df = _unit_overall_moments(session, scope, filters, unit).set_index("unit")
    if first not in df.index or second not in df.index:
        return {"error": "no responses for one of the units in this selection"}
    a, b = (Moments(df.loc[u, "n"], df.loc[u, "total"], df.loc[u, "total_sq"]) for u in (first, second))
    return welch_test(a, b).__dict__
