"""/managers decides on the server who is listed: a team member asking for
another account manager (a forged URL and router callback) gets nothing of
theirs; an executive asking for the same manager gets the detail, so the
check can fail."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.auth.users import NewUser, create_user
from dashboard.config import Settings
from dashboard.db.models import Branch, Customer, Department, Staff
from dashboard.ingest.demo.users import DEMO_PASSWORD
from dashboard.queries.filters import Filters
from dashboard.runtime import Runtime
from dashboard.services.managers import manager_appraisal
from dashboard.webapp import create_app
from tests.support.web_client import post_callback, signed_in_test_client


def _render(client, search: str) -> str:
    """The page router's callback, as the renderer sends it for /managers + search."""
    dependencies = client.get("/_dash-dependencies").get_json()
    router = next(d for d in dependencies if "_pages_content.children" in d["output"])
    values = {"pathname": "/managers", "search": search, "href": f"http://localhost/managers{search}"}

    def entry(dep):
        return {"id": dep["id"], "property": dep["property"], "value": values.get(dep["property"])}

    outputs = [
        {"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
        for part in router["output"].strip(".").split("...")
    ]
    body = {
        "output": router["output"],
        "outputs": outputs,
        "inputs": [entry(i) for i in router["inputs"]],
        "state": [entry(s) for s in router["state"]],
        "changedPropIds": ["_pages_location.pathname"],
    }
    response = post_callback(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def test_a_team_member_cannot_open_another_manager(security_app, security_runtime):
    with security_runtime.read_session() as s:
        managers = select(Staff.employee_ref).join(Customer, Customer.account_manager_id == Staff.id)
        refs = set(s.scalars(managers))
        # a manager of customers of the team member's own branch: only the "themselves" rule refuses it
        target = sorted(
            s.scalars(managers.where(Customer.branch_id == Staff.branch_id, Staff.employee_ref.like("%B02%")))
        )[0]
    executive = _render(signed_in_test_client(security_app, "executive"), f"?manager={target}&wave=all")
    assert "managers-detail" in executive and f"({target})" in executive
    member = _render(signed_in_test_client(security_app, "team.harbour"), f"?manager={target}&wave=all")
    assert "managers-empty" in member
    shown = [ref for ref in refs if f"({ref})" in member or f"managers-open-{ref}" in member]
    assert shown == []
    assert "managers-detail" not in member


def test_a_team_member_who_is_an_account_manager_sees_only_themselves(demo_copy):
    """A team member linked to an account manager's staff record: their own row
    (ranked among their unit's managers), and nothing of a colleague asked for
    by a forged URL, even one of the same unit."""
    engine = demo_copy(2_000, 5)
    url = engine.url.render_as_string(hide_password=False)
    runtime = Runtime.start(Settings(database_url=url, environment="test"))
    with Session(engine) as s, s.begin():
        people = s.execute(
            select(Staff.id, Staff.employee_ref, Branch.code, Department.code)
            .join(Branch, Branch.id == Staff.branch_id)
            .join(Department, Department.id == Staff.department_id)
            .where(Staff.is_account_manager)
        ).all()
        mine = None
        for staff_id, ref, branch, department in people:
            unit = Scope(
                frozenset({s.scalar(select(Branch.id).where(Branch.code == branch))}),
                frozenset({s.scalar(select(Department.id).where(Department.code == department))}),
            )
            table = manager_appraisal(s, unit, Filters(), runtime.settings.min_n).table
            if len(table) >= 2 and (table["unit"] == staff_id).any():
                mine, colleague = ref, next(r for r in table["employee_ref"] if r != ref)
                break
        assert mine, "the demo has a unit with two account managers"
        create_user(
            s, NewUser("am.member", DEMO_PASSWORD, "team_member", "Am Member", branch, department, mine)
        )
    try:
        client = signed_in_test_client(create_app(runtime=runtime), "am.member")
        own = _render(client, "?wave=all")
        assert f"managers-open-{mine}" in own and "managers-table" in own
        assert [r for r in refs_in(engine) if f"managers-open-{r}" in own] == [mine]
        forged = _render(client, f"?wave=all&manager={colleague}")
        assert "managers-detail" not in forged and f"({colleague})" not in forged
        assert "managers-detail" in _render(client, f"?wave=all&manager={mine}")
    finally:
        runtime.engine.dispose()  # the copy is dropped after the test


def refs_in(engine) -> set[str]:
    with Session(engine) as s:
        return set(s.scalars(select(Staff.employee_ref)))
