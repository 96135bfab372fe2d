"""User accounts and authentication on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.users import (
    LoginLimits,
    NewUser,
    UserError,
    active_user,
    authenticate,
    create_user,
    set_active,
    set_password,
)
from dashboard.db.models import AppUser, AuditEntry, Branch, Department


@pytest.fixture
def org(fresh_engine):
    with Session(fresh_engine) as s, s.begin():
        s.add_all([Branch(code="B1", name="One"), Department(code="D1", name="Dept")])
    return fresh_engine


def test_create_hashes_the_password_and_resolves_units(org):
    with Session(org) as s, s.begin():
        user = create_user(s, NewUser("Ann.Head", "a-long-password", "department_head", department_code="D1"))
        row = s.scalar(select(AppUser).where(AppUser.username == "ann.head"))
        assert row.password_hash.startswith("scrypt:") and "a-long-password" not in row.password_hash
        assert user.scope.department_ids == frozenset({row.department_id}) and user.scope.branch_ids is None


@pytest.mark.parametrize(
    "spec,message",
    [
        (NewUser("x", "short", "executive"), "at least 10"),
        (NewUser("x y", "a-long-password", "executive"), "username"),
        (NewUser("x", "a-long-password", "boss"), "role must be one of"),
        (NewUser("x", "a-long-password", "team_member", branch_code="B1"), "team member needs both"),
        (NewUser("x", "a-long-password", "department_head"), "department head needs"),
        (NewUser("x", "a-long-password", "department_head", branch_code="B9"), "no branch with code 'B9'"),
        (NewUser("x", "a-long-password", "team_member", "X", "B1", "D1", "E404"), "no staff member"),
    ],
)
def test_invalid_users_are_refused_with_a_reason(org, spec, message):
    with Session(org) as s, pytest.raises(UserError, match=message):
        create_user(s, spec)


def test_duplicate_username_refused(org):
    with Session(org) as s, s.begin():
        create_user(s, NewUser("dup", "a-long-password", "executive"))
    with Session(org) as s, pytest.raises(UserError, match="already exists"):
        create_user(s, NewUser("DUP", "a-long-password", "admin"))


def _writer(engine):
    """A `write_session` for `authenticate`: a unit of work per call."""

    @contextmanager
    def write_session():
        with Session(engine) as s, s.begin():
            yield s

    return write_session


LIMITS = LoginLimits.of(3, 100)


def test_authenticate_audits_and_backs_off(org):
    with Session(org) as s, s.begin():
        create_user(s, NewUser("eve", "a-long-password", "executive"))
    write = _writer(org)
    ok = authenticate(write, " EVE ", "a-long-password", "10.0.0.1", LIMITS)
    assert ok.user is not None and ok.user.username == "eve" and ok.session_epoch == 0
    for _ in range(3):
        assert authenticate(write, "eve", "wrong-password", "10.0.0.1", LIMITS).user is None
    locked = authenticate(write, "eve", "a-long-password", "10.0.0.1", LIMITS)
    assert locked.user is None and locked.throttled and re.search(r"in (29|30) seconds", locked.message)
    with Session(org) as s:
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["login", "login_failed", "login_failed", "login_failed", "login_throttled"]


def test_sessions_end_on_password_change_or_deactivation(org):
    with Session(org) as s, s.begin():
        create_user(s, NewUser("sam", "a-long-password", "executive"))
    write = _writer(org)
    outcome = authenticate(write, "sam", "a-long-password", None, LIMITS)
    with Session(org) as s:
        assert active_user(s, outcome.user.id, outcome.session_epoch) == outcome.user
    with Session(org) as s, s.begin():
        set_password(s, "sam", "another-password")
    with Session(org) as s:
        assert active_user(s, outcome.user.id, outcome.session_epoch) is None
    fresh = authenticate(write, "sam", "another-password", None, LIMITS)
    assert fresh.session_epoch == outcome.session_epoch + 1
    with Session(org) as s, s.begin():
        set_active(s, "sam", False)
    with Session(org) as s, s.begin():
        set_active(s, "sam", True)
    with Session(org) as s:  # reactivated, but the session from before stays dead
        assert active_user(s, fresh.user.id, fresh.session_epoch) is None
    with Session(org) as s, s.begin():
        set_active(s, "sam", False)
    assert authenticate(write, "sam", "another-password", None, LIMITS).user is None  # deactivated
