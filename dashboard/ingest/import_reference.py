"""Importers for reference data: units (branches x departments), staff,
waves and customers. Each validates the whole file, then writes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db.base import Base
from dashboard.db.bulk import insert_numbered
from dashboard.db.models import Branch, BranchDepartment, Customer, Department, Staff, SurveyTemplate, Wave
from dashboard.ingest.report import StagedImport, staged_rows
from dashboard.ingest.tabular import Checker, read_checked

TIERS = ("standard", "gold", "vip")


def _lookup(session: Session, model: type[Base], key: str = "code") -> dict[str, int]:
    """Map a unique text column (code, ref) of a table to ids."""
    column = getattr(model, key)
    return {k: i for k, i in session.execute(select(column, model.id))}


def import_units(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """Branches and departments, one row per unit. Existing codes are reused;
    a different name for an existing code is refused (rename in the app)."""
    table, check = read_checked(
        path, sheet, ["branch_code", "branch_name", "department_code", "department_name"], ["region"]
    )
    branches = {b.code: b for b in session.scalars(select(Branch))}
    depts = {d.code: d for d in session.scalars(select(Department))}
    seen_b: dict[str, tuple[str, str]] = {}
    seen_d: dict[str, str] = {}
    pairs: set[tuple[str, str]] = set()
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        bc = check.text(r, "branch_code", row["branch_code"], max_len=32)
        bn = check.text(r, "branch_name", row["branch_name"], max_len=120)
        dc = check.text(r, "department_code", row["department_code"], max_len=32)
        dn = check.text(r, "department_name", row["department_name"], max_len=120)
        if not (bc and bn and dc and dn):
            continue
        region = check.text(r, "region", row.get("region", ""), required=False, max_len=60) or ""
        _check_region(check, r, bc, region, branches.get(bc), seen_b)
        known_b = branches.get(bc)
        if (known_b and known_b.name != bn) or (bc in seen_b and seen_b[bc][0] != bn):
            check.add(
                r,
                "branch_name",
                f"branch {bc} is already named {(known_b.name if known_b else seen_b[bc][0])!r}",
            )
        known_d = depts.get(dc)
        if (known_d and known_d.name != dn) or (dc in seen_d and seen_d[dc] != dn):
            check.add(
                r,
                "department_name",
                f"department {dc} is already named {(known_d.name if known_d else seen_d[dc])!r}",
            )
        if (bc, dc) in pairs:
            check.add(r, "department_code", f"unit {bc}/{dc} appears twice in the file")
        if bc in seen_b and region and not seen_b[bc][1]:
            seen_b[bc] = (seen_b[bc][0], region)
        seen_b.setdefault(bc, (bn, region))
        seen_d.setdefault(dc, dn)
        pairs.add((bc, dc))
    check.raise_if_any()  # before the lookups below: an invalid file reads no more

    new_b = {c: v for c, v in seen_b.items() if c not in branches}
    new_d = {c: v for c, v in seen_d.items() if c not in depts}
    existing_pairs = {
        (b, d)
        for b, d in session.execute(
            select(Branch.code, Department.code)
            .join(BranchDepartment, BranchDepartment.branch_id == Branch.id)
            .join(Department, Department.id == BranchDepartment.department_id)
        )
    }
    new_pairs = sorted(p for p in pairs if p not in existing_pairs)
    report = check.report(
        "units",
        table,
        {"branch": len(new_b), "department": len(new_d), "branch_department": len(new_pairs)},
    )

    def apply(session: Session) -> None:
        for code, (name, region) in new_b.items():
            branches[code] = Branch(code=code, name=name, region=region or None)
            session.add(branches[code])
        for code, name in new_d.items():
            depts[code] = Department(code=code, name=name)
            session.add(depts[code])
        session.flush()
        session.add_all(
            BranchDepartment(branch_id=branches[b].id, department_id=depts[d].id) for b, d in new_pairs
        )
        session.flush()

    return StagedImport(report, apply)


def _check_region(
    check: Checker, r: int, code: str, region: str, known: Branch | None, seen: dict[str, tuple[str, str]]
) -> None:
    """A branch has one region: an empty cell states none, a different one
    (from the database or an earlier row) is refused like a rename."""
    if not region:
        return
    stored = (known.region or "") if known else seen.get(code, ("", ""))[1]
    if (known is not None or stored) and region != stored:
        now = f"is in region {stored!r}" if stored else "has no region"
        check.add(r, "region", f"branch {code} {now}; change regions in the app, not by import")


def import_staff(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """New staff members (existing refs are refused). A department, when
    given, must be one the branch has."""
    table, check = read_checked(
        path,
        sheet,
        ["employee_ref", "name", "branch_code"],
        ["department_code", "job_title", "is_account_manager", "is_manager", "started_on", "left_on"],
    )
    branches, depts = _lookup(session, Branch), _lookup(session, Department)
    pairs = set(session.execute(select(BranchDepartment.branch_id, BranchDepartment.department_id)).all())
    existing = set(_lookup(session, Staff, "employee_ref"))
    staff = []
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        ref = check.new_key(r, "employee_ref", row["employee_ref"], existing, "{!r} already exists", 40)
        branch = row["branch_code"]
        if not branch:
            check.add(r, "branch_code", "is required")
        elif branch not in branches:
            check.add(r, "branch_code", f"unknown branch {branch!r}")
        dept = row.get("department_code", "")
        if dept and dept not in depts:
            check.add(r, "department_code", f"unknown department {dept!r}")
        elif dept and branch in branches and (branches[branch], depts[dept]) not in pairs:
            check.add(r, "department_code", f"branch {branch} has no department {dept}")
        title = check.text(r, "job_title", row.get("job_title", ""), required=False, max_len=60)
        started = check.date(r, "started_on", row.get("started_on", ""))
        left = check.date(r, "left_on", row.get("left_on", ""))
        check.in_order(r, ("started_on", started), ("left_on", left))
        staff.append(
            Staff(
                employee_ref=ref,
                name=check.text(r, "name", row["name"], max_len=120),
                branch_id=branches.get(branch),
                department_id=depts.get(dept) if dept else None,
                job_title=title or "staff",
                is_account_manager=check.boolean(r, "is_account_manager", row.get("is_account_manager", "")),
                is_manager=check.boolean(r, "is_manager", row.get("is_manager", "")),
                started_on=started,
                left_on=left,
            )
        )
    return staged_rows(check.report("staff", table, {"staff": len(staff)}), staff)


def import_waves(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """New waves of an imported template; period_start <= period_end."""
    table, check = read_checked(path, sheet, ["code", "name", "template_code", "period_start", "period_end"])
    templates = _lookup(session, SurveyTemplate)
    existing = set(_lookup(session, Wave))
    waves = []
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        code = check.new_key(r, "code", row["code"], existing, "wave {!r} already exists", 40)
        if row["template_code"] not in templates:
            check.add(r, "template_code", f"unknown template {row['template_code']!r} (import it first)")
        start = check.date(r, "period_start", row["period_start"], required=True)
        end = check.date(r, "period_end", row["period_end"], required=True)
        check.in_order(r, ("period_start", start), ("period_end", end))
        waves.append(
            Wave(
                code=code,
                name=check.text(r, "name", row["name"], max_len=120),
                template_id=templates.get(row["template_code"]),
                period_start=start,
                period_end=end,
            )
        )
    return staged_rows(check.report("waves", table, {"wave": len(waves)}), waves)


def import_customers(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """New customers only: a ref that already exists is refused, so an import
    never silently rewrites a customer's history."""
    table, check = read_checked(
        path,
        sheet,
        ["customer_ref", "name", "segment", "branch_code", "joined_on"],
        ["tier", "account_manager_ref", "churned_on", "annual_revenue"],
    )
    branches = _lookup(session, Branch)
    managers = _lookup(session, Staff, "employee_ref")
    flagged = set(session.scalars(select(Staff.employee_ref).where(Staff.is_account_manager)))
    existing = set(_lookup(session, Customer, "external_ref"))
    rows, unflagged = [], []
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        ref = check.new_key(
            r, "customer_ref", row["customer_ref"], existing, "customer {!r} already exists", 40
        )
        if row["branch_code"] not in branches:
            check.add(r, "branch_code", f"unknown branch {row['branch_code']!r}")
        am = row.get("account_manager_ref", "")
        if am and am not in managers:
            check.add(r, "account_manager_ref", f"unknown staff member {am!r}")
        elif am and am not in flagged:
            unflagged.append(r)
        joined = check.date(r, "joined_on", row["joined_on"], required=True)
        churned = check.date(r, "churned_on", row.get("churned_on", ""))
        check.in_order(r, ("joined_on", joined), ("churned_on", churned))
        rows.append(
            (
                ref,
                check.text(r, "name", row["name"], max_len=160),
                check.text(r, "segment", row["segment"], max_len=40),
                check.choice(r, "tier", row.get("tier", "").lower(), TIERS, "standard"),
                branches.get(row["branch_code"]),
                managers.get(am) if am else None,
                joined.isoformat() if joined else None,
                churned.isoformat() if churned else None,
                check.number(r, "annual_revenue", row.get("annual_revenue", ""), minimum=0),
            )
        )
    report = check.report("customers", table, {"customer": len(rows)})
    report.warn_rows(unflagged, "account manager(s) not flagged is_account_manager in staff")
    return StagedImport(report, lambda session: insert_numbered(session.connection(), "customer", rows))
