"""Service delivery records: standards, audits, published promises and
service requests (gaps 2-4, Responsiveness, churn signals)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.db.base import Base


class ServiceStandard(Base):
    """Target set by management for an element (gap 2), company-wide when
    branch and department are empty."""

    __tablename__ = "service_standard"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    element: Mapped[str] = mapped_column(String(1))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    target_index: Mapped[float] = mapped_column(Float)  # 0-100 CSI target
    sla_hours: Mapped[float | None] = mapped_column(Float)  # resolution target, if any
    description: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class AuditScore(Base):
    """Audit or mystery-shopper score (0-100) of delivered service (gap 3)."""

    __tablename__ = "audit_score"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    element: Mapped[str] = mapped_column(String(1))
    kind: Mapped[str] = mapped_column(String(20), default="audit")  # audit | mystery_shopper
    audited_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)


class Commitment(Base):
    """A promise published to customers, e.g. 'we answer within 24 h' (gap 4)."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    text: Mapped[str] = mapped_column(Text)
    element: Mapped[str] = mapped_column(String(1))
    metric: Mapped[str] = mapped_column(String(30))  # first_response_hours | resolution_hours
    threshold_hours: Mapped[float] = mapped_column(Float)
    published_on: Mapped[date] = mapped_column(Date)


class ServiceRequest(Base):
    __tablename__ = "service_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(60), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    category: Mapped[str] = mapped_column(String(40))
    is_complaint: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)  # None: not resolved
    sla_hours: Mapped[float] = mapped_column(Float)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    customer_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(SmallInteger)  # 1-5 handling rating on close
