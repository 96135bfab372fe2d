"""The five SERVQUAL gaps side by side (DOMAIN 3), each per RATER element
with its n, 95% interval and source: the computation behind the gaps page
and `csat metrics gaps`. Intervals: docs/ANALYTICS.md "Gap intervals"."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.gap_intervals import t_half_width, welch_half_width
from dashboard.analytics.indices import to_index, to_index_points
from dashboard.analytics.moments import Moments
from dashboard.auth.scope import Scope
from dashboard.domain import ELEMENTS
from dashboard.queries import gap_respondents as respondents
from dashboard.queries import gaps as gap_queries
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.rollups import item_moments
from dashboard.services import gap_inputs as inputs
from dashboard.services.gap_delivery import audits_rows, promise_rows, survey_delivery_rows
from dashboard.services.gap_inputs import (
    MISSING,
    SHOWN,
    STUDENT,
    SUMMARY_COLUMNS,
    TOO_FEW,
    WELCH,
    around,
    row,
)
from dashboard.services.metrics import servqual


def request_period(session: Session, filters: Filters, today: date) -> tuple[date | None, date]:
    """Requests and audits follow the chosen waves: from the first one's
    start to the last one's end; without a wave filter, everything up to
    today (start None)."""
    if not filters.wave_ids:
        return None, today
    waves = reference.waves(session)
    chosen = waves[waves["wave_id"].isin(filters.wave_ids)]
    if chosen.empty:
        return today, today
    return chosen["period_start"].min(), chosen["period_end"].max()


def _single_scale(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per element; an element whose items use several scales in the
    selection is dropped (its answers cannot be averaged)."""
    return frame[~frame.duplicated("element", keep=False)].set_index("element")


def _moments(frame: pd.DataFrame, element: str, measure: str) -> Moments:
    if element not in frame.index:
        return Moments(0, 0, 0)
    r = frame.loc[element]
    return Moments(r[f"n_{measure}"], r[f"total_{measure}"], r[f"total_sq_{measure}"])


def gaps_report(session: Session, scope: Scope, filters: Filters, min_n: int) -> dict:
    """The five gaps per element (long table `summary`) with the detail
    behind each, the inputs that are missing (`missing`, by gap) and the
    period requests, audits and standards are taken from."""
    start, end = request_period(session, filters, date.today())
    imported = gap_queries.imported_rows(session)
    items = _single_scale(item_moments(session, scope, filters, by=("element", "scale_min", "scale_max")))
    customers = _single_scale(respondents.customer_element_moments(session, scope, filters))
    managers = _single_scale(respondents.manager_element_moments(session, scope, filters))
    surveyed = inputs.survey_dates(*respondents.management_survey_period(session, scope, filters))
    standards = gap_queries.company_standards(session, end).set_index("element")
    responses = inputs.wave_label(session, filters)
    ctx = {"imported": imported, "min_n": min_n, "responses": responses, "surveyed": surveyed}
    rows, missing = [], {}
    for e in ELEMENTS:
        rows += _knowledge_rows(e, items, customers, managers, standards, ctx, missing)
    survey_rows, delivered = survey_delivery_rows(items, customers, standards, ctx, missing)
    rows += survey_rows
    audits = gap_queries.audit_scores(session, scope, filters, start, end).set_index("element")
    rows += audits_rows(audits, standards, ctx, inputs.period_text(start, end), missing)
    totals, promises = gap_queries.request_performance(
        session,
        scope,
        start or date(1900, 1, 1),
        end,
        filters.branch_ids,
        filters.department_ids,
        filters.segments,
    )
    rows += promise_rows(promises, ctx, inputs.period_text(start, end), missing)
    quality = servqual(session, scope, filters, min_n=min_n)
    rows += _customer_rows(quality["elements"].set_index("element"), customers, ctx, missing)
    summary = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    summary = summary.sort_values(["gap", "element"], key=_rater_order)
    return {
        "min_n": min_n,
        "period": {"from": start, "to": end},
        "summary": summary.reset_index(drop=True),
        "missing": {gap: list(dict.fromkeys(said)) for gap, said in sorted(missing.items()) if said},
        "gap1_importance": _importance(session, scope, filters),
        "gap3_delivered_index": delivered,
        "gap3_targets": standards["target_index"].astype(float).to_dict(),
        "gap3_service_requests": {**totals, "from": start, "to": end},
        "gap4_promises": promises,
        "gap5_servqual": quality,
    }


def _rater_order(column: pd.Series) -> pd.Series:
    return column.map({e: i for i, e in enumerate(ELEMENTS)}) if column.name == "element" else column


def _knowledge_rows(e, items, customers, managers, standards, ctx, missing) -> list[dict]:
    """Gap 1 (management's belief minus customers' expectation, scale points)
    and gap 2 (the standard minus management's belief, index points)."""
    cust, mgr = _moments(customers, e, "e"), _moments(managers, e, "belief")
    n_of = f"{int(cust.n)} customers, {int(mgr.n)} managers"
    lacking = [k for k, have in (("management_survey", mgr.n > 0), ("expectations", cust.n > 0)) if not have]
    out = []
    scale = None
    missing.setdefault(1, []).extend(inputs.needs(1, lacking, ctx["imported"], e))
    if not lacking:
        lo, hi = (float(v) for v in customers.loc[e, ["scale_min", "scale_max"]])
        scale = f"points on the {lo:g}-{hi:g} scale"
        if (lo, hi) != tuple(float(v) for v in managers.loc[e, ["scale_min", "scale_max"]]):
            # beliefs asked on another scale than the customers' items cannot be compared
            lacking = ["scale"]
            on = f"the customers' {lo:g}-{hi:g} scale"
            missing[1].append(f"gap 1 needs management's beliefs about {ELEMENTS[e]} on {on}")
    status = MISSING if lacking else (TOO_FEW if min(cust.n, mgr.n) < ctx["min_n"] else SHOWN)
    source = f"management survey ({ctx['surveyed']}) vs {ctx['responses']}"
    gap1 = half1 = math.nan
    if not lacking:
        belief = managers.loc[e, "answer_total"] / managers.loc[e, "answers"]
        expected = items.loc[e, "sum_e"] / items.loc[e, "n_e"]
        gap1, (half1, _df) = belief - expected, welch_half_width(mgr, cust)
    out.append(
        row(
            1,
            e,
            "belief − expectation",
            gap1,
            around(gap1, half1),
            min(cust.n, mgr.n),
            n_of,
            scale or "scale points",
            WELCH,
            source,
            status,
        )
    )
    have2 = (("standards", e in standards.index), ("management_survey", mgr.n > 0))
    need2 = [k for k, have in have2 if not have]
    if need2:
        missing.setdefault(2, []).extend(inputs.needs(2, need2, ctx["imported"], e))
    status2 = MISSING if need2 else (TOO_FEW if mgr.n < ctx["min_n"] else SHOWN)
    gap2 = half2 = math.nan
    if status2 == SHOWN:
        belief = managers.loc[e, "answer_total"] / managers.loc[e, "answers"]
        m_lo, m_hi = (float(v) for v in managers.loc[e, ["scale_min", "scale_max"]])
        gap2 = float(standards.loc[e, "target_index"]) - float(to_index(belief, m_lo, m_hi))
        half2 = float(to_index_points(t_half_width(mgr), m_lo, m_hi))
    source2 = (
        "service standards (company-wide, in force on the period's last day) vs "
        f"management survey ({ctx['surveyed']})"
    )
    out.append(
        row(
            2,
            e,
            "target − belief",
            gap2,
            around(gap2, half2),
            mgr.n,
            f"{int(mgr.n)} managers",
            "index points (0-100)",
            f"{STUDENT} (managers; the target is fixed)",
            source2,
            status2,
        )
    )
    return out


def _customer_rows(elements, customers, ctx, missing) -> list[dict]:
    """Gap 5: perception minus expectation (scale points), the mean of the
    element's item gaps; interval from the respondents' element gaps."""
    out = []
    for e in ELEMENTS:
        units = _moments(customers, e, "gap")
        measured = e in elements.index and elements.loc[e, "status"] == "measured" and units.n > 0
        if not measured:
            missing.setdefault(5, []).extend(inputs.needs(5, ["expectations"], ctx["imported"], e))
        status = MISSING if not measured else (TOO_FEW if units.n < ctx["min_n"] else SHOWN)
        lo, hi = customers.loc[e, ["scale_min", "scale_max"]] if e in customers.index else (None, None)
        unit = f"points on the {float(lo):g}-{float(hi):g} scale" if lo is not None else "scale points"
        value = float(elements.loc[e, "gap"]) if measured else math.nan
        out.append(
            row(
                5,
                e,
                "perception − expectation",
                value,
                around(value, t_half_width(units)),
                units.n,
                f"{int(units.n)} customers",
                unit,
                f"{STUDENT} (respondents)",
                ctx["responses"],
                status,
            )
        )
    return out


def _importance(session: Session, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Customers' stated importance points per element against what
    management believes they are, with both rankings (gap 1)."""
    mgmt = gap_queries.management_importance(session, scope)
    cust = gap_queries.customer_importance(session, scope, filters)
    out = pd.DataFrame(
        {
            "customer_importance": cust.set_index("element").eval("total / n"),
            "customer_n": cust.set_index("element")["n"],
            "management_importance": mgmt.set_index("element").eval("total / n"),
            "management_n": mgmt.set_index("element")["n"],
        },
        index=pd.Index(list(ELEMENTS), name="element"),
    )
    for side in ("customer", "management"):
        out[f"{side}_importance_rank"] = out[f"{side}_importance"].rank(ascending=False, method="min")
    return out.reset_index()
