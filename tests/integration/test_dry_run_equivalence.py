"""A dry run is the real import rolled back: on both backends, for every
import kind's sample file and for the files that used to pass a dry run and
then crash the real import on PostgreSQL (a 1e12-point scale, NUL in a
comment, NUL in a customer name), the dry run and the import agree - both
pass with the same counts, or both fail with the same problems - and the
dry run leaves every table's row count as it was."""

from __future__ import annotations

import copy
import sqlite3

import pytest
import yaml
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from dashboard.ingest import importers
from dashboard.ingest.errors import ValidationFailed
from dashboard.ingest.importers import KINDS
from dashboard.ingest.template_loader import builtin_template
from tests.integration.import_fixtures import (
    ORDER,
    SAMPLES,
    edited_copy,
    load_samples,
    run_import,
    sample_path,
    set_cell,
    table_counts,
)
from tests.integration.test_import_outcome_kinds import MANAGEMENT_TEMPLATE, NEW_KINDS


def outcome(engine, kind, path, dry_run):
    """(passed, what): the report's counts and warnings, or the problems."""
    try:
        report = run_import(engine, kind, path, dry_run=dry_run)
    except ValidationFailed as failed:
        return False, [str(p) for p in failed.problems]
    assert report.dry_run is dry_run
    return True, (report.rows_read, report.written, report.warnings)


def assert_dry_run_is_the_import(engine, kind, path):
    before = table_counts(engine)
    dry = outcome(engine, kind, path, dry_run=True)
    assert table_counts(engine) == before, f"the dry run of {kind} left rows behind"
    real = outcome(engine, kind, path, dry_run=False)
    assert dry == real
    return real


def test_every_sample_dry_runs_exactly_as_it_imports(fresh_engine):
    files = [(kind, sample_path(kind)) for kind in ORDER]
    files.append(("template", MANAGEMENT_TEMPLATE))  # then the gap, churn and benchmark kinds
    files += [(kind, SAMPLES / f"{kind}.csv") for kind in NEW_KINDS]
    assert {kind for kind, _ in files} == set(KINDS)
    for kind, path in files:
        before = table_counts(fresh_engine)
        passed, (rows_read, written, _warnings) = assert_dry_run_is_the_import(fresh_engine, kind, path)
        assert passed and rows_read > 0
        after = table_counts(fresh_engine)
        for table, n in written.items():  # the report's counts are what the import wrote
            assert after[table] - before[table] == n, (kind, table)


def huge_scale_template(tmp_path):
    template = copy.deepcopy(builtin_template())
    template["code"] = "HUGE"
    template["questions"][0]["scale"] = {"min": 1, "max": 10**12}
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(template, sort_keys=False))
    return path


FAILING_FILES = {
    "a template with a 1e12-point scale": (
        "template",
        "waves",
        huge_scale_template,
        ["questions[0].scale: min and max must lie within -1000..1000, got {'min': 1, 'max': 1000000000000}"],
    ),
    "NUL in a comment": (
        "responses",
        "responses",
        lambda tmp: edited_copy("responses.csv", tmp, set_cell(2, "comment", "slow\x00service")),
        ["row 4, column comment: contains NUL; remove it"],
    ),
    "NUL in a customer name": (
        "customers",
        "customers",
        lambda tmp: edited_copy("customers.csv", tmp, set_cell(1, "name", "Jane\x00Doe")),
        ["row 3, column name: contains NUL; remove it"],
    ),
}


@pytest.mark.parametrize("case", FAILING_FILES)
def test_files_the_database_cannot_store_fail_the_dry_run_as_they_fail_the_import(
    fresh_engine, tmp_path, case
):
    kind, upto, make_file, problems = FAILING_FILES[case]
    load_samples(fresh_engine, upto=upto)
    passed, found = assert_dry_run_is_the_import(fresh_engine, kind, make_file(tmp_path))
    assert not passed and found == problems


def test_a_refusal_by_the_database_itself_is_a_problem_in_both(fresh_engine, tmp_path, monkeypatch):
    """A row another writer added between the checks and the writes (the
    database's unique key refuses it): the dry run and the import both
    report the refusal as a problem, and nothing is written."""
    load_samples(fresh_engine, upto="customers")
    stage = importers.stage_file

    def stage_then_another_writer_adds_the_customer(session, kind, path, **options):
        staged = stage(session, kind, path, **options)
        with fresh_engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO customer (id, external_ref, name, segment, tier, branch_id, joined_on) "
                    "SELECT 9999, '007', 'Someone else', 'sme', 'gold', id, '2020-01-01' FROM branch LIMIT 1"
                )
            )
        return staged

    monkeypatch.setattr(importers, "stage_file", stage_then_another_writer_adds_the_customer)
    results = []
    for dry_run in (True, False):
        before = table_counts(fresh_engine)
        with pytest.raises(ValidationFailed) as failed:
            run_import(fresh_engine, "customers", sample_path("customers"), dry_run=dry_run)
        with fresh_engine.begin() as conn:  # the other writer's row goes again, for the next round
            conn.execute(text("DELETE FROM customer WHERE id = 9999"))
        assert table_counts(fresh_engine) == before
        results.append([(p.where, p.message.split(":")[0]) for p in failed.value.problems])
    assert results[0] == results[1] == [("database", "the database refused the rows")]


def test_checking_a_file_takes_no_write_lock(sqlite_engine):
    """Staging only reads: while a file has been checked but not applied,
    another writer takes SQLite's write lock at once (no waiting)."""
    load_samples(sqlite_engine, upto="responses")
    with sessionmaker(sqlite_engine)() as session:
        staged = importers.stage_file(session, "responses", sample_path("responses"))
        other = sqlite3.connect(sqlite_engine.url.database, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # raises "database is locked" if staging held the lock
            other.rollback()
        finally:
            other.close()
        assert staged.report.written["response"] == 20
