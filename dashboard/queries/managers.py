"""Customers' evaluations aggregated by their account manager, in SQL.

A response belongs to a manager through its customer
(response.customer_id -> customer.account_manager_id). Responses are kept
by the viewer's unit scope and the page's filters like every survey number,
and their customers by the customer scope (`scope_sql.customer_scope`), so
a department head sees the managers of customers who dealt with their
department, through answers given to that department. Read from raw answers
(the rollups have no customer), aggregated per respondent first: one row
per manager comes back, never one per answer.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, case, func, null, select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import Answer, Branch, Customer, Department, Question, Response, Staff
from dashboard.queries.filters import Filters, where
from dashboard.queries.respondents import scored_perception
from dashboard.queries.scope_sql import customer_scope

ELEMENT_CODES = ("R", "A", "T", "E", "S")


def _respondent_values(scope: Scope, filters: Filters, question_filter, by_manager: bool, per_element: bool):
    """Per response (and element): the mean of its scored answers, with the
    account manager (or NULL for the whole organisation)."""
    a, q, r = Answer.__table__, Question.__table__, Response.__table__
    manager = Customer.__table__.c.account_manager_id if by_manager else null()
    joins = a.join(q, q.c.id == a.c.question_id).join(r, r.c.id == a.c.response_id)
    clauses = [*where(r, scope, filters), question_filter(q), a.c.perception.is_not(None)]
    if by_manager:
        c = Customer.__table__
        joins = joins.join(c, c.c.id == r.c.customer_id)
        clauses += [*customer_scope(scope), c.c.account_manager_id.is_not(None)]
    keys = [r.c.id.label("rid"), manager.label("manager_id")]
    if per_element:
        keys.append(q.c.element.label("element"))
    group = [r.c.id] + ([manager] if by_manager else []) + ([q.c.element] if per_element else [])
    value = func.avg(scored_perception()).label("value")
    return select(*keys, value).select_from(joins).where(*clauses).group_by(*group)


def overall_by_manager(
    session: Session, scope: Scope, filters: Filters, by_manager: bool = True
) -> pd.DataFrame:
    """Overall satisfaction per manager (by_manager=False: one row for the
    whole selection, manager_id None): manager_id, scale_min, scale_max, n
    (respondents), total, total_sq."""
    a, q, r = Answer.__table__, Question.__table__, Response.__table__
    scales = (
        select(
            func.min(q.c.scale_min),
            func.max(q.c.scale_max),
            func.count(func.distinct(q.c.scale_min)) + func.count(func.distinct(q.c.scale_max)),
        )
        .select_from(a.join(q, q.c.id == a.c.question_id).join(r, r.c.id == a.c.response_id))
        .where(*where(r, scope, filters), q.c.construct == "overall", a.c.perception.is_not(None))
    )
    overall = _respondent_values(scope, filters, lambda t: t.c.construct == "overall", by_manager, False)
    per = overall.subquery()
    stmt = (
        select(per.c.manager_id, func.count(), func.sum(per.c.value), func.sum(per.c.value * per.c.value))
        .group_by(per.c.manager_id)
        .order_by(per.c.manager_id)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["manager_id", "n", "total", "total_sq"])
    lo, hi, count = session.execute(scales).one()
    frame.attrs["scale"] = (float(lo), float(hi)) if count == 2 else None  # several scales: no index
    return frame.astype({"n": float, "total": float, "total_sq": float})


def elements_by_manager(
    session: Session, scope: Scope, filters: Filters, by_manager: bool = True
) -> pd.DataFrame:
    """The respondents' five RATER element means per manager (complete cases):
    manager_id, n, s_<e> (sums) and p_<e><f> (cross-products, e <= f in
    ELEMENT_CODES order); by_manager=False: one row for the whole selection."""
    rater = _respondent_values(scope, filters, lambda t: t.c.element.in_(ELEMENT_CODES), by_manager, True)
    per = rater.subquery()
    wide_cols = [func.max(case((per.c.element == e, per.c.value))).label(e) for e in ELEMENT_CODES]
    wide = (
        select(per.c.rid, per.c.manager_id, *wide_cols)
        .group_by(per.c.rid, per.c.manager_id)
        .having(and_(*(c.is_not(None) for c in wide_cols)))
        .subquery()
    )
    pairs = [(x, y) for i, x in enumerate(ELEMENT_CODES) for y in ELEMENT_CODES[i:]]
    stmt = (
        select(
            wide.c.manager_id,
            func.count(),
            *[func.sum(wide.c[e]) for e in ELEMENT_CODES],
            *[func.sum(wide.c[x] * wide.c[y]) for x, y in pairs],
        )
        .group_by(wide.c.manager_id)
        .order_by(wide.c.manager_id)
    )
    columns = ["manager_id", "n", *(f"s_{e}" for e in ELEMENT_CODES), *(f"p_{x}{y}" for x, y in pairs)]
    frame = pd.DataFrame(session.execute(stmt).all(), columns=columns)
    return frame.astype({c: float for c in columns[1:]})


def managers(session: Session, ids) -> pd.DataFrame:
    """Name, employee reference and unit codes of the given staff."""
    b, d = Branch.__table__, Department.__table__
    s = Staff.__table__
    stmt = (
        select(s.c.id, s.c.name, s.c.employee_ref, b.c.code, d.c.code, s.c.is_account_manager, s.c.left_on)
        .select_from(s.outerjoin(b, b.c.id == s.c.branch_id).outerjoin(d, d.c.id == s.c.department_id))
        .where(s.c.id.in_([int(i) for i in ids]))
    )
    cols = ["manager_id", "name", "employee_ref", "branch_code", "department_code", "flagged", "left_on"]
    return pd.DataFrame(session.execute(stmt).all(), columns=cols)
