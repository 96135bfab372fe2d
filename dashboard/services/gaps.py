"""The five SERVQUAL gaps side by side (DOMAIN 3): the computation behind
the gaps page and `csat metrics gaps`."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.queries import gaps as gap_queries
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.rollups import item_moments
from dashboard.services.metrics import csi_by, servqual


def _request_period(session: Session, filters: Filters, today: date) -> tuple[date | None, date]:
    """Service requests follow the chosen waves: from the first one's start to
    the last one's end; without a wave filter, everything up to today (None)."""
    if not filters.wave_ids:
        return None, today
    waves = reference.waves(session)
    chosen = waves[waves["wave_id"].isin(filters.wave_ids)]
    if chosen.empty:
        return today, today
    return chosen["period_start"].min(), chosen["period_end"].max()


def gaps_report(session: Session, scope: Scope, filters: Filters, *, min_n: int) -> dict:
    """The five gaps side by side (DOMAIN 3); customer numbers below `min_n`
    respondents are suppressed by the metric services."""
    today = date.today()
    mgmt_e = gap_queries.management_expectations(session, scope)
    mgmt_e = mgmt_e.assign(mean=mgmt_e.total / mgmt_e.n).groupby("element")["mean"].mean()
    cust = item_moments(session, scope, filters, by=("element",))
    cust = cust[cust["element"].notna()].set_index("element")
    cust_e = (cust["sum_e"] / cust["n_e"]).where(cust["n_e"] > 0)
    mgmt_i = gap_queries.management_importance(session, scope)
    cust_i = gap_queries.customer_importance(session, scope, filters)
    gap1 = pd.DataFrame(
        {
            "customer_expectation": cust_e,
            "management_belief": mgmt_e,
            "customer_importance": cust_i.set_index("element").eval("total / n"),
            "management_importance": mgmt_i.set_index("element").eval("total / n"),
        }
    ).reset_index(names="element")
    gap1["expectation_gap"] = gap1["management_belief"] - gap1["customer_expectation"]
    for side in ("customer", "management"):
        gap1[f"{side}_importance_rank"] = gap1[f"{side}_importance"].rank(ascending=False, method="min")
    company = gap_queries.company_standards(session, today)
    perf = csi_by(session, scope, filters, ("element",), min_n=min_n).set_index("element")["csi"]
    gap2_3 = company[["element", "target_index", "sla_hours"]].assign(
        delivered_csi=lambda d: d["element"].map(perf)
    )
    start, end = _request_period(session, filters, today)
    requests, promises = gap_queries.request_performance(
        session,
        scope,
        start or date(1900, 1, 1),
        end,
        filters.branch_ids,
        filters.department_ids,
        filters.segments,
    )
    return {
        "gap1_knowledge": gap1,
        "gap2_standards": gap2_3[["element", "target_index"]].merge(
            gap1[["element", "management_importance_rank", "customer_importance_rank"]], on="element"
        ),
        "gap3_delivery": {
            "standards_vs_csi": gap2_3.assign(shortfall=lambda d: d.target_index - d.delivered_csi),
            "service_requests": {**requests, "from": start, "to": end},
        },
        "gap4_communication": promises,
        "gap5_customer": servqual(session, scope, filters, min_n=min_n),
    }
