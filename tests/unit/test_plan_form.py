"""The plan form's declaration: it matches the model, and its parsers report
any value a forged callback can send as a message on that field (never an
exception the page would have to catch)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect

from dashboard.db.models import ImprovementPlan
from dashboard.services import plan_form

FILLED = {
    "title": "Queue times",
    "branch": "B02",
    "department": "SRV",
    "element": "S",
    "items": ["S3", "S2", "S3"],
    "owner": 4,
    "team": "  desk  ",
    "stage": "commit",
    "status": "active",
    "start": "2026-01-01",
    "due": date(2026, 6, 30),
    "baseline": " 4.5 ",
    "target": 5,
    "cost": "25000",
    "description": "",
}


def test_every_field_is_a_column_of_the_plan_and_the_ids_follow_the_names():
    mapped = {c.key for c in inspect(ImprovementPlan).columns}
    assert set(plan_form.COLUMNS) <= mapped
    assert mapped - set(plan_form.COLUMNS) == {"id", "version", "created_at", "updated_at"}
    assert [f.input_id for f in plan_form.FIELDS][:3] == ["plan-title", "plan-branch", "plan-department"]
    assert len({f.name for f in plan_form.FIELDS}) == len(plan_form.FIELDS)


def test_values_parse_to_clean_column_values():
    clean, errors = plan_form.parse(FILLED)
    assert errors == {}
    columns = plan_form.to_columns(clean)
    assert columns["item_codes"] == ["S2", "S3"]
    assert columns["team"] == "desk" and columns["description"] is None
    assert columns["start_on"] == date(2026, 1, 1) and columns["due_on"] == date(2026, 6, 30)
    assert (columns["baseline_score"], columns["target_score"], columns["cost"]) == (4.5, 5.0, 25_000.0)
    assert columns["branch_id"] == "B02"  # still the code: the service turns it into the unit's id


def test_left_out_fields_take_their_defaults():
    clean, errors = plan_form.parse({"title": "Queue times", "element": "S", "start": "2026-01-01",
                                     "due": "2026-02-01"})  # fmt: skip
    assert errors == {}
    assert (clean["stage"], clean["status"]) == ("assess", "planned")
    assert clean["items"] == [] and clean["owner"] is None


@pytest.mark.parametrize(
    ("name", "forged", "message"),
    [
        ("title", ["a", "list"], "a title of 3 to 200 characters"),
        ("branch", {"id": 1}, "choose a branch from the list"),
        ("department", 1, "choose a department from the list"),
        ("element", ["S"], "choose the RATER element the plan targets"),
        ("items", [["S1"]], "choose items from the list"),
        ("items", "S1", "choose items from the list"),
        ("owner", "' OR 1=1 --", "choose an owner from the list"),
        ("owner", True, "choose an owner from the list"),
        ("team", ["B01", "B03"], "text"),
        ("stage", None, "one of assess, commit, realise, guarantee"),
        ("start", {"branch": "B01"}, "a date (YYYY-MM-DD)"),
        ("baseline", ["4"], "a number"),
        ("baseline", "nan", "a number"),
        ("target", "7.5", "must be between 1 and 7 (the 7-point scale)"),
        ("cost", " -100 ", "must not be negative"),
        ("description", 2, "a description of at most 4000 characters"),
        ("description", "x" * 4001, "a description of at most 4000 characters"),
        ("title", "t" * 201, "a title of 3 to 200 characters"),
    ],
)
def test_a_bad_value_is_reported_on_its_field(name, forged, message):
    _clean, errors = plan_form.parse(FILLED | {name: forged})
    assert errors == {name: message}


def test_a_name_outside_the_form_is_a_programming_error():
    with pytest.raises(TypeError, match="start_on"):
        plan_form.parse(FILLED | {"start_on": "2026-01-01"})


def test_stored_values_show_as_the_form_shows_them():
    stored = {"title": "T", "branch_id": "B02", "item_codes": None, "team": None,
              "start_on": date(2026, 1, 1), "baseline_score": 4.0, "cost": 25_000.0,
              "target_score": 5.25}  # fmt: skip
    values = plan_form.from_columns(stored)
    assert values["team"] == "" and values["items"] == [] and values["owner"] is None
    assert values["start"] == "2026-01-01"
    assert (values["baseline"], values["cost"], values["target"]) == ("4", "25000", "5.25")


def test_history_names_a_field_by_its_label_and_an_event_as_recorded():
    assert plan_form.history_label("target_score") == "Target score"
    assert plan_form.history_label("branch_id") == "Branch"
    assert plan_form.history_label("action 3 done") == "action 3 done"


def test_score_labels_show_their_range():
    assert plan_form.BY_NAME["baseline"].form_label == "Baseline score (1-7)"
    assert plan_form.BY_NAME["cost"].form_label == "Cost"
