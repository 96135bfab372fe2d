"""What an import did (or, in a dry run, would do), and a validated file
waiting to be applied."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ImportReport:
    """Rows read, rows written per table (or, in a dry run, the rows that
    would be written) and non-blocking warnings."""

    kind: str
    source: str
    rows_read: int
    dry_run: bool = False
    written: dict[str, int] = field(default_factory=dict)  # table -> rows
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_written(self) -> int:
        """Rows actually written over all tables: 0 in a dry run."""
        return 0 if self.dry_run else sum(self.written.values())

    def warn_rows(self, rows: list[int], what: str) -> None:
        """Warn, when there are any, that `rows` (row numbers) are `what`:
        "3 response(s) submitted late (rows 2, 5, 9)"."""
        if rows:
            self.warnings.append(f"{len(rows)} {what} (rows {row_list(rows)})")

    def summary(self) -> str:
        """One line of counts, then the dry-run note and warnings."""
        verb = "would write" if self.dry_run else "wrote"
        counts = ", ".join(f"{n:,} {table}" for table, n in self.written.items()) or "nothing"
        lines = [f"{self.kind} from {self.source}: {self.rows_read:,} rows read, {verb} {counts}"]
        if self.dry_run:
            lines.append(
                "dry run: the file is valid and its writes succeeded; rolled back, nothing was written"
            )
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)


@dataclass
class StagedImport:
    """A file that passed every check: its report, and `apply(session)`, the
    writes that store it. Staging only reads, so a long file is checked
    without holding the database's write lock; apply runs in the (short)
    write transaction, which a dry run rolls back instead of committing."""

    report: ImportReport
    apply: Callable[[Any], None]  # (Session) -> None


def staged_rows(report: ImportReport, objects: list) -> StagedImport:
    """A valid file whose apply step adds its new ORM rows."""

    def apply(session: Any) -> None:
        session.add_all(objects)
        session.flush()

    return StagedImport(report, apply)


def no_writes(_session: Any) -> None:
    """The apply step of a file with nothing to write (no data rows)."""


def row_list(numbers: list[int], shown: int = 10) -> str:
    """Row numbers for a warning: the first `shown`, then an ellipsis."""
    return ", ".join(map(str, numbers[:shown])) + (" ..." if len(numbers) > shown else "")
