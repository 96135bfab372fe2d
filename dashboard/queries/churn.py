"""Customer histories for churn features, and scored customers for the
viewer. A customer belongs to their branch; a department-scoped viewer sees
the customers who gave feedback or raised a request in that department."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from dashboard.auth.scope import Scope
from dashboard.db.models import (
    Answer,
    Branch,
    ChurnModel,
    ChurnScore,
    Customer,
    Question,
    Response,
    ServiceRequest,
    Staff,
    Wave,
)
from dashboard.queries.scope_sql import customer_scope, scope_clauses


def customers(session: Session, scope: Scope) -> pd.DataFrame:
    manager = aliased(Staff)
    stmt = (
        select(
            Customer.id,
            Customer.external_ref,
            Customer.name,
            Customer.branch_id,
            Customer.segment,
            Customer.tier,
            Customer.joined_on,
            Customer.churned_on,
            Customer.annual_revenue,
            Customer.account_manager_id,
            manager.name,
            manager.left_on,
        )
        .outerjoin(manager, manager.id == Customer.account_manager_id)
        .where(*customer_scope(scope))
    )
    cols = [
        "customer_id",
        "external_ref",
        "name",
        "branch_id",
        "segment",
        "tier",
        "joined_on",
        "churned_on",
        "annual_revenue",
        "account_manager_id",
        "account_manager",
        "manager_left_on",
    ]
    return pd.DataFrame(session.execute(stmt).all(), columns=cols)


def _overall_by_response():
    """Subquery: each response's overall-satisfaction answer."""
    q = Question.__table__
    return (
        select(Answer.response_id, func.max(Answer.perception).label("overall"))
        .join(q, q.c.id == Answer.question_id)
        .where(q.c.construct == "overall")
        .group_by(Answer.response_id)
        .subquery()
    )


def responses(session: Session) -> pd.DataFrame:
    """Per survey response with a customer: overall satisfaction and the mean
    perception-expectation gap over RATER items."""
    q = Question.__table__
    overall = _overall_by_response()
    gap = (
        select(Answer.response_id, func.avg((Answer.perception - Answer.expectation) * 1.0).label("gap"))
        .join(q, q.c.id == Answer.question_id)
        .where(q.c.element.is_not(None), Answer.expectation.is_not(None))
        .group_by(Answer.response_id)
        .subquery()
    )
    stmt = (
        select(Response.customer_id, Response.wave_id, Response.submitted_at, overall.c.overall, gap.c.gap)
        .join(overall, overall.c.response_id == Response.id)
        .outerjoin(gap, gap.c.response_id == Response.id)
        .where(Response.customer_id.is_not(None), Response.channel == "survey")
    )
    return pd.DataFrame(
        session.execute(stmt).all(), columns=["customer_id", "wave_id", "submitted_at", "overall", "gap"]
    )


def requests(session: Session) -> pd.DataFrame:
    r = ServiceRequest
    stmt = select(r.customer_id, r.submitted_at, r.resolved_at, r.is_complaint, r.sla_hours, r.rating)
    cols = ["customer_id", "submitted_at", "resolved_at", "is_complaint", "sla_hours", "rating"]
    return pd.DataFrame(session.execute(stmt).all(), columns=cols)


def wave_periods(session: Session) -> tuple[pd.Series, pd.Series]:
    """(wave_id -> period start, wave_id -> period end), oldest first."""
    rows = session.execute(
        select(Wave.id, Wave.period_start, Wave.period_end).order_by(Wave.period_start)
    ).all()
    return pd.Series({r[0]: pd.Timestamp(r[1]) for r in rows}), pd.Series(
        {r[0]: pd.Timestamp(r[2]) for r in rows}
    )


SCORED_COLUMNS = [
    "customer_id", "external_ref", "name", "branch", "segment", "tier", "account_manager", "annual_revenue",
    "method", "probability", "points", "band", "reasons", "as_of",
]  # fmt: skip


@dataclass(frozen=True)
class ScoreFilter:
    """The churn page's narrowing of the scored customers; None or "" is any."""

    branch: str | None = None  # branch code
    segment: str | None = None
    manager: str | None = None  # account manager's name

    @property
    def narrows(self) -> bool:
        return bool(self.branch or self.segment or self.manager)

    def clauses(self, manager_alias) -> list:
        """WHERE clauses; `manager_alias` is the Staff alias joined as account manager."""
        clauses = []
        if self.branch:
            clauses.append(Branch.code == self.branch)
        if self.segment:
            clauses.append(Customer.segment == self.segment)
        if self.manager:
            clauses.append(manager_alias.name == self.manager)
        return clauses


def _scored(scope: Scope, choice: ScoreFilter):
    """Scored customers in scope (the SCORED_COLUMNS) that the choice keeps."""
    staff = aliased(Staff)
    return (
        select(
            Customer.id,
            Customer.external_ref,
            Customer.name,
            Branch.code,
            Customer.segment,
            Customer.tier,
            staff.name,
            Customer.annual_revenue,
            ChurnScore.method,
            ChurnScore.probability,
            ChurnScore.points,
            ChurnScore.band,
            ChurnScore.reasons,
            ChurnScore.as_of,
        )
        .join(ChurnScore, ChurnScore.customer_id == Customer.id)
        .join(Branch, Branch.id == Customer.branch_id)
        .outerjoin(staff, staff.id == Customer.account_manager_id)
        .where(*customer_scope(scope), *choice.clauses(staff))
    )


def scored_customers(session: Session, scope: Scope, choice: ScoreFilter = ScoreFilter()) -> pd.DataFrame:
    """Every scored customer in scope that the choice keeps."""
    stmt = _scored(scope, choice)
    return pd.DataFrame(session.execute(stmt).all(), columns=SCORED_COLUMNS)


def customer_in_scope(session: Session, scope: Scope, customer_id: int) -> Customer | None:
    return session.scalar(select(Customer).where(Customer.id == customer_id, *customer_scope(scope)))


def customer_history(session: Session, scope: Scope, customer_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Survey answers (wave, overall, comment) and service requests of one
    customer, only those in the viewer's scope: seeing a customer does not
    open their dealings with other branches or departments."""
    overall = _overall_by_response()
    feedback = session.execute(
        select(Wave.code, Response.submitted_at, Response.channel, overall.c.overall, Response.comment)
        .join(Wave, Wave.id == Response.wave_id)
        .outerjoin(overall, overall.c.response_id == Response.id)
        .where(Response.customer_id == customer_id, *scope_clauses(Response.__table__, scope))
        .order_by(Response.submitted_at.desc())
    ).all()
    r = ServiceRequest
    reqs = session.execute(
        select(r.submitted_at, r.category, r.is_complaint, r.resolved_at, r.sla_hours, r.rating)
        .where(r.customer_id == customer_id, *scope_clauses(r.__table__, scope))
        .order_by(r.submitted_at.desc())
    ).all()
    return (
        pd.DataFrame(feedback, columns=["wave", "submitted_at", "channel", "overall", "comment"]),
        pd.DataFrame(
            reqs, columns=["submitted_at", "category", "complaint", "resolved_at", "sla_hours", "rating"]
        ),
    )


def score_exposure(session: Session, scope: Scope, choice: ScoreFilter = ScoreFilter()) -> pd.DataFrame:
    """Per branch and band: customers, expected revenue loss (probability x
    revenue) and revenue; aggregated in SQL so large books stay fast."""
    staff = aliased(Staff)
    stmt = (
        select(
            Branch.code,
            ChurnScore.method,
            ChurnScore.band,
            func.count(),
            func.sum(ChurnScore.probability * Customer.annual_revenue),
            func.sum(Customer.annual_revenue),
        )
        .join(Customer, Customer.id == ChurnScore.customer_id)
        .join(Branch, Branch.id == Customer.branch_id)
        .where(*customer_scope(scope), *choice.clauses(staff))
        .group_by(Branch.code, ChurnScore.method, ChurnScore.band)
    )
    if choice.manager:  # the join costs a third of the query; only the manager filter needs it
        stmt = stmt.outerjoin(staff, staff.id == Customer.account_manager_id)
    cols = ["branch", "method", "band", "customers", "expected_loss", "revenue"]
    return pd.DataFrame(session.execute(stmt).all(), columns=cols)


def riskiest(session: Session, scope: Scope, limit: int, choice: ScoreFilter = ScoreFilter()) -> pd.DataFrame:
    """The `limit` riskiest scored customers in scope (probability, or rule points)."""
    stmt = (
        _scored(scope, choice)
        .order_by(func.coalesce(ChurnScore.probability, ChurnScore.points).desc(), Customer.id)
        .limit(limit)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=SCORED_COLUMNS)


def filter_options(session: Session, scope: Scope) -> dict[str, list[str]]:
    """Branches, segments and account managers of the scored customers in scope."""
    staff = aliased(Staff)
    base = (
        select(Branch.code, Customer.segment, staff.name)
        .join(ChurnScore, ChurnScore.customer_id == Customer.id)
        .join(Branch, Branch.id == Customer.branch_id)
        .outerjoin(staff, staff.id == Customer.account_manager_id)
        .where(*customer_scope(scope))
        .distinct()
    )
    rows = session.execute(base).all()
    return {
        "branch": sorted({r[0] for r in rows}),
        "segment": sorted({r[1] for r in rows}),
        "manager": sorted({r[2] for r in rows if r[2]}),
    }


def latest_model(session: Session) -> ChurnModel | None:
    return session.scalar(select(ChurnModel).order_by(ChurnModel.id.desc()).limit(1))


def score_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ChurnScore)) or 0


def delete_scores(session: Session) -> None:
    """Empty churn_score in the caller's transaction: scoring replaces it whole."""
    session.execute(delete(ChurnScore))
