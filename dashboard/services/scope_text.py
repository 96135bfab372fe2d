"""The viewer's scope in words, so that figures narrowed by it say so
("Lending in every branch") instead of passing for the whole organisation,
and the unit it confines a viewer to. Outside auth/ and queries/scope_sql.py,
this is the one module that reads a Scope's ids (tests/unit/test_architecture.py)."""

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


def narrowing(parts: pd.DataFrame, scope: Scope, branch: str | None, department: str | None) -> str | None:
    """What the scope keeps of a unit named by `branch` or `department` alone,
    when it restricts the other axis: e.g. a department head opening a branch
    sees only their department. `parts` are the viewer's units (branch x
    department, `reference.units` with their scope) that make up the named unit."""
    if branch and not department and scope.department_ids is not None:
        return f"{_names(parts, 'department')} only"
    if department and not branch and scope.branch_ids is not None:
        return f"{_names(parts, 'branch')} only"
    return None


def fixed_unit(session: Session, scope: Scope) -> dict[str, str]:
    """The branch and/or department code a viewer is confined to (one each at
    most), e.g. {"branch": "B02"} for a branch head."""
    units = reference.units(session, scope)
    fixed = {}
    for axis, ids in (("branch", scope.branch_ids), ("department", scope.department_ids)):
        codes = units[f"{axis}_code"].unique()
        if ids is not None and len(ids) == 1 and len(codes) == 1:
            fixed[axis] = str(codes[0])
    return fixed
