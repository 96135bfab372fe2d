"""Formula neutralising of exported cells (OWASP CSV injection rules), read
back with the csv module and openpyxl as independent parsers."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from dashboard.services import churn
from dashboard.services.export_cells import inert_cell, to_csv, to_xlsx


@pytest.mark.parametrize(
    "raw,inert",
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("  =cmd", "'  =cmd"),
        (";=1+1", ";'=1+1"),
        ("name,=HYPERLINK(x)", "name,'=HYPERLINK(x)"),
        ("a; -1", "a; '-1"),
        ("x|@y", "x|'@y"),
        ("line\n=1", "line\n'=1"),
        ("Anna Smith", "Anna Smith"),
        ("a-b e-mail@x", "a-b e-mail@x"),
        ("", ""),
    ],
)
def test_inert_cell(raw, inert):
    assert inert_cell(raw) == inert


def test_non_text_cells_are_untouched():
    assert inert_cell(-3) == -3 and inert_cell(None) is None and inert_cell(2.5) == 2.5


HOSTILE = pd.DataFrame({"=head": ["=1+1", "ok;=2+2", "plain"], "n": [-1, 2, 3]})


def _no_formula(text: str) -> bool:
    """No cell of the text, split on any separator a spreadsheet might use, starts a formula."""
    for part in text.replace(";", ",").replace("|", ",").replace("\t", ",").split(","):
        assert part.strip(' "')[:1] not in ("=", "+", "@"), part
    return True


def test_csv_every_cell_quoted_and_inert_for_any_separator():
    text = to_csv(HOSTILE)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["'=head", "n"], ["'=1+1", "-1"], ["ok;'=2+2", "2"], ["plain", "3"]]
    assert _no_formula(text)
    assert '"ok;\'=2+2"' in text  # text cells are quoted, numbers are not


def test_xlsx_stores_hostile_text_as_text(tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(HOSTILE)))
    sheet = book.active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells == [["'=head", "n"], ["'=1+1", -1], ["ok;'=2+2", 2], ["plain", 3]]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_an_unneutralised_string_would_be_a_formula_in_xlsx():
    """The oracle sees formulas when they are there (so the test above can fail)."""
    buffer = io.BytesIO()
    HOSTILE.to_excel(buffer, index=False)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_the_churn_export_goes_through_the_neutraliser():
    table = pd.DataFrame(
        [{"external_ref": "C1", "name": "Acme;=1+1", "account_manager": None, "reasons": ["=low", "b"]}]
    )
    rows = list(csv.DictReader(io.StringIO(churn.export_csv(table))))
    assert rows[0]["name"] == "Acme;'=1+1" and rows[0]["reasons"] == "'=low; b"
    sheet = openpyxl.load_workbook(io.BytesIO(churn.export_xlsx(table))).active
    assert [c.value for c in sheet[2]][:2] == ["C1", "Acme;'=1+1"]
