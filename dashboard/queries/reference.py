"""Reference data the pages need for labels and filter options, restricted
to what the viewer may see."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import Branch, BranchDepartment, Department, Question, SurveyTemplate, Wave
from dashboard.queries.scope_sql import unit_scope


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
        .where(*unit_scope(Branch.id, Department.id, scope))
        .order_by(Branch.code, Department.code)
    )
    cols = ["branch_id", "branch_code", "branch_name", "department_id", "department_code", "department_name"]
    return pd.DataFrame(session.execute(stmt).all(), columns=cols)


def ids_by_code(session: Session, model, codes) -> dict[str, int]:
    """{code: id} of the rows of `model` (Wave, Branch, Department) with those codes."""
    return dict(session.execute(select(model.code, model.id).where(model.code.in_(list(codes)))).all())


def latest_structural_template(session: Session, wave_ids: tuple[int, ...] | None) -> SurveyTemplate | None:
    """The template with a structural model used by the latest of the waves
    (any wave when `wave_ids` is None), or None."""
    stmt = (
        select(SurveyTemplate)
        .join(Wave, Wave.template_id == SurveyTemplate.id)
        .where(SurveyTemplate.structural_model.is_not(None))
        .order_by(Wave.period_start.desc())
    )
    if wave_ids is not None:
        stmt = stmt.where(Wave.id.in_(wave_ids))
    return session.scalars(stmt.limit(1)).first()


def template_questions(session: Session, template_id: int) -> dict[str, Question]:
    """{code: question} of one template."""
    return {q.code: q for q in session.scalars(select(Question).where(Question.template_id == template_id))}
