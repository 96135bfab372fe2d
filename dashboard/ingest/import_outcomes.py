"""Importers for outcomes recorded outside the survey: customers leaving
(and coming back), which the churn model learns from, and external
benchmark indices to set the organisation's own index against."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dashboard.auth.users import audit, now
from dashboard.db.models import ChurnEvent, Customer, ExternalBenchmark
from dashboard.domain import ELEMENTS
from dashboard.ingest.import_delivery import index_points
from dashboard.ingest.references import lookup
from dashboard.ingest.report import StagedImport, staged_rows
from dashboard.ingest.tabular import Checker, read_checked

PERIOD = re.compile(r"(?P<year>\d{4})(-(H[12]|Q[1-4]))?")
OVERALL = "overall"


def import_churn_events(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """Customers who left (`left_on`, `reason`) and, where they came back,
    `returned_on`, for customers already imported. A row for an event already
    recorded (same customer and `left_on`) may fill in its empty return date
    or reason, nothing else. Afterwards each touched customer's `churned_on`
    is the date of their latest departure they have not come back from (or
    empty), which is what the churn model's labels read; every change is
    written to the audit log."""
    table, check = read_checked(path, sheet, ["customer_ref", "left_on"], ["reason", "returned_on"])
    customers = {
        ref: (cid, joined)
        for ref, (cid, joined) in lookup(
            session,
            Customer.external_ref,
            (Customer.id, Customer.joined_on),
            (r["customer_ref"] for r in table.rows),
        ).items()
    }
    ids = [cid for cid, _ in customers.values()]
    stored = (
        {
            (e.customer_id, e.left_on): e
            for e in session.scalars(select(ChurnEvent).where(ChurnEvent.customer_id.in_(ids)))
        }
        if ids
        else {}
    )
    timeline: dict[int, dict[date, tuple[date | None, int | None]]] = {}
    for (cid, left), event in stored.items():
        timeline.setdefault(cid, {})[left] = (event.returned_on, None)
    new, updates, repeats, seen = [], [], [], {}
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        ref = row["customer_ref"]
        cid, joined = customers.get(ref, (None, None))
        if not ref:
            check.add(r, "customer_ref", "is required")
        elif cid is None:
            check.add(r, "customer_ref", f"unknown customer {ref!r} (import customers first)")
        left = check.date(r, "left_on", row["left_on"], required=True)
        returned = check.date(r, "returned_on", row.get("returned_on", ""))
        reason = check.text(r, "reason", row.get("reason", ""), required=False, max_len=200)
        if left and joined and left < joined:
            check.add(r, "left_on", f"is before the customer joined ({joined})")
        if left and returned and returned <= left:
            check.add(r, "returned_on", "is not after left_on")
        if cid is None or left is None:
            continue
        if (cid, left) in seen:
            check.add(r, "left_on", f"{ref} leaving on {left} is already in row {seen[(cid, left)]}")
            continue
        seen[(cid, left)] = r
        event = stored.get((cid, left))
        if event is None:
            new.append(ChurnEvent(customer_id=cid, left_on=left, reason=reason, returned_on=returned))
        else:
            change = _fill_in(check, r, event, reason, returned)
            if change:
                updates.append((event, change))
            else:
                repeats.append(r)
        timeline.setdefault(cid, {})[left] = (returned or (event.returned_on if event else None), r)
    _check_timelines(check, timeline)
    touched = {e.customer_id for e in new} | {e.customer_id for e, _ in updates}
    report = check.report("churn_events", table, {"churn_event": len(new)})  # new rows only
    report.warn_rows(repeats, "row(s) repeat events already recorded and change nothing")
    if updates:
        report.warnings.append(f"{len(updates)} recorded event(s) completed (return date or reason)")
    if touched:
        report.warnings.append(f"churned_on follows the latest event for {len(touched)} customer(s)")
    changes = [(event.id, change) for event, change in updates]
    source = table.source

    def apply(session: Session) -> None:
        recorded_at = now()
        for event in new:
            event.source, event.recorded_at = source[-200:], recorded_at
        session.add_all(new)
        for event_id, change in changes:
            event = session.get(ChurnEvent, event_id)
            for column, value in change.items():
                setattr(event, column, value)
        session.flush()
        _follow_latest_event(session, touched)
        audit(
            session,
            "import.churn_events",
            username="import",
            target=source,
            detail={"new": len(new), "updated": len(changes), "customers": len(touched)},
        )

    return StagedImport(report, apply)


def _fill_in(check: Checker, r: int, event: ChurnEvent, reason: str | None, returned: date | None) -> dict:
    """What a repeated event may add: an empty return date or reason."""
    change = {}
    for column, value in (("returned_on", returned), ("reason", reason)):
        old = getattr(event, column)
        if value is None or value == old:
            continue
        if old is None:
            change[column] = value
        else:
            check.add(
                r,
                column,
                f"this event is already recorded with {column} {old}; it cannot be changed by import",
            )
    return change


def _check_timelines(check: Checker, timeline: dict[int, dict[date, tuple[date | None, int | None]]]) -> None:
    """A customer can only leave again after coming back; the problem is
    named on the file's row (of the later event, or of the earlier one when
    the later is already stored)."""
    for events in timeline.values():
        ordered = sorted(events.items())
        for (left, (returned, row)), (next_left, (_, next_row)) in zip(ordered, ordered[1:], strict=False):
            if returned is not None and returned <= next_left:
                continue
            since = (
                f"had not come back since leaving on {left}"
                if returned is None
                else f"came back only on {returned}"
            )
            check.add(next_row or row, "left_on", f"the customer leaves on {next_left} but {since}")


def _follow_latest_event(session: Session, customer_ids: set[int]) -> None:
    """`customer.churned_on`: the latest departure without a return, else empty."""
    latest: dict[int, ChurnEvent] = {}
    for event in session.scalars(
        select(ChurnEvent).where(ChurnEvent.customer_id.in_(customer_ids)).order_by(ChurnEvent.left_on)
    ):
        latest[event.customer_id] = event
    for cid, event in latest.items():
        churned = event.left_on if event.returned_on is None else None
        session.execute(update(Customer).where(Customer.id == cid).values(churned_on=churned))


def import_benchmarks(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """Published indices to compare with: `source` (who published it),
    `period` (2026, 2026-H1 or 2026-Q3), `element` (a RATER code, or empty
    for the overall index), `index` on the 0-100 scale and an optional
    `note` (method, sample, link). A source, period and element already
    recorded is refused."""
    table, check = read_checked(path, sheet, ["source", "period", "index"], ["element", "note"])
    taken = {
        key: None
        for key in session.execute(
            select(ExternalBenchmark.source, ExternalBenchmark.period, ExternalBenchmark.element)
        ).all()
    }
    rows, seen = [], {}
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        source = check.text(r, "source", row["source"], max_len=120)
        period = row["period"]
        match = PERIOD.fullmatch(period)
        if not period:
            check.add(r, "period", "is required (2026, 2026-H1 or 2026-Q3)")
        elif match is None:
            check.add(r, "period", f"{period!r} is not a year, half year or quarter (2026, 2026-H1, 2026-Q3)")
        element = row.get("element", "").upper() or OVERALL
        if element != OVERALL and element not in ELEMENTS:
            check.add(
                r, "element", f"{row['element']!r} is not one of {', '.join(ELEMENTS)} (empty: overall)"
            )
        key = (source, period, element)
        if source and match:
            if key in taken:
                check.add(r, "period", f"{source} {period} ({element}) is already recorded")
            elif key in seen:
                check.add(r, "period", f"{source} {period} ({element}) is already in row {seen[key]}")
            seen.setdefault(key, r)
        rows.append(
            ExternalBenchmark(
                source=source,
                period=period,
                year=int(match["year"]) if match else None,
                element=element,
                index_value=index_points(check, r, "index", row["index"]),
                note=check.text(r, "note", row.get("note", ""), required=False, max_len=2000),
            )
        )
    return staged_rows(check.report("benchmarks", table, {"external_benchmark": len(rows)}), rows)
