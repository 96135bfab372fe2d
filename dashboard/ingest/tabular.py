"""Reading CSV/Excel files as text and parsing cells with precise problems.

Cells are read as strings so that leading zeros survive and empty cells are
explicit; each parser records a Problem naming row and column instead of
raising, so one pass reports everything that is wrong with a file.

Row numbers are the ones a user sees in a spreadsheet: the header is row 1
and blank lines keep their numbers (they are skipped, not renumbered).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter

from dashboard.domain import ELEMENTS
from dashboard.ingest.errors import Problem, ValidationFailed
from dashboard.ingest.report import ImportReport

IMPORTANCE_COLUMNS = {f"IMP_{e}": e for e in ELEMENTS}  # stated importance points per RATER element
TRUE = {"1", "true", "yes", "y", "t"}
FALSE = {"0", "false", "no", "n", "f"}
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
# Plain decimal notation only: float() would also take "nan", "inf" and "1_000".
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


@dataclass
class Table:
    """A file's header and non-blank rows as stripped strings ("" = empty)."""

    source: str
    columns: list[str]
    rows: list[dict[str, str]]
    numbers: list[int] = field(default_factory=list)  # spreadsheet row of each entry in `rows`

    def row_number(self, index: int) -> int:
        """The row a user sees in the file for rows[index]: header is row 1."""
        return self.numbers[index] if self.numbers else index + 2


def read_table(path: str | Path, sheet: str | None = None) -> Table:
    """Read a CSV (UTF-8, BOM allowed, comma or semicolon separated) or an
    .xlsx sheet as text. Problems with the file as a whole (type, encoding,
    header, ragged rows) raise ValidationFailed."""
    path = Path(path)
    suffix = path.suffix.lower()
    source = str(path)
    try:
        if suffix in EXCEL_SUFFIXES:
            grid = _read_excel(path, sheet)
        elif suffix in CSV_SUFFIXES:
            grid = _read_csv(path)
        else:
            raise ValidationFailed(
                source, [Problem("file", f"unsupported file type {suffix!r}; use .csv or .xlsx")]
            )
    except ValidationFailed:
        raise
    except ExcelUnreadable as exc:
        message = "is not a readable .xlsx workbook (truncated or damaged?); save it again from Excel"
        raise ValidationFailed(source, [Problem("file", message)]) from exc
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            source, [Problem("file", "is not UTF-8 text; save it as 'CSV UTF-8'")]
        ) from exc
    except (ValueError, KeyError, csv.Error, OSError) as exc:
        raise ValidationFailed(source, [Problem("file", f"cannot be read: {exc}")]) from exc
    return _to_table(source, grid)


class ExcelUnreadable(Exception):
    """The workbook could not be opened or parsed (truncated, damaged, not a workbook)."""


def _read_csv(path: Path) -> list[list[str]]:
    """Rows of a UTF-8 CSV; the delimiter is ';' when the header line has
    more semicolons than commas (European Excel), else ','."""
    # decoded without newline translation, so that line breaks inside quoted
    # cells survive as written and csv sees CRLF, LF or CR row ends itself
    text = path.read_bytes().decode("utf-8-sig")
    first = text.splitlines()[0] if text else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _read_excel(path: Path, sheet: str | None) -> list[list[str]]:
    """Rows of one sheet (the first unless named) as text; empty cells "".
    A formula cell without a calculated value (a workbook written by a
    program that does not calculate) is a problem, not an empty answer."""
    df = _excel_call(
        lambda: pd.read_excel(
            path, sheet_name=sheet or 0, header=None, dtype=str, keep_default_na=False, engine="openpyxl"
        )
    )
    grid = [[str(v) for v in rec] for rec in df.itertuples(index=False, name=None)]
    problems = _excel_call(lambda: _formulas_without_values(path, sheet, grid[0] if grid else []))
    if problems:
        raise ValidationFailed(str(path), problems)
    return grid


def _excel_call(read):
    """Run a workbook read; anything the zip/XML parsers raise on a damaged
    file (BadZipFile, ParseError, EOFError ...) becomes ExcelUnreadable."""
    try:
        return read()
    except (ValidationFailed, ValueError, KeyError):
        raise  # a missing sheet, a bad cell: read_table words these itself
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: any parser failure means unreadable
        raise ExcelUnreadable(str(exc)) from exc


def _formulas_without_values(path: Path, sheet: str | None, header: list[str]) -> list[Problem]:
    """Formula cells whose cached value is missing, by row and column."""
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        pick = (lambda book: book[sheet]) if sheet else (lambda book: book.worksheets[0])
        cached = {
            (cell.row, cell.column): cell.value
            for row in pick(values).iter_rows()
            for cell in row
            if hasattr(cell, "row")
        }
        problems = []
        for row in pick(formulas).iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) == "f" and cached.get((cell.row, cell.column)) is None:
                    k = cell.column - 1
                    name = header[k] if k < len(header) and header[k] else get_column_letter(cell.column)
                    problems.append(
                        Problem(
                            f"row {cell.row}, column {name}",
                            "is a formula without a calculated value; open the file in a spreadsheet "
                            "program and save it again (or paste the values)",
                        )
                    )
        return problems
    finally:
        formulas.close()
        values.close()


def _to_table(source: str, grid: list[list[str]]) -> Table:
    """First row is the header; blank rows are dropped but keep numbering."""
    grid = [[c.strip() for c in r] for r in grid]
    if not grid or not any(grid[0]):
        raise ValidationFailed(source, [Problem("row 1", "the file has no header row")])
    header = grid[0]
    while header and not header[-1]:
        header = header[:-1]
    width = len(header)
    problems = [
        Problem(f"row 1, column {k + 1}", "header cell is empty") for k, name in enumerate(header) if not name
    ]
    problems += _control_characters(grid, header)
    rows, numbers = [], []
    for k, cells in enumerate(grid[1:], start=2):
        if not any(cells):
            continue
        if any(cells[width:]):
            problems.append(Problem(f"row {k}", f"has {len(cells)} cells but the header has {width} columns"))
        cells = cells[:width] + [""] * (width - len(cells))
        record: dict[str, str] = {}
        for name, value in zip(header, cells, strict=True):
            record.setdefault(name, value)  # a repeated column is reported by require_columns
        rows.append(record)
        numbers.append(k)
    if problems:
        raise ValidationFailed(source, problems)
    return Table(source, header, rows, numbers)


# NUL cannot be stored by PostgreSQL and no other control character but tab
# and line breaks belongs in a cell; refused on both backends alike.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _control_characters(grid: list[list[str]], header: list[str]) -> list[Problem]:
    problems = []
    for k, cells in enumerate(grid, start=1):
        for j, value in enumerate(cells):
            if CONTROL.search(value):
                name = header[j] if j < len(header) and header[j] and k > 1 else str(j + 1)
                char = "NUL" if "\x00" in value else "a control character"
                problems.append(Problem(f"row {k}, column {name}", f"contains {char}; remove it"))
    return problems


def _finite(value: str) -> float | None:
    """A decimal number written plainly (7, -2.5, 7.0, 1e3), else None."""
    value = value.strip()
    if not NUMBER.fullmatch(value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass
class Checker:
    """Collects problems while cells are parsed."""

    source: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, message: str) -> None:
        """Record a problem at row (as the user sees it) and column."""
        where = ", ".join(p for p in (f"row {row}" if row else "", f"column {column}" if column else "") if p)
        self.problems.append(Problem(where, message))

    def require_columns(
        self, table: Table, required: list[str], optional: list[str] | None = None, allow_extra: bool = False
    ) -> bool:
        """Report missing, unknown (unless allow_extra) and repeated columns;
        True when every required column is present."""
        missing = [c for c in required if c not in table.columns]
        for c in missing:
            self.add(1, c, "required column is missing")
        if not allow_extra:
            known = set(required) | set(optional or [])
            for c in table.columns:
                if c not in known:
                    self.add(1, c, f"unknown column; expected {', '.join(required + (optional or []))}")
        dupes = {c for c in table.columns if table.columns.count(c) > 1}
        for c in sorted(dupes):
            self.add(1, c, "column appears more than once")
        return not missing

    def _absent(self, row: int, col: str, value: str, required: bool) -> bool:
        """True for an empty cell, recorded as a problem when it is required."""
        if not value and required:
            self.add(row, col, "is required")
        return not value

    def text(self, row: int, col: str, value: str, required: bool = True, max_len: int = 200) -> str | None:
        """Free text, stripped; empty is a problem when required."""
        if self._absent(row, col, value, required):
            return None
        if len(value) > max_len:
            self.add(row, col, f"is longer than {max_len} characters")
        return value

    def new_key(
        self, row: int, col: str, value: str, known: set[str], refusal: str, max_len: int
    ) -> str | None:
        """A code or ref the file adds: refused (`refusal` names it, e.g.
        "wave {!r} already exists") when `known` holds it, from the database or
        an earlier row; the key then joins `known`."""
        key = self.text(row, col, value, max_len=max_len)
        if key and key in known:
            self.add(row, col, refusal.format(key))
        known.add(key)
        return key

    def integer(
        self,
        row: int,
        col: str,
        value: str,
        lo: int | None = None,
        hi: int | None = None,
        required: bool = False,
    ) -> int | None:
        """A whole number, optionally within lo..hi; messages name the value
        and the allowed range."""
        allowed = f"allowed: whole numbers {lo}-{hi}" if lo is not None and hi is not None else ""
        if not value:
            if required:
                self.add(row, col, f"is required ({allowed})" if allowed else "is required")
            return None
        number = _finite(value)
        if number is None:
            self.add(row, col, f"{value!r} is not a number" + (f" ({allowed})" if allowed else ""))
            return None
        if number != int(number):
            self.add(row, col, f"{value!r} is not a whole number" + (f" ({allowed})" if allowed else ""))
            return None
        number = int(number)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            self.add(row, col, f"{value!r} is outside the scale {lo}-{hi}")
            return None
        return number

    def number(
        self, row: int, col: str, value: str, required: bool = False, minimum: float | None = None
    ) -> float | None:
        """A decimal number, optionally at least `minimum`."""
        if self._absent(row, col, value, required):
            return None
        number = _finite(value)
        if number is None:
            self.add(row, col, f"{value!r} is not a number")
            return None
        if minimum is not None and number < minimum:
            self.add(row, col, f"{value!r} must be at least {minimum}")
            return None
        return number

    def boolean(self, row: int, col: str, value: str, default: bool | None = False) -> bool | None:
        """yes/no, true/false, y/n, t/f, 1/0 (any case); empty gives `default`."""
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
        """An ISO date YYYY-MM-DD (Excel date cells included)."""
        if self._absent(row, col, value, required):
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
        """An ISO date or date/time; a time zone suffix is dropped."""
        if self._absent(row, col, value, required):
            return None
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            self.add(row, col, f"{value!r} is not a date/time (YYYY-MM-DD or YYYY-MM-DD HH:MM)")
            return None

    def in_order(self, row: int, first: tuple[str, date | None], then: tuple[str, date | None]) -> None:
        """Two (column, parsed date) of a row: the second, when both are
        given, may not be before the first ("left_on: is before started_on")."""
        (first_col, first_value), (then_col, then_value) = first, then
        if first_value and then_value and then_value < first_value:
            self.add(row, then_col, f"is before {first_col}")

    def choice(
        self, row: int, col: str, value: str, allowed: Collection[str], default: str | None = None
    ) -> str | None:
        """One of `allowed`; empty gives `default`."""
        if not value:
            return default
        if value not in allowed:
            self.add(row, col, f"{value!r} is not one of {', '.join(sorted(allowed))}")
            return None
        return value

    def raise_if_any(self) -> None:
        """Stop with every problem found so far (before anything is written)."""
        if self.problems:
            raise ValidationFailed(self.source, self.problems)

    def importance_points(self, row: int, cells: dict[str, str]) -> dict[str, int] | None:
        """Stated importance from the IMP_R ... IMP_S columns (`cells` maps
        element to cell): all five whole numbers 0-100 summing to 100, or all
        empty (None). Problems are named on the columns' sum."""
        given = {e: v for e, v in cells.items() if v}
        if not given:
            return None
        where = "+".join(f"IMP_{e}" for e in cells)
        parsed = {e: self.integer(row, f"IMP_{e}", v, 0, 100) for e, v in given.items()}
        if len(parsed) < len(cells):
            self.add(row, where, "importance points need all five elements (or none)")
        elif None not in parsed.values() and sum(parsed.values()) != 100:
            self.add(row, where, f"importance points sum to {sum(parsed.values())}, not 100")
        return parsed

    def report(self, kind: str, table: Table, written: dict[str, int]) -> ImportReport:
        """Stop with every problem found; else the report of the valid file,
        `written` counting the rows per table it writes (or would)."""
        self.raise_if_any()
        return ImportReport(kind, table.source, len(table.rows), written=written)


def read_checked(
    path: str | Path,
    sheet: str | None,
    required: list[str],
    optional: list[str] | None = None,
    allow_extra: bool = False,
) -> tuple[Table, Checker]:
    """Read a file and check its header; stop when a column is missing,
    unknown or repeated. The checker then collects the cells' problems."""
    table = read_table(path, sheet)
    check = Checker(table.source)
    check.require_columns(table, required, optional, allow_extra)
    check.raise_if_any()
    return table, check
