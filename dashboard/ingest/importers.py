"""One entry point for every import kind, used by `csat import KIND FILE`.

Every importer is in two steps: staging reads and checks the whole file and
raises ValidationFailed listing each problem by row and column; applying
writes the staged rows. `run_import` checks outside the write transaction
and applies in one short one, so the database holds either the whole file
or nothing, and a dry run is the same writes rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from dashboard.db.models import SurveyTemplate
from dashboard.ingest.errors import Problem, ValidationFailed
from dashboard.ingest.import_delivery import import_audits, import_promises, import_standards
from dashboard.ingest.import_management import import_management_survey
from dashboard.ingest.import_outcomes import import_benchmarks, import_churn_events
from dashboard.ingest.import_reference import import_customers, import_staff, import_units, import_waves
from dashboard.ingest.import_requests import import_service_requests
from dashboard.ingest.import_responses import import_responses
from dashboard.ingest.report import ImportReport, StagedImport
from dashboard.ingest.template_loader import parse_template, read_template_file, save_template
from dashboard.runtime import DatabaseBusy, is_lock_timeout


def import_template(session: Session, path: str | Path, **_options: object) -> StagedImport:
    """A survey template from YAML/JSON (read, parse, save via
    template_loader). A code that already exists is refused."""
    try:
        data = read_template_file(path)
    except UnicodeDecodeError as exc:
        raise ValidationFailed(str(path), [Problem("file", "is not UTF-8 text")]) from exc
    except OSError as exc:
        raise ValidationFailed(str(path), [Problem("file", f"cannot be read: {exc}")]) from exc
    spec = parse_template(data, str(path))
    if session.scalar(select(SurveyTemplate.id).where(SurveyTemplate.code == spec.code)) is not None:
        raise ValidationFailed(str(path), [Problem("code", f"template {spec.code!r} already exists")])
    report = ImportReport(
        "template",
        str(path),
        len(spec.questions),
        written={"survey_template": 1, "question": len(spec.questions)},
    )
    return StagedImport(report, lambda session: save_template(session, spec))


KINDS: dict[str, Callable[..., StagedImport]] = {
    "template": import_template,
    "units": import_units,
    "staff": import_staff,
    "waves": import_waves,
    "customers": import_customers,
    "responses": import_responses,
    "service_requests": import_service_requests,
    "management_survey": import_management_survey,
    "standards": import_standards,
    "audits": import_audits,
    "promises": import_promises,
    "churn_events": import_churn_events,
    "benchmarks": import_benchmarks,
}


def stage_file(session: Session, kind: str, path: str | Path, **options: object) -> StagedImport:
    """Read and check a file of `kind` (a key of KINDS): every problem, by
    row and column, as ValidationFailed; else the staged rows. Reads only."""
    try:
        importer = KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}; choose from {', '.join(KINDS)}") from None
    return importer(session, path, **options)


def import_file(session: Session, kind: str, path: str | Path, **options: object) -> ImportReport:
    """Check and apply a file inside the caller's transaction; the caller
    commits. Options: sheet (Excel sheet name)."""
    staged = stage_file(session, kind, path, **options)
    staged.apply(session)
    return staged.report


def run_import(
    sessions: sessionmaker[Session], kind: str, path: str | Path, *, dry_run: bool = False, **options: object
) -> ImportReport:
    """What `csat import` does: check the file in a read-only transaction
    (no write lock is held however long that takes), then apply it in one
    short write transaction, which is committed - or, for a dry run, rolled
    back. A dry run thus runs exactly the writes of the real import, so the
    database's own refusals show in both alike: they are reported as a
    problem, as ValidationFailed, and nothing is written."""
    with sessions() as session:
        staged = stage_file(session, kind, path, **options)
        session.rollback()  # end the checks' read transaction before writing
        # bulk loaders write through the driver's cursor: its errors are not wrapped
        driver_error = session.get_bind().dialect.loaded_dbapi.Error
        try:
            staged.apply(session)
            session.flush()
        except (DBAPIError, driver_error) as exc:
            session.rollback()
            if is_lock_timeout(exc):
                raise DatabaseBusy(str(exc)) from exc
            raise ValidationFailed(str(path), [Problem("database", _refusal(exc))]) from exc
        if dry_run:
            session.rollback()
        else:
            session.commit()
    staged.report.dry_run = dry_run
    return staged.report


def _refusal(exc: Exception) -> str:
    """The database's refusal in one line (a check the importer missed, or
    a row another writer added after the checks)."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    text = str(orig).strip()
    return f"the database refused the rows: {text.splitlines()[0] if text else type(orig).__name__}"
