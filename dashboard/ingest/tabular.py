"""Reading CSV/Excel files as text and parsing cells with precise problems.

Cells are read as strings so that leading zeros survive and empty cells are
explicit; each parser records a Problem naming row and column instead of
raising, so one pass reports everything that is wrong with a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from dashboard.ingest.errors import Problem, ValidationFailed

TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f"}


@dataclass
class Table:
    source: str
    columns: list[str]
    rows: list[dict[str, str]]  # stripped strings, "" for empty

    @staticmethod
    def row_number(index: int) -> int:
        """The row a user sees in the file: header is row 1."""
        return index + 2


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, sheet_name=sheet or 0, dtype=str, keep_default_na=False)
        elif suffix in (".csv", ".txt"):
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            raise ValidationFailed(
                str(path), [Problem("file", f"unsupported file type {suffix!r}; use .csv or .xlsx")]
            )
    except ValidationFailed:
        raise
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, OSError) as exc:
        raise ValidationFailed(str(path), [Problem("file", f"cannot be read: {exc}")]) from exc
    df.columns = [str(c).strip() for c in df.columns]
    rows = [{k: str(v).strip() for k, v in rec.items()} for rec in df.to_dict("records")]
    return Table(str(path), list(df.columns), rows)


@dataclass
class Checker:
    """Collects problems while cells are parsed."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, message: str) -> None:
        where = ", ".join(p for p in (f"row {row}" if row else "", f"column {column}" if column else "") if p)
        self.problems.append(Problem(where, message))

    def require_columns(
        self, table: Table, required: list[str], optional: list[str] | None = None, allow_extra: bool = False
    ) -> bool:
        missing = [c for c in required if c not in table.columns]
        for c in missing:
            self.add(None, c, "required column is missing")
        if not allow_extra:
            known = set(required) | set(optional or [])
            for c in table.columns:
                if c not in known:
                    self.add(None, c, f"unknown column; expected {', '.join(required + (optional or []))}")
        dupes = {c for c in table.columns if table.columns.count(c) > 1}
        for c in sorted(dupes):
            self.add(None, c, "column appears more than once")
        return not missing

    def text(self, row: int, col: str, value: str, required: bool = True, max_len: int = 200) -> str | None:
        if not value:
            if required:
                self.add(row, col, "is required")
            return None
        if len(value) > max_len:
            self.add(row, col, f"is longer than {max_len} characters")
        return value

    def integer(
        self,
        row: int,
        col: str,
        value: str,
        lo: int | None = None,
        hi: int | None = None,
        required: bool = False,
    ) -> int | None:
        if not value:
            if required:
                self.add(row, col, "is required")
            return None
        try:
            number = float(value)
        except ValueError:
            self.add(row, col, f"{value!r} is not a number")
            return None
        if number != int(number):
            self.add(row, col, f"{value!r} is not a whole number")
            return None
        number = int(number)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            self.add(row, col, f"{value!r} is outside the scale {lo}-{hi}")
            return None
        return number

    def number(
        self, row: int, col: str, value: str, required: bool = False, minimum: float | None = None
    ) -> float | None:
        if not value:
            if required:
                self.add(row, col, "is required")
            return None
        try:
            number = float(value)
        except ValueError:
            self.add(row, col, f"{value!r} is not a number")
            return None
        if minimum is not None and number < minimum:
            self.add(row, col, f"{value!r} must be at least {minimum}")
            return None
        return number

    def boolean(self, row: int, col: str, value: str, default: bool | None = False) -> bool | None:
        if not value:
            return default
        low = value.lower()
        if low in TRUE:
            return True
        if low in FALSE:
            return False
        self.add(row, col, f"{value!r} is not yes/no")
        return default

    def date(self, row: int, col: str, value: str, required: bool = False) -> date | None:
        if not value:
            if required:
                self.add(row, col, "is required")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
        try:  # Excel cells arrive as "2024-01-31 00:00:00"
            return datetime.fromisoformat(value).date()
        except ValueError:
            self.add(row, col, f"{value!r} is not a date (YYYY-MM-DD)")
            return None

    def timestamp(self, row: int, col: str, value: str, required: bool = False) -> datetime | None:
        if not value:
            if required:
                self.add(row, col, "is required")
            return None
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            self.add(row, col, f"{value!r} is not a date/time (YYYY-MM-DD or YYYY-MM-DD HH:MM)")
            return None

    def choice(self, row: int, col: str, value: str, allowed, default: str | None = None) -> str | None:
        if not value:
            return default
        if value not in allowed:
            self.add(row, col, f"{value!r} is not one of {', '.join(sorted(allowed))}")
            return None
        return value

    def raise_if_any(self) -> None:
        if self.problems:
            raise ValidationFailed(self.source, self.problems)
