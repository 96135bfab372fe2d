"""User accounts, authentication with rate limiting, and the audit log.

Database only (no Flask): the web layer passes in the client address.
Failed attempts are counted in `login_throttle` rows (auth/throttle.py), so
the limit holds across gunicorn workers, app servers and restarts.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dashboard.auth.passwords import hash_password, verify_password
from dashboard.auth.roles import DEPARTMENT_HEAD, ROLES, TEAM_MEMBER, AuthUser
from dashboard.auth.throttle import Backoff, account_key, address_key, clear, refund, reserve
from dashboard.db.models import AppUser, AuditEntry, Branch, Department, LoginSession, Staff

USERNAME_MAX = 80


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why."""


@dataclass(frozen=True)
class LoginOutcome:
    """What a login attempt gave: a user and their session epoch, or a
    message (`throttled` tells a lockout from bad credentials). Not an
    exception, so the caller commits the audit entry."""

    user: AuthUser | None = None
    session_epoch: int | None = None
    message: str | None = None
    throttled: bool = False


def now() -> datetime:
    return datetime.now().replace(microsecond=0)


def audit(
    session: Session,
    action: str,
    user: AuthUser | None = None,
    *,
    username: str | None = None,
    target: str | None = None,
    detail: dict | None = None,
    ip: str | None = None,
) -> None:
    """Append one audit entry in the caller's transaction."""
    session.add(
        AuditEntry(
            at=now(),
            user_id=user.id if user else None,
            username=(user.username if user else username),
            action=action,
            target=(target or "")[:200] or None,
            detail=detail,
            ip=(ip or "")[:45] or None,
        )
    )


def to_auth_user(row: AppUser) -> AuthUser:
    """The web layer's view of a user row: every AuthUser field, copied by name."""
    return AuthUser(**{f.name: getattr(row, f.name) for f in fields(AuthUser)})


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: str
    display_name: str | None = None
    branch_code: str | None = None
    department_code: str | None = None
    staff_ref: str | None = None


def create_user(session: Session, spec: NewUser) -> AuthUser:
    """Validate and insert a user; raises UserError with a plain message."""
    username = spec.username.strip().lower()
    if not username or len(username) > USERNAME_MAX or not all(c.isalnum() or c in "._-@" for c in username):
        raise UserError("a username is 1-80 letters, digits or . _ - @")
    if spec.role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {spec.role!r}")
    if session.scalar(select(AppUser.id).where(AppUser.username == username)) is not None:
        raise UserError(f"user {username!r} already exists")
    branch_id = _id_by_code(session, Branch, spec.branch_code, "branch")
    department_id = _id_by_code(session, Department, spec.department_code, "department")
    if spec.role == DEPARTMENT_HEAD and branch_id is None and department_id is None:
        raise UserError("a department head needs --department and/or --branch")
    if spec.role == TEAM_MEMBER and (branch_id is None or department_id is None):
        raise UserError("a team member needs both --branch and --department (their unit)")
    staff_id = None
    if spec.staff_ref:
        staff_id = session.scalar(select(Staff.id).where(Staff.employee_ref == spec.staff_ref))
        if staff_id is None:
            raise UserError(f"no staff member with employee reference {spec.staff_ref!r}")
    try:
        password_hash = hash_password(spec.password)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    row = AppUser(
        username=username,
        display_name=(spec.display_name or username).strip()[:120],
        password_hash=password_hash,
        role=spec.role,
        branch_id=branch_id,
        department_id=department_id,
        staff_id=staff_id,
        is_active=True,
    )
    session.add(row)
    session.flush()
    return to_auth_user(row)


def _id_by_code(session: Session, model, code: str | None, what: str) -> int | None:
    if not code:
        return None
    found = session.scalar(select(model.id).where(model.code == code))
    if found is None:
        raise UserError(f"no {what} with code {code!r}")
    return found


@dataclass(frozen=True)
class LoginLimits:
    """Backoff rules for one account and for one client address (auth/throttle.py)."""

    account: Backoff
    address: Backoff

    @classmethod
    def of(cls, account_attempts: int, address_attempts: int) -> LoginLimits:
        return cls(Backoff(free=account_attempts), Backoff(free=address_attempts))


def authenticate(
    write_session: Callable[[], AbstractContextManager[Session]],
    username: str,
    password: str,
    ip: str | None,
    limits: LoginLimits,
) -> LoginOutcome:
    """Check credentials behind the throttle. The attempt is counted and
    committed first (one short transaction), the password checked after, so
    parallel guesses cannot outrun the count. Every outcome is audited."""
    username = (username or "").strip().lower()[:USERNAME_MAX]
    at = now()
    with write_session() as session:
        wait_until = reserve(session, account_key(username), limits.account, at)
        if wait_until is None and ip:
            wait_until = reserve(session, address_key(ip), limits.address, at)
        if wait_until is not None:
            audit(session, "login_throttled", username=username, ip=ip)
            return LoginOutcome(message=_wait_message(wait_until - at), throttled=True)
    with write_session() as session:
        row = session.scalar(select(AppUser).where(AppUser.username == username))
        ok = verify_password(row.password_hash if row else None, password or "")
        if not ok or row is None or not row.is_active:
            audit(session, "login_failed", username=username, ip=ip)
            return LoginOutcome(message="Unknown username or wrong password.")
        clear(session, account_key(username))
        if ip:
            refund(session, address_key(ip))
        row.last_login_at = at
        user = to_auth_user(row)
        audit(session, "login", user, ip=ip)
        return LoginOutcome(user=user, session_epoch=row.session_epoch)


def _wait_message(wait: timedelta) -> str:
    seconds = max(1, int(wait.total_seconds()))
    when = f"{seconds} seconds" if seconds < 120 else f"{round(seconds / 60)} minutes"
    return f"Too many failed attempts. Try again in {when}."


def active_user(session: Session, user_id: int, session_epoch: int) -> AuthUser | None:
    """The user behind a session, or None when deactivated, deleted, or the
    session was issued before the last deactivation or password change."""
    row = session.get(AppUser, user_id)
    if row is None or not row.is_active or row.session_epoch != session_epoch:
        return None
    return to_auth_user(row)


def end_sessions(session: Session, row: AppUser) -> None:
    """Every session of the user dies: a new epoch (checked on each request,
    whichever store holds the session) and the database's rows deleted."""
    row.session_epoch = (row.session_epoch or 0) + 1
    session.execute(delete(LoginSession).where(LoginSession.user_id == row.id))


def set_password(session: Session, username: str, password: str) -> None:
    row = session.scalar(select(AppUser).where(AppUser.username == username.strip().lower()))
    if row is None:
        raise UserError(f"no user {username!r}")
    try:
        row.password_hash = hash_password(password)
    except ValueError as exc:
        raise UserError(str(exc)) from exc
    end_sessions(session, row)


def set_active(session: Session, username: str, active: bool) -> None:
    row = session.scalar(select(AppUser).where(AppUser.username == username.strip().lower()))
    if row is None:
        raise UserError(f"no user {username!r}")
    if not active:
        end_sessions(session, row)
    row.is_active = active


def list_users(session: Session) -> list[AppUser]:
    return list(session.scalars(select(AppUser).order_by(AppUser.username)))
