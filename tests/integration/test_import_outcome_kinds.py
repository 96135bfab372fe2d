"""The import kinds behind gaps 1-4, churn outcomes and benchmarks:
management survey, service standards, audits, promises, churn events and
external benchmarks. Good files land (checked against pandas on the same
files), bad files are refused by row and column with every table's row
count unchanged, and audiences stay apart."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.rollup_refresh import ROLLUP_TABLES
from dashboard.queries import gaps as gap_queries
from dashboard.services import churn as churn_service
from dashboard.services.metrics_cli import compute_metric
from tests.integration.import_fixtures import (
    SAMPLES,
    assert_refused,
    edited_copy,
    load_samples,
    read_sample,
    run_import,
    set_cell,
    table_counts,
)

NEW_KINDS = ("management_survey", "standards", "audits", "promises", "churn_events", "benchmarks")
MANAGEMENT_TEMPLATE = SAMPLES / "management_template.yaml"


def load_everything(engine) -> None:
    """Every sample, in the documented order."""
    load_samples(engine)
    run_import(engine, "template", MANAGEMENT_TEMPLATE)
    for kind in NEW_KINDS:
        run_import(engine, kind, SAMPLES / f"{kind}.csv")


@pytest.fixture
def loaded(session_databases):
    """A private copy of a SQLite database holding every sample (built once)."""
    with session_databases.copy("sqlite", "every-sample", load_everything) as engine:
        yield engine


def _rows(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql)).all()]


def test_samples_land_and_gap1_matches_pandas(fresh_engine):
    engine = fresh_engine  # both backends
    load_samples(engine)
    run_import(engine, "template", MANAGEMENT_TEMPLATE)
    for kind in NEW_KINDS:  # a dry run writes nothing and predicts the real import's counts
        before = table_counts(engine)
        dry = run_import(engine, kind, SAMPLES / f"{kind}.csv", dry_run=True)
        assert table_counts(engine) == before
        real = run_import(engine, kind, SAMPLES / f"{kind}.csv")
        assert dry.written == real.written, kind
    counts = table_counts(engine)
    assert counts["management_response"] == 4
    assert counts["service_standard"] == 6
    assert counts["audit_score"] == 6
    assert counts["commitment"] == 2
    assert counts["churn_event"] == 2
    assert counts["external_benchmark"] == 3

    # gap 1 inputs: per item n and mean of management's beliefs, from the file by pandas
    raw = read_sample("management_survey.csv")
    items = [c for c in raw.columns if c.endswith("_E") and not c.startswith("IMP_")]
    long = raw.melt(id_vars=["respondent_ref"], value_vars=items, var_name="col", value_name="v")
    long = long[long["v"] != ""].assign(code=lambda d: d["col"].str[:-2], v=lambda d: d["v"].astype(float))
    expected = long.groupby("code")["v"].agg(["count", "mean"])
    with Session(engine) as session:
        got = pd.DataFrame(  # the beliefs as stored, per item
            session.execute(
                text(
                    "SELECT q.code, COUNT(*), SUM(a.expectation) FROM management_answer a "
                    "JOIN question q ON q.id = a.question_id GROUP BY q.code ORDER BY q.code"
                )
            ).all(),
            columns=["code", "n", "total"],
        ).set_index("code")
        importance = gap_queries.management_importance(session, Scope.everything()).set_index("element")
    assert got["n"].to_dict() == expected["count"].to_dict()
    pd.testing.assert_series_equal(
        (got["total"] / got["n"]).rename("mean"), expected["mean"], check_names=False, rtol=1e-12
    )
    assert got.loc["T4", "n"] == 3  # the empty cell is "not answered", not a zero
    points = raw[[f"IMP_{e}" for e in "RATES"]].astype(float)
    for e in "RATES":
        assert importance.loc[e, "total"] / importance.loc[e, "n"] == pytest.approx(points[f"IMP_{e}"].mean())

    # churn events moved churned_on: C101 left, 007 left and came back
    churned = dict(_rows(engine, "SELECT external_ref, churned_on FROM customer"))
    assert str(churned["C101"]) == "2026-04-15"
    assert churned["007"] is None
    audit = _rows(engine, "SELECT action, target FROM audit_log WHERE action = 'import.churn_events'")
    assert len(audit) == 1 and audit[0][1].endswith("churn_events.csv")


CUSTOMER_TABLES = ("response", "answer", "importance_allocation", "customer_department", *ROLLUP_TABLES)


def _customer_side(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all()), key=repr)
            for t in CUSTOMER_TABLES
        }


def test_management_answers_leave_customer_metrics_unchanged(sqlite_engine):
    engine = sqlite_engine
    load_samples(engine)
    run_import(engine, "template", MANAGEMENT_TEMPLATE)
    before = _customer_side(engine)
    with Session(engine) as session:  # the numbers `csat metrics` prints
        shown = [compute_metric(session, m, min_n=1) for m in ("headline", "csi", "servqual")]
    run_import(engine, "management_survey", SAMPLES / "management_survey.csv")
    assert _customer_side(engine) == before
    with Session(engine) as session:
        assert [compute_metric(session, m, min_n=1) for m in ("headline", "csi", "servqual")] == shown
    assert table_counts(engine)["management_answer"] > 0


def test_a_management_wave_is_refused_as_customer_responses(loaded, tmp_path):
    waves = tmp_path / "waves.csv"
    waves.write_text(
        "code,name,template_code,period_start,period_end\n"
        "M-2026,Managers 2026,SERVQUAL22-MGMT,2026-01-01,2026-12-31\n"
    )
    run_import(loaded, "waves", waves)
    responses = edited_copy(
        "responses.csv",
        tmp_path,
        lambda df: df.assign(wave="M-2026", response_id=df["response_id"] + "-M")[
            ["response_id", "wave", "customer_ref", "branch_code", "department_code", "submitted_at", "T1_E"]
        ],
    )
    message = assert_refused(
        loaded, "responses", responses, ["row 2, column wave", "management survey", "management_survey"]
    )
    assert message.count("management survey") == 1
    # and the other way round: a customer template is no management survey
    customer = edited_copy(
        "management_survey.csv", tmp_path, lambda df: df.assign(template_code="SERVQUAL22")
    )
    assert_refused(
        loaded,
        "management_survey",
        customer,
        ["row 2, column template_code", "customer survey", "csat import responses"],
    )


def _without(column: str):
    return lambda df: df.drop(columns=[column])


BAD_FILES = {
    "management_survey": {
        "unknown staff": (
            set_cell(1, "respondent_ref", "E999"),
            ["row 3, column respondent_ref", "unknown staff member 'E999'"],
        ),
        "out of scale": (set_cell(0, "R1_E", "8"), ["row 2, column R1_E: '8' is outside the scale 1-7"]),
        "unknown item": (lambda df: df.assign(X1_E="3"), ["row 1, column X1_E", "not an item"]),
        "perception column": (lambda df: df.rename(columns={"R1_E": "R1_P"}), ["row 1, column R1_P"]),
        "importance sum": (
            lambda df: set_cell(2, "IMP_R", "21")(df.assign(surveyed_on="2026-09-01")),
            ["row 4, column IMP_R+IMP_A+IMP_T+IMP_E+IMP_S", "sum to 101"],
        ),
        "department not in branch": (
            set_cell(0, "department_code", "SRV"),
            ["row 2, column department_code", "N01 has no department SRV"],
        ),
        "twice": (
            lambda df: pd.concat([df, df.iloc[[0]]], ignore_index=True).assign(surveyed_on="2026-09-01"),
            ["row 6, column respondent_ref", "twice"],
        ),
        "already imported": (lambda df: df, ["already answered for this unit"]),
        "missing date": (_without("surveyed_on"), ["row 1, column surveyed_on"]),
        "unknown template": (
            lambda df: df.assign(template_code="NOPE"),
            ["row 2, column template_code", "unknown template 'NOPE'"],
        ),
    },
    "standards": {
        "unknown element": (set_cell(0, "element", "X"), ["row 2, column element", "'X' is not one of"]),
        "target above 100": (set_cell(1, "target_index", "101"), ["row 3, column target_index", "above 100"]),
        "target not a number": (
            set_cell(1, "target_index", "high"),
            ["row 3, column target_index", "'high' is not a number"],
        ),
        "end before start": (
            set_cell(5, "valid_to", "2025-12-31"),
            ["row 7, column valid_to", "before valid_from"],
        ),
        "overlaps the database": (
            lambda df: df,
            ["row 2, column valid_from", "already in force (the database)"],
        ),
        "unknown branch": (
            set_cell(5, "branch_code", "Z99"),
            ["row 7, column branch_code", "unknown branch 'Z99'"],
        ),
        "zero sla": (set_cell(4, "sla_hours", "0"), ["row 6, column sla_hours", "more than 0"]),
    },
    "audits": {
        "branch required": (set_cell(0, "branch_code", ""), ["row 2, column branch_code", "is required"]),
        "unknown kind": (set_cell(1, "kind", "guess"), ["row 3, column kind", "'guess' is not one of"]),
        "score above 100": (set_cell(2, "score", "140"), ["row 4, column score", "above 100"]),
        "bad date": (set_cell(3, "audited_on", "31/03/2026"), ["row 5, column audited_on", "is not a date"]),
        "same audit twice": (
            lambda df: pd.concat([df, df.iloc[[0]]], ignore_index=True),
            ["row 8, column audited_on", "already in row 2"],
        ),
    },
    "promises": {
        "existing code": (lambda df: df, ["row 2, column code", "'ANSWER-1D' already exists"]),
        "unknown metric": (
            lambda df: set_cell(0, "metric", "smiles")(df.assign(code=df["code"] + "-2")),
            ["row 2, column metric", "'smiles' is not one of"],
        ),
        "negative hours": (
            lambda df: set_cell(1, "threshold_hours", "-4")(df.assign(code=df["code"] + "-2")),
            ["row 3, column threshold_hours", "at least 0"],
        ),
    },
    "churn_events": {
        "unknown customer": (
            set_cell(0, "customer_ref", "C999"),
            ["row 2, column customer_ref", "unknown customer 'C999'"],
        ),
        "return before leaving": (
            lambda df: set_cell(0, "returned_on", "2026-04-01")(
                df.assign(left_on=["2026-04-16", "2026-04-30"])
            ),
            ["row 2, column returned_on", "not after left_on"],
        ),
        "changes a recorded return": (
            set_cell(1, "returned_on", "2026-02-01"),
            ["row 3, column returned_on", "already recorded with returned_on 2026-01-10"],
        ),
        "leaves again without return": (
            lambda df: df.assign(left_on=["2026-06-01", "2025-11-30"]),
            ["row 2, column left_on", "had not come back since leaving on 2026-04-15"],
        ),
        "before joining": (
            set_cell(0, "left_on", "2020-01-01"),
            ["row 2, column left_on", "before the customer joined"],
        ),
    },
    "benchmarks": {
        "bad period": (set_cell(0, "period", "FY25"), ["row 2, column period", "'FY25' is not a year"]),
        "index above 100": (
            lambda df: set_cell(1, "index", "175")(df.assign(source="Other")),
            ["row 3, column index", "above 100"],
        ),
        "already recorded": (lambda df: df, ["row 2, column period", "is already recorded"]),
        "unknown element": (
            lambda df: set_cell(2, "element", "Q")(df.assign(source="Other")),
            ["row 4, column element", "'Q' is not one of"],
        ),
    },
}


@pytest.mark.parametrize(
    ("kind", "case"), [(kind, case) for kind, cases in BAD_FILES.items() for case in cases], ids=lambda v: v
)
def test_bad_files_are_refused_with_nothing_written(loaded, tmp_path, kind, case):
    change, fragments = BAD_FILES[kind][case]
    assert_refused(loaded, kind, edited_copy(f"{kind}.csv", tmp_path, change), fragments)


def test_churn_event_changes_the_next_trainings_labels(sqlite_engine, tmp_path):
    """C104 has no departure; recording one in the quarter after wave
    2026-Q2 makes their 2026-Q2 snapshot a positive label (horizon
    churn_service.HORIZON_DAYS), which is what `csat churn train` fits."""
    engine = sqlite_engine
    load_samples(engine)
    later = date(2030, 1, 1)

    def label_of(ref: str) -> pd.Series:
        with Session(engine) as session:
            data = churn_service.snapshots(session, later)
            cid = session.execute(
                text("SELECT id FROM customer WHERE external_ref = :r"), {"r": ref}
            ).scalar_one()
        return data.loc[data.index == cid, "churned"]

    before = label_of("C104")
    assert len(before) >= 1 and before.sum() == 0
    events = tmp_path / "events.csv"
    events.write_text("customer_ref,left_on,reason,returned_on\nC104,2026-08-01,fees,\n")
    run_import(engine, "churn_events", events)
    after = label_of("C104")
    assert after.sum() == 1
    # coming back clears churned_on again: the customer is active and unlabelled from then on
    events.write_text("customer_ref,left_on,reason,returned_on\nC104,2026-08-01,,2026-10-01\n")
    run_import(engine, "churn_events", events)
    assert _rows(engine, "SELECT churned_on FROM customer WHERE external_ref = 'C104'") == [(None,)]
    assert _rows(engine, "SELECT reason, returned_on FROM churn_event")[0][0] == "fees"
