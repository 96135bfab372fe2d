"""Organisation: branches, departments, staff and customers."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dashboard.db.base import Base


class Branch(Base):
    __tablename__ = "branch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(60))

    departments: Mapped[list[Department]] = relationship(
        secondary="branch_department", back_populates="branches", order_by="Department.code"
    )


class Department(Base):
    """A function (e.g. Lending) that several branches run; a department head
    may see it across branches."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))

    branches: Mapped[list[Branch]] = relationship(
        secondary="branch_department", back_populates="departments", order_by="Branch.code"
    )


class BranchDepartment(Base):
    """Which departments a branch has: the organisational units."""

    __tablename__ = "branch_department"

    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_ref: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    job_title: Mapped[str] = mapped_column(String(60), default="staff")
    is_account_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    started_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)  # customers follow a leaving manager


class Customer(Base):
    __tablename__ = "customer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_ref: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    segment: Mapped[str] = mapped_column(String(40), index=True)
    tier: Mapped[str] = mapped_column(String(20), default="standard")  # standard | gold | vip
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    account_manager_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    churned_on: Mapped[date | None] = mapped_column(Date)
    annual_revenue: Mapped[float | None] = mapped_column(Float)
