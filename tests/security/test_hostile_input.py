"""The inputs that used to end in a 500, one by one: ids beyond the
database's integer range in the page URL, a plan title that is a number, a
list or an object, control characters, a router sent no string, a login
`next` with CR/LF, and a write that waits for SQLite's lock."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from dashboard.db.models import ImprovementPlan, PlanComment
from dashboard.ingest.demo.users import DEMO_PASSWORD
from dashboard.services import plan_form
from dashboard.services.plan_form import FieldInvalid
from dashboard.web_guards import BUSY_MESSAGE
from dashboard.webapp import create_app
from tests.support.web_client import login_form_token, post_callback, router_request, signed_in_test_client


def callback_body(dependencies: list[dict], output: str, values: dict[str, object]) -> dict:
    """A request to the callback whose output starts with `output`, with
    `values` by "id.property" and None for every other input and state."""
    dep = next(d for d in dependencies if d["output"].lstrip(".").startswith(output))

    def entries(group):
        return [
            {"id": e["id"], "property": e["property"], "value": values.get(f"{e['id']}.{e['property']}")}
            for e in dep[group]
        ]

    parts = dep["output"].strip(".").split("...")
    outputs = [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]
    inputs = entries("inputs")
    return {
        "output": dep["output"],
        "outputs": outputs if dep["output"].startswith("..") else outputs[0],
        "inputs": inputs,
        "state": entries("state"),
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }


@pytest.mark.parametrize("plan_id", [2**31, 2**63, 10**30, "9" * 400])
def test_a_plan_id_beyond_the_integer_range_is_no_plan(security_app, plan_id):
    client = signed_in_test_client(security_app, "executive")
    response = post_callback(client, router_request(f"/plans/{plan_id}"))
    assert response.status_code == 200
    assert "This plan does not exist or is not available to you." in response.get_data(as_text=True)


@pytest.mark.parametrize("customer", [2**31, 2**63, -(2**63), "1%00"])
def test_a_customer_id_beyond_the_integer_range_shows_no_customer(security_app, customer):
    client = signed_in_test_client(security_app, "executive")
    plain = post_callback(client, router_request("/churn")).get_json()
    response = post_callback(client, router_request("/churn", f"?customer={customer}"))
    assert response.status_code == 200
    assert response.get_json() == plain  # the default view: no customer chosen


@pytest.mark.parametrize("search", ["?q=%00", "?branch=B01%00&from=%00", "?q=a%00b&unit=%00"])
def test_nul_in_url_filters_is_the_default_view(security_app, search):
    client = signed_in_test_client(security_app, "executive")
    plain = post_callback(client, router_request("/elements")).get_json()
    response = post_callback(client, router_request("/elements", search))
    assert response.status_code == 200 and response.get_json() == plain


@pytest.mark.parametrize(
    ("pathname", "search"), [(None, ""), (7, ""), (["/plans"], ""), ({"a": 1}, ""), ("/", 5), ("/", ["?q=1"])]
)
def test_a_router_sent_no_string_is_refused_not_crashed(security_app, pathname, search):
    client = signed_in_test_client(security_app, "executive")
    response = post_callback(client, router_request(pathname, search))
    assert response.status_code == 400
    assert response.get_json() == {"error": "malformed callback request"}


@pytest.mark.parametrize("title", [5, 3.5, ["a plan title"], {"title": "a plan title"}, True, "ab\x00cd"])
def test_a_plan_title_of_the_wrong_type_is_a_form_error(security_app, title):
    client = signed_in_test_client(security_app, "executive")
    dependencies = client.get("/_dash-dependencies").get_json()
    body = callback_body(
        dependencies, "plan-feedback.children", {"plan-title.value": title, "plan-save.n_clicks": 1}
    )
    response = post_callback(client, body)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "plan-errors" in text and "a title of 3 to 200 characters" in text


@pytest.mark.parametrize("owner", [2**31, 2**63, -1, 0, True])
def test_an_owner_id_beyond_the_range_is_refused_like_any_other(owner):
    """The same words as for an existing id outside the unit's staff: the
    refusal tells nothing about which ids exist."""
    with pytest.raises(FieldInvalid, match="choose an owner from the list"):
        plan_form.BY_NAME["owner"].parse(owner)


@pytest.mark.parametrize("field", ["title", "team", "description", "branch"])
def test_control_characters_are_refused_in_typed_text(field):
    with pytest.raises(FieldInvalid):
        plan_form.BY_NAME[field].parse("Harbour\x00 branch plan")
    assert plan_form.BY_NAME["description"].parse("line one\nline two\tend") == "line one\nline two\tend"


@pytest.mark.parametrize("next_url", ["/gaps\r\nSet-Cookie: x=1", "/gaps\nLocation: http://evil", "/\x00"])
def test_a_login_next_with_line_breaks_goes_home(security_app, next_url):
    client = security_app.server.test_client()
    token = login_form_token(client.get("/login", query_string={"next": next_url}).get_data(as_text=True))
    response = client.post(
        "/login",
        data={"username": "executive", "password": DEMO_PASSWORD, "csrf_token": token, "next": next_url},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"


@contextmanager
def another_writer_holds_the_lock(runtime):
    """A writer (an import's apply step) holding SQLite's write lock."""
    writer = sqlite3.connect(runtime.engine.url.database, timeout=0)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        writer.rollback()
        writer.close()


@pytest.fixture
def busy_timeout_app(security_copy):
    """The app on a private database copy, with the busy timeout shortened."""
    with security_copy() as runtime:

        @event.listens_for(runtime.engine, "connect")
        def short_busy_timeout(dbapi_connection, _record):  # runs after the engine's own pragmas
            dbapi_connection.execute("PRAGMA busy_timeout=200")

        runtime.engine.dispose()
        yield create_app(runtime=runtime), runtime


def test_a_page_write_while_another_writer_holds_the_lock_shows_a_message(busy_timeout_app):
    """A comment saved on the plan page waits the busy timeout: the page is
    told the database is busy (the comment box keeps its text: outputs are
    unchanged), nothing is written, and once the lock is free the same
    write goes through."""
    app, runtime = busy_timeout_app
    client = signed_in_test_client(app, "executive")
    dependencies = client.get("/_dash-dependencies").get_json()
    with runtime.read_session() as s:
        plan_id = s.scalars(select(ImprovementPlan.id)).first()
        comments = len(s.scalars(select(PlanComment.id)).all())
    body = callback_body(
        dependencies,
        "plan-comments.children",
        {"plan-comment-add.n_clicks": 1, "plan-id.data": plan_id, "plan-comment-text.value": "a comment"},
    )
    with another_writer_holds_the_lock(runtime):
        busy = post_callback(client, body)
    assert busy.status_code == 200
    answer = busy.get_json()
    assert answer["sideUpdate"]["app-notice"]["children"]["props"]["children"] == BUSY_MESSAGE
    assert "response" not in answer or not answer["response"]  # the page's outputs stay as they were
    with runtime.read_session() as s:
        assert len(s.scalars(select(PlanComment.id)).all()) == comments
    saved = post_callback(client, body)
    assert saved.status_code == 200 and "a comment" in saved.get_data(as_text=True)
    assert "sideUpdate" not in saved.get_json()


def test_a_login_while_another_writer_holds_the_lock_is_a_friendly_503(busy_timeout_app):
    app, runtime = busy_timeout_app
    client = app.server.test_client()
    token = login_form_token(client.get("/login").get_data(as_text=True))
    with another_writer_holds_the_lock(runtime):
        response = client.post(
            "/login", data={"username": "executive", "password": DEMO_PASSWORD, "csrf_token": token}
        )
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.get_data(as_text=True) == BUSY_MESSAGE and response.headers["Retry-After"] == "30"
