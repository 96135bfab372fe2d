"""Improvement plans: validated create/edit/close with history, permission
and version checks. The caller passes the logged-in AuthUser; nothing here
trusts ids without checking them against that user's scope."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from dashboard.auth.roles import AuthUser
from dashboard.auth.users import audit, now
from dashboard.db.models import ImprovementPlan, PlanAction, PlanChange, PlanComment
from dashboard.domain import ELEMENTS
from dashboard.queries import plans as plan_queries
from dashboard.services import plan_form
from dashboard.services.plan_form import FieldInvalid
from dashboard.urlstate import id_or_none


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


class PlanInvalid(ValueError):
    """Messages by field name (plan_form.FIELDS, or "comment", "action", "action due")."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


OWNER_REFUSED = "choose an owner from the list: current staff of the plan's unit"


def clean(session: Session, user: AuthUser, values: Mapping) -> dict:
    """Column values from the form's values (by plan_form field name, as
    typed), or PlanInvalid listing every problem at once (so the form can
    mark all fields in one round)."""
    typed, errors = plan_form.parse(values)
    for f in plan_form.UNIT_FIELDS:  # the form holds the unit's code, the column its id
        if typed[f.name] is not None:
            found = plan_queries.unit_id(session, f.unit, typed[f.name])
            if found is None:
                errors[f.name] = f"choose a {f.unit} from the list"  # never echoes the typed code
            typed[f.name] = found
    if typed["branch"] is None and typed["department"] is None and "branch" not in errors:
        errors["branch"] = "choose a branch, a department or both"
    items = plan_queries.element_items(session)
    allowed = set(items.loc[items["element"] == typed["element"], "code"])
    wrong = [c for c in typed["items"] or [] if c not in allowed]
    if wrong:
        errors["items"] = f"{', '.join(wrong)} not items of {ELEMENTS.get(typed['element'], 'that element')}"
    if typed["start"] and typed["due"] and typed["due"] < typed["start"]:
        errors["due"] = "the due date is before the start"
    if not {"branch", "department", "owner"} & errors.keys():
        errors.update(user.plan_hold_errors(typed["branch"], typed["department"], typed["owner"]))
    owner_to_check = typed["owner"] is not None and not {"branch", "department", "owner"} & errors.keys()
    if owner_to_check and not plan_queries.staff_may_own(
        session, user.scope, typed["owner"], typed["branch"], typed["department"]
    ):
        # one text for a missing, departed, out-of-scope or other-unit owner: nothing to probe with
        errors["owner"] = OWNER_REFUSED
    if errors:
        raise PlanInvalid(errors)
    return plan_form.to_columns(typed)


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
    for linked, noun in ((branch, "branch"), (department, "department")):
        column = f"{noun}_code"
        codes = [str(c) for c in units[column].unique()]
        only = codes[0] if scope.restricts(noun) and len(codes) == 1 else ""
        linked = linked if isinstance(linked, str) else ""
        if linked and linked not in codes:
            outside.append(noun)
            linked = ""
        chosen.append(linked or only)
    return chosen[0], chosen[1], outside


def create_plan(
    session: Session, user: AuthUser, values: Mapping, actions: list[tuple[str, date | None]] = ()
) -> int:
    """A new plan from the form's values (by plan_form field name); returns its id."""
    plan = ImprovementPlan(**clean(session, user, values))
    for text, due in actions:
        plan.actions.append(PlanAction(text=text, due_on=due, done=False))
    session.add(plan)
    session.flush()
    _change(session, user, plan.id, "created", None, plan.title)
    audit(session, "plan_create", user, target=f"plan:{plan.id}", detail={"title": plan.title})
    return plan.id


def plan_number(raw) -> int:
    """A plan id as a page store or a URL holds it (an int or its digits);
    anything else names no plan."""
    number = id_or_none(raw)  # beyond the id range: no plan, not a database error
    if number is None:
        raise PlanNotFound("no such plan")
    return number


def visible_plan(session: Session, user: AuthUser | None, plan_id) -> ImprovementPlan:
    """The plan with its actions, or PlanNotFound (missing or out of scope)."""
    plan = plan_queries.plan_for_viewer(session, user.scope, plan_number(plan_id)) if user else None
    if plan is None:
        raise PlanNotFound(f"no plan {plan_id} for you")
    return plan


def editable_plan(session: Session, user: AuthUser | None, plan_id) -> ImprovementPlan:
    plan = visible_plan(session, user, plan_id)
    if not user.may_edit_plan(plan.branch_id, plan.department_id, plan.owner_id):
        raise PlanForbidden("you may view this plan but not change it")
    return plan


def _check_version(session: Session, plan: ImprovementPlan, expected_version) -> None:
    if plan.version != expected_version:
        # the last versioned save; action ticks and comments do not bump the version
        last = plan_queries.last_change(session, plan.id, plan_form.COLUMNS)
        raise StalePlan(plan.version, last.username if last else None, last.at if last else now())


def update_plan(session: Session, user: AuthUser, plan_id, expected_version, values: Mapping) -> int:
    """Apply the form's values; every changed field becomes a history row.
    Returns the new version. Refuses (StalePlan) when the plan changed since
    `expected_version` was read, and the ORM's version column catches a
    race between this check and the write."""
    plan = editable_plan(session, user, plan_id)
    _check_version(session, plan, expected_version)
    columns = clean(session, user, values)
    changed = {k: v for k, v in columns.items() if getattr(plan, k) != v}
    for key, new in changed.items():
        _change(session, user, plan.id, key, getattr(plan, key), new)
        setattr(plan, key, new)
    if changed:
        plan.updated_at = now()
        audit(session, "plan_edit", user, target=f"plan:{plan.id}", detail={"fields": sorted(changed)})
    session.flush()
    return plan.version


def close_plan(session: Session, user: AuthUser, plan_id, expected_version, status: str, note: str) -> int:
    if status not in ("done", "cancelled"):
        raise PlanInvalid({"status": "close as done or cancelled"})
    plan = editable_plan(session, user, plan_id)
    _check_version(session, plan, expected_version)
    _change(session, user, plan.id, "status", plan.status, status)
    plan.status = status
    plan.updated_at = now()
    if note.strip():
        add_comment(session, user, plan.id, note)
    audit(session, "plan_close", user, target=f"plan:{plan.id}", detail={"status": status})
    session.flush()
    return plan.version


COMMENT = plan_form.text(1, 4000, "a comment of 1 to 4000 characters")
ACTION = plan_form.text(3, 500, "an action of 3 to 500 characters")


def add_comment(session: Session, user: AuthUser | None, plan_id, text) -> None:
    """Anyone who may see a plan may comment on it."""
    plan = visible_plan(session, user, plan_id)
    errors: dict[str, str] = {}
    text = _parsed(COMMENT, text, "comment", errors)
    if errors:
        raise PlanInvalid(errors)
    session.add(PlanComment(plan_id=plan.id, at=now(), user_id=user.id, username=user.username, text=text))


def add_action(session: Session, user: AuthUser | None, plan_id, text, due) -> int:
    """Append an action; returns the plan's id."""
    plan = editable_plan(session, user, plan_id)
    errors: dict[str, str] = {}
    text = _parsed(ACTION, text, "action", errors)
    due_on = _parsed(plan_form.a_date, due, "action due", errors) if due else None
    if errors:
        raise PlanInvalid(errors)
    plan.actions.append(PlanAction(text=text, due_on=due_on, done=False))
    _change(session, user, plan.id, "action added", None, text)
    audit(session, "plan_edit", user, target=f"plan:{plan.id}", detail={"action added": text})
    return plan.id


def _parsed(parse, raw, name: str, errors: dict[str, str]):
    """`parse(raw)`, or None with the message recorded under `name`."""
    try:
        return parse(raw)
    except FieldInvalid as invalid:
        errors[name] = str(invalid)
        return None


def set_action_done(session: Session, user: AuthUser, plan_id, action_id: int, done: bool) -> None:
    plan = editable_plan(session, user, plan_id)
    action = next((a for a in plan.actions if a.id == action_id), None)
    if action is None:
        raise PlanNotFound(f"no action {action_id} in plan {plan_id}")
    _set_done(session, user, plan, action, done)


def set_actions_done(session: Session, user: AuthUser | None, plan_id, done_ids) -> None:
    """Tick exactly the actions in `done_ids` (the checklist's value)."""
    plan = editable_plan(session, user, plan_id)
    if done_ids is None:
        done_ids = []
    if not isinstance(done_ids, list) or not all(isinstance(i, int) for i in done_ids):
        raise PlanInvalid({"actions": "choose actions from the list"})
    for action in plan.actions:
        _set_done(session, user, plan, action, action.id in done_ids)


def _set_done(session: Session, user: AuthUser, plan: ImprovementPlan, action: PlanAction, done: bool):
    if action.done != done:
        _change(session, user, plan.id, f"action {action.id} done", action.done, done)
        audit(session, "plan_edit", user, target=f"plan:{plan.id}", detail={f"action {action.id} done": done})
        action.done = done


HISTORY_CONTEXT = 30  # characters kept around the changed part of a long text


def changed_part(old: str | None, new: str | None) -> tuple[str | None, str | None]:
    """What changed between two texts, with a little context: the common
    start and end are cut (marked with an ellipsis), so a one-word edit of a
    long description is stored as that word, not as two copies of the text."""
    if old is None or new is None or len(old) + len(new) <= 4 * HISTORY_CONTEXT:
        return old, new
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    lo = max(0, start - HISTORY_CONTEXT)
    cut_end = max(0, end - HISTORY_CONTEXT)

    def part(text: str) -> str:
        middle = text[lo : len(text) - cut_end]
        return ("…" if lo else "") + middle + ("…" if cut_end else "")

    return part(old), part(new)


def _change(session, user: AuthUser, plan_id: int, field_name: str, old, new) -> None:
    old, new = changed_part(None if old is None else str(old), None if new is None else str(new))
    session.add(
        PlanChange(
            plan_id=plan_id,
            at=now(),
            user_id=user.id,
            username=user.username,
            field=field_name,
            old_value=old,
            new_value=new,
        )
    )
