"""Validation problems reported by every importer, with the row and column
they concern, so a user can fix a file without guessing."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    where: str  # e.g. "row 12, column R1_P" or "questions[3].scale"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class ValidationFailed(Exception):
    """Raised when an input has any problem; nothing has been written."""

    def __init__(self, source: str, problems: list[Problem], limit: int = 50) -> None:
        self.source = source
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:limit])
        more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
        super().__init__(f"{source}: {len(problems)} problem(s), nothing was imported:\n{shown}{more}")
