"""Improvement plans: validated create/edit/close with history, permission
and version checks. The caller passes the logged-in AuthUser; nothing here
trusts ids without checking them against that user's scope."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.roles import AuthUser
from dashboard.auth.users import audit, now
from dashboard.db.models import (
    Branch,
    Department,
    ImprovementPlan,
    PlanAction,
    PlanChange,
    PlanComment,
    Staff,
)
from dashboard.domain import ELEMENTS, PLAN_STAGES, PLAN_STATUSES
from dashboard.queries.plans import element_items, plan_for_viewer

TRACKED = (
    "title", "branch_id", "department_id", "element", "item_codes", "owner_id", "team", "stage", "status",
    "start_on", "due_on", "baseline_score", "target_score", "cost", "description",
)  # fmt: skip


class PlanNotFound(LookupError):
    """No such plan for this viewer (missing or out of scope: not told apart)."""


class PlanForbidden(PermissionError):
    pass


class StalePlan(Exception):
    """Someone saved the plan after this editor opened it."""

    def __init__(self, current_version: int, changed_by: str | None, changed_at):
        who = changed_by or "someone"
        super().__init__(
            f"{who} changed this plan at {changed_at:%Y-%m-%d %H:%M} after you opened it. Nothing was saved; "
            "your edits are still in the form. Reload the plan to see their changes, then apply yours again."
        )
        self.current_version = current_version


@dataclass
class PlanInput:
    """Form values as typed; `validate` turns them into clean values or errors."""

    title: str = ""
    branch_code: str | None = None
    department_code: str | None = None
    element: str | None = None
    item_codes: list[str] = field(default_factory=list)
    owner_id: int | None = None
    team: str = ""
    stage: str = "assess"
    status: str = "planned"
    start_on: str | date | None = None
    due_on: str | date | None = None
    baseline_score: float | str | None = None  # strings as typed; validation names bad numbers
    target_score: float | str | None = None
    cost: float | str | None = None
    description: str = ""


class PlanInvalid(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def clean(session: Session, user: AuthUser, data: PlanInput) -> dict:
    """Validated column values, or PlanInvalid listing every problem at once
    (so the form can mark all fields in one round)."""
    errors: dict[str, str] = {}
    values: dict = {}
    title = (data.title or "").strip()
    if not 3 <= len(title) <= 200:
        errors["title"] = "a title of 3 to 200 characters"
    values["title"] = title
    values["branch_id"] = _unit_id(session, Branch, data.branch_code, "branch", errors)
    values["department_id"] = _unit_id(session, Department, data.department_code, "department", errors)
    if values["branch_id"] is None and values["department_id"] is None and "branch" not in errors:
        errors["branch"] = "choose a branch, a department or both"
    if data.element not in ELEMENTS:
        errors["element"] = "choose the RATER element the plan targets"
    values["element"] = data.element
    items = element_items(session)
    allowed = set(items.loc[items["element"] == data.element, "code"])
    wrong = [c for c in data.item_codes or [] if c not in allowed]
    if wrong:
        errors["items"] = f"{', '.join(wrong)} not items of {ELEMENTS.get(data.element, 'that element')}"
    values["item_codes"] = sorted(set(data.item_codes or []))
    values["owner_id"] = data.owner_id
    if data.owner_id is not None and session.get(Staff, data.owner_id) is None:
        errors["owner"] = "unknown owner"
    values["team"] = (data.team or "").strip()[:120] or None
    if data.stage not in PLAN_STAGES:
        errors["stage"] = f"one of {', '.join(PLAN_STAGES)}"
    if data.status not in PLAN_STATUSES:
        errors["status"] = f"one of {', '.join(PLAN_STATUSES)}"
    values["stage"], values["status"] = data.stage, data.status
    values["start_on"] = _date(data.start_on, "start", errors)
    values["due_on"] = _date(data.due_on, "due", errors)
    if values["start_on"] and values["due_on"] and values["due_on"] < values["start_on"]:
        errors["due"] = "the due date is before the start"
    for name in ("baseline_score", "target_score"):
        v = _number(data.__dict__[name], name.split("_")[0], errors)
        if v is not None and not 1 <= v <= 7:
            errors[name.split("_")[0]] = "must be between 1 and 7 (the 7-point scale)"
        values[name] = v
    values["cost"] = _number(data.cost, "cost", errors)
    if values["cost"] is not None and values["cost"] < 0:
        errors["cost"] = "must not be negative"
    values["description"] = (data.description or "").strip() or None
    if not {"branch", "department", "owner"} & errors.keys():
        errors.update(_hold_errors(user, values["branch_id"], values["department_id"], values["owner_id"]))
    if errors:
        raise PlanInvalid(errors)
    return values


def linked_unit(units, scope, branch, department) -> tuple[str, str, list[str]]:
    """The branch and department codes a new plan's form starts with, from a
    link's ?branch=&department=, and the axes ("branch", "department") whose
    linked code the viewer may not plan for.

    `units` are the viewer's units (queries.reference.units with their scope).
    A drill-down link names only the axis it was drilled on, and a department
    head's plan must carry their department to be theirs, so an axis the
    viewer is restricted to a single unit on is filled with that unit when the
    link leaves it out. A linked code outside the viewer's units (out of
    scope or unknown: not told apart) falls back the same way, or to empty."""
    chosen: list[str] = []
    outside: list[str] = []
    for linked, ids, column, noun in (
        (branch, scope.branch_ids, "branch_code", "branch"),
        (department, scope.department_ids, "department_code", "department"),
    ):
        codes = [str(c) for c in units[column].unique()]
        only = codes[0] if ids is not None and len(codes) == 1 else ""
        linked = linked if isinstance(linked, str) else ""
        if linked and linked not in codes:
            outside.append(noun)
            linked = ""
        chosen.append(linked or only)
    return chosen[0], chosen[1], outside


def _hold_errors(user: AuthUser, branch_id, department_id, owner_id) -> dict[str, str]:
    """Why the user may not hold this plan, by the field at fault (empty: they
    may). The plan's new unit must be one the user may edit plans in: the
    role rule alone lets a team member edit any plan they own, so without the
    scope check they could move their plan, or create one, in another branch.
    A plan without a branch (department) spans all of them, so only a scope
    unrestricted on that axis holds it."""
    if user.sees_everything:
        return {}
    errors = {}
    for label, plural, unit_id, allowed in (
        ("branch", "branches", branch_id, user.scope.branch_ids),
        ("department", "departments", department_id, user.scope.department_ids),
    ):
        if allowed is None:
            continue
        if unit_id is None:
            errors[label] = f"you may not hold a plan for all {plural}: choose your {label}"
        elif unit_id not in allowed:
            errors[label] = f"you may not hold a plan for this {label}: it is outside your scope"
    if not errors and not user.may_edit_plan(branch_id, department_id, owner_id):
        errors["owner"] = "you may not hold a plan you do not own: choose yourself as owner"
    return errors


def _number(raw, label, errors) -> float | None:
    """None for an empty field; the form sends numbers as typed (text)."""
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "":
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        errors[label] = "a number"
        return None
    return value


def _unit_id(session, model, code, label, errors) -> int | None:
    if not code:
        return None
    found = session.scalar(select(model.id).where(model.code == code))
    if found is None:
        errors[label] = f"choose a {label} from the list"  # not echoed: messages carry no typed codes
    return found


def _date(raw, label, errors) -> date | None:
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw)[:10])
    except (TypeError, ValueError):
        errors[label] = "a date (YYYY-MM-DD)"
        return None


def create_plan(
    session: Session, user: AuthUser, data: PlanInput, actions: list[tuple[str, date | None]] = ()
) -> int:
    values = clean(session, user, data)
    plan = ImprovementPlan(**values)
    for text, due in actions:
        plan.actions.append(PlanAction(text=text, due_on=due, done=False))
    session.add(plan)
    session.flush()
    _change(session, user, plan.id, "created", None, plan.title)
    audit(session, "plan_create", user, target=f"plan:{plan.id}", detail={"title": plan.title})
    return plan.id


def editable_plan(session: Session, user: AuthUser, plan_id: int) -> ImprovementPlan:
    plan = plan_for_viewer(session, user.scope, plan_id)
    if plan is None:
        raise PlanNotFound(f"no plan {plan_id} for you")
    if not user.may_edit_plan(plan.branch_id, plan.department_id, plan.owner_id):
        raise PlanForbidden("you may view this plan but not change it")
    return plan


def _check_version(session: Session, plan: ImprovementPlan, expected_version: int) -> None:
    if plan.version != expected_version:
        last = session.scalar(
            select(PlanChange)  # the last versioned save; action ticks and comments do not bump the version
            .where(PlanChange.plan_id == plan.id, PlanChange.field.in_(TRACKED))
            .order_by(PlanChange.id.desc())
            .limit(1)
        )
        raise StalePlan(plan.version, last.username if last else None, last.at if last else now())


def update_plan(
    session: Session, user: AuthUser, plan_id: int, expected_version: int, data: PlanInput
) -> int:
    """Apply the form; every changed field becomes a history row. Returns the
    new version. Refuses (StalePlan) when the plan changed since
    `expected_version` was read, and the ORM's version column catches a
    race between this check and the write."""
    plan = editable_plan(session, user, plan_id)
    _check_version(session, plan, expected_version)
    values = clean(session, user, data)
    changed = {k: v for k, v in values.items() if getattr(plan, k) != v}
    for key, new in changed.items():
        _change(session, user, plan.id, key, getattr(plan, key), new)
        setattr(plan, key, new)
    if changed:
        plan.updated_at = now()
        audit(session, "plan_edit", user, target=f"plan:{plan.id}", detail={"fields": sorted(changed)})
    session.flush()
    return plan.version


def close_plan(
    session: Session, user: AuthUser, plan_id: int, expected_version: int, status: str, note: str
) -> int:
    if status not in ("done", "cancelled"):
        raise PlanInvalid({"status": "close as done or cancelled"})
    plan = editable_plan(session, user, plan_id)
    _check_version(session, plan, expected_version)
    _change(session, user, plan.id, "status", plan.status, status)
    plan.status = status
    plan.updated_at = now()
    if note.strip():
        add_comment(session, user, plan_id, note)
    audit(session, "plan_close", user, target=f"plan:{plan.id}", detail={"status": status})
    session.flush()
    return plan.version


def add_comment(session: Session, user: AuthUser, plan_id: int, text: str) -> None:
    """Anyone who may see a plan may comment on it."""
    if plan_for_viewer(session, user.scope, plan_id) is None:
        raise PlanNotFound(f"no plan {plan_id} for you")
    text = (text or "").strip()
    if not 1 <= len(text) <= 4000:
        raise PlanInvalid({"comment": "a comment of 1 to 4000 characters"})
    session.add(PlanComment(plan_id=plan_id, at=now(), user_id=user.id, username=user.username, text=text))


def add_action(session: Session, user: AuthUser, plan_id: int, text: str, due: str | date | None) -> None:
    plan = editable_plan(session, user, plan_id)
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not 3 <= len(text) <= 500:
        errors["action"] = "an action of 3 to 500 characters"
    due_on = _date(due, "action due", errors) if due else None
    if errors:
        raise PlanInvalid(errors)
    plan.actions.append(PlanAction(text=text, due_on=due_on, done=False))
    _change(session, user, plan.id, "action added", None, text)
    audit(session, "plan_edit", user, target=f"plan:{plan.id}", detail={"action added": text})


def set_action_done(session: Session, user: AuthUser, plan_id: int, action_id: int, done: bool) -> None:
    plan = editable_plan(session, user, plan_id)
    action = next((a for a in plan.actions if a.id == action_id), None)
    if action is None:
        raise PlanNotFound(f"no action {action_id} in plan {plan_id}")
    if action.done != done:
        _change(session, user, plan.id, f"action {action_id} done", action.done, done)
        audit(session, "plan_edit", user, target=f"plan:{plan.id}", detail={f"action {action_id} done": done})
        action.done = done


def _change(session, user: AuthUser, plan_id: int, field_name: str, old, new) -> None:
    session.add(
        PlanChange(
            plan_id=plan_id,
            at=now(),
            user_id=user.id,
            username=user.username,
            field=field_name,
            old_value=None if old is None else str(old),
            new_value=None if new is None else str(new),
        )
    )
