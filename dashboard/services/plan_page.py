"""What the plan page (/plans/<id>, /plans/new) shows: the plan or a new one
prefilled from a link, its form's values and choices (the viewer's units
and staff only), its comments and its history. Reads only; the writes are
dashboard/services/plans.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from dashboard.auth.roles import AuthUser
from dashboard.db.models import ImprovementPlan
from dashboard.domain import ELEMENTS, PLAN_STAGES, PLAN_STATUSES
from dashboard.queries import plans as plan_queries
from dashboard.queries import reference
from dashboard.services import plan_form
from dashboard.services.plan_form import FieldInvalid
from dashboard.services.plans import linked_unit, visible_plan

NEW_PLAN_RUNS = timedelta(days=182)  # sensible defaults: start now, review in six months


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    username: str | None
    what: str  # the field's label, or the event ("created", "action added")
    before: str | None
    after: str | None


@dataclass(frozen=True)
class PlanPage:
    plan: ImprovementPlan | None  # None: a new plan
    editable: bool
    values: dict  # the form's values by plan_form field name
    choices: dict[str, list]  # dropdown options by field name
    comments: list
    history: list[HistoryRow]
    outside: tuple[str, ...] = ()  # linked axes ("branch", "department") outside the viewer's scope


def open_plan(session: Session, user: AuthUser | None, plan_id) -> PlanPage:
    """An existing plan, or PlanNotFound (missing or out of scope: not told apart)."""
    plan = visible_plan(session, user, plan_id)
    stored = {column: getattr(plan, column) for column in plan_form.COLUMNS}
    for f in plan_form.UNIT_FIELDS:
        stored[f.column] = plan_queries.unit_code(session, f.unit, stored[f.column])
    values = plan_form.from_columns(stored)
    return PlanPage(
        plan=plan,
        editable=user.may_edit_plan(plan.branch_id, plan.department_id, plan.owner_id),
        values=values,
        choices=form_choices(session, user, values["element"]),
        comments=plan_queries.plan_comments(session, plan.id),
        history=[
            HistoryRow(c.at, c.username, plan_form.history_label(c.field), c.old_value, c.new_value)
            for c in plan_queries.plan_history(session, plan.id)
        ],
    )


def new_plan(
    session: Session, user: AuthUser, branch, department, element, items, today: date | None = None
) -> PlanPage:
    """The create form prefilled from a link (the drill-down's "start a plan"):
    the viewer's own unit where the link names one outside their scope."""
    branch_code, department_code, outside = linked_unit(
        reference.units(session, user.scope), user.scope, branch, department
    )
    start = today or date.today()
    values = plan_form.blank() | {
        "branch": branch_code or None,
        "department": department_code or None,
        "element": _element_or_none(element),
        "items": [i for i in str(items).split(",") if i],
        "owner": user.staff_id,
        "start": start.isoformat(),
        "due": (start + NEW_PLAN_RUNS).isoformat(),
    }
    choices = form_choices(session, user, values["element"])
    return PlanPage(None, True, values, choices, [], [], tuple(outside))


def form_choices(session: Session, user: AuthUser, element) -> dict[str, list]:
    """Dropdown options by field name: only the viewer's units and staff."""
    units = reference.units(session, user.scope)
    staff = plan_queries.staff_in_scope(session, user.scope)
    return {
        "branch": [
            {"label": f"{r.branch_code} {r.branch_name}", "value": r.branch_code}
            for r in units.drop_duplicates("branch_code").itertuples()
        ],
        "department": [
            {"label": r.department_name, "value": r.department_code}
            for r in units.drop_duplicates("department_code").itertuples()
        ],
        "element": [{"label": name, "value": key} for key, name in ELEMENTS.items()],
        "items": item_choices(session, element),
        "owner": [
            {"label": f"{r.name} ({r.employee_ref})", "value": int(r.staff_id)} for r in staff.itertuples()
        ],
        "stage": list(PLAN_STAGES),
        "status": list(PLAN_STATUSES),
    }


def item_choices(session: Session, element) -> list[dict]:
    """The items of the chosen element (none until one is chosen)."""
    element = _element_or_none(element)
    if element is None:
        return []
    items = plan_queries.element_items(session)
    return [
        {"label": f"{r.code} {r.text}", "value": r.code}
        for r in items[items["element"] == element].itertuples()
    ]


def comments(session: Session, user: AuthUser | None, plan_id) -> list:
    """A visible plan's comments, oldest first (PlanNotFound otherwise)."""
    return plan_queries.plan_comments(session, visible_plan(session, user, plan_id).id)


def _element_or_none(raw) -> str | None:
    try:
        return plan_form.BY_NAME["element"].parse(raw)
    except FieldInvalid:
        return None
