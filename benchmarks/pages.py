"""Page and callback latency: what a signed-in user waits for, per view.

Runs the real app in process (Flask test client, logged in through the form)
against an existing database and times the server side of each view: the
page-rendering callback Dash calls on navigation (layout with its queries)
and the drill-down's item callback. Prints p50/p95/max per view.

usage: DATABASE_URL=postgresql+psycopg://.../db python benchmarks/pages.py [--repeat 20] [--user executive]
       (fill the database first: csat demo --responses 1000000 && csat churn train)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dashboard.config import Settings  # noqa: E402
from dashboard.webapp import create_app  # noqa: E402
from tests.support.web_client import post_callback, signed_in_test_client  # noqa: E402

VIEWS = [
    ("/", ""),
    ("/rankings", "?unit=branch&element=S&wave=all"),
    ("/elements", ""),
    ("/elements", "?element=S"),
    ("/elements", "?element=S&item=S2&by=department"),
    ("/elements", "?element=S&by=branch&unit=B02"),
    ("/elements", "?element=S&by=branch&unit=B02&q=wait"),
    ("/gaps", ""),
    ("/unit", "?branch=B02&department=SRV"),
    ("/plans", "?status=all"),
    ("/plans/1", ""),
    ("/churn", ""),
]


def page_body(path: str, search: str) -> dict:
    return {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def rankings_body() -> dict:
    return {
        "output": "..rankings-body.children...rankings-url.search..",
        "outputs": [
            {"id": "rankings-body", "property": "children"},
            {"id": "rankings-url", "property": "search"},
        ],
        "inputs": [
            {"id": "rankings-unit", "property": "value", "value": "department"},
            {"id": "rankings-element", "property": "value", "value": "R"},
            {"id": "rankings-wave", "property": "value", "value": "all"},
        ],
        "changedPropIds": ["rankings-unit.value"],
        "state": [],
    }


def timings(client, body: dict, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat + 1):
        t0 = time.perf_counter()
        response = post_callback(client, body)
        samples.append((time.perf_counter() - t0) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{body['inputs']}: HTTP {response.status_code}")
    return samples[1:]  # the first call warms caches


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--user", default="executive")
    args = ap.parse_args()
    app = create_app(Settings.from_env())
    client = signed_in_test_client(app, args.user)
    rows = []
    cases = [(f"page {p}{s}", page_body(p, s)) for p, s in VIEWS] + [
        ("callback rankings update", rankings_body())
    ]
    for name, body in cases:
        print(f"... {name}", file=sys.stderr, flush=True)
        ms = timings(client, body, args.repeat)
        p50, p95 = np.percentile(ms, [50, 95])
        rows.append({"view": name, "p50_ms": p50, "p95_ms": p95, "max_ms": max(ms), "n": len(ms)})
    table = pd.DataFrame(rows).round(0)
    try:
        print(table.to_markdown(index=False))
    except ImportError:
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
