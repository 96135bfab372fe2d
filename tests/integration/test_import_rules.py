"""Rules beyond the basic bad-file cases: column clashes, consistency of
escalation data, region and account-manager rules, warnings, and files
with more distinct refs than a database driver takes bound parameters."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from tests.integration.import_fixtures import (
    SAMPLES,
    assert_refused,
    edited_copy,
    load_samples,
    run_import,
    set_cell,
)
from tests.support.databases import throwaway_engine


def _csv(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


# --- responses ----------------------------------------------------------------
def test_bare_and_suffixed_column_for_the_same_answer_isassert_refused(sqlite_engine, tmp_path):
    load_samples(sqlite_engine, upto="responses")
    path = edited_copy("responses.csv", tmp_path, lambda df: df.assign(R1=df["R1_P"]))
    assert_refused(sqlite_engine, "responses", path, ["row 1, column R1: columns R1_P and R1 both hold R1_P"])


def test_rows_without_a_wave_are_reported_not_crashed_on(sqlite_engine, tmp_path):
    load_samples(sqlite_engine, upto="responses")
    path = edited_copy("responses.csv", tmp_path, lambda df: df.assign(wave=""))
    msg = assert_refused(sqlite_engine, "responses", path, ["row 2, column wave: is required"])
    assert "row 21, column wave: is required" in msg


@pytest.mark.parametrize("value", ["nan", "inf", "1e400", "1_000", "0x5"])
def test_numbers_must_be_plain_decimals(sqlite_engine, tmp_path, value):
    load_samples(sqlite_engine, upto="responses")
    path = edited_copy("responses.csv", tmp_path, set_cell(3, "NPS", value))
    assert_refused(sqlite_engine, "responses", path, [f"row 5, column NPS: {value!r} is not a number"])


def test_too_long_segment_is_a_problem_not_a_database_error(fresh_engine, tmp_path):
    """PostgreSQL would reject the 41-character value mid-write; validation
    catches it first on both backends."""
    load_samples(fresh_engine, upto="responses")
    path = edited_copy("responses.csv", tmp_path, set_cell(19, "segment", "x" * 41))
    assert_refused(fresh_engine, "responses", path, ["row 21, column segment: is longer than 40 characters"])


E_ONLY_TEMPLATE = """\
code: EONLY
name: Expectations only
questions:
  - {code: X1, element: R, asks: [E], required: true, text: "What do you expect?"}
"""


def test_required_expectation_only_question(sqlite_engine, tmp_path):
    load_samples(sqlite_engine, upto="responses")
    run_import(sqlite_engine, "template", _csv(tmp_path, "t.yaml", E_ONLY_TEMPLATE))
    waves = "code,name,template_code,period_start,period_end\nX,X,EONLY,2026-01-01,2026-12-31\n"
    run_import(sqlite_engine, "waves", _csv(tmp_path, "w.csv", waves))
    head = "response_id,wave,customer_ref,branch_code,department_code,submitted_at"
    ok = _csv(tmp_path, "ok.csv", f"{head},X1_E\n1,X,C101,N01,ACC,2026-03-01,5\n")
    assert run_import(sqlite_engine, "responses", ok).written["answer"] == 1
    assert_refused(
        sqlite_engine,
        "responses",
        _csv(tmp_path, "nocol.csv", f"{head}\n2,X,C101,N01,ACC,2026-03-01\n"),
        ["row 1, column X1_E: required question X1 has no column"],
    )
    assert_refused(
        sqlite_engine,
        "responses",
        _csv(tmp_path, "empty.csv", f"{head},X1_E\n3,X,C101,N01,ACC,2026-03-01,\n"),
        ["row 2, column X1_E: is required"],
    )


# --- service requests -----------------------------------------------------------
def test_escalation_details_contradicting_no_areassert_refused(sqlite_engine, tmp_path):
    load_samples(sqlite_engine, upto="service_requests")
    path = edited_copy("service_requests.csv", tmp_path, set_cell(1, "escalated", "no"))
    assert_refused(
        sqlite_engine,
        "service_requests",
        path,
        ["row 3, column escalated: is no, but escalated_to_ref and escalated_at are given"],
    )


def test_escalation_details_imply_escalated_and_open_ratings_warn(sqlite_engine, tmp_path):
    load_samples(sqlite_engine, upto="service_requests")

    def change(df: pd.DataFrame) -> pd.DataFrame:
        df.loc[1, ["escalated", "rating"]] = ["", "3"]  # SR-2 is unresolved
        return df

    report = run_import(
        sqlite_engine, "service_requests", edited_copy("service_requests.csv", tmp_path, change)
    )
    assert report.warnings == [
        "1 unresolved request(s) carry a rating or confirmation, normally given on closing (rows 3)"
    ]
    with sqlite_engine.connect() as conn:
        row = conn.execute(text("SELECT escalated, rating FROM service_request WHERE external_ref = 'SR-2'"))
        assert tuple(row.one()) == (1, 3)


# --- reference data ---------------------------------------------------------------
def test_region_rules(sqlite_engine, tmp_path):
    head = "branch_code,branch_name,region,department_code,department_name\n"
    report = run_import(
        sqlite_engine,
        "units",
        _csv(tmp_path, "a.csv", head + "B1,One,,D1,Dept\nB1,One,East,D2,Dept 2\nB2,Two,,D1,Dept\n"),
    )
    assert report.written == {"branch": 2, "department": 2, "branch_department": 3}
    with sqlite_engine.connect() as conn:
        regions = dict(conn.execute(text("SELECT code, region FROM branch")).all())
    assert regions == {"B1": "East", "B2": None}
    msg = assert_refused(
        sqlite_engine,
        "units",
        _csv(
            tmp_path,
            "b.csv",
            head + "B1,One,West,D1,Dept\nB2,Two,North,D1,Dept\nB3,Three,N,D1,Dept\nB3,Three,S,D2,Dept 2\n",
        ),
        [
            "row 2, column region: branch B1 is in region 'East'",
            "row 3, column region: branch B2 has no region",
            "row 5, column region: branch B3 is in region 'N'",
        ],
    )
    assert "3 problem(s)" in msg
    # an empty region cell states nothing and is accepted for an existing branch
    run_import(sqlite_engine, "units", _csv(tmp_path, "c.csv", head + "B1,One,,D1,Dept\n"))


def test_staff_text_lengths_and_required_branch(sqlite_engine, tmp_path):
    load_samples(sqlite_engine, upto="staff")
    path = _csv(
        tmp_path,
        "s.csv",
        f"employee_ref,name,branch_code,job_title\nE100,A,N01,{'t' * 61}\nE101,B,,clerk\n",
    )
    assert_refused(
        sqlite_engine,
        "staff",
        path,
        ["row 2, column job_title: is longer than 60 characters", "row 3, column branch_code: is required"],
    )


def test_account_manager_not_flagged_warns(sqlite_engine):
    load_samples(sqlite_engine, upto="customers")
    with sqlite_engine.begin() as conn:
        conn.execute(text("UPDATE staff SET is_account_manager = false WHERE employee_ref = 'E002'"))
    report = run_import(sqlite_engine, "customers", SAMPLES / "customers.csv")
    assert report.warnings == ["2 account manager(s) not flagged is_account_manager in staff (rows 2, 5)"]


# --- size ---------------------------------------------------------------------------
def test_more_refs_than_bound_parameter_limit(tmp_path):
    """psycopg sends at most 65,535 bound parameters per statement: ref
    lookups are chunked, so a file with 66,000 distinct refs imports.
    (SQLite's limit is 32,766 or, in Debian's build, 250,000; the same
    chunked code serves both.)"""
    with throwaway_engine("postgresql", tmp_path) as engine:
        _import_many_refs(engine, tmp_path)


def _import_many_refs(engine, tmp_path: Path) -> None:
    load_samples(engine, upto="customers")
    n = 66_000
    refs = [f"K{k:05d}" for k in range(n)]
    customers = {"customer_ref": refs, "name": "x", "segment": "retail", "branch_code": "N01"}
    pd.DataFrame({**customers, "joined_on": "2020-01-01"}).to_csv(tmp_path / "c.csv", index=False)
    assert run_import(engine, "customers", tmp_path / "c.csv").written == {"customer": n}
    pd.DataFrame(
        {
            "request_ref": [f"Q{k}" for k in range(n)],
            "customer_ref": refs,
            "branch_code": "N01",
            "department_code": "ACC",
            "category": "card",
            "submitted_at": "2026-01-01 10:00",
            "sla_hours": "24",
        }
    ).to_csv(tmp_path / "r.csv", index=False)
    # all 66,000 customers are found across the chunks of the lookup
    assert run_import(engine, "service_requests", tmp_path / "r.csv").written == {"service_request": n}


# --- unreadable input -------------------------------------------------------------
@pytest.mark.parametrize("kind", ["template", "units", "responses"])
def test_missing_file_is_a_validation_problem(sqlite_engine, tmp_path, kind):
    path = tmp_path / ("gone.yaml" if kind == "template" else "gone.csv")
    assert_refused(sqlite_engine, kind, path, ["file: cannot be read", "gone"])


def test_template_not_utf8(sqlite_engine, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_bytes("code: X\nname: Caf\xe9\n".encode("latin-1"))
    assert_refused(sqlite_engine, "template", path, ["file: is not UTF-8 text"])


# --- ids -------------------------------------------------------------------------
def test_rows_added_after_an_import_get_fresh_ids(fresh_engine):
    """Imports assign ids themselves (next_id); the PostgreSQL sequences are
    moved past them, so the app's own inserts do not collide."""
    from datetime import date, datetime

    from sqlalchemy.orm import Session

    from dashboard.db.models import Customer, Response, ServiceRequest

    load_samples(fresh_engine)
    with Session(fresh_engine) as session:
        customer = Customer(
            external_ref="NEW", name="n", segment="retail", branch_id=1, joined_on=date(2026, 1, 1)
        )
        session.add(customer)
        session.flush()
        response = Response(
            wave_id=1,
            customer_id=customer.id,
            branch_id=1,
            department_id=1,
            segment="retail",
            submitted_at=datetime(2026, 2, 1),
        )
        request = ServiceRequest(
            external_ref="SR-NEW",
            customer_id=customer.id,
            branch_id=1,
            department_id=1,
            category="card",
            submitted_at=datetime(2026, 2, 1),
            sla_hours=24,
        )
        session.add_all([response, request])
        session.flush()
        assert (customer.id, response.id, request.id) == (7, 21, 6)
        session.rollback()
