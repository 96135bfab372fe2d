"""Survey instruments and what customers and managers answered."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dashboard.db.base import Base


class SurveyTemplate(Base):
    """A questionnaire design. `structural_model` optionally declares an
    ACSI/ECSI-style path model: {"constructs": {name: [question codes]},
    "paths": [[from, to], ...]}."""

    __tablename__ = "survey_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(Text)
    audience: Mapped[str] = mapped_column(String(20), default="customer")
    structural_model: Mapped[dict | None] = mapped_column(JSON)

    questions: Mapped[list[Question]] = relationship(
        back_populates="template", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (
        UniqueConstraint("template_id", "code"),
        CheckConstraint("scale_max > scale_min", name="scale_order"),
        CheckConstraint("element IS NULL OR element IN ('R','A','T','E','S')", name="rater"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("survey_template.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text)
    qtype: Mapped[str] = mapped_column(String(20), default="scale")  # scale | nps | text | choice
    scale_min: Mapped[int] = mapped_column(SmallInteger, default=1)
    scale_max: Mapped[int] = mapped_column(SmallInteger, default=7)
    element: Mapped[str | None] = mapped_column(String(1))  # RATER code, or None
    construct: Mapped[str | None] = mapped_column(String(40))  # overall, recommend, image, ...
    asks_expectation: Mapped[bool] = mapped_column(Boolean, default=False)
    asks_perception: Mapped[bool] = mapped_column(Boolean, default=True)
    reverse_coded: Mapped[bool] = mapped_column(Boolean, default=False)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    template: Mapped[SurveyTemplate] = relationship(back_populates="questions")


class Wave(Base):
    """One fielding of a template over a period, so waves can be compared."""

    __tablename__ = "wave"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    template_id: Mapped[int] = mapped_column(ForeignKey("survey_template.id"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)

    template: Mapped[SurveyTemplate] = relationship()


class Response(Base):
    """One piece of customer feedback; the channel is recorded because each
    channel carries its own bias."""

    __tablename__ = "response"
    __table_args__ = (
        UniqueConstraint("wave_id", "external_ref"),
        Index("ix_response_wave_unit", "wave_id", "branch_id", "department_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_ref: Mapped[str | None] = mapped_column(String(60))
    wave_id: Mapped[int] = mapped_column(ForeignKey("wave.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    channel: Mapped[str] = mapped_column(String(20), default="survey")
    segment: Mapped[str] = mapped_column(String(40))  # customer's segment when answering
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    comment: Mapped[str | None] = mapped_column(Text)


class Answer(Base):
    """Raw answer as given; reverse coding is applied when rolling up."""

    __tablename__ = "answer"
    # On SQLite a clustered primary key halves the cost of bulk loads.
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    expectation: Mapped[int | None] = mapped_column(SmallInteger)
    perception: Mapped[int | None] = mapped_column(SmallInteger)


class ImportanceAllocation(Base):
    """A customer's split of 100 importance points over the RATER elements."""

    __tablename__ = "importance_allocation"
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), primary_key=True)
    element: Mapped[str] = mapped_column(String(1), primary_key=True)
    points: Mapped[int] = mapped_column(SmallInteger)


class ManagementResponse(Base):
    """A manager answering the customer items 'as customers would expect'
    (SERVQUAL gap 1, knowledge gap)."""

    __tablename__ = "management_response"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("survey_template.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    surveyed_on: Mapped[date] = mapped_column(Date)


class ManagementAnswer(Base):
    __tablename__ = "management_answer"

    management_response_id: Mapped[int] = mapped_column(
        ForeignKey("management_response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    expectation: Mapped[int] = mapped_column(SmallInteger)


class ManagementImportance(Base):
    __tablename__ = "management_importance"

    management_response_id: Mapped[int] = mapped_column(
        ForeignKey("management_response.id", ondelete="CASCADE"), primary_key=True
    )
    element: Mapped[str] = mapped_column(String(1), primary_key=True)
    points: Mapped[int] = mapped_column(SmallInteger)
