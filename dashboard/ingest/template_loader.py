"""Survey templates from YAML/JSON: parse, validate, store.

Format (see docs/DATA-FORMATS.md): code, name, audience, optional default
`scale: {min, max}`, `questions: [{code, text, type, element, construct,
asks: [E, P], scale, reverse_coded, required}]`, optional
`structural_model: {constructs: {name: [codes]}, paths: [[from, to]]}`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db.models import Question, SurveyTemplate
from dashboard.domain import ELEMENTS, HEADLINE_CONSTRUCTS, QUESTION_TYPES
from dashboard.ingest.errors import Problem, ValidationFailed

BUILTIN_DIR = Path(__file__).resolve().parent / "templates"
AUDIENCES = ("customer", "management", "staff")
# Scale points are stored in SmallInteger columns (answers too); no rating
# scale needs more than a thousand points either way.
SCALE_BOUNDS = (-1000, 1000)
CODE_MAX, NAME_MAX = 40, 160  # the template's and its questions' column lengths
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # NUL is refused by PostgreSQL


@dataclass
class QuestionSpec:
    code: str
    text: str
    qtype: str
    scale_min: int
    scale_max: int
    element: str | None
    construct: str | None
    asks_expectation: bool
    asks_perception: bool
    reverse_coded: bool
    required: bool


@dataclass
class TemplateSpec:
    code: str
    name: str
    audience: str
    description: str | None
    questions: list[QuestionSpec] = field(default_factory=list)
    structural_model: dict | None = None


def read_template_file(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ValidationFailed(str(path), [Problem("", f"not valid YAML/JSON: {exc}")]) from exc
    if not isinstance(data, dict):
        raise ValidationFailed(str(path), [Problem("", "the file must hold a mapping at the top")])
    return data


def builtin_template(name: str = "servqual22") -> dict[str, Any]:
    return read_template_file(BUILTIN_DIR / f"{name}.yaml")


def parse_template(data: dict[str, Any], source: str = "template") -> TemplateSpec:
    """Validate a template mapping; raise ValidationFailed listing every problem."""
    problems: list[Problem] = []
    _text(data.get("code"), "code", CODE_MAX, problems)
    _text(data.get("name"), "name", NAME_MAX, problems)
    if data.get("description") is not None:
        _text(data["description"], "description", None, problems)
    audience = data.get("audience", "customer")
    if audience not in AUDIENCES:
        problems.append(Problem("audience", f"must be one of {', '.join(AUDIENCES)}"))
    default_scale = _scale(data.get("scale") or {"min": 1, "max": 7}, "scale", problems) or (1, 7)
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        problems.append(Problem("questions", "must be a non-empty list"))
        raw_questions = []

    questions: list[QuestionSpec] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_questions):
        where = f"questions[{i}]"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "must be a mapping"))
            continue
        spec = _parse_question(raw, default_scale, where, problems)
        if spec is None:
            continue
        if spec.code in seen:
            problems.append(Problem(where, f"duplicate question code {spec.code!r}"))
        seen.add(spec.code)
        questions.append(spec)

    model = data.get("structural_model")
    if model is not None:
        _check_structural_model(model, seen, problems)
    if problems:
        raise ValidationFailed(source, problems)
    return TemplateSpec(
        code=data["code"].strip(),
        name=data["name"].strip(),
        audience=audience,
        description=data.get("description"),
        questions=questions,
        structural_model=model,
    )


def _text(value: Any, where: str, max_len: int | None, problems: list[Problem]) -> str:
    """Required text without control characters, at most `max_len` long."""
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(where, "is required (text)"))
        return ""
    if CONTROL.search(value):
        problems.append(Problem(where, "contains a control character (such as NUL)"))
    elif max_len is not None and len(value.strip()) > max_len:
        problems.append(Problem(where, f"is longer than {max_len} characters"))
    return value.strip()


def _scale(scale: Any, where: str, problems: list[Problem]) -> tuple[int, int] | None:
    """(min, max) of a scale: whole numbers within SCALE_BOUNDS, max > min."""
    lo, hi = (scale.get("min"), scale.get("max")) if isinstance(scale, dict) else (None, None)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi)) or hi <= lo:
        problems.append(Problem(where, f"needs whole numbers min < max, got {scale!r}"))
        return None
    if lo < SCALE_BOUNDS[0] or hi > SCALE_BOUNDS[1]:
        problems.append(
            Problem(where, f"min and max must lie within {SCALE_BOUNDS[0]}..{SCALE_BOUNDS[1]}, got {scale!r}")
        )
        return None
    return lo, hi


def _parse_question(raw: dict, default_scale: tuple[int, int], where: str, problems: list[Problem]):
    code = raw.get("code")
    code = code.strip() if isinstance(code, str) else ""
    if (
        not code
        or not code.isascii()
        or not code.replace("_", "").isalnum()
        or len(code) > CODE_MAX
        or code.upper().endswith(("_E", "_P"))
    ):
        problems.append(
            Problem(
                f"{where}.code",
                f"{code!r} must be up to {CODE_MAX} letters/digits/_ and not end in _E or _P",
            )
        )
        return None
    qtype = raw.get("type", "scale")
    if qtype not in QUESTION_TYPES:
        problems.append(Problem(f"{where}.type", f"{qtype!r} is not one of {', '.join(QUESTION_TYPES)}"))
    element = raw.get("element")
    if element is not None and not (isinstance(element, str) and element in ELEMENTS):
        problems.append(Problem(f"{where}.element", f"{element!r} is not a RATER code (R, A, T, E, S)"))
    scale = raw.get("scale")
    if scale:
        lo, hi = _scale(scale, f"{where}.scale", problems) or (1, 7)
    else:
        lo, hi = (0, 10) if qtype == "nps" else default_scale
    construct = raw.get("construct")
    if construct is not None and not (isinstance(construct, str) and 0 < len(construct) <= CODE_MAX):
        problems.append(Problem(f"{where}.construct", f"must be a name of up to {CODE_MAX} characters"))
    asks = raw.get("asks", ["P"] if qtype in ("scale", "nps") else [])
    if not isinstance(asks, list) or any(a not in ("E", "P") for a in asks):
        problems.append(Problem(f"{where}.asks", f"must be a list of E and/or P, got {asks!r}"))
        asks = []
    if qtype in ("scale", "nps") and "P" not in asks and "E" not in asks:
        problems.append(Problem(f"{where}.asks", "a scale question must ask E or P"))
    if raw.get("construct") in HEADLINE_CONSTRUCTS and raw.get("reverse_coded"):
        problems.append(
            Problem(f"{where}.reverse_coded", "overall and recommend items cannot be reverse-coded")
        )
    return QuestionSpec(
        code=code,
        text=_text(raw.get("text"), f"{where}.text", None, problems),
        qtype=qtype,
        scale_min=lo,
        scale_max=hi,
        element=element,
        construct=raw.get("construct"),
        asks_expectation="E" in asks,
        asks_perception="P" in asks,
        reverse_coded=bool(raw.get("reverse_coded", False)),
        required=bool(raw.get("required", False)),
    )


def _check_structural_model(model: Any, codes: set[str], problems: list[Problem]) -> None:
    constructs = model.get("constructs") if isinstance(model, dict) else None
    if not isinstance(constructs, dict) or not constructs:
        problems.append(Problem("structural_model.constructs", "must map construct names to item codes"))
        return
    for name, items in constructs.items():
        if not isinstance(items, list):
            problems.append(Problem(f"structural_model.constructs.{name}", "must list item codes"))
            continue
        missing = [c for c in items if c not in codes]
        if not items or missing:
            problems.append(Problem(f"structural_model.constructs.{name}", f"unknown or no items {missing}"))
    paths = model.get("paths") or []
    if not isinstance(paths, list):
        problems.append(Problem("structural_model.paths", "must be a list of [from, to] pairs"))
        paths = []
    for i, path in enumerate(paths):
        if not (isinstance(path, list) and len(path) == 2 and all(p in constructs for p in path)):
            problems.append(Problem(f"structural_model.paths[{i}]", f"{path!r} must join two constructs"))


def save_template(session: Session, spec: TemplateSpec) -> SurveyTemplate:
    """Store a new template; re-importing an existing code is refused so that
    waves already fielded keep the questions they were asked."""
    existing = session.scalar(select(SurveyTemplate).where(SurveyTemplate.code == spec.code))
    if existing is not None:
        raise ValidationFailed(spec.code, [Problem("code", f"template {spec.code!r} already exists")])
    template = SurveyTemplate(
        code=spec.code,
        name=spec.name,
        audience=spec.audience,
        description=spec.description,
        structural_model=spec.structural_model,
    )
    for position, q in enumerate(spec.questions):
        template.questions.append(Question(position=position, **q.__dict__))
    session.add(template)
    session.flush()
    return template
