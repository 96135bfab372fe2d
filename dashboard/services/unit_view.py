"""One branch, department or branch x department unit: its overall index
trend, RATER profile and plans, inside the viewer's scope."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.plans import visible_plans
from dashboard.queries.rollups import item_moments
from dashboard.services.drilldown import element_profile
from dashboard.services.overview import estimate_rows


@dataclass(frozen=True)
class UnitRef:
    branch_id: int | None
    department_id: int | None
    label: str
    branch_code: str | None
    department_code: str | None


def resolve_unit(
    session: Session, scope: Scope, branch: str | None, department: str | None
) -> UnitRef | None:
    """The unit named by codes, or None when it does not exist or lies
    (partly) outside the viewer's scope."""
    if not branch and not department:
        return None
    units = reference.units(session, scope)
    if branch:
        units = units[units["branch_code"] == branch]
    if department:
        units = units[units["department_code"] == department]
    if units.empty:
        return None
    if scope.branch_ids is not None and not branch:
        return None  # a whole department across branches is more than a branch-scoped viewer may see
    if scope.department_ids is not None and not department:
        return None
    first = units.iloc[0]
    parts = [
        f"{first.branch_name} ({branch})" if branch else None,
        first.department_name if department else None,
    ]
    return UnitRef(
        int(first.branch_id) if branch else None,
        int(first.department_id) if department else None,
        " · ".join(p for p in parts if p),
        branch or None,
        department or None,
    )


def unit_filters(filters: Filters, unit: UnitRef) -> Filters:
    return replace(
        filters,
        branch_ids=(unit.branch_id,) if unit.branch_id else None,
        department_ids=(unit.department_id,) if unit.department_id else None,
    )


def unit_trend(
    session: Session, scope: Scope, filters: Filters, waves: pd.DataFrame, min_n: int
) -> pd.DataFrame:
    """Overall-satisfaction CSI per wave for every wave (the trend ignores the
    wave range so the unit's history stays visible)."""
    every_wave = replace(filters, wave_ids=None)
    df = item_moments(session, scope, every_wave, by=("wave_id", "construct", "scale_min", "scale_max"))
    df = df[df["construct"] == "overall"].merge(waves[["wave_id", "name"]], on="wave_id")
    return estimate_rows(df, min_n).rename(columns={"name": "label"})


def unit_profile(session: Session, scope: Scope, filters: Filters, min_n: int) -> pd.DataFrame:
    return element_profile(session, scope, filters, min_n)


def unit_plans(session: Session, scope: Scope, unit: UnitRef) -> pd.DataFrame:
    plans = visible_plans(session, scope)
    if unit.branch_id is not None:
        plans = plans[plans["branch_id"] == unit.branch_id]
    if unit.department_id is not None:
        plans = plans[plans["department_id"] == unit.department_id]
    return plans
