"""Codes that import rows refer to, loaded once per import."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db.models import Branch, BranchDepartment, Department
from dashboard.ingest.tabular import Checker


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
        if b is None:
            check.add(row_number, "branch_code", f"unknown branch {row['branch_code']!r}")
        if d is None:
            check.add(row_number, "department_code", f"unknown department {row['department_code']!r}")
        if b is not None and d is not None and (b, d) not in self.pairs:
            check.add(
                row_number,
                "department_code",
                f"branch {row['branch_code']} has no department {row['department_code']}",
            )
        return b, d
