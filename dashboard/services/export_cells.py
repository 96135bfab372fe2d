"""Every CSV and Excel export goes through here: cells a spreadsheet would
run as a formula are made inert by the OWASP CSV-injection rules.

- A text cell that starts with = + - @, a tab or a carriage return (leading
  spaces do not hide it) gets a leading apostrophe.
- The same trigger after a separator inside the cell (, ; | tab CR LF, as in
  `x;=1+1`) gets an apostrophe too: a spreadsheet that splits on that
  separator would otherwise start a new cell with the formula.
- CSV text cells are written quoted, so a separator inside a cell stays
  inside it for any reader that honours quoting; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

TRIGGERS = ("=", "+", "-", "@")
_AFTER_SEPARATOR = re.compile(r"([,;|\t\r\n][ ]*)(?=[=+\-@])")


def inert_cell(value):
    """The cell with every formula trigger neutralised; non-text values as they are."""
    if not isinstance(value, str) or not value:
        return value
    out = _AFTER_SEPARATOR.sub(r"\1'", value)
    if out[0] in ("\t", "\r") or out.lstrip(" ")[:1] in TRIGGERS:
        out = "'" + out
    return out


def inert_table(table: pd.DataFrame) -> pd.DataFrame:
    """Every cell of every column, headers included."""
    out = table.map(inert_cell) if len(table.columns) else table.copy()
    out.columns = [inert_cell(str(c)) for c in table.columns]
    return out


def to_csv(table: pd.DataFrame) -> str:
    return inert_table(table).to_csv(index=False, quoting=csv.QUOTE_NONNUMERIC)


def to_xlsx(table: pd.DataFrame, sheet: str = "export") -> bytes:
    """An .xlsx workbook; openpyxl would store an un-neutralised '=...' string as a formula."""
    buffer = io.BytesIO()
    inert_table(table).to_excel(buffer, index=False, sheet_name=sheet)
    return buffer.getvalue()
