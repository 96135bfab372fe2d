"""What every `csat` command group shares: the Runtime built from the environment."""

from __future__ import annotations

import click

from dashboard.config import ConfigError, Settings
from dashboard.runtime import Runtime


def start_runtime(migrate: bool = True) -> Runtime:
    """The Runtime of DATABASE_URL ..., so the CLI and the dashboard read the
    same database; a configuration error becomes a CLI error."""
    try:
        return Runtime.start(Settings.from_env(), migrate=migrate)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
