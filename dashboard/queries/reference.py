"""Reference data the pages need for labels and filter options, restricted
to what the viewer may see."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import Branch, BranchDepartment, Department, Wave


def waves(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(Wave.id, Wave.code, Wave.name, Wave.period_start, Wave.period_end).order_by(Wave.period_start)
    ).all()
    return pd.DataFrame(rows, columns=["wave_id", "code", "name", "period_start", "period_end"])


def units(session: Session, scope: Scope) -> pd.DataFrame:
    """Branch x department units within scope, with names."""
    stmt = (
        select(Branch.id, Branch.code, Branch.name, Department.id, Department.code, Department.name)
        .join(BranchDepartment, BranchDepartment.branch_id == Branch.id)
        .join(Department, Department.id == BranchDepartment.department_id)
        .order_by(Branch.code, Department.code)
    )
    if scope.branch_ids is not None:
        stmt = stmt.where(Branch.id.in_(sorted(scope.branch_ids)))
    if scope.department_ids is not None:
        stmt = stmt.where(Department.id.in_(sorted(scope.department_ids)))
    cols = ["branch_id", "branch_code", "branch_name", "department_id", "department_code", "department_name"]
    return pd.DataFrame(session.execute(stmt).all(), columns=cols)
