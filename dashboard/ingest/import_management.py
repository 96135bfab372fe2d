"""Import the management survey (SERVQUAL gap 1): what managers believe
customers expect of each item, and how important they think each RATER
element is. These answers never enter customer metrics; they are written to
the management tables only, and a customer template is refused here."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db.bulk import bulk_insert, insert_numbered
from dashboard.db.models import ManagementResponse, Question, Staff, SurveyTemplate
from dashboard.ingest.references import Units
from dashboard.ingest.report import ImportReport, StagedImport, no_writes
from dashboard.ingest.tabular import IMPORTANCE_COLUMNS, Checker, Table, read_checked

FIXED = ["respondent_ref", "template_code", "surveyed_on", "branch_code", "department_code"]
REQUIRED = ["respondent_ref", "template_code", "surveyed_on"]


def import_management_survey(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """One row per manager and unit surveyed: `respondent_ref` (staff),
    `template_code` (a template with audience: management), `surveyed_on`,
    `branch_code` and `department_code` (the unit answered for; empty for the
    whole organisation or a whole branch), a column per item (`R1` or `R1_E`)
    holding the belief about customers' expectation on the item's scale, and
    optional importance points IMP_R ... IMP_S summing to 100."""
    table, check = read_checked(path, sheet, REQUIRED, allow_extra=True)
    template = _one_management_template(session, table, check)
    check.raise_if_any()
    if template is None:  # a file without rows
        return StagedImport(ImportReport("management_survey", table.source, 0), no_writes)
    questions = {
        q.code: q for q in session.scalars(select(Question).where(Question.template_id == template.id))
    }
    item_columns = _map_columns(table, questions, check)
    check.raise_if_any()

    units = Units.load(session)
    staff = dict(session.execute(select(Staff.employee_ref, Staff.id)).all())
    taken = set(
        session.execute(
            select(
                ManagementResponse.staff_id,
                ManagementResponse.branch_id,
                ManagementResponse.department_id,
                ManagementResponse.surveyed_on,
            ).where(ManagementResponse.template_id == template.id)
        ).all()
    )
    responses, answers, importance, seen = [], [], [], {}
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        ref = row["respondent_ref"]
        staff_id = staff.get(ref)
        if not ref:
            check.add(r, "respondent_ref", "is required")
        elif staff_id is None:
            check.add(r, "respondent_ref", f"unknown staff member {ref!r} (import staff first)")
        b, d = units.resolve_optional(check, r, row)
        surveyed_on = check.date(r, "surveyed_on", row["surveyed_on"], required=True)
        key = (staff_id, b, d, surveyed_on)
        if staff_id is not None and surveyed_on is not None:
            if key in taken:
                check.add(r, "respondent_ref", f"{ref} already answered for this unit on {surveyed_on}")
            elif key in seen:
                check.add(
                    r, "respondent_ref", f"{ref} answers for this unit twice (rows {seen[key]} and {r})"
                )
            seen.setdefault(key, r)
        values = {}
        for column, q in item_columns:
            value = check.integer(r, column, row[column], q.scale_min, q.scale_max, required=q.required)
            if value is not None:
                values[q.id] = value
        if not values:
            check.add(r, item_columns[0][0] if item_columns else "respondent_ref", "the row answers no item")
        parsed = check.importance_points(r, {e: row.get(c, "") for c, e in IMPORTANCE_COLUMNS.items()})
        responses.append((staff_id, b, d, surveyed_on))
        answers.append(values)
        importance.append(parsed or {})
    report = check.report(
        "management_survey",
        table,
        {
            "management_response": len(responses),
            "management_answer": sum(len(a) for a in answers),
            "management_importance": sum(len(p) for p in importance),
        },
    )
    template_id = template.id

    def apply(session: Session) -> None:
        conn = session.connection()
        first = insert_numbered(
            conn, "management_response", [(s, template_id, b, d, on.isoformat()) for s, b, d, on in responses]
        )
        bulk_insert(
            conn,
            "management_answer",
            ("management_response_id", "question_id", "expectation"),
            [(first + k, qid, v) for k, values in enumerate(answers) for qid, v in values.items()],
        )
        bulk_insert(
            conn,
            "management_importance",
            ("management_response_id", "element", "points"),
            [(first + k, e, p) for k, parsed in enumerate(importance) for e, p in parsed.items()],
        )

    return StagedImport(report, apply)


def _one_management_template(session: Session, table: Table, check: Checker) -> SurveyTemplate | None:
    """The file's template: one per file, imported, and for management."""
    for i, row in enumerate(table.rows):
        if not row["template_code"]:
            check.add(table.row_number(i), "template_code", "is required")
    codes = sorted({row["template_code"] for row in table.rows if row["template_code"]})
    if len(codes) != 1:
        if len(codes) > 1:
            check.add(1, "template_code", "one template per file; split the file")
        return None
    template = session.scalar(select(SurveyTemplate).where(SurveyTemplate.code == codes[0]))
    if template is None:
        check.add(2, "template_code", f"unknown template {codes[0]!r} (import it first)")
    elif template.audience != "management":
        check.add(
            2,
            "template_code",
            f"template {template.code} is a {template.audience} survey; import its answers with "
            "`csat import responses`, not as a management survey",
        )
    return template


def _map_columns(table: Table, questions: dict[str, Question], check: Checker) -> list[tuple[str, Question]]:
    """The item columns: a bare code or CODE_E, for rated RATER items only."""
    columns, targets = [], {}
    for col in table.columns:
        if col in FIXED or col in IMPORTANCE_COLUMNS:
            continue
        code = col[:-2] if col.endswith("_E") else col
        q = questions.get(code)
        if q is None or col.endswith("_P"):
            check.add(1, col, f"unknown column: {code!r} is not an item of this management template")
        elif q.qtype != "scale" or q.element is None:
            check.add(1, col, f"question {code} is not a rated RATER item; management beliefs are per item")
        elif code in targets:
            check.add(1, col, f"columns {targets[code]} and {col} both hold {code}; keep one")
        else:
            targets[code] = col
            columns.append((col, q))
    for q in questions.values():
        if q.required and q.qtype == "scale" and q.element is not None and q.code not in targets:
            check.add(1, q.code, f"required question {q.code} has no column")
    return columns
