"""Improvement plans visible to a viewer, and the reference data their forms need."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from dashboard.auth.scope import Scope
from dashboard.db.models import (
    Branch,
    Department,
    ImprovementPlan,
    PlanChange,
    PlanComment,
    Question,
    Staff,
)
from dashboard.queries.scope_sql import unit_scope

LIST_COLUMNS = [
    "plan_id", "title", "branch_id", "branch_code", "branch_name", "department_id", "department_code",
    "department_name", "element", "stage", "status", "start_on", "due_on", "cost", "owner", "version",
]  # fmt: skip


def plan_scope_clauses(scope: Scope) -> list:
    """A plan is visible when its unit is inside the scope. A plan without a
    branch (department) spans every branch (department), so only a viewer
    unrestricted on that axis sees it."""
    return unit_scope(ImprovementPlan.branch_id, ImprovementPlan.department_id, scope)


def visible_plans(session: Session, scope: Scope) -> pd.DataFrame:
    b, d, s = aliased(Branch), aliased(Department), aliased(Staff)
    stmt = (
        select(
            ImprovementPlan.id,
            ImprovementPlan.title,
            ImprovementPlan.branch_id,
            b.code,
            b.name,
            ImprovementPlan.department_id,
            d.code,
            d.name,
            ImprovementPlan.element,
            ImprovementPlan.stage,
            ImprovementPlan.status,
            ImprovementPlan.start_on,
            ImprovementPlan.due_on,
            ImprovementPlan.cost,
            s.name,
            ImprovementPlan.version,
        )  # fmt: skip
        .outerjoin(b, b.id == ImprovementPlan.branch_id)
        .outerjoin(d, d.id == ImprovementPlan.department_id)
        .outerjoin(s, s.id == ImprovementPlan.owner_id)
        .where(*plan_scope_clauses(scope))
        .order_by(ImprovementPlan.due_on, ImprovementPlan.id)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=LIST_COLUMNS)


def plan_for_viewer(session: Session, scope: Scope, plan_id: int) -> ImprovementPlan | None:
    """The plan with its actions, or None when it does not exist or is out of
    scope (the caller cannot tell which: no probing for ids)."""
    stmt = (
        select(ImprovementPlan)
        .options(selectinload(ImprovementPlan.actions))
        .where(ImprovementPlan.id == plan_id, *plan_scope_clauses(scope))
    )
    return session.scalar(stmt)


def plan_history(session: Session, plan_id: int) -> list[PlanChange]:
    return list(
        session.scalars(select(PlanChange).where(PlanChange.plan_id == plan_id).order_by(PlanChange.id))
    )


def plan_comments(session: Session, plan_id: int) -> list[PlanComment]:
    return list(
        session.scalars(select(PlanComment).where(PlanComment.plan_id == plan_id).order_by(PlanComment.id))
    )


def element_items(session: Session) -> pd.DataFrame:
    """RATER items (code, element, text) of the templates in use."""
    rows = session.execute(
        select(Question.code, Question.element, Question.text)
        .where(Question.element.is_not(None))
        .distinct()
        .order_by(Question.element, Question.code)
    ).all()
    return pd.DataFrame(rows, columns=["code", "element", "text"])


def staff_in_scope(session: Session, scope: Scope) -> pd.DataFrame:
    """Possible plan owners: current staff inside the scope."""
    stmt = select(Staff.id, Staff.name, Staff.employee_ref, Staff.branch_id, Staff.department_id).where(
        Staff.left_on.is_(None), *unit_scope(Staff.branch_id, Staff.department_id, scope)
    )
    rows = session.execute(stmt.order_by(Staff.name)).all()
    return pd.DataFrame(rows, columns=["staff_id", "name", "employee_ref", "branch_id", "department_id"])


UNIT_MODELS = {"branch": Branch, "department": Department}


def unit_id(session: Session, unit: str, code: str) -> int | None:
    """The id of the branch or department with this code (None: no such unit).
    Not scoped: the plan service names an out-of-scope unit in its own words."""
    model = UNIT_MODELS[unit]
    return session.scalar(select(model.id).where(model.code == code))


def unit_code(session: Session, unit: str, unit_id_: int | None) -> str | None:
    """The code of a branch or department by id (None for none)."""
    if unit_id_ is None:
        return None
    model = UNIT_MODELS[unit]
    return session.scalar(select(model.code).where(model.id == unit_id_))


def staff_may_own(
    session: Session, scope: Scope, staff_id: int, branch_id: int | None, department_id: int | None
) -> bool:
    """Whether a current staff member inside `scope` works in the plan's unit
    (its branch and/or department; None: any on that axis)."""
    stmt = select(Staff.id).where(
        Staff.id == staff_id,
        Staff.left_on.is_(None),
        *unit_scope(Staff.branch_id, Staff.department_id, scope),
    )
    if branch_id is not None:
        stmt = stmt.where(Staff.branch_id == branch_id)
    if department_id is not None:
        stmt = stmt.where(Staff.department_id == department_id)
    return session.scalar(stmt) is not None


def last_change(session: Session, plan_id: int, fields: tuple[str, ...]) -> PlanChange | None:
    """The latest history row of a plan on one of `fields`."""
    return session.scalar(
        select(PlanChange)
        .where(PlanChange.plan_id == plan_id, PlanChange.field.in_(fields))
        .order_by(PlanChange.id.desc())
        .limit(1)
    )


def plans_by_id(session: Session, plan_ids) -> list[ImprovementPlan]:
    """Plans whose ids the caller already read through a scoped query, in that order."""
    ids = [int(i) for i in plan_ids]
    found = {p.id: p for p in session.scalars(select(ImprovementPlan).where(ImprovementPlan.id.in_(ids)))}
    return [found[i] for i in ids]


def other_plans_on_element(session: Session, element: str, except_plan_id: int) -> list[ImprovementPlan]:
    """Every other plan on the same element, across the organisation: their
    units are left out of a plan's comparison group. Deliberately unscoped
    (the comparison is pooled and never named: dashboard/services/plan_effects.py)."""
    return list(
        session.scalars(
            select(ImprovementPlan).where(
                ImprovementPlan.element == element, ImprovementPlan.id != except_plan_id
            )
        )
    )
