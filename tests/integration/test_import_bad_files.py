"""Every kind of bad file is refused with ValidationFailed naming row and
column, and every table's row count is exactly what it was before."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from tests.integration.import_fixtures import (
    assert_refused,
    edited_copy,
    load_samples,
    sample_path,
    set_cell,
)
from tests.support.databases import throwaway_engine

Change = Callable[[pd.DataFrame], pd.DataFrame]


@pytest.fixture
def loaded(session_databases):
    """SQLite with every sample imported, responses included (a private copy)."""
    with session_databases.copy("sqlite", "samples", load_samples) as eng:
        yield eng


def _fresh_ids(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(response_id=df["response_id"].str.replace("RESP", "NEW"))


BAD_RESPONSES: dict[str, tuple[Change, list[str]]] = {
    "unknown code column": (lambda df: df.assign(X9_P="3"), ["row 1, column X9_P", "unknown column"]),
    "out of scale": (set_cell(3, "R2_P", "8"), ["row 5, column R2_P: '8' is outside the scale 1-7"]),
    "out of scale nps": (set_cell(19, "NPS", "11"), ["row 21, column NPS: '11' is outside the scale 0-10"]),
    "not a number": (
        set_cell(0, "OVERALL", "good"),
        ["row 2, column OVERALL: 'good' is not a number", "1-10"],
    ),
    "not a whole number": (set_cell(0, "T1_P", "4.5"), ["row 2, column T1_P: '4.5' is not a whole number"]),
    "missing required column": (
        lambda df: df.drop(columns=["branch_code"]),
        ["row 1, column branch_code: required column is missing"],
    ),
    "required question without column": (
        lambda df: df.drop(columns=["OVERALL"]),
        ["row 1, column OVERALL_P: required question OVERALL has no column"],
    ),
    "required question empty": (set_cell(2, "OVERALL", ""), ["row 4, column OVERALL: is required"]),
    "duplicate response id in file": (
        set_cell(4, "response_id", "NEW-001"),
        ["row 6, column response_id: duplicate response id 'NEW-001' in wave S-2026-Q1"],
    ),
    "unknown customer": (
        set_cell(2, "customer_ref", "C999"),
        ["row 4, column customer_ref: unknown customer"],
    ),
    "unknown branch": (
        set_cell(1, "branch_code", "X01"),
        ["row 3, column branch_code: unknown branch 'X01'"],
    ),
    "unknown department": (set_cell(1, "department_code", "ZZ"), ["row 3, column department_code: unknown"]),
    "department not in branch": (
        set_cell(1, "department_code", "SRV"),
        ["row 3, column department_code: branch N01 has no department SRV"],
    ),
    "bad date": (set_cell(6, "submitted_at", "31/02/2026"), ["row 8, column submitted_at", "not a date"]),
    "importance not 100": (
        set_cell(1, "IMP_R", "90"),
        ["row 3, column IMP_R+IMP_A+IMP_T+IMP_E+IMP_S", "sum to"],
    ),
    "importance incomplete": (set_cell(1, "IMP_S", ""), ["row 3, column IMP_R+", "all five elements"]),
    "unknown wave": (set_cell(0, "wave", "2030-Q1"), ["row 2, column wave: unknown wave '2030-Q1'"]),
    "expectation not asked": (
        lambda df: df.assign(OVERALL_E="5"),
        ["row 1, column OVERALL_E", "does not ask"],
    ),
    "bad channel": (set_cell(2, "channel", "fax"), ["row 4, column channel: 'fax' is not one of"]),
    "segment required without customer": (
        set_cell(19, "segment", ""),
        ["row 21, column segment: is required"],
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_RESPONSES))
def test_bad_response_file_is_refused_atomically(loaded, tmp_path, case):
    change, fragments = BAD_RESPONSES[case]
    bad = edited_copy("responses.csv", tmp_path, lambda df: change(_fresh_ids(df)))
    assert_refused(loaded, "responses", bad, fragments)


def test_response_id_already_in_database(loaded):
    msg = assert_refused(
        loaded,
        "responses",
        sample_path("responses"),
        ["row 2, column response_id: duplicate response id 'RESP-001' in wave S-2026-Q1"],
    )
    assert "20 problem(s)" in msg


def test_every_problem_of_a_file_is_listed(loaded, tmp_path):
    def many(df: pd.DataFrame) -> pd.DataFrame:
        df = _fresh_ids(df)
        for index, column, value in ((0, "R1_P", "9"), (5, "branch_code", "X"), (9, "IMP_A", "50")):
            df.loc[index, column] = value
        return df

    msg = assert_refused(
        loaded,
        "responses",
        edited_copy("responses.csv", tmp_path, many),
        ["row 2, column R1_P", "row 7, column branch_code", "row 11, column IMP_"],
    )
    assert "3 problem(s)" in msg


@pytest.mark.parametrize(
    ("case", "change", "fragment"),
    [
        ("out of scale", set_cell(19, "NPS", "11"), "row 21, column NPS: '11' is outside the scale 0-10"),
        ("department not in branch", set_cell(1, "department_code", "SRV"), "row 3, column department_code"),
        ("importance not 100", set_cell(1, "IMP_R", "90"), "row 3, column IMP_R+"),
    ],
)
def test_refusal_leaves_database_unchanged_on_both_backends(fresh_engine, tmp_path, case, change, fragment):
    load_samples(fresh_engine, upto="responses")
    assert_refused(fresh_engine, "responses", edited_copy("responses.csv", tmp_path, change), [fragment])


# --- reference data and service requests -------------------------------------
def _csv(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


def test_bad_units(loaded, tmp_path):
    path = _csv(
        tmp_path,
        "u.csv",
        "branch_code,branch_name,department_code,department_name\n"
        "N01,Northern Quay,ACC,Accounts & Cards\n"
        "N02,,LEN,Loans\n"
        "N03,New,NEW,New dept\nN03,New,NEW,New dept\n",
    )
    assert_refused(
        loaded,
        "units",
        path,
        [
            "row 2, column branch_name: branch N01 is already named 'North Quay'",
            "row 3, column branch_name: is required",
            "row 5, column department_code: unit N03/NEW appears twice",
        ],
    )


def test_bad_staff(loaded, tmp_path):
    path = _csv(
        tmp_path,
        "s.csv",
        "employee_ref,name,branch_code,department_code,is_manager,started_on,left_on\n"
        "E001,Dup,N01,ACC,no,2020-01-01,\n"
        "E010,New,S01,LEN,maybe,2020-02-30,\n"
        "E011,Gone,N01,,yes,2021-01-01,2020-01-01\n",
    )
    assert_refused(
        loaded,
        "staff",
        path,
        [
            "row 2, column employee_ref: 'E001' already exists",
            "row 3, column department_code: branch S01 has no department LEN",
            "row 3, column is_manager: 'maybe' is not yes/no",
            "row 3, column started_on: '2020-02-30' is not a date",
            "row 4, column left_on: is before started_on",
        ],
    )


def test_bad_waves(loaded, tmp_path):
    path = _csv(
        tmp_path,
        "w.csv",
        "code,name,template_code,period_start,period_end\n"
        "S-2026-Q1,Again,SERVQUAL22,2026-01-01,2026-03-31\n"
        "X1,X,NOPE,2026-07-01,2026-06-30\n",
    )
    assert_refused(
        loaded,
        "waves",
        path,
        [
            "row 2, column code: wave 'S-2026-Q1' already exists",
            "row 3, column template_code: unknown template 'NOPE'",
            "row 3, column period_end: is before period_start",
        ],
    )


def test_bad_customers(loaded, tmp_path):
    path = _csv(
        tmp_path,
        "c.csv",
        "customer_ref,name,segment,tier,branch_code,account_manager_ref,joined_on,annual_revenue\n"
        "007,Dup,sme,gold,N01,,2020-01-01,\n"
        "C200,New,retail,platinum,Z99,E999,2020-13-01,-5\n",
    )
    msg = assert_refused(
        loaded,
        "customers",
        path,
        [
            "row 2, column customer_ref: customer '007' already exists",
            "row 3, column tier: 'platinum' is not one of gold, standard, vip",
            "row 3, column branch_code: unknown branch 'Z99'",
            "row 3, column account_manager_ref: unknown staff member 'E999'",
            "row 3, column joined_on",
            "row 3, column annual_revenue",
        ],
    )
    assert "6 problem(s)" in msg


@pytest.mark.parametrize(
    ("index", "column", "value", "fragment"),
    [
        (2, "resolved_at", "2026-02-19 10:00", "row 4, column resolved_at: is before submitted_at"),
        (
            0,
            "first_response_at",
            "2026-01-11 09:00",
            "row 2, column first_response_at: is before submitted_at",
        ),
        (3, "resolved_at", "2026-04-03 11:00", "row 5, column resolved_at: is before first_response_at"),
        (1, "escalated_at", "2026-02-01 10:00", "row 3, column escalated_at: is before submitted_at"),
        (0, "customer_ref", "C999", "row 2, column customer_ref: unknown customer 'C999'"),
        (0, "department_code", "SRV", "row 2, column department_code: branch N01 has no department SRV"),
        (0, "rating", "6", "row 2, column rating: '6' is outside the scale 1-5"),
        (0, "submitted_at", "yesterday", "row 2, column submitted_at: 'yesterday' is not a date/time"),
        (1, "escalated_to_ref", "E404", "row 3, column escalated_to_ref: unknown staff member 'E404'"),
    ],
)
def test_bad_service_requests(tmp_path, index, column, value, fragment):
    with throwaway_engine("sqlite", tmp_path) as eng:
        load_samples(eng, upto="service_requests")
        bad = edited_copy("service_requests.csv", tmp_path, set_cell(index, column, value))
        assert_refused(eng, "service_requests", bad, [fragment])


def test_unordered_timestamps_refused_on_both_backends(fresh_engine, tmp_path):
    load_samples(fresh_engine, upto="service_requests")
    bad = edited_copy("service_requests.csv", tmp_path, set_cell(2, "resolved_at", "2026-02-19 10:00"))
    assert_refused(
        fresh_engine, "service_requests", bad, ["row 4, column resolved_at: is before submitted_at"]
    )


def test_unreadable_files(loaded, tmp_path):
    latin = tmp_path / "l.csv"
    latin.write_bytes("customer_ref,name\nC1,Caf\xe9\n".encode("latin-1"))
    assert_refused(loaded, "customers", latin, ["file: is not UTF-8"])
    ragged = _csv(tmp_path, "r.csv", "code,name,template_code,period_start,period_end\nA,B,C,D,E,F\n")
    assert_refused(loaded, "waves", ragged, ["row 2: has 6 cells but the header has 5 columns"])
    assert_refused(loaded, "waves", _csv(tmp_path, "e.csv", ""), ["row 1: the file has no header row"])
