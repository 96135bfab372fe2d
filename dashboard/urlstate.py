"""How a page keeps its state: in the URL query string, declared once.

A page declares its parameters (name, parser, default) in a `PageState`.
`parse` is the one cleaning function for everything that comes from the
browser (the layout's query, a Location's `search`, a control's value): an
unknown key is dropped, and a repeated key, a non-string, a NUL or other
control character, an over-long or unknown value falls back to the default.
`encode` writes a state back, leaving out defaults so one view has one URL.
Component ids derive from the page name (`page.id("from")` is "gaps-from").

The layout renders from the URL; controls only rewrite the URL's `search`
(components/page_url.py), and links carry `page.href(state, ...)`, so a
bookmark restores the view and back/forward walk it. Pure: imports only the
domain vocabulary, so pages, components and services may all use it."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, urlencode

from dashboard.domain import CHANNELS, ELEMENTS, PLAN_STATUSES, REPRESENTATIVE_CHANNEL, SEGMENTS

MAX_VALUE = 200  # no parameter of the product is longer; a longer value is not ours
MAX_FIELDS = 100
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")  # unit, wave, item codes
CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Parser = Callable[[str], Any]  # returns the typed value, or None when the text is not valid


class choice:  # noqa: N801 - used like the other parsers, which are functions
    """One of a fixed set of values (kept in `allowed`, in order)."""

    def __init__(self, allowed: Collection[str]):
        self.allowed = tuple(allowed)

    def __call__(self, text: str) -> str | None:
        return text if text in self.allowed else None


def code(text: str) -> str | None:
    """A unit, wave or item code: letters, digits, `_ . -`, at most 40."""
    return text if CODE.fullmatch(text) else None


# Record ids are 32-bit integers on PostgreSQL (SQLite's are 64-bit): a
# larger number would be an error in the query, not a miss, so it names no record.
ID_RANGE = (1, 2**31 - 1)


def integer(low: int, high: int) -> Parser:
    """Digits only (no sign, no spaces) for a whole number within low..high."""

    def parse(text: str) -> int | None:
        if not (text.isascii() and text.isdigit() and len(text) <= len(str(high))):
            return None
        return int(text) if low <= int(text) <= high else None

    return parse


record_id = integer(*ID_RANGE)  # a plan's or a customer's id


def id_or_none(value: object) -> int | None:
    """A record id as a page store, a path or a URL holds it (an int or its
    digits), or None when it cannot name a record."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    return record_id(value) if isinstance(value, str) else None


def codes(text: str) -> str | None:
    """A comma-separated list of codes ("S2,S3")."""
    return text if all(CODE.fullmatch(c) for c in text.split(",")) else None


def text(max_len: int) -> Parser:
    """Free text (a search, a name), at most `max_len` characters."""
    return lambda value: value if len(value) <= max_len else None


@dataclass(frozen=True)
class Param:
    name: str
    parse: Parser
    default: Any = None


# The global filter bar's parameters, shared by every page that shows it.
# Wave codes are checked here for shape only; which waves exist is the
# database's to say (resolve_filters).
FILTER_PARAMS = (
    Param("from", code),
    Param("to", code),
    Param("segment", choice(SEGMENTS)),
    Param("channel", choice(CHANNELS), REPRESENTATIVE_CHANNEL),
)
FILTER_KEYS = tuple(p.name for p in FILTER_PARAMS)


class PageState:
    """The URL parameters of one page, and the ids derived from its name."""

    def __init__(self, name: str, path: str, params: Sequence[Param]):
        self.name, self.path = name, path
        self.params = MappingProxyType({p.name: p for p in params})
        self.url_id = self.id("url")  # the page's dcc.Location

    def id(self, part: str) -> str:
        return f"{self.name}-{part}"

    def choices(self, key: str) -> tuple[str, ...]:
        """The values a `choice` parameter allows, in order (for a control's options)."""
        return self.params[key].parse.allowed

    @property
    def defaults(self) -> dict[str, Any]:
        return {k: p.default for k, p in self.params.items()}

    def clean(self, key: str, value: object) -> Any:
        """One untrusted value -> its typed value, or the default."""
        param = self.params[key]
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # ids arrive as numbers from pattern-matching components
        if not isinstance(value, str) or len(value) > MAX_VALUE or CONTROL.search(value):
            return param.default
        parsed = param.parse(value) if value else None
        return param.default if parsed is None else parsed

    def parse(self, query: Mapping[str, object] | str | None) -> dict[str, Any]:
        """A query string ("?a=1") or the layout's keyword arguments -> the
        page's full state, every key present."""
        if isinstance(query, str):
            try:
                pairs = parse_qs(query.removeprefix("?"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
            except ValueError:  # more fields than any page has: not a URL of ours
                pairs = {}
            query = {k: v[0] if len(v) == 1 else v for k, v in pairs.items()}
        elif not isinstance(query, Mapping):
            query = {}
        return {key: self.clean(key, query.get(key)) for key in self.params}

    def encode(self, state: Mapping[str, Any]) -> str:
        """A state -> "?a=1&b=2" in declaration order, without defaults ("" when all are)."""
        pairs = []
        for key, param in self.params.items():
            value = self.clean(key, state.get(key))
            if value is not None and value != param.default:
                pairs.append((key, str(value)))
        return "?" + urlencode(pairs) if pairs else ""

    def with_changes(self, state: Mapping[str, Any], **changes: object) -> str:
        """The query string of `state` with `changes` applied (None: back to the default)."""
        return self.encode({**state, **changes})

    def href(self, state: Mapping[str, Any], **changes: object) -> str:
        return self.path + self.with_changes(state, **changes)


@dataclass(frozen=True)
class GlobalFilters:
    """The filter bar's choice, resolved against the waves that exist."""

    wave_from: str | None
    wave_to: str | None
    segment: str | None
    channel: str
    wave_codes: tuple[str, ...]  # the waves in range, oldest first

    @property
    def label(self) -> str:
        codes = self.wave_codes
        span = codes[0] if len(codes) == 1 else f"{codes[0]} to {codes[-1]}" if codes else "no waves"
        parts = [span]
        if self.segment:
            parts.append(f"segment {self.segment}")
        parts.append(CHANNELS.get(self.channel, self.channel).split(" (")[0].lower())
        return ", ".join(parts)


def resolve_filters(codes: Sequence[str], state: Mapping[str, Any], default_span: int = 4) -> GlobalFilters:
    """A parsed state -> the filters it means, given the wave codes oldest
    first. Default: the last `default_span` waves, all segments, surveys; an
    unknown wave is the default, a reversed range is turned round."""
    codes = list(codes)
    to = state.get("to") if state.get("to") in codes else (codes[-1] if codes else None)
    start_default = codes[max(0, codes.index(to) - default_span + 1)] if to else None
    start = state.get("from") if state.get("from") in codes else start_default
    if start and to and codes.index(start) > codes.index(to):
        start, to = to, start
    in_range = tuple(codes[codes.index(start) : codes.index(to) + 1]) if start and to else ()
    segment = state.get("segment") if state.get("segment") in SEGMENTS else None
    channel = state.get("channel") if state.get("channel") in CHANNELS else REPRESENTATIVE_CHANNEL
    return GlobalFilters(start, to, segment, channel, in_range)


# --- every page's URL, in one place (links between pages use these too) ----

GAPS = PageState("gaps", "/gaps", FILTER_PARAMS)
DRILL = PageState(
    "drill",
    "/elements",
    (
        Param("element", choice(ELEMENTS)),
        Param("item", code),
        # the groupings of services.drilldown.DIMENSIONS (a test keeps the two equal)
        Param("by", choice(("branch", "department", "segment", "channel")), "branch"),
        Param("unit", code),  # a branch or department code, a segment or a channel
        Param("q", text(100)),
        *FILTER_PARAMS,
    ),
)
UNIT = PageState("unit", "/unit", (Param("branch", code), Param("department", code), *FILTER_PARAMS))
CHURN = PageState(
    "churn",
    "/churn",
    (
        Param("branch", code),
        # segments and managers come from the customer data, so any short text
        Param("segment", text(40)),
        Param("manager", text(120)),
        Param("customer", record_id),
    ),
)
RANKINGS = PageState(
    "rankings",
    "/rankings",
    (
        Param("unit", choice(("branch", "department")), "branch"),
        Param("element", choice(("overall", *ELEMENTS)), "overall"),
        Param("wave", code),  # a wave code or "all"; none: the latest wave
        Param("sort", choice(("rank", "code", "mean", "n")), "rank"),
    ),
)
# /plans/<id> keeps its record in the path; a new plan's form starts from a
# link's unit, element and items (the drill-down's "start a plan")
PLAN = PageState(
    "plan",
    "/plans/new",
    (
        Param("branch", code),
        Param("department", code),
        Param("element", choice(ELEMENTS)),
        Param("items", codes),
    ),
)
PLANS = PageState("plans", "/plans", (Param("status", choice(("open", *PLAN_STATUSES, "all")), "open"),))
MANAGERS = PageState(
    "managers",
    "/managers",
    (
        Param("wave", code),  # a wave code or "all"; none: the latest wave
        Param("manager", text(40)),  # an account manager's employee reference (the detail shown)
    ),
)
