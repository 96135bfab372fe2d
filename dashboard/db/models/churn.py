"""Churn models (versioned, with their validation) and the latest score per customer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.db.base import Base


class ChurnModel(Base):
    __tablename__ = "churn_model"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the version
    trained_at: Mapped[datetime] = mapped_column(DateTime)
    algorithm: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict] = mapped_column(JSON)  # features, scaler, coefficients, Platt a/b: numbers only
    metrics: Mapped[dict] = mapped_column(JSON)  # held-out AUC, Brier, ECE, n, events, split
    calibration: Mapped[list] = mapped_column(JSON)  # held-out calibration table
    n_train: Mapped[int] = mapped_column(Integer)


class ChurnScore(Base):
    """The latest score of each active customer; `method` says whether it
    came from a model version or from the rules."""

    __tablename__ = "churn_score"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("churn_model.id"))
    method: Mapped[str] = mapped_column(String(20))  # model | rules
    as_of: Mapped[date] = mapped_column(Date)
    probability: Mapped[float | None] = mapped_column(Float)
    points: Mapped[float | None] = mapped_column(Float)
    band: Mapped[str] = mapped_column(String(10), index=True)
    reasons: Mapped[list] = mapped_column(JSON)
