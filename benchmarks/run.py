"""Data-volume benchmark: load time and main dashboard query times from
rollups versus the naive way (raw answers into pandas), per backend and size.

usage: python benchmarks/run.py [--sizes 10000,100000,1000000] [--backends sqlite,postgresql]
                                [--repeat 5] [--markdown docs/BENCHMARKS.md]
Prints a table; PostgreSQL runs in a throwaway database on TEST_POSTGRES_URL.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.auth.scope import Scope  # noqa: E402
from dashboard.db.engine import make_engine  # noqa: E402
from dashboard.db.migrate import upgrade  # noqa: E402
from dashboard.ingest.demo import generate_demo  # noqa: E402
from dashboard.queries.filters import Filters  # noqa: E402
from dashboard.queries.rollups import item_moments  # noqa: E402
from tests.support.databases import create_postgres_database, drop_postgres_database  # noqa: E402

NAIVE_SQL = text(
    "SELECT r.wave_id, r.branch_id, r.segment, q.element, q.construct, a.perception, a.expectation "
    "FROM answer a JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
    "WHERE r.channel = 'survey'"
)


def _latest_wave(session: Session) -> int:
    return int(session.execute(text("SELECT MAX(wave_id) FROM rollup_item")).scalar_one())


def rollup_queries(session: Session) -> dict:
    scope, latest = Scope.everything(), _latest_wave(session)
    return {
        "trend (waves x construct)": lambda: item_moments(
            session, scope, Filters(), by=("wave_id", "construct")
        ),
        "RATER profile, latest wave": lambda: item_moments(
            session, scope, Filters(wave_ids=(latest,)), by=("element",)
        ),
        "branch x element ranking": lambda: item_moments(
            session, scope, Filters(wave_ids=(latest,)), by=("branch_id", "element")
        ),
        "segment x element split": lambda: item_moments(
            session, scope, Filters(wave_ids=(latest,)), by=("segment", "element")
        ),
    }


def naive_query(session: Session) -> float:
    t0 = time.perf_counter()
    df = pd.read_sql(NAIVE_SQL, session.connection())
    df.groupby(["wave_id", "construct"])["perception"].agg(["count", "sum"])
    df.groupby(["branch_id", "element"])["perception"].agg(["count", "sum"])
    return time.perf_counter() - t0


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def run(backend: str, size: int, repeat: int, workdir: Path) -> list[dict]:
    if backend == "sqlite":
        url, cleanup = f"sqlite:///{workdir}/bench_{size}.db", None
    else:
        url = create_postgres_database("csat_bench")
        cleanup = url
    engine = make_engine(url)
    upgrade(engine)
    t0 = time.perf_counter()
    result = generate_demo(engine, responses=size, seed=1)
    load = time.perf_counter() - t0
    rows = []
    try:
        with Session(engine) as session:
            for name, fn in rollup_queries(session).items():
                fn()  # warm caches
                rows.append(
                    dict(
                        backend=backend,
                        responses=size,
                        answers=result.answers,
                        load_s=load,
                        query=name,
                        rollup_ms=timed(fn, repeat) * 1000,
                    )
                )
            naive = naive_query(session) if size <= 1_000_000 else float("nan")
            for row in rows:
                row["naive_ms"] = naive * 1000
            with engine.connect() as conn:
                rows[0]["rollup_rows"] = conn.execute(text("SELECT COUNT(*) FROM rollup_item")).scalar_one()
    finally:
        if cleanup:
            drop_postgres_database(cleanup, engine)
        else:
            engine.dispose()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--markdown", default=None, help="also write the table to this file")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            for size in map(int, args.sizes.split(",")):
                print(f"... {backend} {size:,} responses", file=sys.stderr, flush=True)
                rows.extend(run(backend, size, args.repeat, Path(tmp)))
    df = pd.DataFrame(rows)
    table = df.pivot_table(
        index=["backend", "responses", "load_s", "naive_ms"], columns="query", values="rollup_ms"
    ).reset_index()
    table["load_s"] = table["load_s"].round(1)
    table["naive_ms"] = table["naive_ms"].round(0)
    text_table = table.round(1).to_markdown(index=False) if _has_tabulate() else table.round(1).to_string()
    print(text_table)
    if args.markdown:
        Path(args.markdown).write_text(
            "# Benchmarks\n\nMedian of repeated runs, milliseconds unless noted; load_s = demo generation "
            "(bulk insert + rollup build) in seconds; naive_ms = reading the survey answers into pandas "
            "and grouping them, the way the rollups avoid.\n\n" + text_table + "\n"
        )


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401

        return True
    except ImportError:
        return False


if __name__ == "__main__":
    main()
