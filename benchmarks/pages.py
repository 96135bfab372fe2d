"""Page and callback latency: what a signed-in user waits for, per view.

Runs the real app in process (Flask test client, logged in through the form,
CSRF header and all) and times the server side of each view: the
page-rendering callback Dash calls on navigation (layout with its queries,
analytics and figures; a control only rewrites the URL, so this is also what
a control change costs). Prints p50/p95/max per view in milliseconds.

usage: python benchmarks/pages.py --database-url URL [--repeat 20] [--user executive] [--markdown FILE]
       python benchmarks/pages.py --size 10000 [--backend sqlite|postgresql]
The first form times an existing demo database (fill it with
`csat demo --responses 1000000`, which also trains the churn model); the
second builds a throwaway demo database first. Without either, DATABASE_URL.
The default viewer is an executive: the whole organisation, the slowest case.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.config import Settings  # noqa: E402
from dashboard.webapp import create_app  # noqa: E402
from tests.support.web_client import post_callback, router_request, signed_in_test_client  # noqa: E402

VIEWS = [
    ("/", ""),
    ("/rankings", "?unit=branch&element=S&wave=all"),
    ("/rankings", "?unit=department&element=R&wave=all"),
    ("/elements", ""),
    ("/elements", "?element=S"),
    ("/elements", "?element=S&item=S2&by=department"),
    ("/elements", "?element=S&item=S2&by=segment"),
    ("/elements", "?element=S&by=branch&unit=B02"),
    ("/elements", "?element=S&by=branch&unit=B02&q=wait"),
    ("/gaps", ""),
    ("/unit", "?branch=B02&department=SRV"),
    ("/unit", "?department=LEN"),
    ("/plans", "?status=all"),
    ("/plans/1", ""),
    ("/churn", ""),
]


def timings(client, body: dict, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat + 1):
        t0 = time.perf_counter()
        response = post_callback(client, body)
        samples.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{body['inputs']}: HTTP {response.status_code}")
    return samples[1:]  # the first call warms caches


def demo_database(size: int, backend: str, workdir: Path) -> tuple[str, object]:
    """A throwaway demo database of `size` responses; returns (url, cleanup)."""
    from dashboard.db.engine import make_engine
    from dashboard.db.migrate import upgrade
    from dashboard.ingest.demo import generate_demo

    if backend == "sqlite":
        url = f"sqlite:///{workdir}/pages_{size}.db"
    else:
        from tests.support.databases import create_postgres_database

        url = create_postgres_database("csat_pagebench")
    engine = make_engine(url)
    upgrade(engine)
    generate_demo(engine, responses=size, seed=1)
    if backend == "sqlite":
        return url, engine.dispose

    def drop() -> None:
        from tests.support.databases import drop_postgres_database

        drop_postgres_database(url, engine)

    return url, drop


def measure(settings: Settings, user: str, repeat: int) -> pd.DataFrame:
    app = create_app(settings)
    client = signed_in_test_client(app, user)
    rows = []
    cases = [(f"page {p}{s}", router_request(p, s)) for p, s in VIEWS]
    for name, body in cases:
        print(f"... {name}", file=sys.stderr, flush=True)
        ms = timings(client, body, repeat)
        p50, p95 = np.percentile(ms, [50, 95])
        rows.append({"view": name, "p50_ms": p50, "p95_ms": p95, "max_ms": max(ms), "n": len(ms)})
    return pd.DataFrame(rows).round(0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", help="an existing demo database to time (default: DATABASE_URL)")
    ap.add_argument("--size", type=int, help="build a throwaway demo database of this many responses")
    ap.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--user", default="executive", help="a demo user: executive, head.lending, ...")
    ap.add_argument("--markdown", help="also write the table to this file")
    args = ap.parse_args()
    settings = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        done = lambda: None  # noqa: E731
        if args.size:
            print(f"... building a {args.backend} demo of {args.size:,} responses", file=sys.stderr)
            url, done = demo_database(args.size, args.backend, Path(tmp))
            settings = Settings(database_url=url, environment="test")
        elif args.database_url:
            settings = Settings(database_url=args.database_url, environment="test")
        try:
            table = measure(settings, args.user, args.repeat)
        finally:
            done()
    label = settings.database_url.split(":", 1)[0] + (f", {args.size:,} responses" if args.size else "")
    text = table.to_string(index=False)
    print(f"{label}; {args.repeat} repetitions per view after one warm-up; server ms as {args.user}\n{text}")
    if args.markdown:
        Path(args.markdown).write_text(
            f"# Page benchmark\n\n{label}; {args.repeat} repetitions per view after one warm-up;"
            f" milliseconds of server time as {args.user}.\n\n```\n{text}\n```\n"
        )


if __name__ == "__main__":
    main()
