"""The one parser of page state in the URL: hostile values fall back to the
defaults, a state survives encode -> parse, ids derive from the page name."""

from __future__ import annotations

import pytest

from dashboard.domain import CHANNELS, ELEMENTS, SEGMENTS
from dashboard.services import drilldown
from dashboard.urlstate import (
    CHURN,
    DRILL,
    FILTER_KEYS,
    GAPS,
    MANAGERS,
    PLANS,
    RANKINGS,
    UNIT,
    PageState,
    Param,
    choice,
    code,
    id_or_none,
    integer,
    record_id,
    resolve_filters,
    text,
)

PAGES = (GAPS, DRILL, UNIT, CHURN, RANKINGS, PLANS, MANAGERS)


def test_a_missing_or_empty_query_is_the_defaults():
    for page in PAGES:
        assert page.parse(None) == page.parse("") == page.parse({}) == page.parse("?") == page.defaults
    assert DRILL.defaults["by"] == "branch" and DRILL.defaults["channel"] == "survey"
    assert RANKINGS.parse("")["sort"] == "rank" and PLANS.parse("")["status"] == "open"


def test_known_values_are_kept_and_typed():
    state = DRILL.parse(
        "?element=S&item=S2&by=channel&unit=comment_card&q=long+wait&from=2025-Q1&segment=sme"
    )
    assert state == {
        "element": "S",
        "item": "S2",
        "by": "channel",
        "unit": "comment_card",
        "q": "long wait",
        "from": "2025-Q1",
        "to": None,
        "segment": "sme",
        "channel": "survey",
    }
    assert CHURN.parse("?customer=42&manager=Account+manager+B02-LEN-1")["customer"] == 42
    assert CHURN.parse("?customer=42")["manager"] is None


def test_a_flood_of_fields_is_the_defaults_not_an_error():
    assert DRILL.parse("?" + "&".join(f"k{i}=v" for i in range(5_000)) + "&element=S") == DRILL.defaults
    assert DRILL.parse("?element=S&" + "&".join(f"k{i}=v" for i in range(50)))["element"] == "S"


def test_unknown_keys_are_dropped():
    state = GAPS.parse("?from=2025-Q1&evil=1&__proto__=x&element=S")
    assert set(state) == set(FILTER_KEYS) and state["from"] == "2025-Q1"
    assert GAPS.encode({"evil": "1", "segment": "retail"}) == "?segment=retail"


@pytest.mark.parametrize("search", ["?element=S&element=R", "?element=S&element=S", "?element=S&element="])
def test_a_repeated_key_is_ambiguous_and_falls_back(search):
    assert DRILL.parse(search)["element"] is None
    assert DRILL.parse({"element": ["S", "R"]})["element"] is None  # as Dash passes it to a layout


@pytest.mark.parametrize(
    "hostile",
    [
        "S\x00",
        "%00",
        "S%00",
        "B02' OR '1'='1",
        'B02";--',
        "B02\nSet-Cookie: x",
        "x" * 41,
        "../../etc/passwd",
        "<script>",
        " B02",
    ],
)
def test_hostile_codes_fall_back_to_the_default(hostile):
    assert UNIT.parse({"branch": hostile, "department": hostile}) == UNIT.defaults
    assert DRILL.parse({"unit": hostile, "item": hostile})["unit"] is None
    assert RANKINGS.parse({"wave": hostile})["wave"] is None


def test_nul_bytes_and_control_characters_are_refused_even_in_free_text():
    assert DRILL.parse("?q=wait%00ing")["q"] is None
    assert DRILL.parse({"q": "wait\x1b[2J"})["q"] is None
    assert CHURN.parse({"manager": "A\x00B"})["manager"] is None
    assert DRILL.parse({"q": "Wartezeit zu lang, ç'est « nul »"})["q"] == "Wartezeit zu lang, ç'est « nul »"


def test_over_long_values_fall_back():
    assert DRILL.parse({"q": "w" * 100})["q"] == "w" * 100
    assert DRILL.parse({"q": "w" * 101})["q"] is None
    assert CHURN.parse({"segment": "s" * 41})["segment"] is None
    assert CHURN.parse({"manager": "m" * 10_000})["manager"] is None


@pytest.mark.parametrize("value", [None, 3.5, True, False, ["S"], {"a": "S"}, b"S", object()])
def test_wrong_types_fall_back(value):
    assert DRILL.parse({"element": value, "by": value, "q": value}) == DRILL.defaults
    assert CHURN.clean("customer", value) is None


def test_ids_are_digits_within_the_database_range():
    assert [record_id(v) for v in ("7", "2147483647")] == [7, 2**31 - 1]
    for bad in ("0", "-1", "+1", "1.0", "1e3", " 1", "2147483648", "99999999999", "٣", "0x1"):
        assert CHURN.parse({"customer": bad})["customer"] is None, bad
    assert CHURN.clean("customer", 12) == 12  # a pattern-matching id arrives as a number
    assert CHURN.clean("customer", 2**63) is None and CHURN.clean("customer", 2**31) is None


def test_integer_parsers_keep_their_range():
    percent = integer(0, 100)
    assert [percent(v) for v in ("0", "100", "101", "1000")] == [0, 100, None, None]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(5, 5), ("5", 5), (2**31 - 1, 2**31 - 1), (2**31, None), (2**63, None), ("9" * 30, None),
     (0, None), (-3, None), (True, None), (5.0, None), (None, None), (["5"], None), ("5\x00", None)],
)  # fmt: skip
def test_a_stored_or_linked_id_beyond_the_range_names_no_record(raw, expected):
    assert id_or_none(raw) == expected


def test_choices_refuse_what_they_do_not_list():
    assert RANKINGS.parse("?unit=region&element=X&sort=mean;drop")["unit"] == "branch"
    assert RANKINGS.parse("?unit=region&element=X&sort=mean;drop")["element"] == "overall"
    assert RANKINGS.parse("?sort=mean;drop")["sort"] == "rank"
    assert GAPS.parse("?channel=fax&segment=RETAIL") == GAPS.defaults
    assert PLANS.parse("?status=deleted")["status"] == "open"


def test_encode_leaves_out_defaults_and_keeps_declaration_order():
    assert DRILL.encode(DRILL.defaults) == ""
    assert DRILL.encode({"channel": "survey", "by": "branch", "element": "S"}) == "?element=S"
    assert DRILL.encode({"to": "2025-Q4", "element": "S", "from": "2025-Q1"}) == (
        "?element=S&from=2025-Q1&to=2025-Q4"
    )
    assert RANKINGS.encode({"wave": "all", "unit": "department"}) == "?unit=department&wave=all"


def test_encode_cleans_what_it_is_given():
    assert DRILL.encode({"element": "Z", "unit": "B02' OR 1=1", "q": "a&b=c"}) == "?q=a%26b%3Dc"


@pytest.mark.parametrize(
    "state",
    [
        {"element": "S", "item": "S2", "by": "segment", "unit": "sme", "q": "a&b=c d/é?#", "from": "2022-Q1"},
        {"element": "T", "to": "2026-Q1", "segment": "corporate", "channel": "complaint"},
        {},
    ],
)
def test_round_trip(state):
    parsed = DRILL.parse(DRILL.encode(state))
    assert parsed == {**DRILL.defaults, **state}
    assert DRILL.encode(parsed) == DRILL.encode(state)


def test_round_trip_of_every_declared_choice():
    for page in PAGES:
        for key, param in page.params.items():
            for value in getattr(param.parse, "allowed", ()):
                assert page.parse(page.encode({key: value}))[key] == value, (page.name, key, value)


def test_changes_apply_and_none_restores_the_default():
    state = DRILL.parse("?element=S&item=S2&unit=B02&q=wait")
    assert DRILL.with_changes(state, item=None, unit=None, q=None) == "?element=S"
    assert DRILL.href(state, by="department", unit=None) == "/elements?element=S&item=S2&by=department&q=wait"
    assert CHURN.with_changes(CHURN.parse("?branch=B02&customer=3"), customer=None) == "?branch=B02"
    assert UNIT.href({}, branch="B02") == "/unit?branch=B02"


def test_ids_derive_from_the_page_name():
    assert DRILL.url_id == "drill-url" and DRILL.id("search") == "drill-search"
    assert {page.url_id for page in PAGES} == {f"{page.name}-url" for page in PAGES}
    assert len({page.name for page in PAGES}) == len(PAGES) and len({p.path for p in PAGES}) == len(PAGES)


def test_vocabularies_are_the_domain_s_and_the_services():
    assert DRILL.choices("element") == tuple(ELEMENTS)
    assert DRILL.choices("segment") == SEGMENTS and DRILL.choices("channel") == tuple(CHANNELS)
    assert set(DRILL.choices("by")) == set(drilldown.DIMENSIONS)


def test_a_new_page_declares_its_parameters_once():
    page = PageState(
        "demo", "/demo", (Param("n", integer(1, 99), 1), Param("c", choice("ab"), "a"), Param("t", text(3)))
    )
    assert page.parse("?n=5&c=b&t=abc") == {"n": 5, "c": "b", "t": "abc"}
    assert page.parse("?n=x&c=z&t=abcd") == {"n": 1, "c": "a", "t": None}
    assert code("B-02.x_1") == "B-02.x_1" and code("-B02") is None


def test_the_filter_bar_state_resolves_against_the_waves_that_exist():
    codes = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    default = resolve_filters(codes, GAPS.parse(""))
    assert default.wave_codes == tuple(codes[-4:]) and default.channel == "survey" and default.segment is None
    reversed_range = resolve_filters(codes, GAPS.parse("?from=2026-Q1&to=2025-Q2&segment=sme"))
    assert reversed_range.wave_codes == ("2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1")
    assert reversed_range.label == "2025-Q2 to 2026-Q1, segment sme, questionnaire / survey"
    unknown = resolve_filters(codes, GAPS.parse("?from=1999-Q1&to=2030-Q1"))
    assert unknown == default
    assert resolve_filters([], GAPS.parse("")).label == "no waves, questionnaire / survey"
