"""Login throttling with exponential backoff, per account and per client address.

Every attempt first reserves a slot, counted as a failure, by a compare-and-set
on the counter row (`UPDATE ... WHERE version = :seen`) committed before the
password is checked; a success then clears the account's count. So parallel
guesses cannot all slip past one read of the counter: of 40 simultaneous
wrong guesses exactly `free` reach the password check, the rest are refused.

After `free` failures an account waits `base * 2**k` seconds before the next
attempt (k = failures beyond the free ones, capped at `cap`): a stranger who
guesses a real user's password delays that user by seconds to minutes, never
locks them out for a fixed period, and made-up names each get their own
counter, so they never touch the real accounts. The address counter is
separate and much larger (docs/SECURITY.md: which address is trusted behind a
proxy). Counters fall back to zero `window` after the last failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from dashboard.db.models import LoginThrottle

MAX_KEY = 140
CAS_TRIES = 200  # enough for every thread of a burst to take its turn


@dataclass(frozen=True)
class Backoff:
    free: int  # failures allowed before any delay
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(minutes=15)
    window: timedelta = timedelta(minutes=15)

    def delay(self, failures: int) -> timedelta:
        if failures < self.free:
            return timedelta(0)
        return min(self.cap, self.base * 2 ** min(failures - self.free, 30))


def account_key(username: str) -> str:
    return f"account:{username}"[:MAX_KEY]


def address_key(ip: str) -> str:
    return f"address:{ip}"[:MAX_KEY]


def reserve(session: Session, key: str, rule: Backoff, now: datetime) -> datetime | None:
    """Count one attempt against `key`; None when it may go ahead, otherwise the
    time from which the next attempt will be allowed. Runs in the caller's
    transaction, which must commit before the password check."""
    _ensure_row(session, key, now)
    for _ in range(CAS_TRIES):
        row = session.execute(
            select(
                LoginThrottle.failures,
                LoginThrottle.last_failure_at,
                LoginThrottle.not_before,
                LoginThrottle.version,
            ).where(LoginThrottle.key == key)
        ).one()
        failures = 0 if now - row.last_failure_at >= rule.window else row.failures
        if failures and now < row.not_before:
            return row.not_before
        done = session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key, LoginThrottle.version == row.version)
            .values(
                failures=failures + 1,
                last_failure_at=now,
                not_before=now + rule.delay(failures + 1),
                version=row.version + 1,
            )
        )
        if done.rowcount == 1:
            return None
    return now + rule.base  # contention this long is itself an attack: refuse


def clear(session: Session, key: str) -> None:
    """A successful login: the account starts afresh."""
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(failures=0, version=LoginThrottle.version + 1)
    )


def refund(session: Session, key: str) -> None:
    """A successful login does not count against its address."""
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1, version=LoginThrottle.version + 1)
    )


def _ensure_row(session: Session, key: str, now: datetime) -> None:
    """Create the counter if missing; two first attempts racing both succeed."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=0, last_failure_at=now, not_before=now, version=0)
        .on_conflict_do_nothing()
    )
