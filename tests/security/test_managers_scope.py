"""/managers decides on the server who is listed: a team member asking for
another account manager (a forged URL and router callback) gets nothing of
theirs; an executive asking for the same manager gets the detail, so the
check can fail."""

from __future__ import annotations

from sqlalchemy import select

from dashboard.db.models import Customer, Staff
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
