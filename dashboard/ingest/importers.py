"""One entry point for every import kind, used by `csat import KIND FILE`.

Every importer validates the whole file before writing and raises
ValidationFailed listing each problem by row and column; the caller's
transaction then holds either the whole file or nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db.models import SurveyTemplate
from dashboard.ingest.errors import Problem, ValidationFailed
from dashboard.ingest.import_delivery import import_audits, import_promises, import_standards
from dashboard.ingest.import_management import import_management_survey
from dashboard.ingest.import_outcomes import import_benchmarks, import_churn_events
from dashboard.ingest.import_reference import import_customers, import_staff, import_units, import_waves
from dashboard.ingest.import_requests import import_service_requests
from dashboard.ingest.import_responses import import_responses
from dashboard.ingest.report import ImportReport
from dashboard.ingest.template_loader import parse_template, read_template_file, save_template


def import_template(
    session: Session, path: str | Path, *, dry_run: bool = False, **_options: object
) -> ImportReport:
    """A survey template from YAML/JSON (read, parse, save via
    template_loader). A code that already exists is refused, in a dry run too."""
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
        dry_run,
        {"survey_template": 1, "question": len(spec.questions)},
    )
    if not dry_run:
        save_template(session, spec)
    return report


KINDS: dict[str, Callable[..., ImportReport]] = {
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


def import_file(
    session: Session, kind: str, path: str | Path, *, dry_run: bool = False, **options: object
) -> ImportReport:
    """Run the importer for `kind` (a key of KINDS) inside the caller's
    transaction; the caller commits. Options: sheet (Excel sheet name)."""
    try:
        importer = KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown import kind {kind!r}; choose from {', '.join(KINDS)}") from None
    return importer(session, path, dry_run=dry_run, **options)
