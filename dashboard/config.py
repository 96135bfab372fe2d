"""Typed settings read from the environment.

One place decides every tunable, so tests and deployments override the same
names. Production refuses to start with the development secret.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "data" / "csat.db"
DEV_SECRET = "dev-only-secret-change-me"


class ConfigError(RuntimeError):
    """Raised when settings are unsafe or inconsistent."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def _env_flag(name: str) -> bool | None:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return None
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be 1/0 (true/false), not {raw!r}")


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build with `Settings.from_env()`."""

    database_url: str = field(default_factory=lambda: f"sqlite:///{DEFAULT_SQLITE_PATH}")
    secret_key: str = DEV_SECRET
    environment: str = "development"  # development | test | production
    min_n: int = 10  # below this many respondents a group's metrics are suppressed (every output)
    min_n_comments: int = 20  # comments need a higher threshold for anonymity
    # an aggregate over units outside the viewer's scope needs this many units (and min_n
    # respondents beyond its largest unit) in every wave: docs/SECURITY.md
    min_pool_units: int = 3
    bootstrap_resamples: int = 500  # respondent resamples behind the PLS (ACSI-method) intervals
    sql_echo: bool = False
    session_hours: int = 8  # absolute lifetime of a login, however busy
    session_idle_minutes: int = 60  # a login unused this long ends
    login_attempts: int = 5  # failed logins per account before backoff (30 s, doubling, at most 15 min)
    login_address_attempts: int = 100  # failed logins per client address before the same backoff
    secure_cookies: bool | None = None  # None: secure in production only (cookies need HTTPS)
    redis_url: str | None = None  # sessions in Redis (several app servers) instead of the database
    trusted_proxies: int = 0  # reverse proxies in front that set X-Forwarded-For/-Proto (ProxyFix)
    max_request_bytes: int = 2 * 1024 * 1024  # larger request bodies are refused with 413

    @classmethod
    def from_env(cls) -> Settings:
        settings = cls(
            database_url=os.environ.get("DATABASE_URL") or cls().database_url,
            secret_key=os.environ.get("SECRET_KEY") or DEV_SECRET,
            environment=os.environ.get("CSAT_ENV", "development"),
            min_n=_env_int("CSAT_MIN_N", 10),
            min_n_comments=_env_int("CSAT_MIN_N_COMMENTS", 20),
            min_pool_units=_env_int("CSAT_MIN_POOL_UNITS", 3),
            bootstrap_resamples=_env_int("CSAT_BOOTSTRAP_RESAMPLES", 500),
            sql_echo=os.environ.get("CSAT_SQL_ECHO", "") == "1",
            session_hours=_env_int("CSAT_SESSION_HOURS", 8),
            session_idle_minutes=_env_int("CSAT_SESSION_IDLE_MINUTES", 60),
            login_attempts=_env_int("CSAT_LOGIN_ATTEMPTS", 5),
            login_address_attempts=_env_int("CSAT_LOGIN_ADDRESS_ATTEMPTS", 100),
            secure_cookies=_env_flag("CSAT_SECURE_COOKIES"),
            redis_url=os.environ.get("REDIS_URL") or None,
            trusted_proxies=_env_int("CSAT_TRUSTED_PROXIES", 0),
            max_request_bytes=_env_int("CSAT_MAX_REQUEST_BYTES", 2 * 1024 * 1024),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.environment not in {"development", "test", "production"}:
            raise ConfigError(f"CSAT_ENV must be development, test or production, not {self.environment!r}")
        if self.environment == "production" and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise ConfigError("SECRET_KEY must be set to a random value of 32+ characters in production")
        if self.min_n < 1 or self.min_n_comments < 1:
            raise ConfigError("minimum group sizes must be at least 1")
        if self.min_pool_units < 2:
            raise ConfigError("CSAT_MIN_POOL_UNITS must be at least 2 (one unit's figure is that unit's)")
        if self.bootstrap_resamples < 100:
            raise ConfigError("CSAT_BOOTSTRAP_RESAMPLES must be at least 100 for 95% percentile intervals")
        if (
            min(
                self.session_hours,
                self.session_idle_minutes,
                self.login_attempts,
                self.login_address_attempts,
            )
            < 1
        ):
            raise ConfigError(
                "CSAT_SESSION_HOURS, CSAT_SESSION_IDLE_MINUTES, CSAT_LOGIN_ATTEMPTS and "
                "CSAT_LOGIN_ADDRESS_ATTEMPTS must be at least 1"
            )
        if self.trusted_proxies < 0 or self.max_request_bytes < 64 * 1024:
            raise ConfigError("CSAT_TRUSTED_PROXIES must be >= 0 and CSAT_MAX_REQUEST_BYTES >= 65536")

    @property
    def cookies_secure(self) -> bool:
        return self.environment == "production" if self.secure_cookies is None else self.secure_cookies

    def with_overrides(self, **changes: object) -> Settings:
        updated = replace(self, **changes)  # type: ignore[arg-type]
        updated.validate()
        return updated

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
