"""Metric use cases shared by pages and `csat metrics`: each combines a
rollup query with the pure analytics and returns a DataFrame (or dict) whose
columns say what they are, including n and confidence bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.drivers import compare_importance, driver_table, lmg, moments_to_correlation
from dashboard.analytics.indices import (
    csi_table,
    index_scale,
    stated_importance_weights,
    suppress_by_respondents,
    to_index,
    to_index_points,
    weighted_index,
)
from dashboard.analytics.ipa import quadrants
from dashboard.analytics.moments import TOO_FEW
from dashboard.analytics.pls import pls_from_sums
from dashboard.analytics.pls_bootstrap import bootstrap_pls
from dashboard.analytics.ranking import rank_units
from dashboard.analytics.servqual import NOT_MEASURED, element_gaps, item_gaps, weighted_servqual
from dashboard.analytics.topbox import loyalty_by_level, nps_estimate, share_estimate
from dashboard.auth.scope import Scope
from dashboard.db.models import DRIVER_VARIABLES, ITEM_MEASURES
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
from dashboard.services.element_ci import can_group, element_respondent_ci, pooled_respondent_ci
from dashboard.services.element_scales import element_scale, element_scales

RATER = list(ELEMENTS)


QUESTION_KEYS = ("element", "code", "question_id", "construct", "qtype")
CSI_COLUMNS = ["n", "respondents", "csi", "csi_low", "csi_high", "se", "ci_basis", "suppressed"]


def csi_by(
    session: Session, scope: Scope, filters: Filters, by: tuple[str, ...], *, min_n: int
) -> pd.DataFrame:
    """CSI (0-100) with 95% CI per group of `by` and answer scale: n
    (answers), respondents (the most-answered question's count: each person
    answers a question once) and the CSI suppressed below `min_n`
    respondents. Grouping by element, or by no question attribute at all,
    pools the RATER items. Rows that pool several items take their CI with
    respondents as the independent units (`ci_basis` "respondents"; see
    `services.element_ci`); a single question's answers are its
    respondents."""
    by = tuple(by)
    if not by:
        raise ValueError("csi needs a grouping (--by)")
    keys = [*by, "scale_min", "scale_max"]
    items = item_moments(session, scope, filters, by=tuple(dict.fromkeys([*keys, "question_id", "element"])))
    pools_rater = "element" in by or not set(by) & set(QUESTION_KEYS)
    if pools_rater:
        items = items[items["element"].notna()]
    grouped = items.groupby(keys, dropna=False, sort=True)
    moments = grouped[list(ITEM_MEASURES)].sum().reset_index()
    respondents = grouped["n_p"].max().to_numpy()
    questions = grouped["question_id"].nunique().to_numpy()
    out = suppress_by_respondents(
        csi_table(moments, "scale_min", "scale_max", min_n=min_n), respondents, min_n
    )
    out["n"] = out["n_p"].astype(int)
    groups = [k for k in by if k not in QUESTION_KEYS]
    question_keys = [k for k in by if k in QUESTION_KEYS]
    if not can_group(groups):  # the driver rollup lacks a dimension: no respondent moments
        out["ci_basis"] = "answers"
    elif question_keys == ["element"]:
        out = element_respondent_ci(session, scope, filters, out, groups)
    else:  # rows of several RATER items get respondent clusters
        out = pooled_respondent_ci(session, scope, filters, out, items, groups, question_keys)
    # one question per row: its answers are its respondents
    out.loc[questions == 1, "ci_basis"] = "respondents"
    return out[[*keys, *CSI_COLUMNS]]


def servqual(session: Session, scope: Scope, filters: Filters, *, min_n: int) -> dict:
    """Item and element gaps P - E (in the items' raw scale points), and the
    SERVQUAL score weighted by the customers' stated importance; "not
    measured" without expectations, "too few responses" below `min_n`
    respondents (an item's paired answers; an element's most-answered item;
    the weights' allocating respondents). One suppressed element suppresses
    the overall scores, which would otherwise average the rest."""
    items = item_moments(session, scope, filters, by=("element", "code", "scale_min", "scale_max"))
    items = items[items["element"].notna()]
    elements = element_gaps(items)
    items = item_gaps(items)
    few = items["n_gap"].to_numpy(float) < max(min_n, 1)
    items.loc[few, ["gap", "gap_se", "gap_half"]] = np.nan
    items.loc[few & (items["gap_status"] != NOT_MEASURED).to_numpy(), "gap_status"] = TOO_FEW
    people = items.groupby("element")["n_gap"].max()
    elements["respondents"] = elements["element"].map(people).fillna(0).astype(int)
    small = (elements["respondents"] < max(min_n, 1)) & (elements["status"] != NOT_MEASURED)
    elements.loc[small, "gap"] = np.nan
    elements.loc[small, "status"] = TOO_FEW
    imp = gap_queries.customer_importance(session, scope, filters)
    weights = {r.element: r.total / r.n for r in imp.itertuples() if r.n >= max(min_n, 1)}
    statuses = set(elements["status"])
    gap_map = dict(zip(elements["element"], elements["gap"], strict=True))
    if not gap_map or NOT_MEASURED in statuses:
        unweighted = weighted = NOT_MEASURED
    elif TOO_FEW in statuses:
        unweighted = weighted = TOO_FEW
    else:
        unweighted = float(np.mean(list(gap_map.values())))
        asked = bool(len(imp)) and float(imp["n"].sum()) > 0  # stated importance measured at all
        weighted = (
            weighted_servqual(gap_map, weights)
            if set(gap_map) <= set(weights)
            else (TOO_FEW if asked else NOT_MEASURED)
        )
    lo, hi = (float(items[c].min()) if len(items) else None for c in ("scale_min", "scale_max"))
    return {
        "items": items[["element", "code", "n_gap", "gap", "gap_se", "gap_half", "gap_status"]],
        "elements": elements,
        "weights": stated_importance_weights(weights) if weights else {},
        "unweighted": unweighted,
        "weighted": weighted,
        "scale": f"gaps P - E in raw answer points of the items' scale ({lo:g}-{hi:g}), not index points"
        if lo is not None
        else "no items",
    }


def unit_ranking(
    session: Session,
    scope: Scope,
    filters: Filters,
    unit: str,
    element: str | None,
    *,
    min_n: int,
) -> pd.DataFrame:
    """Rank branches or departments with shrinkage and rank intervals, on an
    element's CSI (respondents' element means, on the element's item scale)
    or, when element is None, on overall satisfaction. n counts respondents;
    a unit under `min_n` keeps its n and status, never its mean or interval.
    attrs scale_min/scale_max give the answer scale the index points come from."""
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
    names = reference.units(session, scope).drop_duplicates(key).set_index(key)
    ranked = rank_units(df, min_n=min_n)
    for col in ("mean", "ci_low", "ci_high", "shrunk"):
        ranked[col] = to_index(ranked[col], lo, hi)
    ranked["shrunk_sd"] = to_index_points(ranked["shrunk_sd"], lo, hi)
    small = ranked["status"] == TOO_FEW
    ranked.loc[small, ["mean", "ci_low", "ci_high", "total", "total_sq"]] = np.nan
    ranked.attrs.update(scale_min=lo, scale_max=hi)  # n, total, total_sq stay on this raw scale
    ranked.insert(1, "code", ranked["unit"].map(names[f"{unit}_code"]))
    ranked.insert(2, "name", ranked["unit"].map(names[f"{unit}_name"]))
    return ranked.sort_values(["rank", "code"], na_position="last").reset_index(drop=True)


def drivers(session: Session, scope: Scope, filters: Filters, *, min_n: int) -> pd.DataFrame:
    """Derived importance of the RATER elements for overall satisfaction,
    against stated importance, with IPA quadrants (performance = element CSI).
    Empty below `min_n` complete-case respondents (and below the p + 2 that
    the regression needs)."""
    n, sums, products = driver_moments(session, scope, filters)
    if n < max(min_n, len(DRIVER_VARIABLES) + 2):
        return pd.DataFrame()
    table = driver_table(list(DRIVER_VARIABLES), n, sums, products, "O")
    attrs = dict(table.attrs)  # merges below drop DataFrame.attrs
    imp = gap_queries.customer_importance(session, scope, filters)
    stated = {r.element: r.total / r.n for r in imp.itertuples() if r.n > 0}
    perf = csi_by(session, scope, filters, ("element",), min_n=min_n).set_index("element")["csi"]
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


def headline(session: Session, scope: Scope, filters: Filters, *, min_n: int) -> dict:
    """Overall CSI, top-box share and NPS for the filtered responses (one
    answer per respondent each), suppressed below `min_n` respondents; every
    number says its scale."""
    df = item_moments(session, scope, filters, by=("construct", "scale_min", "scale_max"))
    out: dict = {}
    overall = df[df["construct"] == "overall"]
    if not overall.empty:
        r = csi_table(overall, "scale_min", "scale_max", min_n=min_n).iloc[0]
        out["overall_csi"] = {
            "value": r.csi,
            "ci_low": r.csi_low,
            "ci_high": r.csi_high,
            "n": int(r.n_p),
            "status": TOO_FEW if r.suppressed else "estimated",
            "scale": index_scale(r.scale_min, r.scale_max),
        }
        for key, count in (("overall_top_box_pct", r.top1), ("overall_top2_box_pct", r.top2)):
            out[key] = {
                **share_estimate(int(count), int(r.n_p), min_n).__dict__,
                "scale": "percent of respondents",
            }
    rec = df[df["construct"] == "recommend"]
    if not rec.empty:
        r = rec.iloc[0]
        out["nps"] = {
            **nps_estimate(int(r.top2), int(r.low), int(r.n_p), min_n).__dict__,
            "scale": "NPS points, -100 to 100 (% promoters minus % detractors)",
        }
    return out


def weighted_csi(session: Session, scope: Scope, filters: Filters, *, min_n: int) -> dict:
    """Overall CSI as the importance-weighted mean of the five element CSIs,
    with stated weights (100-point allocations) and derived weights (LMG
    shares); CIs use the covariance of the element means across respondents."""
    n, sums, products = driver_moments(session, scope, filters)
    if n < max(min_n, 8):
        return {"n": int(n), "status": TOO_FEW}
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
        "scale": "index points 0-100, each element from its items' answer scale; weights: shares of 1",
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


def loyalty(session: Session, scope: Scope, filters: Filters, *, min_n: int) -> pd.DataFrame:
    """Share of promoters (would recommend, 9-10) at each overall-satisfaction
    level, with Wilson CIs and the ratio to the level below (the top-box
    effect). A level under `min_n` respondents keeps only its n and status."""
    levels = loyalty_levels(session, scope, filters)
    out = loyalty_by_level(levels.rename(columns={"promoters": "loyal"}), min_n=min_n)
    out["mean_recommend"] = out["sum_recommend"] / out["n"]
    small = out["n"] < max(min_n, 1)
    out["loyal"] = out["loyal"].astype(float)
    out.loc[small, ["loyal", "mean_recommend"]] = np.nan
    out["status"] = np.where(small, TOO_FEW, "estimated")
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
