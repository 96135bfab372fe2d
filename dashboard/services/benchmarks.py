"""Industry benchmarks beside the organisation's own index (overview):
each imported benchmark with the organisation's index for the same period
(the survey waves that lie within it), its 95% interval and n, or why
there is none."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.indices import csi_table
from dashboard.auth.scope import Scope
from dashboard.domain import ELEMENTS
from dashboard.queries import reference
from dashboard.queries.benchmarks import external_benchmarks
from dashboard.queries.filters import Filters
from dashboard.queries.gap_respondents import customer_element_moments
from dashboard.queries.rollups import item_moments
from dashboard.services.metrics import csi_by

COLUMNS = ["source", "period", "year", "element", "what", "index", "note", "waves", "own_index", "own_low",
           "own_high", "n", "difference", "status"]  # fmt: skip


def period_bounds(period: str) -> tuple[date, date]:
    """2026 -> the year; 2026-H1 / 2026-H2 -> a half; 2026-Q1..Q4 -> a quarter."""
    year, _, part = period.partition("-")
    y = int(year)
    if not part:
        return date(y, 1, 1), date(y, 12, 31)
    first = {"H1": 1, "H2": 7, "Q1": 1, "Q2": 4, "Q3": 7, "Q4": 10}[part]
    months = 6 if part.startswith("H") else 3
    last_month = first + months - 1
    end = date(y + 1, 1, 1) if last_month == 12 else date(y, last_month + 1, 1)
    return date(y, first, 1), date.fromordinal(end.toordinal() - 1)


def _own(session: Session, scope: Scope, wave_ids: tuple[int, ...], element: str, min_n: int) -> dict:
    """The organisation's index (survey channel) over `wave_ids`: overall
    satisfaction, or a RATER element; n counts respondents."""
    filters = Filters(wave_ids=wave_ids)
    if element == "overall":
        moments = item_moments(session, scope, filters, by=("construct", "scale_min", "scale_max"))
        overall = moments[moments["construct"] == "overall"]
        if overall.empty or len(overall) > 1:
            return {"n": 0, "status": "no overall satisfaction ratings in these waves"}
        r = csi_table(overall, "scale_min", "scale_max", min_n=min_n).iloc[0]
        n = int(r["n_p"])
    else:
        table = csi_by(session, scope, filters, ("element",), min_n=min_n).set_index("element")
        people = customer_element_moments(session, scope, filters).set_index("element")
        if element not in table.index or element not in people.index:
            return {"n": 0, "status": "no ratings of this element in these waves"}
        r, n = table.loc[element], int(people.loc[element, "n_p"])
    if n < min_n:
        return {"n": n, "status": f"too few respondents (n = {n} < {min_n})"}
    return {
        "own_index": r["csi"],
        "own_low": r["csi_low"],
        "own_high": r["csi_high"],
        "n": n,
        "status": "shown",
    }


def benchmark_comparison(session: Session, scope: Scope, min_n: int) -> pd.DataFrame:
    """One row per imported benchmark, newest first: source, period, what it
    measures, its index (0-100) and the organisation's index for the waves
    inside that period, with the difference (own minus benchmark)."""
    bench = external_benchmarks(session)
    if bench.empty:
        return pd.DataFrame(columns=COLUMNS)
    waves = reference.waves(session)
    rows = []
    for b in bench.itertuples():
        start, end = period_bounds(b.period)
        inside = waves[(waves["period_start"] >= start) & (waves["period_end"] <= end)]
        what = "overall index" if b.element == "overall" else ELEMENTS.get(b.element, b.element)
        row = {"source": b.source, "period": b.period, "year": b.year, "element": b.element, "what": what,
               "index": float(b.index), "note": b.note, "waves": ", ".join(inside["code"])}  # fmt: skip
        if inside.empty:
            row.update(n=0, status="no survey wave within this period")
        else:
            row.update(_own(session, scope, tuple(int(w) for w in inside["wave_id"]), b.element, min_n))
        own = row.get("own_index", math.nan)
        row["difference"] = own - row["index"] if own == own else math.nan
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=COLUMNS)
