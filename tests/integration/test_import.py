"""File imports: the samples load on both backends with the expected counts,
Excel equals CSV, a dry run writes nothing, and files are read as a user
sees them (leading zeros, BOM, blank lines keep their row numbers)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dashboard.ingest.errors import ValidationFailed
from dashboard.ingest.importers import KINDS, import_file
from tests.integration.import_fixtures import (
    ORDER,
    SAMPLES,
    edited_copy,
    load_samples,
    read_sample,
    run_import,
    sample_path,
    set_cell,
    table_counts,
)
from tests.integration.test_import_outcome_kinds import NEW_KINDS
from tests.support.databases import throwaway_engine


def _expected_answers() -> int:
    raw = read_sample("responses.csv")
    codes = {c.split("_")[0] for c in raw.columns if c[:1] in "RATES" and c[1:2].isdigit()} | {
        "OVERALL",
        "NPS",
    }
    return sum(
        len({c.split("_")[0] for c in raw.columns if c.split("_")[0] in codes and row[c] != ""})
        for _, row in raw.iterrows()
    )


def test_kinds_cover_every_format():
    """Every kind has a sample: the survey kinds here, the gap, churn and
    benchmark kinds in test_import_outcome_kinds."""
    assert set(KINDS) == set(ORDER) | set(NEW_KINDS)
    for kind in NEW_KINDS:
        assert (SAMPLES / f"{kind}.csv").is_file()


def test_samples_import_with_matching_counts(fresh_engine):
    reports = {}
    for kind in ORDER:
        reports[kind] = run_import(fresh_engine, kind, sample_path(kind))
    counts = table_counts(fresh_engine)
    raw = read_sample("responses.csv")
    assert (counts["branch"], counts["department"], counts["branch_department"]) == (2, 3, 4)
    assert counts["staff"] == len(read_sample("staff.csv"))
    assert counts["survey_template"] == 1 and counts["question"] == 25
    assert counts["wave"] == len(read_sample("waves.csv"))
    assert counts["customer"] == len(read_sample("customers.csv"))
    assert counts["response"] == len(raw) == 20
    assert counts["answer"] == _expected_answers()
    assert counts["importance_allocation"] == 5 * (raw["IMP_R"] != "").sum()
    assert counts["service_request"] == len(read_sample("service_requests.csv"))
    assert counts["rollup_item"] > 0 and counts["rollup_importance"] > 0
    # each report's per-table counts are what landed in the database
    for kind, report in reports.items():
        assert not report.dry_run and report.rows_read > 0
        for table, n in report.written.items():
            if kind != "units":  # units only counts new rows; the DB started empty
                assert counts[table] == n, (kind, table)
        assert report.rows_written == sum(report.written.values())
        assert "wrote" in report.summary()
    with fresh_engine.connect() as conn:
        anon = conn.execute(
            text("SELECT segment, customer_id FROM response WHERE external_ref = 'RESP-020'")
        ).one()
        assert tuple(anon) == ("retail", None)
        assert conn.execute(text("SELECT name FROM customer WHERE external_ref = '007'")).scalar_one() == (
            "Harbour Bakery Ltd"
        )
        comment = conn.execute(text("SELECT comment FROM response WHERE external_ref = 'RESP-001'")).scalar()
        assert comment == "Quick and friendly."
        # who a department head may see: every customer-department pair of responses and requests
        pairs = {
            tuple(r)
            for table in ("response", "service_request")
            for r in conn.execute(text(f"SELECT department_id, customer_id FROM {table}"))
            if r[1] is not None
        }
        kept = {
            tuple(r) for r in conn.execute(text("SELECT department_id, customer_id FROM customer_department"))
        }
        assert kept == pairs


def test_a_request_in_a_new_department_widens_that_department_s_customers(fresh_engine, tmp_path):
    """A department head sees customers who dealt with the department: a
    request import refreshes that relation, not only a response import."""
    for kind in ORDER:
        run_import(fresh_engine, kind, sample_path(kind))
    query = text(
        "SELECT COUNT(*) FROM customer_department cd JOIN customer c ON c.id = cd.customer_id "
        "JOIN department d ON d.id = cd.department_id WHERE c.external_ref = '007' AND d.code = :dept"
    )
    with fresh_engine.connect() as conn:
        untouched = [
            code
            for (code,) in conn.execute(text("SELECT code FROM department ORDER BY code"))
            if conn.execute(query, {"dept": code}).scalar_one() == 0
        ]
    assert untouched, "customer 007 already dealt with every department"
    header = sample_path("service_requests").read_text().splitlines()[0]
    new = tmp_path / "new_request.csv"
    new.write_text(
        f"{header}\nSR-NEW,007,N01,{untouched[0]},card,no,2026-03-02 09:00,2026-03-02 10:00,,48,no,,,,\n"
    )
    run_import(fresh_engine, "service_requests", new)
    with fresh_engine.connect() as conn:
        assert conn.execute(query, {"dept": untouched[0]}).scalar_one() == 1


def test_dry_run_writes_nothing(fresh_engine):
    before_any = table_counts(fresh_engine)
    report = run_import(fresh_engine, "units", sample_path("units"), dry_run=True)
    assert report.written == {"branch": 2, "department": 3, "branch_department": 4}
    assert report.rows_written == 0 and table_counts(fresh_engine) == before_any
    load_samples(fresh_engine, upto="responses")
    before = table_counts(fresh_engine)
    report = run_import(fresh_engine, "responses", sample_path("responses"), dry_run=True)
    assert report.dry_run and report.written["response"] == 20 and report.rows_written == 0
    assert "would write" in report.summary() and "nothing was written" in report.summary()
    assert table_counts(fresh_engine) == before


def test_dry_run_still_validates(sqlite_engine):
    load_samples(sqlite_engine, upto="responses")
    with pytest.raises(ValidationFailed, match="code: template 'SERVQUAL22' already exists"):
        run_import(sqlite_engine, "template", sample_path("template"), dry_run=True)


def test_excel_responses_match_csv(tmp_path):
    rows = {}
    for name in ("responses.csv", "responses.xlsx"):
        with throwaway_engine("sqlite", tmp_path / name.replace(".", "_")) as eng:
            load_samples(eng, responses=name)
            with eng.connect() as conn:
                rows[name] = conn.execute(
                    text(
                        "SELECT r.external_ref, r.segment, r.channel, r.submitted_at, r.comment, q.code, "
                        "a.expectation, a.perception FROM answer a JOIN response r ON r.id = a.response_id "
                        "JOIN question q ON q.id = a.question_id ORDER BY 1, 6"
                    )
                ).all()
    assert rows["responses.csv"] == rows["responses.xlsx"] and len(rows["responses.csv"]) > 400


def test_excel_sheet_option(sqlite_engine, tmp_path):
    import pandas as pd

    load_samples(sqlite_engine, upto="responses")
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(writer, sheet_name="Cover", index=False)
        read_sample("responses.csv").to_excel(writer, sheet_name="Data", index=False)
    with pytest.raises(ValidationFailed, match="required column is missing"):
        run_import(sqlite_engine, "responses", path)  # first sheet is the cover
    assert run_import(sqlite_engine, "responses", path, sheet="Data").written["response"] == 20


def test_csv_reading_keeps_what_the_user_sees(sqlite_engine, tmp_path):
    """BOM, semicolons, leading zeros; a blank line does not shift row numbers."""
    load_samples(sqlite_engine, upto="customers")
    path = tmp_path / "c.csv"
    path.write_bytes(
        "\ufeffcustomer_ref;name;segment;tier;branch_code;joined_on\n"
        "0042;Zero Lead;retail;;N01;2020-01-01\n".encode()
    )
    run_import(sqlite_engine, "customers", path)
    with sqlite_engine.connect() as conn:
        row = conn.execute(text("SELECT external_ref, tier FROM customer WHERE name = 'Zero Lead'")).one()
    assert tuple(row) == ("0042", "standard")
    path.write_text(
        "customer_ref,name,segment,branch_code,joined_on\n"
        "C900,A,retail,N01,2020-01-01\n"
        "\n"
        "C901,B,retail,N01,not-a-date\n"
    )
    with pytest.raises(ValidationFailed, match="row 4, column joined_on: 'not-a-date' is not a date"):
        run_import(sqlite_engine, "customers", path)


def test_header_problems_are_on_row_1(sqlite_engine, tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(
        "branch_code,branch_name,branch_name,department_code,department_name,colour\nN,x,x,D,d,red\n"
    )
    with pytest.raises(ValidationFailed) as err:
        run_import(sqlite_engine, "units", path)
    msg = str(err.value)
    assert "row 1, column branch_name: column appears more than once" in msg
    assert "row 1, column colour: unknown column" in msg


def test_unknown_kind_and_file_type(sqlite_engine, tmp_path):
    from sqlalchemy.orm import Session

    with Session(sqlite_engine) as session:
        with pytest.raises(ValueError, match="unknown import kind"):
            import_file(session, "invoices", SAMPLES / "units.csv")
        (tmp_path / "u.json").write_text("{}")
        with pytest.raises(ValidationFailed, match="unsupported file type"):
            import_file(session, "units", tmp_path / "u.json")


def test_existing_unit_codes_are_reused_and_renames_refused(sqlite_engine, tmp_path):
    load_samples(sqlite_engine, upto="staff")
    path = tmp_path / "u.csv"
    path.write_text(
        "branch_code,branch_name,department_code,department_name\n"
        "N01,North Quay,SRV,Service Desk\n"
        "W01,West End,LEN,Lending\n"
    )
    report = run_import(sqlite_engine, "units", path)
    assert report.written == {"branch": 1, "department": 0, "branch_department": 2}
    path.write_text(
        "branch_code,branch_name,department_code,department_name\nN01,Northern,SRV,Service Desk\n"
    )
    before = table_counts(sqlite_engine)
    with pytest.raises(ValidationFailed, match="row 2, column branch_name: branch N01 is already named"):
        run_import(sqlite_engine, "units", path)
    assert table_counts(sqlite_engine) == before


def test_responses_outside_wave_period_warn(sqlite_engine, tmp_path):
    load_samples(sqlite_engine, upto="responses")
    path = edited_copy("responses.csv", tmp_path, set_cell(0, "submitted_at", "2025-12-31 10:00"))
    report = run_import(sqlite_engine, "responses", path)
    assert report.warnings == ["1 response(s) submitted outside the wave period (rows 2)"]
    assert "warning: 1 response(s)" in report.summary()
