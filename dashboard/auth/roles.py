"""Roles and what they may see and do. Pure: no Flask, no database.

- admin: everything, manages users, sees model diagnostics.
- executive: every unit, read; may edit any plan.
- department_head: their department across branches, or their unit
  (branch + department), or their branch; edits plans inside that scope.
- team_member: their own unit's views, read-only; edits the plans they own.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.auth.scope import Scope

ADMIN = "admin"
EXECUTIVE = "executive"
DEPARTMENT_HEAD = "department_head"
TEAM_MEMBER = "team_member"
ROLES = (ADMIN, EXECUTIVE, DEPARTMENT_HEAD, TEAM_MEMBER)
ROLE_LABELS = {
    ADMIN: "Administrator",
    EXECUTIVE: "Executive",
    DEPARTMENT_HEAD: "Department head",
    TEAM_MEMBER: "Team member",
}


@dataclass(frozen=True)
class AuthUser:
    """The logged-in user as the web layer sees it (no password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    branch_id: int | None = None
    department_id: int | None = None
    staff_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    @property
    def sees_everything(self) -> bool:
        return self.role in (ADMIN, EXECUTIVE)

    @property
    def scope(self) -> Scope:
        return scope_for(self.role, self.branch_id, self.department_id)

    def may_edit_plan(
        self, plan_branch_id: int | None, plan_department_id: int | None, owner_staff_id: int | None
    ) -> bool:
        """Plan edits: executives/admins any, department heads inside their
        scope, team members only the plans they own."""
        if self.sees_everything:
            return True
        if self.role == DEPARTMENT_HEAD:
            return _plan_inside(self.scope, plan_branch_id, plan_department_id)
        if self.role == TEAM_MEMBER:
            return self.staff_id is not None and owner_staff_id == self.staff_id
        return False


    def plan_hold_errors(
        self, branch_id: int | None, department_id: int | None, owner_id: int | None
    ) -> dict[str, str]:
        """Why this user may not hold a plan on this unit, by the field at
        fault (empty: they may). The plan's unit must be one the user may edit
        plans in: the role rule alone lets a team member edit any plan they
        own, so without the scope check they could move their plan, or create
        one, in another branch. A plan without a branch (department) spans all
        of them, so only a scope unrestricted on that axis holds it."""
        if self.sees_everything:
            return {}
        errors = {}
        scope = self.scope
        for label, plural, unit_id, allowed in (
            ("branch", "branches", branch_id, scope.branch_ids),
            ("department", "departments", department_id, scope.department_ids),
        ):
            if allowed is None:
                continue
            if unit_id is None:
                errors[label] = f"you may not hold a plan for all {plural}: choose your {label}"
            elif unit_id not in allowed:
                errors[label] = f"you may not hold a plan for this {label}: it is outside your scope"
        if not errors and not self.may_edit_plan(branch_id, department_id, owner_id):
            errors["owner"] = "you may not hold a plan you do not own: choose yourself as owner"
        return errors


def scope_for(role: str, branch_id: int | None, department_id: int | None) -> Scope:
    """The data a role sees. Unknown roles and incomplete assignments see
    nothing rather than everything."""
    if role in (ADMIN, EXECUTIVE):
        return Scope.everything()
    if role not in (DEPARTMENT_HEAD, TEAM_MEMBER) or (branch_id is None and department_id is None):
        return Scope.nothing()
    if role == TEAM_MEMBER and (branch_id is None or department_id is None):
        return Scope.nothing()  # a team is always one unit
    branches = None if branch_id is None else frozenset({branch_id})
    departments = None if department_id is None else frozenset({department_id})
    return Scope(branch_ids=branches, department_ids=departments, label=f"{role}:{branch_id}/{department_id}")


def _plan_inside(scope: Scope, branch_id: int | None, department_id: int | None) -> bool:
    """A plan without a branch (or department) spans all of them, so only a
    scope unrestricted on that axis contains it."""
    if scope.branch_ids is not None and (branch_id is None or branch_id not in scope.branch_ids):
        return False
    return scope.department_ids is None or (
        department_id is not None and department_id in scope.department_ids
    )
