"""The gaps page's use case: the five SERVQUAL gaps per RATER element in one
table, the importance rankings behind gap 1 and the driver quadrants."""

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


@dataclass
class GapsView:
    table: pd.DataFrame  # one row per element: gap1..gap5 and what they compare
    gap1: pd.DataFrame  # customers' vs management's expectations and importance
    drivers: pd.DataFrame  # derived importance, performance, quadrant (empty: too few)
    weighted_servqual: float | str
    sla: dict | None  # service requests: n, share within SLA


def gaps_view(session: Session, scope: Scope, filters: Filters, *, min_n: int) -> GapsView:
    report = gaps_report(session, scope, filters, min_n=min_n)
    gap1 = report["gap1_knowledge"].set_index("element")
    delivery = report["gap3_delivery"]["standards_vs_csi"].set_index("element")
    commitments = report["gap4_communication"]
    fulfilment = (
        commitments.assign(rate=100 * commitments["met"] / commitments["n"].where(commitments["n"] > 0))
        .groupby("element")["rate"]
        .mean()
    )
    servqual = report["gap5_customer"]
    gap5 = servqual["elements"].set_index("element")
    table = pd.DataFrame(index=pd.Index(list(ELEMENTS), name="element"))
    table["name"] = table.index.map(ELEMENTS)
    table["gap1"] = gap1["expectation_gap"].reindex(table.index)
    table["customer_rank"] = gap1["customer_importance_rank"].reindex(table.index)
    table["management_rank"] = gap1["management_importance_rank"].reindex(table.index)
    table["target"] = delivery["target_index"].reindex(table.index)
    table["delivered"] = delivery["delivered_csi"].reindex(table.index)
    table["gap3"] = table["delivered"] - table["target"]
    table["gap4"] = fulfilment.reindex(table.index)
    measured = gap5["status"] == "measured"
    table["gap5"] = gap5["gap"].where(measured).reindex(table.index)
    requests = report["gap3_delivery"]["service_requests"]
    sla = None
    if requests["n"] > 0:
        sla = {
            "n": requests["n"],
            "within_pct": 100 * requests["within_sla"] / requests["n"],
            "from": requests["from"],
            "to": requests["to"],
        }
    weighted = servqual["weighted"]
    return GapsView(
        table.reset_index(),
        report["gap1_knowledge"],
        drivers(session, scope, filters, min_n=min_n),
        float(weighted) if isinstance(weighted, (int, float, np.floating)) else weighted,
        sla,
    )
