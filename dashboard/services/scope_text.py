"""The viewer's scope in words, so that figures narrowed by it say so
("Lending in every branch") instead of passing for the whole organisation."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.queries import reference


def _names(units: pd.DataFrame, kind: str) -> str:
    named = units.drop_duplicates(f"{kind}_code")
    return ", ".join(f"{r[f'{kind}_name']} ({r[f'{kind}_code']})" for _, r in named.iterrows())


def describe_scope(session: Session, scope: Scope) -> str | None:
    """None for an unrestricted viewer; otherwise which branches and
    departments the figures cover."""
    if scope.is_unrestricted:
        return None
    units = reference.units(session, scope)
    if units.empty:
        return "nothing"
    branches = _names(units, "branch") if scope.branch_ids is not None else "every branch"
    departments = _names(units, "department") if scope.department_ids is not None else "every department"
    if scope.department_ids is not None:
        return f"{departments} in {branches}"
    return f"{branches}, {departments}"


def narrowing(session: Session, scope: Scope, branch: str | None, department: str | None) -> str | None:
    """What the scope hides of a unit named by `branch` and/or `department`:
    e.g. a department head opening a branch sees only their department."""
    units = reference.units(session, scope)
    if branch and not department and scope.department_ids is not None:
        return f"{_names(units[units['branch_code'] == branch], 'department')} only"
    if department and not branch and scope.branch_ids is not None:
        return f"{_names(units[units['department_code'] == department], 'branch')} only"
    return None
