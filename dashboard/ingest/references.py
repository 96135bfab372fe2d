"""Codes that import rows refer to, loaded once per import."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from dashboard.db.models import Branch, BranchDepartment, Department
from dashboard.ingest.tabular import Checker

# Bound parameters per IN list: SQLite allows 32,766 per statement and
# psycopg 65,535, and a file can hold more distinct refs than that.
CHUNK = 5_000


def lookup(
    session: Session, key: ColumnElement, values: Iterable[ColumnElement], wanted: Iterable[Any]
) -> dict[Any, tuple]:
    """`{key: (values...)}` for the rows whose key is in `wanted`, queried
    in chunks so that a file of any size stays under the driver's limit."""
    wanted = sorted({w for w in wanted if w not in (None, "")})
    found: dict[Any, tuple] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        for k, *rest in session.execute(select(key, *values).where(key.in_(chunk))):
            found[k] = tuple(rest)
    return found


@dataclass
class Units:
    branches: dict[str, int]
    departments: dict[str, int]
    pairs: set[tuple[int, int]]

    @classmethod
    def load(cls, session: Session) -> Units:
        return cls(
            dict(session.execute(select(Branch.code, Branch.id)).all()),
            dict(session.execute(select(Department.code, Department.id)).all()),
            set(session.execute(select(BranchDepartment.branch_id, BranchDepartment.department_id)).all()),
        )

    def resolve(self, check: Checker, row_number: int, row: dict[str, str]) -> tuple[int | None, int | None]:
        """Branch and department ids of a row, reporting unknown codes and a
        department the branch does not have."""
        b, d = self.branches.get(row["branch_code"]), self.departments.get(row["department_code"])
        for col, found, what in (("branch_code", b, "branch"), ("department_code", d, "department")):
            if not row[col]:
                check.add(row_number, col, "is required")
            elif found is None:
                check.add(row_number, col, f"unknown {what} {row[col]!r}")
        if b is not None and d is not None and (b, d) not in self.pairs:
            check.add(
                row_number,
                "department_code",
                f"branch {row['branch_code']} has no department {row['department_code']}",
            )
        return b, d

    def resolve_optional(
        self, check: Checker, row_number: int, row: dict[str, str], *, branch_required: bool = False
    ) -> tuple[int | None, int | None]:
        """Branch and department ids where either may be empty (a company-wide
        or department-wide record); codes given must exist, and a department
        given with a branch must be one the branch has."""
        bc, dc = row.get("branch_code", ""), row.get("department_code", "")
        if branch_required and not bc:
            check.add(row_number, "branch_code", "is required")
        b = self.branches.get(bc) if bc else None
        d = self.departments.get(dc) if dc else None
        if bc and b is None:
            check.add(row_number, "branch_code", f"unknown branch {bc!r}")
        if dc and d is None:
            check.add(row_number, "department_code", f"unknown department {dc!r}")
        if b is not None and d is not None and (b, d) not in self.pairs:
            check.add(row_number, "department_code", f"branch {bc} has no department {dc}")
        return b, d
