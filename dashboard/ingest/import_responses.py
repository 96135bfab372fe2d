"""Import survey responses in the wide layout survey tools export: one row
per response, one column per question code (`R1_E`, `R1_P`, or a bare code
for perception), optional importance points `IMP_R` ... `IMP_S`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db.bulk import bulk_insert, insert_numbered
from dashboard.db.models import Customer, Question, Response, SurveyTemplate, Wave
from dashboard.db.rollup_refresh import refresh_rollups
from dashboard.domain import CHANNELS
from dashboard.ingest.references import Units, lookup
from dashboard.ingest.report import ImportReport, StagedImport, no_writes
from dashboard.ingest.tabular import IMPORTANCE_COLUMNS, Checker, Table, read_checked

FIXED_REQUIRED = ["response_id", "wave", "branch_code", "department_code", "submitted_at"]
FIXED_OPTIONAL = ["customer_ref", "channel", "segment", "comment"]


@dataclass(frozen=True)
class AnswerColumn:
    column: str
    question: Question
    part: str  # "E" or "P"


def _map_columns(
    table: Table, questions: dict[str, Question], check: Checker
) -> tuple[list[AnswerColumn], list[str]]:
    """Sort the file's columns into answer columns and comment columns;
    header problems are reported on row 1."""
    answers: list[AnswerColumn] = []
    comment_cols = [c for c in ("comment",) if c in table.columns]
    for col in table.columns:
        if col in FIXED_REQUIRED or col in FIXED_OPTIONAL or col in IMPORTANCE_COLUMNS:
            continue
        code, part = (col[:-2], col[-1]) if col[-2:] in ("_E", "_P") else (col, "P")
        q = questions.get(code)
        if q is None:
            check.add(1, col, f"unknown column: {code!r} is not a question of this wave's template")
        elif q.qtype == "text":
            comment_cols.append(col)
        elif part == "E" and not q.asks_expectation:
            check.add(1, col, f"question {code} does not ask an expectation (E); remove the column")
        elif part == "P" and not q.asks_perception:
            check.add(1, col, f"question {code} does not ask a perception (P); remove the column")
        else:
            answers.append(AnswerColumn(col, q, part))
    by_target: dict[tuple[str, str], list[str]] = {}
    for a in answers:
        by_target.setdefault((a.question.code, a.part), []).append(a.column)
    for (code, part), cols in by_target.items():
        if len(cols) > 1:
            check.add(1, cols[-1], f"columns {' and '.join(cols)} both hold {code}_{part}; keep one")
    for q in questions.values():
        if q.required and q.qtype != "text" and (q.code, _required_part(q)) not in by_target:
            check.add(1, f"{q.code}_{_required_part(q)}", f"required question {q.code} has no column")
    return answers, comment_cols


def _required_part(q: Question) -> str:
    """The answer a required question cannot leave empty: its perception,
    or its expectation when it asks no perception."""
    return "P" if q.asks_perception else "E"


OTHER_AUDIENCES = {
    "management": "import management's answers with `csat import management_survey`",
    "staff": "staff answers are not customer feedback",
}


def _refuse_other_audiences(session: Session, table: Table, waves: dict[str, Wave], check: Checker) -> None:
    """Only customers' answers are responses: a wave of a management or
    staff template would otherwise enter every customer metric."""
    audiences = dict(session.execute(select(SurveyTemplate.id, SurveyTemplate.audience)).all())
    for i, row in enumerate(table.rows):
        wave = waves.get(row["wave"])
        audience = audiences.get(wave.template_id) if wave else None
        if audience in OTHER_AUDIENCES:
            check.add(
                table.row_number(i),
                "wave",
                f"wave {wave.code} is a {audience} survey, not customer responses; "
                f"{OTHER_AUDIENCES[audience]}",
            )
            return  # one message says it; the file is refused whole


def import_responses(session: Session, path: str | Path, *, sheet: str | None = None) -> StagedImport:
    """Responses, their answers and importance points for existing waves.

    The template comes from the wave (one template per file). Everything is
    validated first; then rows are bulk-inserted under ids from `next_id`
    and the rollups of the touched waves x branches are rebuilt. Responses
    submitted outside their wave's period are imported with a warning."""
    table, check = read_checked(path, sheet, FIXED_REQUIRED, allow_extra=True)

    waves = {w.code: w for w in session.scalars(select(Wave))}
    codes_in_file = {row["wave"] for row in table.rows if row["wave"]}
    for code in sorted(codes_in_file - set(waves)):
        rows = [table.row_number(i) for i, row in enumerate(table.rows) if row["wave"] == code]
        check.add(
            rows[0],
            "wave",
            f"unknown wave {code!r} (also in {len(rows) - 1} more rows)"
            if len(rows) > 1
            else f"unknown wave {code!r}",
        )
    for i, row in enumerate(table.rows):
        if not row["wave"]:
            check.add(table.row_number(i), "wave", "is required")
    templates = {waves[c].template_id for c in codes_in_file if c in waves}
    if len(templates) > 1:
        check.add(1, "wave", "all waves in one file must use the same template; split the file")
    _refuse_other_audiences(session, table, waves, check)
    check.raise_if_any()
    if not table.rows:
        return StagedImport(ImportReport("responses", table.source, 0), no_writes)
    questions = {
        q.code: q for q in session.scalars(select(Question).where(Question.template_id == templates.pop()))
    }
    answer_cols, comment_cols = _map_columns(table, questions, check)
    check.raise_if_any()

    units = Units.load(session)
    found = lookup(
        session,
        Customer.external_ref,
        (Customer.id, Customer.segment),
        (row.get("customer_ref") for row in table.rows),
    )
    customers = {ref: cid for ref, (cid, _) in found.items()}
    segments = dict(found.values())
    wave_ids = {waves[c].id for c in codes_in_file}
    taken = set(
        session.execute(
            select(Response.wave_id, Response.external_ref).where(Response.wave_id.in_(wave_ids))
        ).all()
    )

    responses, answers, importance, seen = [], [], [], set()
    outside: list[int] = []
    for i, row in enumerate(table.rows):
        r = table.row_number(i)
        wave = waves[row["wave"]]  # every row names a known wave by now
        ref = check.text(r, "response_id", row["response_id"], max_len=60)
        if ref and ((wave.id, ref) in seen or (wave.id, ref) in taken):
            check.add(r, "response_id", f"duplicate response id {ref!r} in wave {wave.code}")
        seen.add((wave.id, ref))
        b, d = units.resolve(check, r, row)
        cref = row.get("customer_ref", "")
        customer_id = customers.get(cref) if cref else None
        if cref and customer_id is None:
            check.add(r, "customer_ref", f"unknown customer {cref!r}")
        segment = row.get("segment") or segments.get(customer_id)
        if row.get("segment"):
            check.text(r, "segment", row["segment"], max_len=40)
        elif not segment and not (cref and customer_id is None):
            check.add(r, "segment", "is required when the response has no customer")
        channel = check.choice(r, "channel", row.get("channel", ""), CHANNELS, "survey")
        submitted = check.timestamp(r, "submitted_at", row["submitted_at"], required=True)
        if submitted and not wave.period_start <= submitted.date() <= wave.period_end:
            outside.append(r)
        comment = " ".join(row[c] for c in comment_cols if row.get(c)) or None

        values = []
        for col in answer_cols:
            q = col.question
            value = check.integer(
                r,
                col.column,
                row[col.column],
                q.scale_min,
                q.scale_max,
                required=q.required and col.part == _required_part(q),
            )
            if value is not None:
                values.append((q.id, col.part, value))
        merged: dict[int, list] = {}
        for qid, part, value in values:
            merged.setdefault(qid, [None, None])[0 if part == "E" else 1] = value
        parsed = check.importance_points(r, {e: row.get(c, "") for c, e in IMPORTANCE_COLUMNS.items()})
        if parsed is not None:
            importance.append((len(responses), parsed))
        responses.append(
            (
                ref,
                wave.id,
                customer_id,
                b,
                d,
                channel,
                segment,
                submitted.isoformat(sep=" ") if submitted else None,
                comment,
            )
        )
        answers.append(merged)
    n_answers = sum(len(a) for a in answers)
    report = check.report(
        "responses",
        table,
        {"response": len(responses), "answer": n_answers, "importance_allocation": 5 * len(importance)},
    )
    report.warn_rows(outside, "response(s) submitted outside the wave period")

    def apply(session: Session) -> None:
        """The bulk insert and the rebuild of the touched rollup partitions."""
        conn = session.connection()
        first = insert_numbered(conn, "response", responses)
        bulk_insert(
            conn,
            "answer",
            ("response_id", "question_id", "expectation", "perception"),
            ((first + k, qid, e, p) for k, merged in enumerate(answers) for qid, (e, p) in merged.items()),
        )
        bulk_insert(
            conn,
            "importance_allocation",
            ("response_id", "element", "points"),
            ((first + k, e, pts) for k, parsed in importance for e, pts in parsed.items()),
        )
        refresh_rollups(
            conn, wave_ids={resp[1] for resp in responses}, branch_ids={resp[3] for resp in responses}
        )

    return StagedImport(report, apply)
