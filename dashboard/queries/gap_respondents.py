"""Respondent-level moments behind the gaps' intervals: each customer's (and
each manager's) mean over one RATER element's items, summarised per element
in SQL. A respondent's answers to one element are correlated, so the
respondent, not the answer, is the independent unit of every interval.
Customers' moments come from the `rollup_element` rollup; managers' (a small
table) from their raw answers, reverse-coded items reversed (lo + hi - x)
exactly as in the rollups."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import ManagementAnswer, ManagementResponse, Question, RollupElement
from dashboard.queries.filters import Filters, filter_clauses, where
from dashboard.queries.scope_sql import scope_clauses


def _scored(value, question=Question):
    """An answer on the rollups' orientation (reverse-coded items reversed)."""
    v = cast(value, Float)
    return case((question.reverse_coded, cast(question.scale_min + question.scale_max, Float) - v), else_=v)


def _moments(inner, measures: list[str]) -> tuple[list, list[str]]:
    columns, names = [], []
    for m in measures:
        col = inner.c[m]
        columns += [func.count(col), func.sum(col), func.sum(col * col)]
        names += [f"n_{m}", f"total_{m}", f"total_sq_{m}"]
    return columns, names


def customer_element_moments(session: Session, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Per element and item scale: n, total and total_sq of the respondents'
    mean expectation (e), perception (p) and gap P - E over the element's
    items (the gap over items with both answered), for the responses in
    scope and filters; read from `rollup_element`, which holds those
    per-respondent moments per cell."""
    t = RollupElement.__table__
    keys = [t.c.element, t.c.scale_min, t.c.scale_max]
    columns, names = [], []
    for m in ("e", "p", "gap"):
        columns += [func.sum(t.c[f"n_{m}"]), func.sum(t.c[f"sum_{m}"]), func.sum(t.c[f"sumsq_{m}"])]
        names += [f"n_{m}", f"total_{m}", f"total_sq_{m}"]
    stmt = select(*keys, *columns).where(*where(t, scope, filters)).group_by(*keys).order_by(*keys)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["element", "scale_min", "scale_max", *names])
    return frame.astype({c: float for c in names})


def manager_element_moments(session: Session, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Per element and item scale: n (managers), total and total_sq of each
    manager's mean belief about customers' expectation over the element's
    items, across every unit they answered for in scope and the filters'
    branches and departments; `answers` counts the answers behind them."""
    mr, ma = ManagementResponse.__table__, ManagementAnswer.__table__
    belief = _scored(ma.c.expectation)
    inner = (
        select(
            Question.element,
            Question.scale_min,
            Question.scale_max,
            func.avg(belief).label("belief"),
            func.sum(belief).label("answer_total"),
            func.count(belief).label("answers"),
        )
        .select_from(
            ma.join(mr, mr.c.id == ma.c.management_response_id).join(
                Question, Question.id == ma.c.question_id
            )
        )
        .where(Question.element.is_not(None), *scope_clauses(mr, scope), *filter_clauses(mr, filters))
        .group_by(mr.c.staff_id, Question.element, Question.scale_min, Question.scale_max)
        .subquery()
    )
    columns, names = _moments(inner, ["belief"])
    keys = [inner.c.element, inner.c.scale_min, inner.c.scale_max]
    extra = [func.sum(inner.c.answers), func.sum(inner.c.answer_total)]
    stmt = select(*keys, *columns, *extra).group_by(*keys).order_by(*keys)
    out = ["element", "scale_min", "scale_max", *names, "answers", "answer_total"]
    frame = pd.DataFrame(session.execute(stmt).all(), columns=out)
    return frame.astype({c: float for c in [*names, "answers", "answer_total"]})


def management_survey_period(session: Session, scope: Scope, filters: Filters) -> tuple:
    """First and last `surveyed_on` of the management answers in scope."""
    mr = ManagementResponse.__table__
    stmt = select(func.min(mr.c.surveyed_on), func.max(mr.c.surveyed_on)).where(
        *scope_clauses(mr, scope), *filter_clauses(mr, filters)
    )
    return tuple(session.execute(stmt).one())
