"""Property-based fuzzing of every server-side callback the app registers
(read from `/_dash-dependencies`, so a new page is covered without anyone
adding it), as each demo role, on SQLite and PostgreSQL: whatever the
browser sends as a callback's inputs and states - numbers beyond the
database's integer range, NUL and control characters, lists and objects
where text is expected, hostile pathnames and searches - the answer is
never a server error.

The examples per callback are few (hypothesis, derandomized, no shrinking,
no example database) so the whole test stays around half a minute; the
known-hostile values are drawn often."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from dashboard.ingest.demo.users import DEMO_USERNAMES
from dashboard.webapp import create_app
from tests.support.databases import BACKENDS, require_postgres
from tests.support.web_client import post_callback, signed_in_test_client

pytestmark = pytest.mark.slow

EXAMPLES_PER_CALLBACK = 14
HUGE = (2**31, 2**63, 10**30, -(2**63) - 1)
HOSTILE_TEXT = ("\x00", "a\x00b", "\r\nSet-Cookie: x=1", "%00", "9" * 30, "' OR 1=1 --", "é" * 300)
HOSTILE_PATHS = tuple(
    [f"/plans/{n}" for n in HUGE if n > 0]
    + ["/plans/new", "/plans/%00", "/plans/-1", "/plans/1e3", "/churn", "/unit", "/elements", "/\x00"]
)
HOSTILE_SEARCHES = tuple(
    [f"?customer={n}" for n in HUGE]
    + ["?q=%00", "?branch=B01%00", "?from=%00&to=W1", "?q=" + "x" * 5000, "?" + "&".join(["a=1"] * 200)]
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(HUGE),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=40),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)


def value_for(prop: str) -> st.SearchStrategy:
    """Mostly hostile values of the kind the property holds, sometimes anything."""
    if prop == "pathname":
        return st.sampled_from(HOSTILE_PATHS) | values
    if prop == "search":
        return st.sampled_from(HOSTILE_SEARCHES) | values
    if prop == "href":
        return st.sampled_from(HOSTILE_PATHS).map(lambda p: "http://localhost" + p) | values
    return values


def _concrete_id(raw: str, draw) -> tuple[object, bool]:
    """A pattern-matching id (JSON with wildcards) filled with drawn values."""
    if not raw.startswith("{"):
        return raw, False
    spec = json.loads(raw)
    is_all = any(v in (["ALL"], ["ALLSMALLER"]) for v in spec.values())
    return {k: (draw(scalars) if isinstance(v, list) else v) for k, v in spec.items()}, is_all


def _entry(dep: dict, draw):
    ident, is_all = _concrete_id(dep["id"], draw)
    item = {"id": ident, "property": dep["property"], "value": draw(value_for(dep["property"]))}
    return [item] if is_all else item


def _outputs(output: str, draw):
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    outs = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        concrete, is_all = _concrete_id(ident, draw)
        outs.append([{"id": concrete, "property": prop}] if is_all else {"id": concrete, "property": prop})
    return outs if output.startswith("..") else outs[0]


def _changed(inputs: list) -> list[str]:
    first = next((i for entry in inputs for i in (entry if isinstance(entry, list) else [entry])), None)
    if first is None:
        return []
    ident = first["id"] if isinstance(first["id"], str) else json.dumps(first["id"], sort_keys=True)
    return [f"{ident}.{first['property']}"]


def callback_body(dep: dict):
    """A strategy for one forged request to the callback `dep`."""

    @st.composite
    def body(draw):
        inputs = [_entry(i, draw) for i in dep["inputs"]]
        return {
            "output": dep["output"],
            "outputs": _outputs(dep["output"], draw),
            "inputs": inputs,
            "state": [_entry(s, draw) for s in dep["state"]],
            "changedPropIds": _changed(inputs),
        }

    return body()


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_app(request, security_copy):
    """A private copy of the security demo on each backend (PostgreSQL
    refuses what SQLite stores, NUL for one): the fuzzer's writes (plans
    with random titles) must not reach other tests."""
    if request.param == "postgresql":
        require_postgres()
    with security_copy(request.param) as runtime:
        yield create_app(runtime=runtime)


@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_no_callback_input_causes_a_server_error(fuzz_app, username):
    client = signed_in_test_client(fuzz_app, username)
    registered = client.get("/_dash-dependencies").get_json()
    dependencies = [d for d in registered if not d.get("clientside_function")]
    assert len(dependencies) >= 10  # the router and every page's callbacks
    failures: list[str] = []
    posted = [_fuzz_one(client, dep, failures) for dep in dependencies]
    assert not failures, "\n".join(failures)
    assert min(posted) == EXAMPLES_PER_CALLBACK  # every callback got its examples


def _fuzz_one(client, dep: dict, failures: list[str]) -> int:
    """Post a few drawn requests to one callback; a server error is recorded
    (without shrinking, to keep the run bounded) and the next callback goes on."""
    posted = []

    @settings(
        max_examples=EXAMPLES_PER_CALLBACK,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        phases=(Phase.generate,),
    )
    @given(body=callback_body(dep))
    def posts_without_server_error(body):
        response = post_callback(client, body)
        posted.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{dep['output']}: {response.status_code} for {json.dumps(body)[:400]}")
        assert response.status_code < 500

    with contextlib.suppress(AssertionError):  # recorded above
        posts_without_server_error()
    return len(posted)
