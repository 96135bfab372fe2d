"""Respondent-level reads of raw answers, for what the rollups cannot give.

The rollups hold sums per cell, which fix every point estimate; resampling
respondents (the bootstrap of the PLS model) needs each respondent's own
answers. These queries aggregate per response in SQL (one row per
respondent, never one per answer) and cost one pass over the answers of the
selection: heavier than a rollup read, so only on-demand outputs use them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import Answer, Question, Response
from dashboard.queries.filters import Filters, where


def scored_perception():
    """An answer's perception as analysed: reverse-coded items turned round
    on their own scale (as the rollups do), as a float."""
    a, q = Answer.__table__, Question.__table__
    return cast(
        case((q.c.reverse_coded, q.c.scale_min + q.c.scale_max - a.c.perception), else_=a.c.perception),
        Float,
    )


def respondent_indicators(
    session: Session, scope: Scope, filters: Filters, question_ids: Sequence[int]
) -> np.ndarray:
    """One row per respondent (response) in scope and filters who answered
    every question of `question_ids`, one column per question in that order:
    the complete cases behind `rollups.indicator_moments`."""
    ids = [int(q) for q in question_ids]
    a, q, r = Answer.__table__, Question.__table__, Response.__table__
    value = scored_perception()
    columns = [func.max(case((a.c.question_id == qid, value))) for qid in ids]
    stmt = (
        select(*columns)
        .select_from(a.join(q, q.c.id == a.c.question_id).join(r, r.c.id == a.c.response_id))
        .where(*where(r, scope, filters), a.c.question_id.in_(ids), a.c.perception.is_not(None))
        .group_by(a.c.response_id)
        .having(and_(*(c.is_not(None) for c in columns)))
        .order_by(a.c.response_id)
    )
    rows = session.execute(stmt).all()
    return np.array(rows, dtype=float).reshape(len(rows), len(ids))
