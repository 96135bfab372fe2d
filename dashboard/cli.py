"""Command line: `csat init-db | demo | import | serve | metrics ...`.

Every command builds its own Runtime from the environment (DATABASE_URL ...)
so the CLI and the dashboard always read the same database.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from sqlalchemy import func, select

from dashboard.config import ConfigError, Settings
from dashboard.ingest.errors import ValidationFailed
from dashboard.runtime import Runtime


def _runtime(migrate: bool = True) -> Runtime:
    try:
        return Runtime.start(Settings.from_env(), migrate=migrate)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def main() -> None:
    """Customer-satisfaction analytics: database, demo data, imports, dashboard."""


@main.command("init-db")
def init_db() -> None:
    """Create or migrate the database schema to the latest version."""
    rt = _runtime()
    click.echo(f"database ready: {rt.engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.option("--responses", default=20_000, show_default=True, help="Survey responses to generate.")
@click.option("--seed", default=42, show_default=True, help="Random seed; the same seed gives the same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has data.")
def demo(responses: int, seed: int, if_empty: bool) -> None:
    """Fill an empty database with realistic demo data (docs/DEMO-DATA.md)."""
    from dashboard.db.models import Response
    from dashboard.ingest.demo import generate_demo
    from dashboard.ingest.demo.generate import DemoError

    rt = _runtime()
    if if_empty:
        with rt.read_session() as s:
            existing = s.execute(select(func.count()).select_from(Response)).scalar_one()
        if existing:
            click.echo(f"database already holds {existing:,} responses; demo data not generated")
            return
    started = time.perf_counter()

    def progress(message: str) -> None:
        click.echo(f"[{time.perf_counter() - started:6.1f}s] {message}")

    try:
        generate_demo(rt.engine, responses=responses, seed=seed, progress=progress)
    except DemoError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command("import")
@click.argument("kind")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@click.option("--sheet", default=None, help="Excel sheet name (default: the first sheet).")
def import_(kind: str, path: Path, dry_run: bool, sheet: str | None) -> None:
    """Import a file. KIND: template, units, staff, waves, customers, responses,
    service_requests. A file with any error imports nothing."""
    from dashboard.ingest.importers import KINDS, import_file

    if kind not in KINDS:
        raise click.BadParameter(f"unknown kind {kind!r}; choose from {', '.join(sorted(KINDS))}")
    rt = _runtime()
    options = {"sheet": sheet} if sheet else {}
    try:
        with rt.write_session() as session:
            report = import_file(session, kind, path, dry_run=dry_run, **options)
            if dry_run:
                session.rollback()
    except ValidationFailed as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    click.echo(report.summary())


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True)
@click.option("--workers", default=2, show_default=True)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the dashboard with gunicorn (the production server)."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "app:server",
        "--chdir",
        str(root),
        "-w",
        str(workers),
        "-b",
        f"{host}:{port}",
        "--timeout",
        "120",
    ]
    click.echo(f"dashboard on http://{host}:{port}/")
    raise SystemExit(subprocess.call(cmd))


if __name__ == "__main__":
    main()
