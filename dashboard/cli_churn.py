"""`csat churn train | score | export`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from dashboard.auth.scope import Scope
from dashboard.auth.users import audit
from dashboard.cli_common import start_runtime

# The churn service (pandas, scikit-learn) is imported inside each command so
# that `csat --help` does not load it.


@click.group()
def churn() -> None:
    """Customer churn risk: train a model version, rescore customers, export scores."""


@churn.command("train")
@click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Observation date (default today)."
)
def train_(today) -> None:
    """Fit a new model version on customers with known outcomes and rescore
    everyone; falls back to the rule-based score without enough outcomes."""
    from dashboard.services import churn as service

    as_of = today.date() if today else date.today()
    with start_runtime().write_session() as session:
        model = service.train(session, as_of)
        scored = service.score_count(session)
        if model is None:
            click.echo(f"too few churn outcomes for a model: {scored:,} customers scored by the rules")
            return
        m = model.metrics
        click.echo(
            f"model version {model.id}: held-out AUC {m['auc']:.3f}, Brier {m['brier']:.4f}, "
            f"ECE {m['ece']:.4f} on {m['n']:,} customer-quarters ({m['events']:,} churned); "
            f"{scored:,} customers scored"
        )


@churn.command("score")
def score_() -> None:
    """Rescore every active customer with the latest model (or the rules)."""
    from dashboard.services import churn as service

    with start_runtime().write_session() as session:
        n = service.score_all(session, date.today(), service.latest_model(session))
    click.echo(f"{n:,} customers scored")


@churn.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def export(path: Path) -> None:
    """Write every scored customer to a CSV file, or an Excel workbook when
    PATH ends in .xlsx (audited; cells are made formula-inert)."""
    from dashboard.services import churn as service

    with start_runtime().write_session() as session:
        table = service.at_risk(session, Scope.everything())
        audit(
            session,
            "export",
            username="cli",
            target="churn_scores",
            detail={"rows": len(table), "file": path.name},
        )
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(service.export_xlsx(table))
    else:
        path.write_text(service.export_csv(table), encoding="utf-8")
    click.echo(f"{len(table):,} customers written to {path}")
