"""Aggregates behind SERVQUAL gaps 1-4: management beliefs, service
standards, delivery against standards, and promises against fulfilment."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Float, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import (
    AuditScore,
    Commitment,
    Customer,
    ManagementImportance,
    ManagementResponse,
    RollupImportance,
    RollupItem,
    ServiceRequest,
    ServiceStandard,
)
from dashboard.queries.filters import Filters, filter_clauses
from dashboard.queries.rollups import sums_by
from dashboard.queries.scope_sql import scope_clauses
from dashboard.queries.sqlfuncs import hours_between


def _frame(session: Session, stmt, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(session.execute(stmt).all(), columns=columns)


def management_importance(session: Session, scope: Scope) -> pd.DataFrame:
    mr, mi = ManagementResponse.__table__, ManagementImportance.__table__
    pts = cast(mi.c.points, Float)
    stmt = (
        select(mi.c.element, func.count(pts), func.sum(pts), func.sum(pts * pts))
        .select_from(mi.join(mr, mr.c.id == mi.c.management_response_id))
        .where(*scope_clauses(mr, scope))
        .group_by(mi.c.element)
    )
    return _frame(session, stmt, ["element", "n", "total", "total_sq"])


def customer_importance(session: Session, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Customers' stated importance (100-point allocations) per element, from rollups."""
    sums = sums_by(
        session, RollupImportance.__table__, "element", ["n", "sum_points", "sumsq_points"], scope, filters
    )
    return sums.rename(columns={"sum_points": "total", "sumsq_points": "total_sq"})


def standards(session: Session, as_of: date) -> pd.DataFrame:
    """Service standards in force on `as_of` (company-wide and unit-specific)."""
    s = ServiceStandard
    stmt = select(s.element, s.branch_id, s.department_id, s.target_index, s.sla_hours).where(
        s.valid_from <= as_of, or_(s.valid_to.is_(None), s.valid_to >= as_of)
    )
    return _frame(session, stmt, ["element", "branch_id", "department_id", "target_index", "sla_hours"])


def company_standards(session: Session, as_of: date) -> pd.DataFrame:
    """The standards in force on `as_of` that apply to the whole company (no
    branch, no department)."""
    table = standards(session, as_of)
    return table[table["branch_id"].isna() & table["department_id"].isna()]


def request_performance(
    session: Session,
    scope: Scope,
    start: date,
    end: date,
    branch_ids: tuple[int, ...] | None = None,
    department_ids: tuple[int, ...] | None = None,
    segments: tuple[str, ...] | None = None,
) -> tuple[dict, pd.DataFrame]:
    """Service requests submitted in [start, end], in one scan: (totals for
    gap 3: n, within SLA, unresolved, complaints, mean first-response hours;
    each published promise with the requests it applies to and how many met
    it, for gap 4). A promise counts requests from its publication on;
    resolution promises apply to complaints. `segments` narrows to requests
    of customers in those segments."""
    t = ServiceRequest.__table__
    promises = session.scalars(select(Commitment).order_by(Commitment.code)).all()
    resolve_h = hours_between(t.c.submitted_at, t.c.resolved_at)
    columns = [
        func.count(),
        func.sum(case((and_(t.c.resolved_at.is_not(None), resolve_h <= t.c.sla_hours), 1), else_=0)),
        func.sum(case((t.c.resolved_at.is_(None), 1), else_=0)),
        func.sum(case((t.c.is_complaint, 1), else_=0)),
        cast(func.avg(hours_between(t.c.submitted_at, t.c.first_response_at)), Float),
    ]
    for c in promises:
        measured_at = t.c.first_response_at if c.metric == "first_response_hours" else t.c.resolved_at
        counted = t.c.submitted_at >= max(start, c.published_on)
        if c.metric == "resolution_hours":
            counted = and_(counted, t.c.is_complaint)
        met = and_(
            counted,
            measured_at.is_not(None),
            hours_between(t.c.submitted_at, measured_at) <= c.threshold_hours,
        )
        columns += [func.sum(case((counted, 1), else_=0)), func.sum(case((met, 1), else_=0))]
    narrowing = filter_clauses(
        t, Filters(branch_ids=branch_ids, department_ids=department_ids, channels=None)
    )
    if segments is not None:
        customers = select(Customer.id).where(Customer.segment.in_(list(segments)))
        narrowing.append(t.c.customer_id.in_(customers))
    row = session.execute(
        select(*columns).where(
            *scope_clauses(t, scope),
            *narrowing,
            t.c.submitted_at >= start,
            t.c.submitted_at < _day_after(end),
        )
    ).one()
    n = int(row[0] or 0)
    totals = {
        "n": n,
        "within_sla": int(row[1] or 0),
        "unresolved": int(row[2] or 0),
        "complaints": int(row[3] or 0),
        "mean_first_response_h": float(row[4]) if n and row[4] is not None else None,
    }
    kept = [
        (
            c.code,
            c.text,
            c.element,
            c.metric,
            c.threshold_hours,
            int(row[5 + 2 * i] or 0),
            int(row[6 + 2 * i] or 0),
        )
        for i, c in enumerate(promises)
    ]
    columns_out = ["code", "text", "element", "metric", "threshold_hours", "n", "met"]
    return totals, pd.DataFrame(kept, columns=columns_out)


def audit_scores(
    session: Session, scope: Scope, filters: Filters, start: date | None, end: date
) -> pd.DataFrame:
    """Per element: n, total and total_sq of the audit scores (0-100) dated
    in [start, end] (no start: everything up to `end`) in scope and the
    filters' branches and departments, with the kinds of audit behind them."""
    a = AuditScore.__table__
    score = cast(a.c.score, Float)
    clauses = [*scope_clauses(a, scope), *filter_clauses(a, filters), a.c.audited_on <= end]
    if start is not None:
        clauses.append(a.c.audited_on >= start)
    stmt = (
        select(a.c.element, a.c.kind, func.count(), func.sum(score), func.sum(score * score))
        .where(*clauses)
        .group_by(a.c.element, a.c.kind)
        .order_by(a.c.element, a.c.kind)
    )
    by_kind = _frame(session, stmt, ["element", "kind", "n", "total", "total_sq"])
    if by_kind.empty:
        return pd.DataFrame(columns=["element", "n", "total", "total_sq", "kinds"])
    grouped = by_kind.groupby("element", sort=True)
    out = grouped[["n", "total", "total_sq"]].sum().astype(float)
    out["kinds"] = grouped["kind"].agg(lambda kinds: ", ".join(sorted(kinds)))
    return out.reset_index()


def imported_rows(session: Session) -> dict[str, int]:
    """How many rows each input of the gaps holds, whatever the viewer's
    scope: only whether a kind was imported at all, to tell "import it" from
    "nothing in this selection"."""
    tables = {
        "management_survey": ManagementResponse,
        "standards": ServiceStandard,
        "audits": AuditScore,
        "promises": Commitment,
        "service_requests": ServiceRequest,
    }
    counts = {k: int(session.scalar(select(func.count()).select_from(m)) or 0) for k, m in tables.items()}
    rollup = RollupItem.__table__
    for kind, column in (("expectations", rollup.c.n_e), ("perceptions", rollup.c.n_p)):
        counts[kind] = int(bool(session.scalar(select(exists().where(column > 0)))))
    return counts


def _day_after(d: date) -> date:
    return date.fromordinal(d.toordinal() + 1)
