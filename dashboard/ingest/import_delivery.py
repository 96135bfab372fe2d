"""Importers for what the organisation sets and delivers, the inputs of
SERVQUAL gaps 2 to 4: service standards (targets), delivery audits and
measurements, and the promises published to customers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db.models import AuditScore, Commitment, ServiceStandard
from dashboard.domain import ELEMENTS
from dashboard.ingest.references import Units
from dashboard.ingest.report import StagedImport, staged_rows
from dashboard.ingest.tabular import Checker, read_checked

AUDIT_KINDS = ("audit", "mystery_shopper", "call_audit", "sla_attainment")
PROMISE_METRICS = ("first_response_hours", "resolution_hours")


def index_points(check: Checker, r: int, col: str, value: str) -> float | None:
    """A 0-100 index value (the scale of every index in the product)."""
    number = check.number(r, col, value, required=True, minimum=0)
    if number is not None and number > 100:
        check.add(r, col, f"{value!r} is above 100 (the index scale is 0-100)")
        return None
    return number


def rater_element(check: Checker, r: int, value: str) -> str | None:
    """A required RATER element code (any case)."""
    return required_choice(check, r, "element", value.upper(), ELEMENTS)


def required_choice(check: Checker, r: int, col: str, value: str, allowed) -> str | None:
    if not value:
        check.add(r, col, f"is required (one of {', '.join(allowed)})")
        return None
    return check.choice(r, col, value, allowed)


def _period(check: Checker, r: int, row: dict[str, str], start: str, end: str) -> tuple[date | None, ...]:
    first = check.date(r, start, row[start], required=True)
    last = check.date(r, end, row.get(end, ""))
    if first and last and last < first:
        check.add(r, end, f"is before {start}")
    return first, last


def import_standards(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """Service standards: management's target index per RATER element, for
    the whole organisation (branch and department empty), a department, a
    branch or one unit, in force from `valid_from` (to `valid_to`, if given).
    The same element and unit may not have two standards in force at once."""
    table, check = read_checked(
        path,
        sheet,
        ["element", "target_index", "valid_from"],
        ["branch_code", "department_code", "valid_to", "sla_hours", "description"],
    )
    units = Units.load(session)
    stored = session.execute(
        select(
            ServiceStandard.element,
            ServiceStandard.branch_id,
            ServiceStandard.department_id,
            ServiceStandard.valid_from,
            ServiceStandard.valid_to,
        )
    ).all()
    periods = [((e, b, d), start, end, None) for e, b, d, start, end in stored]
    standards = []
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        element = rater_element(check, r, row["element"])
        target = index_points(check, r, "target_index", row["target_index"])
        b, d = units.resolve_optional(check, r, row)
        start, end = _period(check, r, row, "valid_from", "valid_to")
        sla = check.number(r, "sla_hours", row.get("sla_hours", ""), minimum=0)
        if sla == 0:
            check.add(r, "sla_hours", "must be more than 0 hours")
        description = check.text(r, "description", row.get("description", ""), required=False, max_len=2000)
        if element and start:
            key = (element, b, d)
            for other_key, other_start, other_end, other_row in periods:
                if other_key == key and _overlap(start, end, other_start, other_end):
                    where = f"row {other_row}" if other_row else "the database"
                    check.add(
                        r,
                        "valid_from",
                        f"a standard for {element} on this unit is already in force ({where})",
                    )
                    break
            periods.append((key, start, end, r))
        standards.append(
            ServiceStandard(
                element=element,
                branch_id=b,
                department_id=d,
                target_index=target,
                sla_hours=sla,
                description=description,
                valid_from=start,
                valid_to=end,
            )
        )
    return staged_rows(check.report("standards", table, {"service_standard": len(standards)}), standards)


def _overlap(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def import_audits(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """Delivery measured against the standards (gap 3): audits, mystery
    shopping, call audits and SLA attainment, as a 0-100 score per branch
    (optionally one department), RATER element and date."""
    table, check = read_checked(
        path, sheet, ["branch_code", "element", "audited_on", "score"], ["department_code", "kind"]
    )
    units = Units.load(session)
    audits, seen = [], {}
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        b, d = units.resolve_optional(check, r, row, branch_required=True)
        element = rater_element(check, r, row["element"])
        kind = check.choice(r, "kind", row.get("kind", "").lower(), AUDIT_KINDS, "audit")
        audited_on = check.date(r, "audited_on", row["audited_on"], required=True)
        score = index_points(check, r, "score", row["score"])
        key = (b, d, element, kind, audited_on)
        if None not in (b, element, kind, audited_on):
            if key in seen:
                check.add(r, "audited_on", f"the same audit is already in row {seen[key]}")
            seen.setdefault(key, r)
        audits.append(
            AuditScore(
                branch_id=b, department_id=d, element=element, kind=kind, audited_on=audited_on, score=score
            )
        )
    return staged_rows(check.report("audits", table, {"audit_score": len(audits)}), audits)


def import_promises(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """Promises published to customers (gap 4) that service requests can
    measure: 'we answer within 24 hours' (first_response_hours) or 'we resolve
    complaints within 5 days' (resolution_hours). New codes only."""
    table, check = read_checked(
        path, sheet, ["code", "text", "element", "metric", "threshold_hours", "published_on"]
    )
    codes = set(session.scalars(select(Commitment.code)))
    promises = []
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        code = check.new_key(r, "code", row["code"], codes, "promise {!r} already exists", max_len=40)
        element = rater_element(check, r, row["element"])
        metric = required_choice(check, r, "metric", row["metric"], PROMISE_METRICS)
        hours = check.number(r, "threshold_hours", row["threshold_hours"], required=True, minimum=0)
        if hours == 0:
            check.add(r, "threshold_hours", "must be more than 0 hours")
        promises.append(
            Commitment(
                code=code,
                text=check.text(r, "text", row["text"], max_len=2000),
                element=element,
                metric=metric,
                threshold_hours=hours,
                published_on=check.date(r, "published_on", row["published_on"], required=True),
            )
        )
    return staged_rows(check.report("promises", table, {"commitment": len(promises)}), promises)
