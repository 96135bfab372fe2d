"""`csat backup FILE` and `csat restore FILE` (dashboard/db/backup.py)."""

from __future__ import annotations

from pathlib import Path

import click

from dashboard.cli_common import start_runtime
from dashboard.db.backup import BackupError, backup, restore

FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("backup")
@click.argument("path", type=FILE)
def backup_command(path: Path) -> None:
    """Write a consistent copy of the whole database to a new FILE (SQLite:
    online backup, the app may keep running; PostgreSQL: pg_dump)."""
    runtime = start_runtime()
    try:
        backup(runtime.engine, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written to {path} ({path.stat().st_size:,} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database's whole content with the backup in FILE, then
    bring its schema up to date."""
    runtime = start_runtime(migrate=False)
    where = runtime.engine.url.render_as_string(hide_password=True)
    if not yes:
        click.confirm(f"Replace everything in {where} with {path}?", abort=True)
    try:
        restore(runtime.engine, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    start_runtime()  # a backup from an older version is migrated forward
    click.echo(f"{where} restored from {path}")
