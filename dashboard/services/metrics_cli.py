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
from dashboard.services import changes
from dashboard.services import metrics as svc
from dashboard.services.gaps import gaps_report
from dashboard.services.managers import manager_report
from dashboard.services.rankings import ranking_report, unit_verdicts


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


# options that only some metrics take: given to another, they are refused
# rather than silently ignored
OPTION_METRICS = {"by": ("csi",), "element": ("ranking",), "unit": ("ranking", "movers")}
CSI_SCALE = (
    "csi, csi_low, csi_high, se: index points 0-100, each row from its answers' scale "
    "(scale_min-scale_max); n: answers, respondents: people (the minimum counts them)"
)
MOVERS_SCALE = (
    "previous, current: index points 0-100; change, ci_low, ci_high: index points; "
    "from answers on {lo:g}-{hi:g}"
)
LOYALTY_SCALE = (
    "level: overall-satisfaction answer; rate, rate_low, rate_high: percent of the level's respondents "
    "who would recommend (9-10 on 0-10); mean_recommend: raw 0-10 points"
)
DRIVERS_SCALE = (
    "lmg, lmg_share, relative weights: shares of R-squared; beta: standardised coefficient; "
    "performance: element CSI in index points 0-100"
)


def _check_options(metric: str, given: dict) -> None:
    for option, value in given.items():
        if value is not None and metric not in OPTION_METRICS[option]:
            takes = " and ".join(OPTION_METRICS[option])
            raise ValueError(f"--{option} applies to {takes} only, not to {metric}")


def _table(rows: pd.DataFrame, scale: str, **extra) -> dict:
    return {"scale": scale, **extra, "rows": rows}


def _scaled(template: str, table: pd.DataFrame) -> str:
    if table.empty or "scale_min" not in table:
        return "index points 0-100 (no rows)"
    return template.format(lo=float(table["scale_min"].iloc[0]), hi=float(table["scale_max"].iloc[0]))


def compute_metric(
    session: Session,
    metric: str,
    *,
    min_n: int,
    waves=(),
    branches=(),
    departments=(),
    segments=(),
    channels=(),
    by=None,
    unit=None,
    element=None,
    resamples=500,
    scope: Scope | None = None,
) -> str:
    """The metric as JSON. `min_n` (the settings' CSAT_MIN_N) applies to
    every number; every output states its scale and, for differences, its
    direction."""
    scope = scope or Scope.everything()
    _check_options(metric, {"by": by, "element": element, "unit": unit})
    unit = unit or "branch"
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
        result = svc.headline(session, scope, filters, min_n=min_n)
    elif metric == "csi":
        grouping = tuple(b.strip() for b in (by or "element").split(","))
        result = _table(svc.csi_by(session, scope, filters, grouping, min_n=min_n), CSI_SCALE, min_n=min_n)
    elif metric == "index":
        result = svc.weighted_csi(session, scope, filters, min_n=min_n)
    elif metric == "acsi":
        result = svc.acsi(session, scope, filters, min_n, resamples)
    elif metric == "managers":
        result = manager_report(session, scope, filters, min_n)
    elif metric == "servqual":
        result = svc.servqual(session, scope, filters, min_n=min_n)
    elif metric == "ranking":
        result = {
            **ranking_report(unit_verdicts(session, scope, filters, unit, element, min_n)),
            "min_n": min_n,
        }
    elif metric == "drivers":
        table = svc.drivers(session, scope, filters, min_n=min_n)
        result = {
            "scale": DRIVERS_SCALE,
            "r_squared": table.attrs.get("r_squared"),
            "n": table.attrs.get("n"),
            "status": "estimated" if len(table) else "too few responses",
            "drivers": table,
        }
    elif metric == "loyalty":
        result = _table(svc.loyalty(session, scope, filters, min_n=min_n), LOYALTY_SCALE, min_n=min_n)
    elif metric == "gaps":
        result = gaps_report(session, scope, filters, min_n=min_n)
    elif metric == "change" and len(branches) == 2 and (not wave_ids or len(wave_ids) != 2):
        branch_ids = filters.branch_ids
        result = changes.unit_comparison(
            session,
            scope,
            replace(filters, branch_ids=None),
            branch_ids[0],
            branch_ids[1],
            "branch",
            min_n=min_n,
        )
    elif metric in ("change", "movers"):
        if not wave_ids or len(wave_ids) != 2:
            raise ValueError(f"{metric} needs exactly two --wave codes (or, for change, two --branch codes)")
        if metric == "change":
            result = changes.wave_change(session, scope, filters, wave_ids[0], wave_ids[1], min_n=min_n)
        else:
            both = replace(filters, wave_ids=None)
            table = changes.biggest_movers(session, scope, both, wave_ids[0], wave_ids[1], unit, min_n=min_n)
            direction = f"{waves[1]} minus {waves[0]}"
            result = _table(table, _scaled(MOVERS_SCALE, table), direction=direction, min_n=min_n)
    else:
        raise ValueError(f"unknown metric {metric!r}")
    return json.dumps(_jsonable(result), indent=2)
