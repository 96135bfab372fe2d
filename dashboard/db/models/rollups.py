"""Rollup tables: sufficient statistics that pages read instead of raw
answers, so page cost does not grow with the number of responses.

For every group the tables keep n, sum and sum of squares of perception (P),
expectation (E) and the gap P-E (on answers that have both), plus top-box
counts. Means, variances, CIs and Welch tests all follow from these moments.
Reverse-coded items are already reversed here.
"""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from dashboard.db.base import Base

# Measure columns in the order the rollup SQL produces them.
ITEM_MEASURES = (
    "n_p",
    "sum_p",
    "sumsq_p",
    "n_e",
    "sum_e",
    "sumsq_e",
    "n_gap",
    "sum_gap",
    "sumsq_gap",
    "top1",
    "top2",
    "low",
)


class _ItemMeasures:
    n_p: Mapped[int] = mapped_column(Integer, default=0)
    sum_p: Mapped[float] = mapped_column(Float, default=0)
    sumsq_p: Mapped[float] = mapped_column(Float, default=0)
    n_e: Mapped[int] = mapped_column(Integer, default=0)
    sum_e: Mapped[float] = mapped_column(Float, default=0)
    sumsq_e: Mapped[float] = mapped_column(Float, default=0)
    n_gap: Mapped[int] = mapped_column(Integer, default=0)
    sum_gap: Mapped[float] = mapped_column(Float, default=0)
    sumsq_gap: Mapped[float] = mapped_column(Float, default=0)
    top1: Mapped[int] = mapped_column(Integer, default=0)  # P == scale max
    top2: Mapped[int] = mapped_column(Integer, default=0)  # P >= scale max - 1 (NPS promoters)
    low: Mapped[int] = mapped_column(Integer, default=0)  # P <= lo + 0.6 (hi - lo) (NPS detractors)


class _UnitKeys:
    @declared_attr
    def wave_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("wave.id"), primary_key=True)

    @declared_attr
    def branch_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("branch.id"), primary_key=True)

    @declared_attr
    def department_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("department.id"), primary_key=True)

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)


class RollupItem(_UnitKeys, _ItemMeasures, Base):
    """Grain: wave x branch x department x channel x question."""

    __tablename__ = "rollup_item"
    __table_args__ = {"sqlite_with_rowid": False}  # clustered on the key: faster range scans

    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)


class RollupItemSegment(_UnitKeys, _ItemMeasures, Base):
    """Grain: wave x branch x department x channel x segment x question; read
    only when a page filters or splits by segment."""

    __tablename__ = "rollup_item_segment"
    __table_args__ = {"sqlite_with_rowid": False}

    segment: Mapped[str] = mapped_column(String(40), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)


class RollupImportance(_UnitKeys, Base):
    """Stated importance (100-point allocations) per element."""

    __tablename__ = "rollup_importance"
    __table_args__ = {"sqlite_with_rowid": False}

    segment: Mapped[str] = mapped_column(String(40), primary_key=True)
    element: Mapped[str] = mapped_column(String(1), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    sum_points: Mapped[float] = mapped_column(Float, default=0)
    sumsq_points: Mapped[float] = mapped_column(Float, default=0)


# Driver analysis needs how element scores move together per respondent, so
# this rollup keeps, per cell, n and the sums and cross-products of each
# respondent's five RATER perception means and overall satisfaction (0-100).
DRIVER_VARIABLES = ("R", "A", "T", "E", "S", "O")
DRIVER_SUMS = tuple(f"s_{v.lower()}" for v in DRIVER_VARIABLES)
DRIVER_PRODUCTS = tuple(
    f"p_{a.lower()}{b.lower()}" for i, a in enumerate(DRIVER_VARIABLES) for b in DRIVER_VARIABLES[i:]
)


class RollupDriver(_UnitKeys, Base):
    """Grain: wave x branch x department x channel x segment; complete cases
    (all five elements and overall answered) only."""

    __tablename__ = "rollup_driver"
    __table_args__ = {"sqlite_with_rowid": False}

    segment: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


for _name in DRIVER_SUMS + DRIVER_PRODUCTS:
    RollupDriver.__table__.append_column(Column(_name, Float, nullable=False, server_default="0"))


class RollupLoyalty(_UnitKeys, Base):
    """Per overall-satisfaction answer level: how many respondents, and how
    many of them would recommend (9-10 on the 0-10 question): the data for
    'loyalty by satisfaction level' (DOMAIN 4, top-box effect)."""

    __tablename__ = "rollup_loyalty"
    __table_args__ = {"sqlite_with_rowid": False}

    segment: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True)  # overall satisfaction answer
    n: Mapped[int] = mapped_column(Integer, default=0)  # respondents at this level who answered recommend
    promoters: Mapped[int] = mapped_column(Integer, default=0)
    sum_recommend: Mapped[float] = mapped_column(Float, default=0)


class RollupIndicatorPair(_UnitKeys, Base):
    """For templates that declare a structural model: per cell, complete
    cases of the model's indicators, their sums and pairwise cross-products
    (question_a <= question_b). Enough to fit the PLS path model and the
    ACSI-method index without reading raw answers."""

    __tablename__ = "rollup_indicator_pair"
    __table_args__ = {"sqlite_with_rowid": False}

    question_a: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    question_b: Mapped[int] = mapped_column(ForeignKey("question.id"), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    sum_a: Mapped[float] = mapped_column(Float, default=0)
    sum_b: Mapped[float] = mapped_column(Float, default=0)
    sum_ab: Mapped[float] = mapped_column(Float, default=0)


# The gaps' intervals treat the respondent as the independent unit, so this
# rollup keeps, per cell, n, sum and sum of squares of each respondent's mean
# expectation (e), perception (p) and paired gap P - E over one element's items.
ELEMENT_MOMENTS = tuple(f"{stat}_{m}" for m in ("e", "p", "gap") for stat in ("n", "sum", "sumsq"))


class RollupElement(_UnitKeys, Base):
    """Grain: wave x branch x department x channel x segment x RATER element x
    item scale; per respondent the mean over the element's items (the gap
    over items with both E and P answered), reverse-coded items reversed."""

    __tablename__ = "rollup_element"
    __table_args__ = {"sqlite_with_rowid": False}

    segment: Mapped[str] = mapped_column(String(40), primary_key=True)
    element: Mapped[str] = mapped_column(String(1), primary_key=True)
    scale_min: Mapped[int] = mapped_column(Integer, primary_key=True)
    scale_max: Mapped[int] = mapped_column(Integer, primary_key=True)


for _name in ELEMENT_MOMENTS:
    _type = Integer if _name.startswith("n_") else Float
    RollupElement.__table__.append_column(Column(_name, _type, nullable=False, server_default="0"))


class CustomerDepartment(Base):
    """Derived: the departments each customer has dealt with (a survey
    response or a service request there), the customers a department-scoped
    viewer may see. Rebuilt by `refresh_customer_departments` whenever
    responses or requests are written: testing both large tables per customer
    on every page view took seconds at a million responses."""

    __tablename__ = "customer_department"
    __table_args__ = {"sqlite_with_rowid": False}

    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
