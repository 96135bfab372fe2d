"""`csat metrics`: resolve codes to ids, call the metric services, return
JSON. Scripts and tests get exactly the numbers the pages show."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import Branch, Department, Wave
from dashboard.domain import CHANNELS, REPRESENTATIVE_CHANNEL
from dashboard.queries import gaps as gap_queries
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.rollups import item_moments
from dashboard.services import metrics as svc


def _ids(session: Session, model, codes, what: str) -> tuple[int, ...] | None:
    if not codes:
        return None
    found = dict(session.execute(select(model.code, model.id).where(model.code.in_(codes))).all())
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValueError(f"unknown {what}: {', '.join(missing)}")
    return tuple(found[c] for c in codes)


def _jsonable(value):
    if isinstance(value, pd.DataFrame):
        return [_jsonable(r) for r in value.to_dict("records")]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


def compute_metric(
    session: Session,
    metric: str,
    *,
    waves=(),
    branches=(),
    departments=(),
    segments=(),
    channels=(),
    by="element",
    unit="branch",
    element=None,
    min_n=10,
    scope: Scope | None = None,
) -> str:
    scope = scope or Scope.everything()
    bad_channels = [c for c in channels if c not in CHANNELS]
    if bad_channels:
        raise ValueError(f"unknown channel: {', '.join(bad_channels)}")
    wave_ids = _ids(session, Wave, waves, "wave")
    filters = Filters(
        wave_ids=wave_ids,
        branch_ids=_ids(session, Branch, branches, "branch"),
        department_ids=_ids(session, Department, departments, "department"),
        segments=tuple(segments) or None,
        channels=tuple(channels) or (REPRESENTATIVE_CHANNEL,),
    )
    if metric == "headline":
        result = svc.headline(session, scope, filters, min_n)
    elif metric == "csi":
        result = svc.csi_by(session, scope, filters, tuple(b.strip() for b in by.split(",")), min_n)
    elif metric == "index":
        result = svc.weighted_csi(session, scope, filters)
    elif metric == "acsi":
        result = svc.acsi(session, scope, filters)
    elif metric == "servqual":
        result = svc.servqual(session, scope, filters)
    elif metric == "ranking":
        result = svc.unit_ranking(session, scope, filters, unit, element, min_n)
    elif metric == "drivers":
        table = svc.drivers(session, scope, filters)
        result = {"r_squared": table.attrs.get("r_squared"), "n": table.attrs.get("n"), "drivers": table}
    elif metric == "loyalty":
        result = svc.loyalty(session, scope, filters, min_n)
    elif metric == "gaps":
        result = gaps_report(session, scope, filters)
    elif metric == "change" and len(branches) == 2 and (not wave_ids or len(wave_ids) != 2):
        branch_ids = filters.branch_ids
        result = svc.unit_comparison(
            session, scope, replace(filters, branch_ids=None), branch_ids[0], branch_ids[1], "branch"
        )
    elif metric in ("change", "movers"):
        if not wave_ids or len(wave_ids) != 2:
            raise ValueError(f"{metric} needs exactly two --wave codes (or, for change, two --branch codes)")
        both = replace(filters, wave_ids=None)
        result = (
            svc.wave_change(session, scope, filters, wave_ids[0], wave_ids[1])
            if metric == "change"
            else svc.biggest_movers(session, scope, both, wave_ids[0], wave_ids[1], unit, min_n)
        )
    else:
        raise ValueError(f"unknown metric {metric!r}")
    return json.dumps(_jsonable(result), indent=2)


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


def gaps_report(session: Session, scope: Scope, filters: Filters) -> dict:
    """The five gaps side by side (DOMAIN 3)."""
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
    standards = gap_queries.standards(session, today)
    company = standards[standards["branch_id"].isna() & standards["department_id"].isna()]
    perf = svc.csi_by(session, scope, filters, ("element",)).set_index("element")["csi"]
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
        "gap5_customer": svc.servqual(session, scope, filters),
    }
