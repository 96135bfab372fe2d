"""Import service requests (CRM side): timings, resolution, escalation and
the customer's rating of the handling."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db.bulk import insert_numbered
from dashboard.db.models import Customer, ServiceRequest, Staff
from dashboard.ingest.references import Units
from dashboard.ingest.report import ImportReport
from dashboard.ingest.tabular import Checker, read_table

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


def import_service_requests(
    session: Session, path: str | Path, *, dry_run: bool = False, sheet: str | None = None
) -> ImportReport:
    """New service requests (existing refs are refused). First response,
    resolution and escalation may not precede submission, nor resolution
    the first response; an empty resolved_at means still open."""
    table = read_table(path, sheet)
    check = Checker(table.source)
    check.require_columns(table, REQUIRED, OPTIONAL)
    check.raise_if_any()
    units = Units.load(session)
    staff = dict(session.execute(select(Staff.employee_ref, Staff.id)).all())
    refs = {row["customer_ref"] for row in table.rows}
    customers = dict(
        session.execute(
            select(Customer.external_ref, Customer.id).where(Customer.external_ref.in_(refs))
        ).all()
    )
    taken = set(
        session.scalars(
            select(ServiceRequest.external_ref).where(
                ServiceRequest.external_ref.in_({row["request_ref"] for row in table.rows})
            )
        )
    )

    rows, seen = [], set()
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        ref = check.text(r, "request_ref", row["request_ref"], max_len=60)
        if ref and (ref in seen or ref in taken):
            check.add(r, "request_ref", f"duplicate request {ref!r}")
        seen.add(ref)
        customer = customers.get(row["customer_ref"])
        if customer is None:
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
                check.boolean(r, "escalated", row.get("escalated", "")),
                staff.get(esc_ref),
                _iso(stamps["escalated_at"]),
                check.boolean(r, "customer_confirmed", row.get("customer_confirmed", ""), default=None),
                check.integer(r, "rating", row.get("rating", ""), 1, 5),
            )
        )
    check.raise_if_any()
    report = ImportReport(
        "service_requests", table.source, len(table.rows), dry_run, {"service_request": len(rows)}
    )
    if not dry_run:
        insert_numbered(session.connection(), "service_request", rows)
    return report


def _iso(value: datetime | None) -> str | None:
    """Timestamps go to the bulk loader as ISO text (both backends parse it)."""
    return value.isoformat(sep=" ") if value else None
