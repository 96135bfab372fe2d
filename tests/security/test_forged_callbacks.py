"""Every callback, forged with other units' ids, reveals nothing outside the
viewer's scope. The oracle is the database itself: names and codes of
out-of-scope units, titles of their plans and refs of their customers must
not appear in any response (tests/security/forgery.py)."""

from __future__ import annotations

import dash
import pytest
from sqlalchemy import func, select

from dashboard.auth.roles import scope_for
from dashboard.auth.users import list_users
from dashboard.db.models import ImprovementPlan, PlanChange, PlanComment, Response
from tests.security.forgery import forged_requests, leaks, out_of_scope_secrets
from tests.support.web_client import post_callback, signed_in_test_client

SCOPED_USERS = ("team.harbour", "head.lending", "head.harbour")


def _pathnames() -> list[str]:
    paths = [p["path"] for p in dash.page_registry.values()]
    return sorted({p.split("<", 1)[0].rstrip("/") or "/" for p in paths} | {"/plans/1", "/unit"})


@pytest.mark.parametrize("username", SCOPED_USERS)
def test_forged_callbacks_reveal_nothing_out_of_scope(security_app, security_runtime, username):
    client = signed_in_test_client(security_app, username)
    with security_runtime.read_session() as s:
        user = next(u for u in list_users(s) if u.username == username)
        user_scope = scope_for(user.role, user.branch_id, user.department_id)
        secrets = out_of_scope_secrets(s, user_scope)
    assert len(secrets.words) >= 6  # the oracle has something to look for
    dependencies = client.get("/_dash-dependencies").get_json()
    requests = list(forged_requests(dependencies, _pathnames()))
    assert len(requests) >= 6 * 2
    failures = []
    for label, body in requests:
        response = post_callback(client, body)
        text = response.get_data(as_text=True)
        if response.status_code >= 500:
            failures.append(f"{label}: server error {response.status_code}")
        elif found := leaks(text, secrets):
            where = text.find(found[0])
            failures.append(f"{label}: reveals {found[:5]} ...{text[max(0, where - 150) : where + 50]}...")
    assert not failures, "\n".join(failures)
    with security_runtime.read_session() as s:  # the injection strings changed nothing
        assert s.scalar(select(func.count()).select_from(Response)) == 2_000
        touched = s.scalars(
            select(PlanChange.plan_id)
            .where(PlanChange.username == username)
            .union(select(PlanComment.plan_id).where(PlanComment.username == username))
        ).all()
        for plan_id in touched:  # forged writes may only ever land on plans the user may edit
            plan = s.get(ImprovementPlan, plan_id)
            assert user_scope.allows(plan.branch_id, plan.department_id), (
                f"{username} wrote to plan {plan_id}"
            )


def test_the_oracle_catches_a_leak(security_app, security_runtime):
    """The same check run as an executive (who may see everything) against a
    team member's secrets must find them: proof the check can fail."""
    client = signed_in_test_client(security_app, "executive")
    with security_runtime.read_session() as s:
        team = next(u for u in list_users(s) if u.username == "team.harbour")
        secrets = out_of_scope_secrets(s, scope_for(team.role, team.branch_id, team.department_id))
    dependencies = client.get("/_dash-dependencies").get_json()
    revealed = set()
    for _label, body in forged_requests(dependencies, _pathnames()):
        revealed.update(leaks(post_callback(client, body).get_data(as_text=True), secrets))
    assert {"B01", "Central"} & revealed


def test_anonymous_forged_callbacks_are_refused(security_app):
    client = security_app.server.test_client()
    signed = signed_in_test_client(security_app, "executive")
    dependencies = signed.get("/_dash-dependencies").get_json()
    for label, body in forged_requests(dependencies, _pathnames(), variants=1):
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 401, label
