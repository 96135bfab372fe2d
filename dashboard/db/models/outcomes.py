"""What happened outside the survey: customers leaving (and coming back),
and published indices of the industry to compare with."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.db.base import Base


class ChurnEvent(Base):
    """A customer leaving on a date, with the reason given and the date they
    came back, if they did. `customer.churned_on` follows the latest event."""

    __tablename__ = "churn_event"
    __table_args__ = (UniqueConstraint("customer_id", "left_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), index=True)
    left_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))
    returned_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))  # the file it came from
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class ExternalBenchmark(Base):
    """An index published outside the organisation (a national sector index,
    a competitor survey) on the 0-100 index scale, overall or per element."""

    __tablename__ = "external_benchmark"
    __table_args__ = (UniqueConstraint("source", "period", "element"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(120))  # who published it
    period: Mapped[str] = mapped_column(String(20))  # 2026, 2026-H1 or 2026-Q3
    year: Mapped[int] = mapped_column(Integer)
    element: Mapped[str] = mapped_column(String(8))  # R A T E S, or "overall"
    index_value: Mapped[float] = mapped_column(Float)  # 0-100
    note: Mapped[str | None] = mapped_column(Text)  # method, sample, link
