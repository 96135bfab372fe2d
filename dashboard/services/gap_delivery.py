"""Gaps 3 and 4 of the summary (services/gaps.py): delivery against the
standards, from the survey and from the audits, and the share of published
promises kept, from the service requests."""

from __future__ import annotations

import math

import pandas as pd

from dashboard.analytics.gap_intervals import t_half_width
from dashboard.analytics.indices import to_index, to_index_points
from dashboard.analytics.moments import Moments
from dashboard.analytics.topbox import wilson_interval
from dashboard.domain import ELEMENTS
from dashboard.services import gap_inputs as inputs

INDEX_POINTS = "index points (0-100)"


def survey_delivery_rows(items, customers, standards, ctx, missing) -> tuple[list[dict], dict[str, float]]:
    """Gap 3 from the survey: the delivered element index minus the
    standard's target, in index points; interval from the respondents'
    element means (Student t), the target being fixed. Also returns the
    delivered index per element shown (enough respondents), with or
    without a standard."""
    out, shown = [], {}
    for e in ELEMENTS:
        units = Moments(
            *(customers.loc[e, ["n_p", "total_p", "total_sq_p"]] if e in customers.index else (0, 0, 0))
        )
        have = [("standards", e in standards.index), ("perceptions", e in items.index and units.n > 0)]
        lacking = [k for k, ok in have if not ok]
        if lacking:
            missing.setdefault(3, []).extend(inputs.needs(3, lacking, ctx["imported"], e))
        status = inputs.MISSING if lacking else (inputs.TOO_FEW if units.n < ctx["min_n"] else inputs.SHOWN)
        value, interval = math.nan, (math.nan, math.nan)
        if e in items.index and units.n >= ctx["min_n"]:
            lo, hi = (float(v) for v in items.loc[e, ["scale_min", "scale_max"]])
            shown[e] = float(to_index(items.loc[e, "sum_p"] / items.loc[e, "n_p"], lo, hi))
        if not lacking:
            lo, hi = (float(v) for v in items.loc[e, ["scale_min", "scale_max"]])
            delivered = float(to_index(items.loc[e, "sum_p"] / items.loc[e, "n_p"], lo, hi))
            value = delivered - float(standards.loc[e, "target_index"])
            interval = inputs.around(value, float(to_index_points(t_half_width(units), lo, hi)))
        out.append(
            inputs.row(
                3,
                e,
                "survey index − target",
                value,
                interval,
                units.n,
                f"{int(units.n)} customers",
                INDEX_POINTS,
                f"{inputs.STUDENT} (respondents)",
                f"{ctx['responses']} vs service standards",
                status,
            )
        )
    return out, shown


def audits_rows(audits: pd.DataFrame, standards, ctx, period: str, missing) -> list[dict]:
    """Gap 3 from the audits: the mean audit score (0-100) minus the target,
    interval over the audits (Student t). Audits are the organisation's own
    measurements, not respondents, so no minimum n applies."""
    out = []
    for e in ELEMENTS:
        have = [("standards", e in standards.index), ("audits", e in audits.index)]
        lacking = [k for k, ok in have if not ok]
        if lacking:
            missing.setdefault(3, []).extend(inputs.needs(3, lacking, ctx["imported"], e))
        units = Moments(*(audits.loc[e, ["n", "total", "total_sq"]] if e in audits.index else (0, 0, 0)))
        value, interval = math.nan, (math.nan, math.nan)
        if not lacking:
            value = units.mean - float(standards.loc[e, "target_index"])
            interval = inputs.around(value, t_half_width(units))
        kinds = f" ({audits.loc[e, 'kinds']})" if e in audits.index else ""
        out.append(
            inputs.row(
                3,
                e,
                "audit score − target",
                value,
                interval,
                units.n,
                f"{int(units.n)} audits",
                INDEX_POINTS,
                f"{inputs.STUDENT} (audits)",
                f"audits{kinds}, {period}, vs service standards",
                inputs.MISSING if lacking else inputs.SHOWN,
            )
        )
    return out


def promise_rows(promises: pd.DataFrame, ctx, period: str, missing) -> list[dict]:
    """Gap 4: the share of service requests that met the element's
    published promises (pooled over its promises), with a Wilson interval;
    requests are the organisation's records, so no minimum n applies."""
    if promises.empty:
        missing.setdefault(4, []).extend(inputs.needs(4, ["promises"], ctx["imported"]))
    out = []
    for e, group in promises.groupby("element", sort=True):
        n, met = int(group["n"].sum()), int(group["met"].sum())
        if n == 0:
            missing.setdefault(4, []).extend(inputs.needs(4, ["service_requests"], ctx["imported"]))
        low, high = wilson_interval(met, n)
        value = 100 * met / n if n else math.nan
        codes = ", ".join(group["code"])
        out.append(
            inputs.row(
                4,
                e,
                "promises kept",
                value,
                (100 * low, 100 * high),
                n,
                f"{n} requests",
                "% of requests",
                "Wilson",
                f"service requests, {period}, against promises {codes}",
                inputs.SHOWN if n else inputs.MISSING,
            )
        )
    return out
