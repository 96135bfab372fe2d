"""`csat metrics`: resolve codes to ids, call the metric services, return
JSON. Scripts and tests get exactly the numbers the pages show."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import Branch, Department, Wave
from dashboard.domain import CHANNELS, REPRESENTATIVE_CHANNEL
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.services import metrics as svc
from dashboard.services.gaps import gaps_report
from dashboard.services.managers import manager_report


def _ids(session: Session, model, codes, what: str) -> tuple[int, ...] | None:
    if not codes:
        return None
    found = reference.ids_by_code(session, model, codes)
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
    resamples=500,
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
        result = svc.acsi(session, scope, filters, min_n, resamples)
    elif metric == "managers":
        result = manager_report(session, scope, filters, min_n)
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
