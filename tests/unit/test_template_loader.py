"""Survey templates are validated before anything is stored: scales within
what the SmallInteger columns and any rating scale need, texts that every
backend can store, and shapes that do not crash the parser."""

from __future__ import annotations

import copy

import pytest

from dashboard.ingest.errors import ValidationFailed
from dashboard.ingest.template_loader import SCALE_BOUNDS, builtin_template, parse_template

BASE = {
    "code": "T1",
    "name": "Test template",
    "questions": [{"code": "Q1", "text": "How was it?", "element": "R", "asks": ["P"]}],
}


def problems(template: dict) -> list[str]:
    with pytest.raises(ValidationFailed) as err:
        parse_template(template)
    return [str(p) for p in err.value.problems]


def question(**changes) -> dict:
    template = copy.deepcopy(BASE)
    template["questions"][0].update(changes)
    return template


def test_the_builtin_template_and_a_plain_one_parse():
    assert len(parse_template(builtin_template()).questions) == 25
    spec = parse_template(question(scale={"min": -1000, "max": 1000}))
    assert (spec.questions[0].scale_min, spec.questions[0].scale_max) == SCALE_BOUNDS == (-1000, 1000)


@pytest.mark.parametrize(
    "scale",
    [
        {"min": 1, "max": 10**12},
        {"min": -(10**12), "max": 7},
        {"min": 1, "max": 1001},
        {"min": -1001, "max": 0},
    ],
)
def test_a_scale_beyond_the_bounds_is_refused(scale):
    assert problems(question(scale=scale)) == [
        f"questions[0].scale: min and max must lie within -1000..1000, got {scale!r}"
    ]


@pytest.mark.parametrize(
    "scale",
    [
        {"min": 7, "max": 1},
        {"min": 3, "max": 3},
        {"min": 1.5, "max": 7},
        {"min": True, "max": 7},
        {"min": 1},
        5,
        "1-7",
    ],
)
def test_a_scale_that_is_not_two_whole_numbers_in_order_is_refused(scale):
    assert problems(question(scale=scale)) == [
        f"questions[0].scale: needs whole numbers min < max, got {scale!r}"
    ]


def test_the_default_scale_is_bounded_too():
    template = copy.deepcopy(BASE) | {"scale": {"min": 0, "max": 10**12}}
    assert problems(template) == [
        "scale: min and max must lie within -1000..1000, got {'min': 0, 'max': 1000000000000}"
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"text": "Harbour\x00"}, "questions[0].text: contains a control character (such as NUL)"),
        ({"text": ["a list"]}, "questions[0].text: is required (text)"),
        ({"element": ["R"]}, "questions[0].element: ['R'] is not a RATER code (R, A, T, E, S)"),
        ({"construct": {"x": 1}}, "questions[0].construct: must be a name of up to 40 characters"),
        ({"code": "Q" * 41}, f"questions[0].code: {'Q' * 41!r} must be up to 40 letters/digits/_ "
                             "and not end in _E or _P"),
    ],
)  # fmt: skip
def test_question_fields_of_the_wrong_type_or_content_are_problems(changes, expected):
    assert problems(question(**changes)) == [expected]


def test_template_texts_are_checked():
    assert problems(copy.deepcopy(BASE) | {"code": "T\x00", "name": "n" * 161, "description": 5}) == [
        "code: contains a control character (such as NUL)",
        "name: is longer than 160 characters",
        "description: is required (text)",
    ]


def test_a_structural_model_of_the_wrong_shape_is_a_problem():
    template = copy.deepcopy(BASE) | {"structural_model": {"constructs": {"quality": 5}, "paths": "x"}}
    assert problems(template) == [
        "structural_model.constructs.quality: must list item codes",
        "structural_model.paths: must be a list of [from, to] pairs",
    ]
