"""Server-side login sessions: in the database, or in Redis when REDIS_URL is set.

The browser holds only a random token (256 bits); the store keeps its SHA-256,
so a copy of the store does not give working cookies. A session ends when it
is revoked (logout), when it has been idle longer than the idle timeout, when
it is older than the absolute lifetime however busy it is, or when the user's
session epoch moved on (deactivation, password change; checked by the caller
against the user row).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import OperationalError

from dashboard.db.models import LoginSession

TOKEN_BYTES = 32
# last_seen is written at most this often, so a busy page is not one write per request
TOUCH_EVERY = timedelta(seconds=60)
REDIS_PREFIX = "csat:session:"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionRecord:
    user_id: int
    epoch: int
    created_at: datetime
    last_seen_at: datetime
    data: dict


@dataclass
class Lifetimes:
    idle: timedelta
    absolute: timedelta

    def alive(self, record: SessionRecord, now: datetime) -> bool:
        return now - record.last_seen_at < self.idle and now - record.created_at < self.absolute


class SessionStore:
    """What both stores do; `clock` is replaceable so tests can move time."""

    def __init__(self, lifetimes: Lifetimes, clock: Callable[[], datetime] = utc_now) -> None:
        self.lifetimes = lifetimes
        self.clock = clock

    def create(self, user_id: int, epoch: int, data: dict) -> str:
        token = new_token()
        now = self.clock()
        self._put(token_hash(token), SessionRecord(user_id, epoch, now, now, dict(data)), new=True)
        return token

    def load(self, token: str) -> SessionRecord | None:
        """The live session of a token, or None (unknown, revoked or expired)."""
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            return None
        key = token_hash(token)
        record = self._get(key)
        now = self.clock()
        if record is None:
            return None
        if not self.lifetimes.alive(record, now):
            self._delete(key)
            return None
        if now - record.last_seen_at >= TOUCH_EVERY:
            record = SessionRecord(record.user_id, record.epoch, record.created_at, now, record.data)
            self._touch(key, record)
        return record

    def save_data(self, token: str, data: dict) -> None:
        key = token_hash(token)
        record = self._get(key)
        if record is not None:
            self._put(
                key,
                SessionRecord(
                    record.user_id, record.epoch, record.created_at, record.last_seen_at, dict(data)
                ),
            )

    def revoke(self, token: str) -> None:
        self._delete(token_hash(token))

    def expires_at(self, record: SessionRecord) -> datetime:
        return record.created_at + self.lifetimes.absolute

    # storage primitives
    def _get(self, key: str) -> SessionRecord | None:
        raise NotImplementedError

    def _put(self, key: str, record: SessionRecord, new: bool = False) -> None:
        raise NotImplementedError

    def _delete(self, key: str) -> None:
        raise NotImplementedError

    def _touch(self, key: str, record: SessionRecord) -> None:
        self._put(key, record)


class DatabaseSessionStore(SessionStore):
    """Sessions as `login_session` rows, each operation its own short transaction."""

    def __init__(self, engine: Engine, lifetimes: Lifetimes, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(lifetimes, clock)
        self.engine = engine

    def _get(self, key: str) -> SessionRecord | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(LoginSession).where(LoginSession.token_hash == key)).first()
        if row is None:
            return None
        return SessionRecord(row.user_id, row.epoch, row.created_at, row.last_seen_at, row.data or {})

    def _put(self, key: str, record: SessionRecord, new: bool = False) -> None:
        values = dict(
            user_id=record.user_id,
            epoch=record.epoch,
            created_at=record.created_at,
            last_seen_at=record.last_seen_at,
            data=record.data,
        )
        with self.engine.begin() as conn:
            if new:
                # expired rows are removed as new ones arrive, so the table stays small
                conn.execute(
                    delete(LoginSession).where(
                        (LoginSession.last_seen_at < record.created_at - self.lifetimes.idle)
                        | (LoginSession.created_at < record.created_at - self.lifetimes.absolute)
                    )
                )
                conn.execute(LoginSession.__table__.insert().values(token_hash=key, **values))
            else:
                conn.execute(update(LoginSession).where(LoginSession.token_hash == key).values(**values))

    def _delete(self, key: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(LoginSession).where(LoginSession.token_hash == key))

    def _touch(self, key: str, record: SessionRecord) -> None:
        """Best effort: while a long import holds SQLite's write lock, a page
        must not wait for, or fail on, the idle clock; the next touch catches up."""
        try:
            with self.engine.begin() as conn:
                sqlite = conn.dialect.name == "sqlite"
                if sqlite:
                    waited = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                    conn.exec_driver_sql("PRAGMA busy_timeout=500")
                try:
                    conn.execute(
                        update(LoginSession)
                        .where(LoginSession.token_hash == key)
                        .values(last_seen_at=record.last_seen_at)
                    )
                finally:
                    if sqlite:
                        conn.exec_driver_sql(f"PRAGMA busy_timeout={int(waited)}")
        except OperationalError:
            pass


class RedisSessionStore(SessionStore):
    """Sessions as Redis keys whose TTL is the sooner of the idle and absolute
    ends, so several app servers share them and Redis drops dead ones itself."""

    def __init__(self, client, lifetimes: Lifetimes, clock: Callable[[], datetime] = utc_now) -> None:
        super().__init__(lifetimes, clock)
        self.client = client

    def _get(self, key: str) -> SessionRecord | None:
        raw = self.client.get(REDIS_PREFIX + key)
        if raw is None:
            return None
        item = json.loads(raw)
        return SessionRecord(
            item["user_id"],
            item["epoch"],
            datetime.fromisoformat(item["created_at"]),
            datetime.fromisoformat(item["last_seen_at"]),
            item["data"],
        )

    def _put(self, key: str, record: SessionRecord, new: bool = False) -> None:
        ends = min(record.last_seen_at + self.lifetimes.idle, record.created_at + self.lifetimes.absolute)
        ttl = max(1, int((ends - self.clock()).total_seconds()))
        payload = json.dumps(
            {
                "user_id": record.user_id,
                "epoch": record.epoch,
                "created_at": record.created_at.isoformat(),
                "last_seen_at": record.last_seen_at.isoformat(),
                "data": record.data,
            }
        )
        # an update never resurrects a key revoked in the meantime (xx), a new key never overwrites (nx)
        self.client.set(REDIS_PREFIX + key, payload, ex=ttl, nx=new, xx=not new)

    def _delete(self, key: str) -> None:
        self.client.delete(REDIS_PREFIX + key)


def make_session_store(engine: Engine, redis_url: str | None, lifetimes: Lifetimes) -> SessionStore:
    if redis_url:
        return RedisSessionStore(redis.Redis.from_url(redis_url), lifetimes)
    return DatabaseSessionStore(engine, lifetimes)
