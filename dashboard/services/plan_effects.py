"""Measured effect of improvement plans: difference in differences of the
targeted RATER element (respondent-level mean perception on the element's scale)
between the plan's unit and comparable units without a plan on that element.

Comparison units: for a plan on a branch x department unit, the same
department in the other branches; for a branch-wide plan, the other
branches; for a department-wide plan, the other departments. Units with
their own plan on the same element are left out. Pre = the `window` waves
that ended before the start; post = up to `window` waves that began on or
after it (a wave that straddles the start is in neither).

Controls are aggregated over many units and never named. A pool changes by
one unit whenever a plan starts or ends on one of its units, so two readings
of its per-wave series would give that unit's n and index: a viewer whose
scope does not cover every comparison unit gets no pool series and no pool
n, and the effect estimate only while the pool hides each unit in every wave
(analytics/disclosure.py; docs/SECURITY.md "Aggregates over units you cannot see").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.did import DidCells, DidResult, difference_in_differences, effect_per_cost
from dashboard.analytics.disclosure import pool_safe_in_every_wave
from dashboard.analytics.indices import to_index, to_index_points
from dashboard.analytics.moments import Moments
from dashboard.auth.scope import Scope
from dashboard.db.models import ImprovementPlan
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.plans import other_plans_on_element, plans_by_id, visible_plans
from dashboard.queries.rollups import respondent_element_moments
from dashboard.services.element_scales import element_scale

WINDOW = 4
POOL_WITHHELD = "comparison too small to show"  # the verdict when the pool could reveal one unit
NO_MOMENTS = Moments(0.0, 0.0, 0.0)
UNIT = ["branch_id", "department_id"]


@dataclass(frozen=True)
class PlanEffect:
    result: DidResult
    effect_points: float | None  # DiD on the 0-100 index
    ci_points: tuple[float, float] | None
    treated_change_points: float | None  # the plan unit's own change, post - pre, on the index
    control_change_points: float | None  # ... and the comparison units'
    per_10k: float | None  # index points per 10,000 of cost
    series: pd.DataFrame  # wave code, start, group (plan unit / comparison), n, mean, index
    pre_waves: list[str]
    post_waves: list[str]
    n_control_units: int
    pool_shown: bool = True  # the viewer's scope covers every comparison unit: pool series and n shown


def _windows(waves: pd.DataFrame, start: date, window: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    pre = waves[waves["period_end"] < start].tail(window)
    post = waves[waves["period_start"] >= start].head(window)
    return pre, post


def _treated_mask(frame: pd.DataFrame, branch_id, department_id) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    if branch_id is not None:
        mask &= frame["branch_id"] == branch_id
    if department_id is not None:
        mask &= frame["department_id"] == department_id
    return mask


def _control_mask(frame: pd.DataFrame, plan, other_plans: list) -> pd.Series:
    if plan.branch_id is not None and plan.department_id is not None:
        mask = (frame["department_id"] == plan.department_id) & (frame["branch_id"] != plan.branch_id)
    elif plan.branch_id is not None:
        mask = frame["branch_id"] != plan.branch_id
    else:
        mask = frame["department_id"] != plan.department_id
    for other in other_plans:  # units busy with their own plan on this element are no controls
        mask &= ~_treated_mask(frame, other.branch_id, other.department_id)
    return mask


def _moments(frame: pd.DataFrame) -> Moments:
    return Moments(float(frame["n"].sum()), float(frame["total"].sum()), float(frame["total_sq"].sum()))


def plan_effect(
    session: Session, plan: ImprovementPlan, min_n: int, *, viewer: Scope, min_units: int, window=WINDOW
) -> PlanEffect:
    """Reads unit-level moments over the whole organisation (the comparison
    group needs them) but returns only the plan unit and the pooled controls,
    and of the controls only what `viewer` may see: all of it when their scope
    covers every comparison unit; otherwise no per-wave series and no n, and
    the effect only when every wave's pool has `min_units` units and `min_n`
    respondents beyond its largest unit."""
    waves = reference.waves(session)
    pre, post = _windows(waves, plan.start_on, window)
    wave_ids = tuple(int(w) for w in pd.concat([pre, post])["wave_id"])
    filters = Filters(wave_ids=wave_ids or (-1,))
    frame = respondent_element_moments(
        session, Scope.everything(), filters, plan.element, by=("wave_id", "branch_id", "department_id")
    )
    scale = element_scale(session, Scope.everything(), filters, plan.element)
    others = other_plans_on_element(session, plan.element, plan.id)
    treated = frame[_treated_mask(frame, plan.branch_id, plan.department_id)]
    control = frame[_control_mask(frame, plan, others)]
    pre_ids, post_ids = set(pre["wave_id"]), set(post["wave_id"])

    def cell(part, ids):
        return _moments(part[part["wave_id"].isin(ids)])

    cells = DidCells(
        cell(treated, pre_ids), cell(treated, post_ids), cell(control, pre_ids), cell(control, post_ids)
    )
    result = difference_in_differences(cells, min_n=min_n)
    pool_shown = _covers(viewer, control)
    if not pool_shown:
        result = _without_pool(result, pool_safe_in_every_wave(control, UNIT, min_units, min_n))

    def in_points(difference):  # None: nothing measured, or no single scale to measure it on
        return None if difference is None or scale is None else float(to_index_points(difference, *scale))

    points = in_points(result.effect)
    ci = None if points is None else (in_points(result.ci_low), in_points(result.ci_high))
    return PlanEffect(
        result=result,
        effect_points=points,
        ci_points=ci,
        treated_change_points=None if points is None else in_points(result.treated_change),
        # the effect is treated minus control change, so this follows from what is shown anyway
        control_change_points=None if points is None else in_points(result.treated_change - result.effect),
        per_10k=effect_per_cost(points, plan.cost),
        series=_series(treated, control if pool_shown else control.iloc[0:0], waves, min_n, scale),
        pre_waves=list(pre["code"]),
        post_waves=list(post["code"]),
        n_control_units=int(control[UNIT].drop_duplicates().shape[0]),
        pool_shown=pool_shown,
    )


def _covers(viewer: Scope, units: pd.DataFrame) -> bool:
    """Whether `viewer` may see every unit of the pool."""
    pairs = units[UNIT].drop_duplicates().itertuples(index=False)
    return all(viewer.allows(int(b), int(d)) for b, d in pairs)


def _without_pool(result: DidResult, pool_safe: bool) -> DidResult:
    """The result for a viewer outside the pool: the pool's moments blanked
    (their n would difference to one unit's), and no estimate at all while
    the pool is small enough for the estimate to be one unit's."""
    cells = replace(result.cells, control_pre=NO_MOMENTS, control_post=NO_MOMENTS)
    if pool_safe or result.effect is None:
        return replace(result, cells=cells)
    return DidResult(None, None, None, None, None, None, False, cells, POOL_WITHHELD)


def _series(treated, control, waves, min_n, scale) -> pd.DataFrame:
    rows = []
    for label, part in (("plan unit", treated), ("comparison units", control)):
        by_wave = part.groupby("wave_id")[["n", "total"]].sum()
        for wave_id, row in by_wave.iterrows():
            if row["n"] < min_n:
                continue  # suppressed: too few responses to show
            mean = row["total"] / row["n"]
            rows.append({"wave_id": wave_id, "group": label, "n": int(row["n"]), "mean": mean})
    series = pd.DataFrame(rows, columns=["wave_id", "group", "n", "mean"])
    series = series.merge(waves[["wave_id", "code", "period_start"]], on="wave_id").sort_values(
        "period_start"
    )
    # no single scale over the windows (templates changed): no index to draw
    series["index"] = to_index(series["mean"], *scale) if scale is not None else float("nan")
    return series


def is_overdue(plans: pd.DataFrame, today: date) -> pd.Series:
    """Past the due date and neither done nor cancelled."""
    return (plans["due_on"] < today) & ~plans["status"].isin(["done", "cancelled"])


def plans_with_effects(
    session: Session, scope: Scope, min_n: int, min_units: int, today: date | None = None
) -> pd.DataFrame:
    """The plans list: visible plans with effect verdict, effect in index
    points with CI, effect per 10k cost and an overdue flag (each effect as
    `scope` may see it: `plan_effect`)."""
    table = visible_plans(session, scope)
    today = today or date.today()
    effects = []
    for plan in plans_by_id(session, table["plan_id"]):
        effect = plan_effect(session, plan, min_n, viewer=scope, min_units=min_units)
        effects.append(
            {
                "verdict": effect.result.verdict,
                "effect_points": effect.effect_points,
                "ci_low": effect.ci_points[0] if effect.ci_points else None,
                "ci_high": effect.ci_points[1] if effect.ci_points else None,
                "p_value": effect.result.p_value,
                "per_10k": effect.per_10k,
            }
        )
    table = pd.concat([table, pd.DataFrame(effects, index=table.index)], axis=1)
    table["overdue"] = is_overdue(table, today)
    return table
