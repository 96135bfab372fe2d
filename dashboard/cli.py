"""Command line: `csat init-db | demo | import | serve | metrics | users | churn | backup | restore`.

Every command builds its own Runtime from the environment (DATABASE_URL ...)
so the CLI and the dashboard always read the same database.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import click
from sqlalchemy import func, select

from dashboard.cli_backup import backup_command, restore_command
from dashboard.cli_churn import churn
from dashboard.cli_common import start_runtime
from dashboard.cli_users import users
from dashboard.db.models import Response
from dashboard.ingest.errors import ValidationFailed

# Commands import the ingest and service layers (pandas, numpy, scikit-learn)
# inside their bodies, so `csat --help` and `csat init-db` start without them.


@click.group()
def main() -> None:
    """Customer-satisfaction analytics: database, demo data, imports, dashboard."""


@main.command("init-db")
def init_db() -> None:
    """Create or migrate the database schema to the latest version."""
    rt = start_runtime()
    click.echo(f"database ready: {rt.engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.option("--responses", default=20_000, show_default=True, help="Survey responses to generate.")
@click.option("--seed", default=42, show_default=True, help="Random seed; the same seed gives the same data.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has data.")
def demo(responses: int, seed: int, if_empty: bool) -> None:
    """Fill an empty database with realistic demo data (docs/DEMO-DATA.md)."""
    from dashboard.ingest.demo import generate_demo
    from dashboard.ingest.demo.generate import DemoError
    from dashboard.ingest.demo.users import DEMO_PASSWORD, DEMO_USERNAMES

    rt = start_runtime()
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
    from dashboard.services import churn as churn_service

    with rt.write_session() as session:  # churn scores for the demo's customers
        model = churn_service.train(session)
    click.echo(f"churn: {'model version ' + str(model.id) if model else 'rule-based scores'}")
    click.echo(f"demo logins (password {DEMO_PASSWORD!r}): {', '.join(DEMO_USERNAMES)}")


@main.command("import")
@click.argument("kind")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Check and run the import's writes, then roll them back: nothing is kept."
)
@click.option("--sheet", default=None, help="Excel sheet name (default: the first sheet).")
def import_(kind: str, path: Path, dry_run: bool, sheet: str | None) -> None:
    """Import a file. KIND: template, units, staff, waves, customers, responses,
    service_requests, management_survey, standards, audits, promises,
    churn_events, benchmarks (docs/DATA-FORMATS.md). A file with any error
    imports nothing."""
    from dashboard.ingest.importers import KINDS, run_import
    from dashboard.runtime import DatabaseBusy

    if kind not in KINDS:
        raise click.BadParameter(f"unknown kind {kind!r}; choose from {', '.join(sorted(KINDS))}")
    rt = start_runtime()
    options = {"sheet": sheet} if sheet else {}
    try:
        report = run_import(rt.sessions, kind, path, dry_run=dry_run, **options)
    except ValidationFailed as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except DatabaseBusy as exc:
        raise click.ClickException(
            f"the database is busy with another write ({exc}); nothing was imported"
        ) from exc
    click.echo(report.summary())


METRICS = (
    "headline",
    "csi",
    "index",
    "acsi",
    "managers",
    "servqual",
    "ranking",
    "drivers",
    "loyalty",
    "gaps",
    "change",
    "movers",
)


@main.command()
@click.argument("metric", type=click.Choice(METRICS))
@click.option("--wave", "waves", multiple=True, help="Wave code (repeatable); default all waves.")
@click.option("--branch", "branches", multiple=True, help="Branch code (repeatable).")
@click.option("--department", "departments", multiple=True, help="Department code (repeatable).")
@click.option("--segment", "segments", multiple=True, help="Customer segment (repeatable).")
@click.option("--channel", "channels", multiple=True, help="Feedback channel (repeatable); default survey.")
@click.option(
    "--by",
    default=None,
    help="csi only: comma-separated grouping, e.g. element (the default) or branch_id,element.",
)
@click.option(
    "--unit",
    type=click.Choice(["branch", "department"]),
    default=None,
    help="ranking and movers only: rank branches (the default) or departments.",
)
@click.option(
    "--element",
    type=click.Choice(["R", "A", "T", "E", "S"]),
    default=None,
    help="ranking: rank on this RATER element (default: overall satisfaction).",
)
def metrics(metric, waves, branches, departments, segments, channels, by, unit, element) -> None:
    """Print a metric as JSON, computed by the same code as the dashboard.
    `change`: two --wave codes (or two --branch codes to compare units);
    `movers`: two --wave codes. CSAT_MIN_N (respondents) applies to every
    number; an option a metric cannot honour is an error."""
    from dashboard.services.metrics_cli import compute_metric

    rt = start_runtime()
    with rt.read_session() as session:
        try:
            result = compute_metric(
                session,
                metric,
                waves=waves,
                branches=branches,
                departments=departments,
                segments=segments,
                channels=channels,
                by=by,
                unit=unit,
                element=element,
                min_n=rt.settings.min_n,
                resamples=rt.settings.bootstrap_resamples,
            )
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(result)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8050, show_default=True)
@click.option("--workers", default=2, show_default=True)
def serve(host: str, port: int, workers: int) -> None:
    """Serve the dashboard with gunicorn (the production server)."""
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


main.add_command(users)
main.add_command(churn)
main.add_command(backup_command)
main.add_command(restore_command)

if __name__ == "__main__":
    main()
