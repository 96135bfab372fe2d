"""Verbatim comments behind a RATER element: comments of respondents whose
lowest-rated element (mean perception of its items, reverse coding applied)
is that element. Comments carry no element tag, so the respondent's own
ratings attribute them; ties count for every tied element."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import case, desc, func, literal, select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import Answer, Branch, Department, Question, Response, Wave
from dashboard.queries.filters import Filters, where

CANDIDATES = 3_000  # most recent commented responses considered per view (0.3 s at 1M on PostgreSQL)
COLUMNS = ["submitted_at", "wave", "branch", "department", "segment", "channel", "element_mean", "comment"]


@dataclass(frozen=True)
class CommentPage:
    rows: pd.DataFrame  # submitted_at, wave, branch, department, segment, channel, element_mean, comment
    group_size: int  # comments attributed to the element in the selection (before search)
    matches: int  # after search


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def element_comments(
    session: Session, scope: Scope, filters: Filters, element: str, search: str = "", limit: int = 100
) -> CommentPage:
    r = Response.__table__
    # Two steps: the newest commented responses first (index on wave/unit),
    # then their answers by primary key; one joined query made PostgreSQL
    # scan the whole answer table.
    candidate_ids = session.scalars(
        select(r.c.id)
        .where(r.c.comment.is_not(None), func.length(r.c.comment) > 0, *where(r, scope, filters))
        .order_by(desc(r.c.submitted_at), desc(r.c.id))
        .limit(CANDIDATES)
    ).all()
    if not candidate_ids:
        return CommentPage(pd.DataFrame(columns=COLUMNS), 0, 0)
    q, a = Question.__table__, Answer.__table__
    score = case((q.c.reverse_coded, q.c.scale_min + q.c.scale_max - a.c.perception), else_=a.c.perception)
    means = pd.DataFrame(
        session.execute(
            select(a.c.response_id, q.c.element, func.avg(score * literal(1.0)))
            .join(q, q.c.id == a.c.question_id)
            .where(a.c.response_id.in_(candidate_ids), q.c.element.is_not(None), a.c.perception.is_not(None))
            .group_by(a.c.response_id, q.c.element)
        ).all(),
        columns=["response_id", "element", "mean"],
    )
    lowest = means.groupby("response_id")["mean"].transform("min")
    attributed = means[(means["element"] == element) & (means["mean"] == lowest)]
    element_mean = {
        int(k): float(v) for k, v in zip(attributed["response_id"], attributed["mean"], strict=True)
    }
    stmt = (
        select(r.c.id, r.c.submitted_at, Wave.code, Branch.code, Department.name, r.c.segment, r.c.channel)
        .add_columns(r.c.comment)
        .join(Wave, Wave.id == r.c.wave_id)
        .join(Branch, Branch.id == r.c.branch_id)
        .join(Department, Department.id == r.c.department_id)
        .where(r.c.id.in_(list(element_mean) or [-1]))
    )
    term = (search or "").strip().lower()[:100]
    if term:
        stmt = stmt.where(func.lower(r.c.comment).like(f"%{escape_like(term)}%", escape="\\"))
    found = pd.DataFrame(
        session.execute(stmt.order_by(desc(r.c.submitted_at), desc(r.c.id))).all(),
        columns=["id", *[c for c in COLUMNS if c != "element_mean"]],
    )
    found.insert(7, "element_mean", found["id"].map(element_mean).astype(float))
    rows = found.drop(columns="id")[COLUMNS].head(limit).reset_index(drop=True)
    return CommentPage(rows, len(element_mean), len(found))
