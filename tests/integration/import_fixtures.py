"""Helpers for the file-import tests: loading the samples, table counts and
editing sample files. Databases come from tests/support/databases.py, the
rollup oracle from tests/support/rollup_check.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import sessionmaker

from dashboard.ingest import importers
from dashboard.ingest.errors import ValidationFailed
from dashboard.ingest.report import ImportReport
from dashboard.ingest.template_loader import BUILTIN_DIR

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
SERVQUAL22 = BUILTIN_DIR / "servqual22.yaml"
ORDER = ("units", "staff", "template", "waves", "customers", "responses", "service_requests")


def sample_path(kind: str, responses: str = "responses.csv") -> Path:
    """The sample file for an import kind (the built-in template for 'template')."""
    if kind == "template":
        return SERVQUAL22
    return SAMPLES / (responses if kind == "responses" else f"{kind}.csv")


# --- importing ---------------------------------------------------------------
def run_import(engine: Engine, kind: str, path: Path, **options: object) -> ImportReport:
    """Import one file as the CLI does (checked, then applied and committed;
    rolled back with dry_run=True)."""
    return importers.run_import(sessionmaker(engine), kind, path, **options)


def load_samples(engine: Engine, upto: str | None = None, responses: str = "responses.csv") -> None:
    """Import the samples in dependency order, stopping before `upto`."""
    for kind in ORDER:
        if kind == upto:
            return
        run_import(engine, kind, sample_path(kind, responses))


def table_counts(engine: Engine) -> dict[str, int]:
    """Row count of every table (the migration bookkeeping excluded)."""
    with engine.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
            for t in sorted(inspect(conn).get_table_names())
            if t != "alembic_version"
        }


def read_sample(name: str) -> pd.DataFrame:
    """A sample CSV as text cells."""
    return pd.read_csv(SAMPLES / name, dtype=str, keep_default_na=False)


def edited_copy(name: str, tmp_path: Path, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Path:
    """Write `change(sample)` to tmp_path and return its path."""
    path = tmp_path / f"edited-{name}"
    change(read_sample(name)).to_csv(path, index=False)
    return path


def set_cell(index: int, column: str, value: str) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """An edit that sets one cell (index 0 is spreadsheet row 2)."""

    def change(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[index, column] = value
        return df

    return change


def assert_refused(engine: Engine, kind: str, path: Path, fragments: list[str]) -> str:
    """Importing `path` fails naming every fragment, and no table changes."""
    before = table_counts(engine)
    with pytest.raises(ValidationFailed) as err:
        run_import(engine, kind, path)
    message = str(err.value)
    for fragment in fragments:
        assert fragment in message, message
    assert "nothing was imported" in message
    assert table_counts(engine) == before
    return message
