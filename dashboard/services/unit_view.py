"""One branch, one department or one branch x department unit: the overview's
views narrowed to it (trend, RATER profile, weakest items) and its plans.
Codes arrive from the URL, so they are resolved against the viewer's scope;
a unit outside it resolves to None and shows nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.plans import visible_plans
from dashboard.queries.rollups import item_moments
from dashboard.services import drilldown as drill
from dashboard.services.overview import estimate_rows
from dashboard.services.plan_effects import is_overdue
from dashboard.services.rankings import RankingView, focus_sentence, unit_verdicts
from dashboard.services.scope_text import narrowing


@dataclass(frozen=True)
class Unit:
    branch_id: int | None
    branch_code: str | None
    department_id: int | None
    department_code: str | None
    label: str

    def narrow(self, filters: Filters) -> Filters:
        return replace(
            filters,
            branch_ids=(self.branch_id,) if self.branch_id is not None else filters.branch_ids,
            department_ids=(self.department_id,)
            if self.department_id is not None
            else filters.department_ids,
        )

    @property
    def query(self) -> dict[str, str]:
        return {k: v for k, v in (("branch", self.branch_code), ("department", self.department_code)) if v}


def resolve_unit(session: Session, scope: Scope, branch: str | None, department: str | None) -> Unit | None:
    """The unit named by codes, or None when no code is given, a code is
    unknown, or the viewer may not see any of that unit."""
    if not branch and not department:
        return None
    units = reference.units(session, scope)
    if branch:
        units = units[units["branch_code"] == branch]
    if department:
        units = units[units["department_code"] == department]
    if units.empty:
        return None
    first = units.iloc[0]
    parts = []
    if branch:
        parts.append(f"{first.branch_name} ({branch})")
    if department:
        parts.append(f"{first.department_name} ({department})")
    hidden = narrowing(units, scope, branch, department)
    if hidden:  # the figures cover only the part of the unit in the viewer's scope
        parts.append(f"{hidden} (your view)")
    return Unit(
        int(first.branch_id) if branch else None,
        branch or None,
        int(first.department_id) if department else None,
        department or None,
        " · ".join(parts),
    )


@dataclass(frozen=True)
class PeerComparison:
    """The unit against the other units of its kind on overall satisfaction."""

    title: str  # which units it is compared with
    verdict: str  # the pairwise verdicts that concern this unit
    view: RankingView  # all units of its kind, with the method and groups


@dataclass
class UnitSummary:
    trend: pd.DataFrame  # label, value, low, high, n per wave in range (overall satisfaction CSI)
    profile: pd.DataFrame  # drilldown.element_profile for the unit
    weakest_items: pd.DataFrame  # the five items with the lowest CSI (scored ones only)
    plans: pd.DataFrame  # plans of this unit (visible_plans columns)
    peers: PeerComparison | None = None


def unit_summary(
    session: Session, scope: Scope, filters: Filters, unit: Unit, waves: pd.DataFrame, min_n: int
) -> UnitSummary:
    narrowed = unit.narrow(filters)
    overall = item_moments(session, scope, narrowed, by=("wave_id", "construct", "scale_min", "scale_max"))
    overall = overall[overall["construct"] == "overall"].merge(waves[["wave_id", "name"]], on="wave_id")
    trend = estimate_rows(overall, min_n).rename(columns={"name": "label"})
    profile = drill.element_profile(session, scope, narrowed, min_n)
    items = item_moments(session, scope, narrowed, by=("element", "code", "scale_min", "scale_max"))
    items = items[items["element"].notna()]
    scored = drill._with_shares(items, min_n)
    weakest = scored[~scored["suppressed"]].nsmallest(5, "csi").reset_index(drop=True)
    peers = peer_comparison(session, scope, filters, unit, min_n)
    return UnitSummary(trend, profile, weakest, unit_plans(session, scope, unit), peers)


def peer_comparison(
    session: Session, scope: Scope, filters: Filters, unit: Unit, min_n: int
) -> PeerComparison:
    """A branch against the other branches, a department against the other
    departments, a branch x department unit against the other departments of
    its branch; all in the viewer's scope and the page's selection, with the
    same tests (and the same family of pairs) as the rankings page."""
    if unit.branch_code and unit.department_code:
        kind, focus = "department", unit.department_code
        filters = replace(filters, branch_ids=(unit.branch_id,))
        title = f"Against the other departments of this branch ({unit.branch_code})"
    elif unit.branch_code:
        kind, focus, title = "branch", unit.branch_code, "Against the other branches"
    else:
        kind, focus, title = "department", unit.department_code, "Against the other departments"
    view = unit_verdicts(session, scope, filters, kind, None, min_n)
    return PeerComparison(title + ", overall satisfaction", focus_sentence(view, focus), view)


def unit_plans(session: Session, scope: Scope, unit: Unit) -> pd.DataFrame:
    """Plans whose unit lies inside this unit (a branch page lists the plans
    of each of its departments)."""
    plans = visible_plans(session, scope)
    if unit.branch_id is not None:
        plans = plans[plans["branch_id"] == unit.branch_id]
    if unit.department_id is not None:
        plans = plans[plans["department_id"] == unit.department_id]
    plans = plans.reset_index(drop=True)
    return plans.assign(overdue=is_overdue(plans, date.today()) if len(plans) else pd.Series(dtype=bool))
