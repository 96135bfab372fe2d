"""The improvement-plan form, declared once. Each field's name is the key of
the form's values, of its validation messages and of its input (PLAN.id(name): "plan-<name>");
the declaration also gives its label, its control, how what was typed is
parsed and range-checked, the model column it is stored in (history rows name
that column) and how a stored value shows in the form.

Pure (no dash, no database): the page derives its inputs and callback states
from FIELDS, the service validates with `parse` and maps with `to_columns`,
and the history shows `history_label`. Checks that need the database or more
than one field (a unit code that exists, items of the chosen element, due
after start, scope) are the service's (dashboard/services/plans.py)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from dashboard.domain import ELEMENTS, PLAN_STAGES, PLAN_STATUSES
from dashboard.urlstate import CONTROL, PLAN, id_or_none

# Text may hold line breaks and tabs (a description); other control
# characters (NUL is refused by PostgreSQL) are nothing a person types.
TYPED_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FieldInvalid(ValueError):
    """What is wrong with one field's value, in words for the form."""


def text(low: int, high: int | None = None, message: str = "text") -> Callable:
    """Stripped text of `low` to `high` characters; None when empty."""

    def parse(raw):
        if raw is None:
            raw = ""
        if not isinstance(raw, str) or TYPED_CONTROL.search(raw):
            raise FieldInvalid(message)
        value = raw.strip()
        if len(value) < low or (high is not None and len(value) > high):
            raise FieldInvalid(message)
        return value or None

    return parse


def clipped_text(high: int) -> Callable:
    """Optional text cut to `high` characters (a team name)."""

    def parse(raw):
        if raw is not None and (not isinstance(raw, str) or TYPED_CONTROL.search(raw)):
            raise FieldInvalid("text")
        return (raw or "").strip()[:high] or None

    return parse


def code(noun: str) -> Callable:
    """A code picked from a list, or None for none. Whether it exists is the
    service's check; the message never echoes what was sent."""

    def parse(raw):
        if raw is None or raw == "":
            return None
        if not isinstance(raw, str) or CONTROL.search(raw):
            raise FieldInvalid(f"choose a {noun} from the list")
        return raw

    return parse


def one_of(choices, message: str) -> Callable:
    def parse(raw):
        if not isinstance(raw, str) or raw not in choices:
            raise FieldInvalid(message)
        return raw

    return parse


def codes(raw) -> list[str]:
    """Item codes, sorted and unique; which are allowed is the service's check."""
    if raw is None or raw == "":
        return []
    if not isinstance(raw, (list, tuple)) or not all(_is_code(c) for c in raw):
        raise FieldInvalid("choose items from the list")
    return sorted(set(raw))


def _is_code(value) -> bool:
    return isinstance(value, str) and not CONTROL.search(value)


def record_id(message: str) -> Callable:
    """An id picked from a list (the owner), or None."""

    def parse(raw):
        if raw is None or raw == "":
            return None
        if not isinstance(raw, int) or id_or_none(raw) is None:  # beyond the id range: no record
            raise FieldInvalid(message)
        return raw

    return parse


def a_date(raw) -> date:
    """A date, or an ISO date as the browser's date input sends it."""
    if isinstance(raw, date):
        return raw
    if not isinstance(raw, str):
        raise FieldInvalid("a date (YYYY-MM-DD)")
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        raise FieldInvalid("a date (YYYY-MM-DD)") from None


def number(low: float | None = None, high: float | None = None, out_of_range: str = "") -> Callable:
    """A number typed as text (None when empty) inside [low, high]."""

    def parse(raw):
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == "":
            return None
        if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
            raise FieldInvalid("a number")
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise FieldInvalid("a number")
        if (low is not None and value < low) or (high is not None and value > high):
            raise FieldInvalid(out_of_range)
        return value

    return parse


def number_text(value) -> str:
    """A stored number as the form shows it: 25000 rather than 25000.0."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    number_ = float(value)
    return str(int(number_)) if number_.is_integer() and abs(number_) < 1e15 else repr(number_)


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _blank(value):
    return "" if value is None else value


def _same(value):
    return value


SCORE_RANGE = (1, 7)  # baseline and target are means on the 7-point perception scale


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    control: str  # text | textarea | dropdown | multi | choice | date | number (components/plan_sections)
    column: str  # ImprovementPlan column
    parse: Callable  # what was typed -> the clean value, or FieldInvalid
    default: object = None  # the value when the form leaves the field out
    show: Callable = _same  # stored value -> form value
    unit: str | None = None  # "branch" / "department": the form holds the code, the column its id
    width: int = 6  # of 12 grid columns
    max_length: int | None = None
    placeholder: str | None = None
    bounds: tuple[float, float] | None = None  # shown with the label: "Baseline score (1-7)"

    @property
    def input_id(self) -> str:
        return PLAN.id(self.name)

    @property
    def form_label(self) -> str:
        return f"{self.label} ({self.bounds[0]:g}-{self.bounds[1]:g})" if self.bounds else self.label


OUT_OF_SCALE = f"must be between {SCORE_RANGE[0]} and {SCORE_RANGE[1]} (the 7-point scale)"

TITLE_MAX = 200  # the column's width; the browser's maxlength is a convenience, this is the limit
DESCRIPTION_MAX = 4000
FIELDS: tuple[FormField, ...] = (
    FormField("title", "Title", "text", "title",
              text(3, TITLE_MAX, f"a title of 3 to {TITLE_MAX} characters"),
              default="", show=_blank, width=12, max_length=TITLE_MAX),
    FormField("branch", "Branch", "dropdown", "branch_id", code("branch"), unit="branch",
              placeholder="All branches"),
    FormField("department", "Department", "dropdown", "department_id", code("department"),
              unit="department", placeholder="All departments"),
    FormField("element", "Targeted RATER element", "dropdown", "element",
              one_of(ELEMENTS, "choose the RATER element the plan targets")),
    FormField("items", "Items", "multi", "item_codes", codes, default=[], show=lambda v: list(v or [])),
    FormField("owner", "Owner", "dropdown", "owner_id", record_id("choose an owner from the list")),
    FormField("team", "Team", "text", "team", clipped_text(120), default="", show=_blank,
              max_length=120),
    FormField("stage", "Stage", "choice", "stage", one_of(PLAN_STAGES, f"one of {', '.join(PLAN_STAGES)}"),
              default="assess", width=3),
    FormField("status", "Status", "choice", "status",
              one_of(PLAN_STATUSES, f"one of {', '.join(PLAN_STATUSES)}"), default="planned", width=3),
    FormField("start", "Start", "date", "start_on", a_date, show=_iso, width=3),
    FormField("due", "Due", "date", "due_on", a_date, show=_iso, width=3),
    FormField("baseline", "Baseline score", "number", "baseline_score", number(*SCORE_RANGE, OUT_OF_SCALE),
              show=number_text, width=4, bounds=SCORE_RANGE),
    FormField("target", "Target score", "number", "target_score", number(*SCORE_RANGE, OUT_OF_SCALE),
              show=number_text, width=4, bounds=SCORE_RANGE),
    FormField("cost", "Cost", "number", "cost", number(0, None, "must not be negative"), show=number_text,
              width=4),
    FormField("description", "Description", "textarea", "description",
              text(0, DESCRIPTION_MAX, f"a description of at most {DESCRIPTION_MAX} characters"), default="",
              show=_blank, width=12, max_length=DESCRIPTION_MAX),
)  # fmt: skip
BY_NAME = {f.name: f for f in FIELDS}
UNIT_FIELDS = tuple(f for f in FIELDS if f.unit)
COLUMNS = tuple(f.column for f in FIELDS)  # the versioned columns: a change to one bumps the version
_LABEL_OF_COLUMN = {f.column: f.label for f in FIELDS}


def label(name: str) -> str:
    """How a validation message names its field: the field's label."""
    return BY_NAME[name].label if name in BY_NAME else name


def parse(values: Mapping) -> tuple[dict, dict[str, str]]:
    """Clean values and messages by field name: every field is parsed, so the
    form can mark all faults in one round. A field left out takes its default;
    a name not in the form is a programming error."""
    unknown = set(values) - BY_NAME.keys()
    if unknown:
        raise TypeError(f"not fields of the plan form: {sorted(unknown)}")
    clean: dict = {}
    errors: dict[str, str] = {}
    for f in FIELDS:
        try:
            clean[f.name] = f.parse(values.get(f.name, f.default))
        except FieldInvalid as invalid:
            errors[f.name] = str(invalid)
            clean[f.name] = None
    return clean, errors


def blank() -> dict:
    """A new plan's form values before anything is filled in."""
    return {f.name: f.show(f.default) for f in FIELDS}


def to_columns(clean: Mapping) -> dict:
    """Clean values by model column (unit fields must already hold ids)."""
    return {f.column: clean[f.name] for f in FIELDS}


def from_columns(stored: Mapping) -> dict:
    """Form values from stored column values (unit columns already as codes)."""
    return {f.name: f.show(stored.get(f.column)) for f in FIELDS}


def history_label(column: str) -> str:
    """How a history row names what changed: a field's label, or the event
    as recorded ("created", "action added", "action 3 done")."""
    return _LABEL_OF_COLUMN.get(column, column)
