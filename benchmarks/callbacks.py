"""Page benchmark: server time of what each page runs for a typical view (its
layout function or main callback, with the services and figure building
behind it), repeated, as p50 / p95 in milliseconds.

usage: python benchmarks/callbacks.py --database-url URL [--repeat 50] [--markdown FILE]
       python benchmarks/callbacks.py --size 10000 [--backend sqlite|postgresql]
The first form times an existing demo database (e.g. the 1M one run.py built);
the second builds a throwaway demo database first. The viewer is an executive
(the whole organisation: the largest scope, so the slowest case).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

import flask
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.auth.roles import AuthUser  # noqa: E402
from dashboard.config import Settings  # noqa: E402
from dashboard.queries import reference  # noqa: E402
from dashboard.runtime import Runtime  # noqa: E402

EXECUTIVE = AuthUser(id=0, username="benchmark", display_name="Benchmark", role="executive")


def page(name: str):
    """A page module as Dash loaded it for the current app."""
    return importlib.import_module(f"dashboard.pages.{name}")


def views(latest_wave: str) -> dict:
    """Typical views, one or more per page, as zero-argument callables."""
    return {
        ("Overview", "/"): lambda: page("home").layout(),
        ("Rankings", "branches on S, latest wave"): lambda: page("rankings").update(
            "branch", "S", latest_wave
        ),
        ("Rankings", "departments, overall, all waves"): lambda: page("rankings").update(
            "department", "overall", "all"
        ),
        ("RATER drill-down", "elements"): lambda: page("drilldown").layout(),
        ("RATER drill-down", "element S: items + branches"): lambda: page("drilldown").layout(element="S"),
        ("RATER drill-down", "item S2 by segment"): lambda: page("drilldown").layout(
            element="S", item="S2", by="segment"
        ),
        ("RATER drill-down", "comments, B01, search"): lambda: page("drilldown").layout(
            element="S", by="branch", unit="B01", q="wait"
        ),
        ("Gaps", "/gaps"): lambda: page("gaps").layout(),
        ("Unit", "/unit?branch=B02"): lambda: page("unit").layout(branch="B02"),
        ("Unit", "/unit?department=LEN"): lambda: page("unit").layout(department="LEN"),
    }


def measure(url: str, repeat: int) -> pd.DataFrame:
    from dashboard.webapp import create_app

    runtime = Runtime.start(Settings(database_url=url, environment="test"))
    app = create_app(runtime=runtime)
    with runtime.read_session() as session:
        latest = str(reference.waves(session)["code"].iloc[-1])
    rows = []
    for (page_name, view), fn in views(latest).items():
        samples = []
        for i in range(repeat + 1):
            with app.server.test_request_context("/"):
                flask.g.csat_user = EXECUTIVE  # what the login guard resolves for a signed-in user
                t0 = time.perf_counter()
                fn()
                if i:  # the first run warms caches and is not counted
                    samples.append(1000 * (time.perf_counter() - t0))
        q = statistics.quantiles(samples, n=20, method="inclusive")
        rows.append(dict(page=page_name, view=view, p50_ms=statistics.median(samples), p95_ms=q[18]))
        print(f"... {page_name} / {view}: p95 {q[18]:.0f} ms", file=sys.stderr, flush=True)
    return pd.DataFrame(rows)


def _demo_database(size: int, backend: str, workdir: Path) -> tuple[str, object]:
    from dashboard.db.engine import make_engine
    from dashboard.db.migrate import upgrade
    from dashboard.ingest.demo import generate_demo

    if backend == "sqlite":
        url, cleanup = f"sqlite:///{workdir}/pages_{size}.db", None
    else:
        from tests.support.databases import create_postgres_database, drop_postgres_database

        url = create_postgres_database("csat_pagebench")
        cleanup = lambda engine: drop_postgres_database(url, engine)  # noqa: E731
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, responses=size, seed=1)
    return url, (lambda: cleanup(engine)) if cleanup else engine.dispose


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", help="an existing demo database to time")
    ap.add_argument("--size", type=int, default=10_000, help="responses in a throwaway demo database")
    ap.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--markdown", default=None, help="also write the table to this file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url:
            url, done, label = args.database_url, (lambda: None), args.database_url.split(":", 1)[0]
        else:
            print(f"... building a {args.backend} demo database of {args.size:,} responses", file=sys.stderr)
            url, done = _demo_database(args.size, args.backend, Path(tmp))
            label = f"{args.backend}, {args.size:,} responses"
        try:
            table = measure(url, args.repeat)
        finally:
            done()
    text = table.round(1).to_string(index=False)
    print(f"Page server time ({label}), {args.repeat} repetitions each, ms\n{text}")
    if args.markdown:
        Path(args.markdown).write_text(
            f"# Page benchmark\n\n{label}; {args.repeat} repetitions of each view; milliseconds of server "
            f"time for the page's layout or main callback (services, queries, figures).\n\n```\n{text}\n```\n"
        )


if __name__ == "__main__":
    main()
