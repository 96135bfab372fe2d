"""The viewer's data scope: which branches and departments a user may see.

A plain value object so the query layer can turn it into a WHERE clause and
cache keys can include it. Resolution from a logged-in user lives in the auth
service; this module decides nothing about who gets what.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """`None` means unrestricted on that axis; an empty set means nothing.

    A response is visible when its branch is allowed AND its department is
    allowed, so a department head across branches is
    `Scope(department_ids=frozenset({d}))`, and a unit is both sets.
    """

    branch_ids: frozenset[int] | None = None
    department_ids: frozenset[int] | None = None
    label: str = "everything"

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def nothing(cls) -> Scope:
        return cls(branch_ids=frozenset(), department_ids=frozenset(), label="nothing")

    @property
    def is_unrestricted(self) -> bool:
        return self.branch_ids is None and self.department_ids is None

    def restricts(self, axis: str) -> bool:
        """Whether the viewer is limited on "branch" or "department"."""
        return (self.branch_ids if axis == "branch" else self.department_ids) is not None

    def allows(self, branch_id: int | None, department_id: int | None) -> bool:
        ok_branch = self.branch_ids is None or branch_id in self.branch_ids
        ok_dept = self.department_ids is None or department_id in self.department_ids
        return ok_branch and ok_dept

    def cache_key(self) -> str:
        def part(ids: frozenset[int] | None) -> str:
            return "*" if ids is None else ",".join(map(str, sorted(ids)))

        return f"b[{part(self.branch_ids)}]d[{part(self.department_ids)}]"
