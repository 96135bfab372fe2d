"""File imports: the samples load; every kind of bad file is refused with a
message naming row and column, and the database is left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.orm import Session

from dashboard.ingest.errors import ValidationFailed
from dashboard.ingest.importers import import_file
from dashboard.ingest.template_loader import BUILTIN_DIR
from tests.support.rollup_check import assert_rollups_match_answers

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
ORDER = [
    ("units", "units.csv"),
    ("staff", "staff.csv"),
    ("template", None),
    ("waves", "waves.csv"),
    ("customers", "customers.csv"),
    ("responses", "responses.csv"),
    ("service_requests", "service_requests.csv"),
]


def _import(engine, kind, path, **kw):
    with Session(engine) as session:
        report = import_file(session, kind, path, **kw)
        session.commit()
    return report


def _load_samples(engine, upto: str | None = None, responses: str = "responses.csv"):
    for kind, name in ORDER:
        if kind == upto:
            return
        path = (
            BUILTIN_DIR / "servqual22.yaml"
            if kind == "template"
            else SAMPLES / (responses if kind == "responses" else name)
        )
        _import(engine, kind, path)


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
            for t in inspect(engine).get_table_names()
            if t != "alembic_version"
        }


def test_samples_import_cleanly_and_rollups_match(fresh_engine):
    _load_samples(fresh_engine)
    counts = _counts(fresh_engine)
    assert (counts["branch"], counts["department"], counts["branch_department"]) == (2, 3, 4)
    assert (counts["staff"], counts["wave"], counts["customer"]) == (3, 2, 6)
    assert counts["response"] == 20 and counts["service_request"] == 5
    raw = pd.read_csv(SAMPLES / "responses.csv", dtype=str, keep_default_na=False)
    answer_cols = [c for c in raw.columns if c[:1] in "RATES" and c[1:2].isdigit() or c in ("OVERALL", "NPS")]
    expected_answers = sum(
        len({c.split("_")[0] for c in answer_cols if row[c] != ""}) for _, row in raw.iterrows()
    )
    assert counts["answer"] == expected_answers
    assert counts["importance_allocation"] == 5 * (raw["IMP_R"] != "").sum()
    with fresh_engine.connect() as conn:
        assert_rollups_match_answers(conn)
        anon = conn.execute(
            text("SELECT segment, customer_id FROM response WHERE external_ref = 'RESP-020'")
        ).one()
        assert tuple(anon) == ("retail", None)
        lead_zero = conn.execute(text("SELECT name FROM customer WHERE external_ref = '007'")).scalar_one()
        assert lead_zero == "Harbour Bakery Ltd"


def test_excel_responses_match_csv(sqlite_engine):
    _load_samples(sqlite_engine, responses="responses.xlsx")
    assert _counts(sqlite_engine)["response"] == 20


def test_dry_run_writes_nothing(sqlite_engine):
    _load_samples(sqlite_engine, upto="responses")
    before = _counts(sqlite_engine)
    report = _import(sqlite_engine, "responses", SAMPLES / "responses.csv", dry_run=True)
    assert report.dry_run and report.written["response"] == 20 and "nothing was written" in report.summary()
    assert _counts(sqlite_engine) == before


def _bad_copy(tmp_path, change) -> Path:
    df = pd.read_csv(SAMPLES / "responses.csv", dtype=str, keep_default_na=False)
    df = change(df)
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    return path


def _set(row, col, value):
    def change(df):
        df.loc[row, col] = value
        return df

    return change


BAD_RESPONSES = {
    "unknown code column": (lambda df: df.assign(X9_P="3"), ["column X9_P", "unknown column"]),
    "out of scale": (_set(3, "R2_P", "8"), ["row 5", "column R2_P", "'8' is outside the scale 1-7"]),
    "not a number": (_set(0, "OVERALL", "good"), ["row 2", "column OVERALL", "not a number"]),
    "missing required column": (
        lambda df: df.drop(columns=["branch_code"]),
        ["column branch_code", "required column is missing"],
    ),
    "duplicate response id": (
        _set(4, "response_id", "RESP-001"),
        ["row 6", "column response_id", "duplicate"],
    ),
    "unknown customer": (
        _set(2, "customer_ref", "C999"),
        ["row 4", "column customer_ref", "unknown customer"],
    ),
    "unknown branch": (_set(1, "branch_code", "X01"), ["row 3", "column branch_code", "unknown branch"]),
    "department not in branch": (_set(1, "department_code", "SRV"), ["row 3", "has no department SRV"]),
    "bad date": (_set(6, "submitted_at", "31/02/2026"), ["row 8", "column submitted_at", "not a date"]),
    "importance not 100": (_set(1, "IMP_R", "90"), ["row 3", "IMP_", "sum to"]),
    "unknown wave": (_set(0, "wave", "2030-Q1"), ["row 2", "column wave", "unknown wave"]),
    "expectation not asked": (lambda df: df.assign(OVERALL_E="5"), ["column OVERALL_E", "does not ask"]),
    "bad channel": (_set(2, "channel", "fax"), ["row 4", "column channel", "not one of"]),
}


@pytest.mark.parametrize("case", sorted(BAD_RESPONSES))
def test_bad_response_files_are_refused_atomically(sqlite_engine, tmp_path, case):
    _load_samples(sqlite_engine, upto="responses")
    _import(sqlite_engine, "responses", SAMPLES / "responses.csv")  # existing data must survive untouched
    before = _counts(sqlite_engine)
    change, fragments = BAD_RESPONSES[case]
    bad = _bad_copy(
        tmp_path,
        lambda df: change(df.assign(wave=df["wave"].str.replace("S-", "S-"))).assign(
            response_id=lambda d: d["response_id"].str.replace("RESP", "NEW")
        ),
    )
    with pytest.raises(ValidationFailed) as err:
        _import(sqlite_engine, "responses", bad)
    message = str(err.value)
    for fragment in fragments:
        assert fragment.replace("RESP", "NEW") in message, message
    assert "nothing was imported" in message
    assert _counts(sqlite_engine) == before


def test_refused_import_on_postgresql_leaves_database_unchanged(fresh_engine, tmp_path):
    _load_samples(fresh_engine, upto="responses")
    before = _counts(fresh_engine)
    bad = _bad_copy(tmp_path, _set(19, "NPS", "11"))
    with pytest.raises(ValidationFailed, match="row 21, column NPS"):
        _import(fresh_engine, "responses", bad)
    assert _counts(fresh_engine) == before


def test_service_request_timestamps_must_be_ordered(sqlite_engine, tmp_path):
    _load_samples(sqlite_engine, upto="service_requests")
    df = pd.read_csv(SAMPLES / "service_requests.csv", dtype=str, keep_default_na=False)
    df.loc[2, "resolved_at"] = "2026-02-19 10:00"
    df.to_csv(tmp_path / "sr.csv", index=False)
    before = _counts(sqlite_engine)
    with pytest.raises(ValidationFailed, match="row 4, column resolved_at: is before submitted_at"):
        _import(sqlite_engine, "service_requests", tmp_path / "sr.csv")
    assert _counts(sqlite_engine) == before


def test_reference_files_report_every_problem(sqlite_engine, tmp_path):
    _load_samples(sqlite_engine, upto="responses")
    (tmp_path / "c.csv").write_text(
        "customer_ref,name,segment,tier,branch_code,joined_on\n"
        "C101,Dup,retail,standard,N01,2020-01-01\n"
        "C200,New,retail,platinum,Z99,2020-13-01\n"
    )
    with pytest.raises(ValidationFailed) as err:
        _import(sqlite_engine, "customers", tmp_path / "c.csv")
    msg = str(err.value)
    assert "row 2, column customer_ref: customer 'C101' already exists" in msg
    assert (
        "row 3, column tier" in msg
        and "row 3, column branch_code" in msg
        and "row 3, column joined_on" in msg
    )
    assert "4 problem(s)" in msg


def test_reverse_coded_item_is_reversed_in_rollups(sqlite_engine, tmp_path):
    _load_samples(sqlite_engine, upto="responses")
    (tmp_path / "t.yaml").write_text(
        "code: MINI\nname: Mini\nscale: {min: 1, max: 5}\nquestions:\n"
        "  - {code: Q1, element: S, asks: [E, P], text: Fast}\n"
        "  - {code: Q2, element: S, asks: [P], reverse_coded: true, text: I had to wait long}\n"
    )
    _import(sqlite_engine, "template", tmp_path / "t.yaml")
    (tmp_path / "w.csv").write_text(
        "code,name,template_code,period_start,period_end\nM1,M1,MINI,2026-01-01,2026-03-31\n"
    )
    _import(sqlite_engine, "waves", tmp_path / "w.csv")
    (tmp_path / "r.csv").write_text(
        "response_id,wave,customer_ref,branch_code,department_code,submitted_at,Q1_E,Q1_P,Q2\n"
        "a,M1,C101,N01,ACC,2026-01-05,5,4,1\nb,M1,C101,N01,ACC,2026-01-06,4,2,5\n"
    )
    _import(sqlite_engine, "responses", tmp_path / "r.csv")
    with sqlite_engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT r.n_p, r.sum_p, r.sumsq_p, r.top1 FROM rollup_item r "
                "JOIN question q ON q.id = r.question_id "
                "WHERE q.code = 'Q2' AND q.template_id = (SELECT id FROM survey_template WHERE code = 'MINI')"
            )
        ).one()
        # raw 1 and 5 reversed on 1..5 -> 5 and 1: sum 6, squares 26, one top box
        assert tuple(row) == (2, 6.0, 26.0, 1)
        assert_rollups_match_answers(conn)
