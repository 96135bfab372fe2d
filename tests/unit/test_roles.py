"""Which data each role sees and which plans it may edit (dashboard/auth/roles.py)."""

from __future__ import annotations

import pytest

from dashboard.auth.roles import AuthUser, scope_for
from dashboard.auth.scope import Scope


def test_admin_and_executive_see_everything():
    assert scope_for("admin", None, None).is_unrestricted
    assert scope_for("executive", 3, 4).is_unrestricted  # a home unit does not narrow an executive


def test_department_head_scopes():
    across = scope_for("department_head", None, 4)
    assert across.allows(1, 4) and across.allows(9, 4) and not across.allows(1, 5)
    branch = scope_for("department_head", 2, None)
    assert branch.allows(2, 1) and branch.allows(2, 6) and not branch.allows(3, 1)
    unit = scope_for("department_head", 2, 4)
    assert unit.allows(2, 4) and not unit.allows(2, 5) and not unit.allows(3, 4)


@pytest.mark.parametrize(
    "role,branch,dept",
    [("team_member", 2, None), ("team_member", None, 4), ("department_head", None, None), ("auditor", 1, 1)],
)
def test_incomplete_or_unknown_assignments_see_nothing(role, branch, dept):
    scope = scope_for(role, branch, dept)
    assert scope == Scope.nothing() or (
        scope.branch_ids == frozenset() and scope.department_ids == frozenset()
    )
    assert not scope.allows(branch, dept)


def test_plan_edit_rights():
    team = AuthUser(1, "t", "T", "team_member", branch_id=2, department_id=4, staff_id=77)
    assert team.may_edit_plan(2, 4, owner_staff_id=77)
    assert not team.may_edit_plan(2, 4, owner_staff_id=78)  # same unit, someone else's plan
    head = AuthUser(2, "h", "H", "department_head", department_id=4)
    assert head.may_edit_plan(9, 4, None)
    assert not head.may_edit_plan(9, 5, None)
    assert not head.may_edit_plan(9, None, None)  # a plan across all departments is above a department head
    branch_head = AuthUser(3, "b", "B", "department_head", branch_id=2)
    assert branch_head.may_edit_plan(2, None, None) and not branch_head.may_edit_plan(3, 4, None)
    assert AuthUser(4, "e", "E", "executive").may_edit_plan(None, None, None)
    assert not AuthUser(5, "x", "X", "team_member", branch_id=2, department_id=4).may_edit_plan(2, 4, None)


def test_scope_cache_keys_differ_by_scope():
    keys = {
        scope_for(*args).cache_key()
        for args in [
            ("executive", None, None),
            ("department_head", None, 4),
            ("department_head", 4, None),
            ("team_member", 2, 4),
        ]
    }
    assert len(keys) == 4
