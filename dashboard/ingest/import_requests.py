"""Import service requests (CRM side): timings, resolution, escalation and
the customer's rating of the handling."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db.bulk import insert_numbered
from dashboard.db.models import Customer, ServiceRequest, Staff
from dashboard.db.rollup_refresh import refresh_customer_departments
from dashboard.ingest.references import Units, lookup
from dashboard.ingest.report import StagedImport
from dashboard.ingest.tabular import Checker, read_checked

REQUIRED = [
    "request_ref",
    "customer_ref",
    "branch_code",
    "department_code",
    "category",
    "submitted_at",
    "sla_hours",
]
OPTIONAL = [
    "is_complaint",
    "first_response_at",
    "resolved_at",
    "escalated",
    "escalated_to_ref",
    "escalated_at",
    "customer_confirmed",
    "rating",
]


def import_service_requests(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """New service requests (existing refs are refused). First response,
    resolution and escalation may not precede submission, nor resolution
    the first response; an empty resolved_at means still open."""
    table, check = read_checked(path, sheet, REQUIRED, OPTIONAL)
    units = Units.load(session)
    staff = dict(session.execute(select(Staff.employee_ref, Staff.id)).all())
    customers = {
        ref: cid
        for ref, (cid,) in lookup(
            session, Customer.external_ref, (Customer.id,), (row["customer_ref"] for row in table.rows)
        ).items()
    }
    taken = set(
        lookup(
            session,
            ServiceRequest.external_ref,
            (ServiceRequest.id,),
            (row["request_ref"] for row in table.rows),
        )
    )

    rows = []
    open_rated: list[int] = []
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        ref = check.new_key(r, "request_ref", row["request_ref"], taken, "duplicate request {!r}", 60)
        customer = customers.get(row["customer_ref"])
        if not row["customer_ref"]:
            check.add(r, "customer_ref", "is required")
        elif customer is None:
            check.add(r, "customer_ref", f"unknown customer {row['customer_ref']!r}")
        b, d = units.resolve(check, r, row)
        submitted = check.timestamp(r, "submitted_at", row["submitted_at"], required=True)
        stamps = {
            c: check.timestamp(r, c, row.get(c, ""))
            for c in ("first_response_at", "resolved_at", "escalated_at")
        }
        for col, when in stamps.items():
            if submitted and when and when < submitted:
                check.add(r, col, f"is before submitted_at ({row['submitted_at']})")
        first_resp, resolved = stamps["first_response_at"], stamps["resolved_at"]
        if first_resp and resolved and resolved < first_resp and not (submitted and resolved < submitted):
            check.add(r, "resolved_at", f"is before first_response_at ({row['first_response_at']})")
        esc_ref = row.get("escalated_to_ref", "")
        if esc_ref and esc_ref not in staff:
            check.add(r, "escalated_to_ref", f"unknown staff member {esc_ref!r}")
        escalated = _escalated(check, r, row)
        rating = check.integer(r, "rating", row.get("rating", ""), 1, 5)
        confirmed = check.boolean(r, "customer_confirmed", row.get("customer_confirmed", ""), default=None)
        if stamps["resolved_at"] is None and (rating is not None or confirmed is not None):
            open_rated.append(r)
        rows.append(
            (
                ref,
                customer,
                b,
                d,
                check.text(r, "category", row["category"], max_len=40),
                check.boolean(r, "is_complaint", row.get("is_complaint", "")),
                _iso(submitted),
                _iso(stamps["first_response_at"]),
                _iso(stamps["resolved_at"]),
                check.number(r, "sla_hours", row["sla_hours"], required=True, minimum=0),
                escalated,
                staff.get(esc_ref),
                _iso(stamps["escalated_at"]),
                confirmed,
                rating,
            )
        )
    report = check.report("service_requests", table, {"service_request": len(rows)})
    report.warn_rows(
        open_rated, "unresolved request(s) carry a rating or confirmation, normally given on closing"
    )

    def apply(session: Session) -> None:
        insert_numbered(session.connection(), "service_request", rows)
        refresh_customer_departments(session.connection())  # who department heads may see

    return StagedImport(report, apply)


def _escalated(check: Checker, r: int, row: dict[str, str]) -> bool:
    """The escalated flag; escalation details imply yes when the flag is
    empty and contradict an explicit no."""
    details = [c for c in ("escalated_to_ref", "escalated_at") if row.get(c)]
    flag = check.boolean(r, "escalated", row.get("escalated", ""), default=None)
    if flag is False and details:
        given = " and ".join(details) + (" are" if len(details) > 1 else " is")
        check.add(r, "escalated", f"is no, but {given} given")
    return bool(flag) if flag is not None else bool(details)


def _iso(value: datetime | None) -> str | None:
    """Timestamps go to the bulk loader as ISO text (both backends parse it)."""
    return value.isoformat(sep=" ") if value else None
