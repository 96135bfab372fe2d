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


def _own_indices(session: Session, scope: Scope, wave_ids: tuple[int, ...], min_n: int) -> tuple:
    """The organisation's survey-channel indices over `wave_ids`: overall
    satisfaction (one row, or None when absent or on several scales), the
    element CSIs, and the respondents who rated each element."""
    filters = Filters(wave_ids=wave_ids)
    moments = item_moments(session, scope, filters, by=("construct", "scale_min", "scale_max"))
    overall = moments[moments["construct"] == "overall"]
    headline = (
        csi_table(overall, "scale_min", "scale_max", min_n=min_n).iloc[0] if len(overall) == 1 else None
    )
    elements = csi_by(session, scope, filters, ("element",), min_n=min_n).set_index("element")
    people = customer_element_moments(session, scope, filters).set_index("element")
    # an element whose items use several scales in these waves has no one index
    return headline, *(f[~f.index.duplicated(keep=False)] for f in (elements, people))


def _own(indices: tuple, element: str, min_n: int) -> dict:
    """One benchmark's counterpart: overall or a RATER element; n counts respondents."""
    headline, elements, people = indices
    if element == "overall":
        if headline is None:
            return {"n": 0, "status": "no overall satisfaction ratings in these waves"}
        r, n = headline, int(headline["n_p"])
    else:
        if element not in elements.index or element not in people.index:
            return {"n": 0, "status": "no ratings of this element in these waves"}
        r, n = elements.loc[element], int(people.loc[element, "n_p"])
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
    rows, computed = [], {}  # periods often share waves: compute each wave set once
    for b in bench.itertuples():
        start, end = period_bounds(b.period)
        inside = waves[(waves["period_start"] >= start) & (waves["period_end"] <= end)]
        what = "overall index" if b.element == "overall" else ELEMENTS.get(b.element, b.element)
        row = {"source": b.source, "period": b.period, "year": b.year, "element": b.element, "what": what,
               "index": float(b.index), "note": b.note, "waves": ", ".join(inside["code"])}  # fmt: skip
        if inside.empty:
            row.update(n=0, status="no survey wave within this period")
        else:
            ids = tuple(int(w) for w in inside["wave_id"])
            if ids not in computed:
                computed[ids] = _own_indices(session, scope, ids, min_n)
            row.update(_own(computed[ids], b.element, min_n))
        own = row.get("own_index", math.nan)
        row["difference"] = own - row["index"] if own == own else math.nan
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=COLUMNS)
