"""The gaps page's use case: the five SERVQUAL gaps per RATER element with
their n, intervals and sources (services/gaps.py), the importance rankings
behind gap 1, the driver quadrants and what input is missing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.domain import ELEMENTS
from dashboard.queries.filters import Filters
from dashboard.services.gaps import gaps_report
from dashboard.services.metrics import drivers

# The page's columns: (gap, measure) of the summary, in order.
CELLS = {
    "gap1": (1, "belief − expectation"),
    "gap2": (2, "target − belief"),
    "gap3": (3, "survey index − target"),
    "gap3_audit": (3, "audit score − target"),
    "gap4": (4, "promises kept"),
    "gap5": (5, "perception − expectation"),
}


@dataclass
class GapsView:
    table: pd.DataFrame  # one row per element: each gap's value, and what they compare
    summary: pd.DataFrame  # the long summary: value, ci_low, ci_high, n, unit, method, source, status
    missing: dict[int, list[str]]  # gap -> what to import, in words
    gap1: pd.DataFrame  # customers' vs management's importance points and ranks
    drivers: pd.DataFrame  # derived importance, performance, quadrant (empty: too few)
    weighted_servqual: float | str
    sla: dict | None  # service requests: n, share within SLA
    min_n: int


def gaps_view(session: Session, scope: Scope, filters: Filters, min_n: int) -> GapsView:
    report = gaps_report(session, scope, filters, min_n)
    summary = report["summary"]
    table = pd.DataFrame(index=pd.Index(list(ELEMENTS), name="element"))
    table["name"] = table.index.map(ELEMENTS)
    for column, (gap, measure) in CELLS.items():
        cells = summary[(summary["gap"] == gap) & (summary["measure"] == measure)].set_index("element")
        table[column] = cells["value"].reindex(table.index)
    importance = report["gap1_importance"].set_index("element")
    table["customer_rank"] = importance["customer_importance_rank"].reindex(table.index)
    table["management_rank"] = importance["management_importance_rank"].reindex(table.index)
    table["target"] = pd.Series(report["gap3_targets"], dtype=float).reindex(table.index)
    table["delivered"] = pd.Series(report["gap3_delivered_index"], dtype=float).reindex(table.index)
    requests = report["gap3_service_requests"]
    sla = None
    if requests["n"] > 0:
        sla = {
            "n": requests["n"],
            "within_pct": 100 * requests["within_sla"] / requests["n"],
            "from": requests["from"],
            "to": requests["to"],
        }
    weighted = report["gap5_servqual"]["weighted"]
    return GapsView(
        table.reset_index(),
        summary,
        report["missing"],
        report["gap1_importance"],
        drivers(session, scope, filters, min_n=min_n),
        float(weighted) if isinstance(weighted, (int, float, np.floating)) else weighted,
        sla,
        min_n,
    )
