"""Helpers for the file-import tests: throwaway databases on SQLite and
PostgreSQL, loading the samples, table counts, editing sample files, and an
independent pandas aggregate of a responses file to check the rollups.

PostgreSQL tests create `import_test_<hex>` through an AUTOCOMMIT engine on
the `test` database and drop it afterwards; they skip when the server does
not answer, except with CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from dashboard.db.engine import make_engine
from dashboard.db.migrate import upgrade
from dashboard.ingest.importers import import_file
from dashboard.ingest.report import ImportReport
from dashboard.ingest.template_loader import BUILTIN_DIR

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
SERVQUAL22 = BUILTIN_DIR / "servqual22.yaml"
ORDER = ("units", "staff", "template", "waves", "customers", "responses", "service_requests")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


def sample_path(kind: str, responses: str = "responses.csv") -> Path:
    """The sample file for an import kind (the built-in template for 'template')."""
    if kind == "template":
        return SERVQUAL22
    return SAMPLES / (responses if kind == "responses" else f"{kind}.csv")


# --- databases ---------------------------------------------------------------
def _postgres_admin() -> Engine:
    """AUTOCOMMIT engine on the `test` database, or skip (fail under CI=true)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means "no server"
        admin.dispose()
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: PostgreSQL tests must run)")
        pytest.skip(message)
    return admin


@contextmanager
def throwaway_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, migrated database: a SQLite file in tmp_path, or a new
    PostgreSQL database dropped on exit."""
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path}/import.db")
        upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()
        return
    admin = _postgres_admin()
    name = f"import_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- importing ---------------------------------------------------------------
def run_import(engine: Engine, kind: str, path: Path, **options: object) -> ImportReport:
    """Import one file in its own session and commit, as the CLI does."""
    with Session(engine) as session:
        report = import_file(session, kind, path, **options)
        session.commit()
    return report


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


# --- independent rollup check --------------------------------------------------
ITEM_KEYS = ["wave_id", "branch_id", "department_id", "channel", "segment", "question_id"]
MEASURES = ["n_p", "sum_p", "sumsq_p", "n_e", "sum_e", "sumsq_e", "n_gap", "sum_gap", "sumsq_gap"]
MEASURES += ["top1", "top2", "low"]


def _ids(conn, table: str, key: str = "code") -> dict[str, int]:
    return dict(conn.execute(text(f"SELECT {key}, id FROM {table}")).all())


def _segment(row: dict[str, str], segments: dict[str, str]) -> str | None:
    """The file's segment, else the customer's."""
    return row.get("segment") or segments.get(row.get("customer_ref", ""))


def file_answers(conn, path: Path) -> pd.DataFrame:
    """Answers of a wide responses CSV in long form, keyed by database ids,
    with reverse coding applied in pandas (reversed = lo + hi - x)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    waves = _ids(conn, "wave")
    template_of = dict(conn.execute(text("SELECT id, template_id FROM wave")).all())
    questions = pd.read_sql(
        text(
            "SELECT id AS question_id, template_id, code, scale_min AS lo, scale_max AS hi, reverse_coded "
            "FROM question WHERE qtype IN ('scale', 'nps')"
        ),
        conn,
    )
    segments = dict(conn.execute(text("SELECT external_ref, segment FROM customer")).all())
    branches, departments = _ids(conn, "branch"), _ids(conn, "department")
    base = pd.DataFrame(
        {
            "row": raw.index,
            "wave_id": raw["wave"].map(waves),
            "branch_id": raw["branch_code"].map(branches),
            "department_id": raw["department_code"].map(departments),
            "channel": raw.get("channel", pd.Series("", index=raw.index)).replace("", "survey"),
            "segment": [_segment(row, segments) for row in raw.to_dict("records")],
        }
    )
    base["template_id"] = base["wave_id"].map(template_of)
    cells = []
    for col in raw.columns:
        code, part = (col[:-2], col[-1]) if col[-2:] in ("_E", "_P") else (col, "P")
        values = pd.to_numeric(raw[col].replace("", np.nan), errors="coerce")
        cells.append(pd.DataFrame({"row": raw.index, "code": code, "part": part, "value": values}))
    long = pd.concat(cells).dropna(subset=["value"])
    wide = long.pivot_table(index=["row", "code"], columns="part", values="value", aggfunc="first")
    wide = wide.reindex(columns=["E", "P"]).reset_index()
    df = wide.merge(base, on="row").merge(questions, on=["template_id", "code"])  # drops non-questions
    rev = df["reverse_coded"].astype(bool)
    for part, out in (("P", "p"), ("E", "e")):
        df[out] = np.where(rev, df["lo"] + df["hi"] - df[part], df[part])
    df["g"] = df["p"] - df["e"]
    return df


def pandas_item_rollup(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """rollup_item(_segment) measures computed from long-form answers."""
    df = df.assign(
        p2=df.p**2,
        e2=df.e**2,
        g2=df.g**2,
        top1=(df.p == df.hi).astype(int),
        top2=(df.p >= df.hi - 1).astype(int),
        low=(df.p <= df.lo + 0.6 * (df.hi - df.lo)).astype(int),
    )
    out = df.groupby(keys).agg(
        n_p=("p", "count"),
        sum_p=("p", "sum"),
        sumsq_p=("p2", "sum"),
        n_e=("e", "count"),
        sum_e=("e", "sum"),
        sumsq_e=("e2", "sum"),
        n_gap=("g", "count"),
        sum_gap=("g", "sum"),
        sumsq_gap=("g2", "sum"),
        top1=("top1", "sum"),
        top2=("top2", "sum"),
        low=("low", "sum"),
    )
    return _normalise(out.reset_index(), keys)


def pandas_importance_rollup(conn, path: Path) -> pd.DataFrame:
    """rollup_importance computed from the IMP_* columns of a responses CSV."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    base = file_answers(conn, path)[["row", "wave_id", "branch_id", "department_id", "channel", "segment"]]
    base = base.drop_duplicates("row")
    imp = raw[[c for c in raw.columns if c.startswith("IMP_")]].replace("", np.nan).astype(float)
    imp = imp.dropna(how="all").stack().rename("points").reset_index()
    imp.columns = ["row", "column", "points"]
    imp["element"] = imp["column"].str[-1]
    df = imp.merge(base, on="row").assign(sq=lambda d: d.points**2)
    keys = ["wave_id", "branch_id", "department_id", "channel", "segment", "element"]
    out = df.groupby(keys).agg(
        n=("points", "count"), sum_points=("points", "sum"), sumsq_points=("sq", "sum")
    )
    return _normalise(out.reset_index(), keys)


def rollup_from_db(conn, table: str, keys: list[str], measures: list[str]) -> pd.DataFrame:
    """A rollup table's rows, sorted by key, in the pandas aggregate's shape."""
    df = pd.read_sql(text(f"SELECT {', '.join(keys + measures)} FROM {table}"), conn)
    return _normalise(df, keys)


def _normalise(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    for k in keys:
        df[k] = df[k].astype(str) if k in ("channel", "segment", "element") else df[k].astype("int64")
    measures = [c for c in df.columns if c not in keys]
    df[measures] = df[measures].astype(float)
    return df.sort_values(keys).reset_index(drop=True)
