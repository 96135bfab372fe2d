from __future__ import annotations

import pytest

from dashboard.config import DEV_SECRET, ConfigError, Settings


def test_production_refuses_the_default_secret(monkeypatch):
    monkeypatch.setenv("CSAT_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        Settings.from_env()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    assert Settings.from_env().environment == "production"


def test_development_defaults_to_embedded_sqlite(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CSAT_ENV", raising=False)
    s = Settings.from_env()
    assert s.is_sqlite and s.database_url.endswith("data/csat.db")
    assert s.secret_key == DEV_SECRET and s.min_n == 10


def test_bad_numbers_are_reported(monkeypatch):
    monkeypatch.setenv("CSAT_MIN_N", "ten")
    with pytest.raises(ConfigError, match="CSAT_MIN_N"):
        Settings.from_env()


def test_bootstrap_resamples_come_from_the_environment(monkeypatch):
    monkeypatch.delenv("CSAT_BOOTSTRAP_RESAMPLES", raising=False)
    assert Settings.from_env().bootstrap_resamples == 500
    monkeypatch.setenv("CSAT_BOOTSTRAP_RESAMPLES", "2000")
    assert Settings.from_env().bootstrap_resamples == 2000
    monkeypatch.setenv("CSAT_BOOTSTRAP_RESAMPLES", "50")  # too few for the 2.5% and 97.5% ends
    with pytest.raises(ConfigError, match="CSAT_BOOTSTRAP_RESAMPLES"):
        Settings.from_env()
