"""The shared file reader and cell parsers behind every importer: files are
read as the user sees them (text cells, spreadsheet row numbers) and each
bad cell becomes one Problem naming row, column and value."""

from __future__ import annotations

import csv
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.ingest.errors import ValidationFailed
from dashboard.ingest.report import ImportReport, row_list
from dashboard.ingest.tabular import Checker, read_table

TMP = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60, deadline=None)


# --- cell parsers -----------------------------------------------------------------
@given(lo=st.integers(-20, 20), width=st.integers(1, 20), data=st.data())
def test_integer_in_range_parses_in_every_plain_spelling(lo, width, data):
    hi = lo + width
    n = data.draw(st.integers(lo, hi))
    spelling = data.draw(st.sampled_from([str(n), f"{n}.0", f"{n:+d}", f"{n}.", f"{n}e0"]))
    check = Checker("f")
    assert check.integer(7, "Q", spelling, lo, hi) == n
    assert check.problems == []


@given(lo=st.integers(-20, 20), width=st.integers(1, 20), outside=st.integers(1, 1000), above=st.booleans())
def test_integer_outside_range_is_one_problem_naming_value_and_range(lo, width, outside, above):
    hi = lo + width
    n = hi + outside if above else lo - outside
    check = Checker("f")
    assert check.integer(12, "R1_P", str(n), lo, hi) is None
    assert [str(p) for p in check.problems] == [f"row 12, column R1_P: '{n}' is outside the scale {lo}-{hi}"]


@pytest.mark.parametrize(
    "value", ["nan", "NaN", "inf", "-Infinity", "1e400", "1_000", "0x1F", "4,5", "7 7", "½"]
)
def test_non_plain_numbers_are_refused_not_crashed_on(value):
    check = Checker("f")
    assert check.integer(3, "NPS", value, 0, 10) is None
    assert check.number(3, "annual_revenue", value) is None
    assert [p.message for p in check.problems] == [
        f"{value!r} is not a number (allowed: whole numbers 0-10)",
        f"{value!r} is not a number",
    ]


def test_integer_messages():
    check = Checker("f")
    assert check.integer(2, "T1_P", "4.5", 1, 7) is None
    assert check.integer(2, "OVERALL", "", 1, 10, required=True) is None
    assert check.integer(2, "R1_E", "", 1, 7) is None  # empty = not answered
    assert [str(p) for p in check.problems] == [
        "row 2, column T1_P: '4.5' is not a whole number (allowed: whole numbers 1-7)",
        "row 2, column OVERALL: is required (allowed: whole numbers 1-10)",
    ]


def test_number_minimum():
    check = Checker("f")
    assert check.number(4, "sla_hours", "12.5", minimum=0) == 12.5
    assert check.number(4, "sla_hours", "-1", minimum=0) is None
    assert [str(p) for p in check.problems] == ["row 4, column sla_hours: '-1' must be at least 0"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("yes", True), ("Y", True), ("TRUE", True), ("1", True), ("t", True), ("no", False), ("False", False)]
    + [("0", False), ("N", False), ("", False)],
)
def test_boolean_spellings(value, expected):
    check = Checker("f")
    assert check.boolean(2, "escalated", value) is expected
    assert check.problems == []


def test_boolean_problem_and_unknown_default():
    check = Checker("f")
    assert check.boolean(2, "customer_confirmed", "", default=None) is None
    check.boolean(5, "is_manager", "maybe")
    assert [str(p) for p in check.problems] == ["row 5, column is_manager: 'maybe' is not yes/no"]


def test_dates_and_timestamps():
    check = Checker("f")
    assert check.date(2, "d", "2024-02-29") == date(2024, 2, 29)
    assert check.date(2, "d", "2024-01-31 00:00:00") == date(2024, 1, 31)  # an Excel date cell
    assert check.timestamp(2, "t", "2026-02-01") == datetime(2026, 2, 1)
    assert check.timestamp(2, "t", "2026-02-01 09:30") == datetime(2026, 2, 1, 9, 30)
    assert check.timestamp(2, "t", "2026-02-01T09:30:15Z") == datetime(2026, 2, 1, 9, 30, 15)
    assert check.problems == []
    assert check.date(3, "joined_on", "2023-02-29") is None
    assert check.date(4, "joined_on", "31/01/2024") is None
    assert check.timestamp(5, "submitted_at", "yesterday") is None
    assert check.date(6, "joined_on", "", required=True) is None
    assert [str(p) for p in check.problems] == [
        "row 3, column joined_on: '2023-02-29' is not a date (YYYY-MM-DD)",
        "row 4, column joined_on: '31/01/2024' is not a date (YYYY-MM-DD)",
        "row 5, column submitted_at: 'yesterday' is not a date/time (YYYY-MM-DD or YYYY-MM-DD HH:MM)",
        "row 6, column joined_on: is required",
    ]


def test_choice_text_and_raise():
    check = Checker("responses.csv")
    assert check.choice(2, "channel", "", ("survey", "praise"), "survey") == "survey"
    assert check.choice(3, "channel", "fax", ("survey", "praise")) is None
    assert check.text(4, "name", "x" * 11, max_len=10) == "x" * 11
    assert check.text(5, "name", "") is None
    with pytest.raises(ValidationFailed) as err:
        check.raise_if_any()
    assert str(err.value).splitlines() == [
        "responses.csv: 3 problem(s), nothing was imported:",
        "  - row 3, column channel: 'fax' is not one of praise, survey",
        "  - row 4, column name: is longer than 10 characters",
        "  - row 5, column name: is required",
    ]
    assert len(err.value.problems) == 3


# --- reading files ----------------------------------------------------------------
def test_csv_bom_semicolons_leading_zeros_and_blank_rows(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes("\ufeffref ; name\r\n007;  Ann \r\n\r\n;\r\n0042;Bo\r\n".encode())
    table = read_table(path)
    assert table.columns == ["ref", "name"]
    assert table.rows == [{"ref": "007", "name": "Ann"}, {"ref": "0042", "name": "Bo"}]
    assert [table.row_number(i) for i in range(2)] == [2, 5]  # blank rows keep their numbers


def test_quoted_line_breaks_are_kept_and_count_as_one_row(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b'id,comment\r\n1,"line one\r\nline two"\r\n2,"a\nb"\r\n')
    table = read_table(path)
    assert [r["comment"] for r in table.rows] == ["line one\r\nline two", "a\nb"]
    assert table.numbers == [2, 3]  # spreadsheet rows, not physical lines


header_name = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
cell = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    | st.sampled_from([",", ";", '"', "'", "\n", "\r", " "])
)


@TMP
@given(
    header=st.lists(header_name, min_size=1, max_size=5, unique=True),
    data=st.data(),
)
def test_csv_round_trip(tmp_path, header, data):
    """Whatever csv.writer produces comes back cell for cell (trimmed), with
    blank rows skipped but counted."""
    rows = data.draw(st.lists(st.lists(cell, min_size=len(header), max_size=len(header)), max_size=8))
    path = tmp_path / "r.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    table = read_table(path)
    kept = [(k, r) for k, r in enumerate(rows, start=2) if any(c.strip() for c in r)]
    assert table.columns == header
    assert table.rows == [dict(zip(header, [c.strip() for c in r], strict=True)) for _, r in kept]
    assert table.numbers == [k for k, _ in kept]


def test_file_level_problems(tmp_path):
    def problems(name: str, content: bytes) -> list[str]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ValidationFailed) as err:
            read_table(path)
        return [str(p) for p in err.value.problems]

    assert problems("a.csv", b"") == ["row 1: the file has no header row"]
    assert problems("b.csv", "a,b\nCaf\xe9,1\n".encode("latin-1")) == [
        "file: is not UTF-8 text; save it as 'CSV UTF-8'"
    ]
    assert problems("c.csv", b"a,,b\n1,2,3\n4,5,6,7\n") == [
        "row 1, column 2: header cell is empty",
        "row 3: has 4 cells but the header has 3 columns",
    ]
    assert problems("d.json", b"{}") == ["file: unsupported file type '.json'; use .csv or .xlsx"]
    assert problems("e.xlsx", b"not a zip") == [f"file: {UNREADABLE_XLSX}"]


UNREADABLE_XLSX = "is not a readable .xlsx workbook (truncated or damaged?); save it again from Excel"


def _workbook(path, rows) -> bytes:
    """An .xlsx written by openpyxl, which stores formulas without a calculated value."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9, 0.99])
def test_a_truncated_workbook_is_a_problem_not_a_traceback(tmp_path, keep):
    whole = _workbook(tmp_path / "whole.xlsx", [["a", "b"], [1, 2]] * 50)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: int(len(whole) * keep)])
    with pytest.raises(ValidationFailed) as err:
        read_table(cut)
    assert [str(p) for p in err.value.problems] == [f"file: {UNREADABLE_XLSX}"]


def test_a_formula_without_a_calculated_value_is_a_problem_naming_row_and_column(tmp_path):
    path = tmp_path / "f.xlsx"
    _workbook(path, [["response_id", "R1_P", "note"], ["A", 5, "x"], ["B", "=2+3", "y"], ["C", 4, "=A2"]])
    with pytest.raises(ValidationFailed) as err:
        read_table(path)
    assert [p.where for p in err.value.problems] == ["row 3, column R1_P", "row 4, column note"]
    assert "formula without a calculated value" in err.value.problems[0].message


@pytest.mark.parametrize("cell", ["a\x00b", "\x00", "bell\x07", "esc\x1b["])
def test_control_characters_in_a_cell_are_problems_naming_row_and_column(tmp_path, cell):
    path = tmp_path / "n.csv"
    path.write_text(f"customer_ref,name\nC1,Fine name\nC2,{cell}\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as err:
        read_table(path)
    assert [p.where for p in err.value.problems] == ["row 3, column name"]


def test_tabs_and_line_breaks_in_a_cell_are_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('ref,comment\nC1,"two\nlines\tand a tab"\n', encoding="utf-8")
    assert read_table(path).rows[0]["comment"] == "two\nlines\tand a tab"


def test_excel_text_cells_dates_and_sheets(tmp_path):
    path = tmp_path / "w.xlsx"
    frame = pd.DataFrame(
        {
            "ref": ["007", "C1"],
            "score": [7, None],
            "joined_on": [pd.Timestamp("2024-01-31"), pd.Timestamp("2024-02-01 09:30")],
            "flag": [True, False],
        }
    )
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="Cover", index=False)
        frame.to_excel(writer, sheet_name="Data", index=False)
    assert read_table(path).columns == ["x"]
    table = read_table(path, sheet="Data")
    assert table.rows[0]["ref"] == "007" and table.rows[1]["score"] == ""
    check = Checker("w")
    assert check.integer(2, "score", table.rows[0]["score"], 1, 7) == 7
    assert check.date(2, "joined_on", table.rows[0]["joined_on"]) == date(2024, 1, 31)
    assert check.timestamp(3, "joined_on", table.rows[1]["joined_on"]) == datetime(2024, 2, 1, 9, 30)
    assert [check.boolean(2, "flag", r["flag"]) for r in table.rows] == [True, False]
    assert check.problems == []
    with pytest.raises(ValidationFailed, match="cannot be read"):
        read_table(path, sheet="Nope")


# --- report ----------------------------------------------------------------------
def test_report_summary_and_row_list():
    report = ImportReport("units", "u.csv", 4, False, {"branch": 2, "department": 3}, ["careful"])
    assert report.rows_written == 5
    assert report.summary() == "units from u.csv: 4 rows read, wrote 2 branch, 3 department\nwarning: careful"
    dry = ImportReport("units", "u.csv", 4, True, {"branch": 2})
    assert dry.rows_written == 0 and "would write 2 branch" in dry.summary()
    assert "nothing was written" in dry.summary()
    assert row_list(list(range(2, 20))) == "2, 3, 4, 5, 6, 7, 8, 9, 10, 11 ..."
    assert row_list([4]) == "4"
