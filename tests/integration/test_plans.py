"""Improvement plans on SQLite and PostgreSQL: create/edit/close with
history and audit, permissions per role, stale edits refused, and the
measured effect of the demo's planted plans."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.auth.roles import AuthUser
from dashboard.auth.users import to_auth_user
from dashboard.db.models import AppUser, AuditEntry, ImprovementPlan
from dashboard.queries.plans import plan_comments, plan_for_viewer, plan_history, visible_plans
from dashboard.services.plans import (
    PlanForbidden,
    PlanInvalid,
    PlanNotFound,
    StalePlan,
    add_action,
    add_comment,
    close_plan,
    create_plan,
    set_action_done,
    update_plan,
)
from tests.support.databases import BACKENDS
from tests.support.demo_app import shared_demo


@pytest.fixture
def db(demo_copy):
    return demo_copy(responses=300, seed=3)


def _user(session, username) -> AuthUser:
    return to_auth_user(session.scalar(select(AppUser).where(AppUser.username == username)))


def _form(**overrides) -> dict:
    """The plan form's values by field name (dashboard/services/plan_form.py)."""
    base = dict(
        title="Queue times at Harbour",
        branch="B02",
        department="SRV",
        element="S",
        items=["S2", "S3"],
        team="B02 service desk",
        stage="assess",
        status="planned",
        start="2026-01-01",
        due="2026-06-30",
        baseline=4.0,
        target=5.0,
        cost=10_000,
        description="Call-backs within four hours",
    )
    base.update(overrides)
    return base


def test_create_edit_close_with_history_and_audit(db):
    with Session(db) as s, s.begin():
        head = _user(s, "head.harbour")
        plan_id = create_plan(s, head, _form(), actions=[("Hire a second desk clerk", date(2026, 3, 1))])
    with Session(db) as s, s.begin():
        head = _user(s, "head.harbour")
        plan = plan_for_viewer(s, head.scope, plan_id)
        assert plan.version == 1 and [a.text for a in plan.actions] == ["Hire a second desk clerk"]
        version = update_plan(s, head, plan_id, 1, _form(stage="commit", target=5.5))
        assert version == 2
    with Session(db) as s, s.begin():
        head = _user(s, "head.harbour")
        add_comment(s, head, plan_id, "Budget approved")
        add_action(s, head, plan_id, "Weekly queue review", "2026-04-01")
        action = plan_for_viewer(s, head.scope, plan_id).actions[0]
        set_action_done(s, head, plan_id, action.id, True)
        assert close_plan(s, head, plan_id, 2, "done", "Target reached") == 3
    with Session(db) as s:
        changes = [(c.field, c.old_value, c.new_value, c.username) for c in plan_history(s, plan_id)]
        assert changes[0] == ("created", None, "Queue times at Harbour", "head.harbour")
        assert ("stage", "assess", "commit", "head.harbour") in changes
        assert ("target_score", "5.0", "5.5", "head.harbour") in changes
        assert ("action added", None, "Weekly queue review", "head.harbour") in changes
        assert changes[-1] == ("status", "planned", "done", "head.harbour")
        assert [c.text for c in plan_comments(s, plan_id)] == ["Budget approved", "Target reached"]
        audits = s.scalars(select(AuditEntry.action).where(AuditEntry.target == f"plan:{plan_id}")).all()
        # the form edit, the added action and the ticked action are each a plan_edit
        assert audits == ["plan_create", "plan_edit", "plan_edit", "plan_edit", "plan_close"]


def test_a_stale_edit_is_refused_and_changes_nothing(db):
    with Session(db) as s, s.begin():
        plan_id = create_plan(s, _user(s, "executive"), _form())
    with Session(db) as s, s.begin():  # the first editor saves
        update_plan(s, _user(s, "executive"), plan_id, 1, _form(title="First editor's title"))
    with Session(db) as s, s.begin():  # an added action does not bump the version, nor is it the culprit
        add_action(s, _user(s, "admin"), plan_id, "Weekly queue review", None)
    with Session(db) as s, s.begin(), pytest.raises(StalePlan, match="executive changed this plan"):
        update_plan(s, _user(s, "head.harbour"), plan_id, 1, _form(title="Second editor's title"))
    with Session(db) as s:
        assert s.get(ImprovementPlan, plan_id).title == "First editor's title"


def test_concurrent_writers_are_caught_by_the_version_column(db):
    """Both read version 1 and pass the check; the later flush must fail."""
    from sqlalchemy.orm.exc import StaleDataError

    with Session(db) as s, s.begin():
        plan_id = create_plan(s, _user(s, "executive"), _form())
    first, second = Session(db), Session(db)
    try:
        first.get(ImprovementPlan, plan_id).title = "one"
        second.get(ImprovementPlan, plan_id).title = "two"
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
    finally:
        first.close()
        second.close()


def test_permissions_per_role(db):
    with Session(db) as s, s.begin():
        team, lending, harbour = (_user(s, n) for n in ("team.harbour", "head.lending", "head.harbour"))
        own = s.scalar(select(ImprovementPlan.id).where(ImprovementPlan.title.like("Harbour%")))
        other_unit = s.scalar(select(ImprovementPlan.id).where(ImprovementPlan.title.like("Hillcrest%")))
        version = s.get(ImprovementPlan, own).version
        form = _form(title="Harbour responsiveness programme", owner=team.staff_id)
        update_plan(s, team, own, version, form)  # a team member edits the plan they own
        with pytest.raises(PlanNotFound):
            update_plan(s, team, other_unit, 1, _form())  # out of scope: indistinguishable from missing
        with pytest.raises(PlanInvalid, match="owner: you may not hold a plan you do not own"):
            create_plan(s, team, _form(owner=None))  # not their own plan
        with pytest.raises(PlanInvalid, match="department: you may not hold a plan for this department"):
            create_plan(s, lending, _form())  # SRV is not Lending
        lending_plan = create_plan(
            s, lending, _form(branch="B02", department="LEN", element="R", items=["R1"])
        )
        assert (
            plan_for_viewer(s, harbour.scope, lending_plan) is not None
        )  # in Harbour, so the branch head sees it
        assert plan_for_viewer(s, team.scope, lending_plan) is None
    with Session(db) as s:
        titles = set(visible_plans(s, _user(s, "team.harbour").scope)["title"])
        assert titles == {"Harbour responsiveness programme"}
        assert len(visible_plans(s, _user(s, "executive").scope)) == 5


def test_no_plan_is_created_or_moved_outside_the_editors_scope(db):
    """Owning a plan lets a team member edit it, but only inside their own
    unit: neither a new plan nor an edit may land in another branch, even
    with themselves as owner (a forged dropdown value)."""
    with Session(db) as s, s.begin():
        team, lending = _user(s, "team.harbour"), _user(s, "head.lending")
        own = s.scalar(select(ImprovementPlan).where(ImprovementPlan.title.like("Harbour%")))
        own_id, own_branch = own.id, own.branch_id
        elsewhere = _form(branch="B05", department="ACC", owner=team.staff_id)
        with pytest.raises(PlanInvalid, match="may not hold a plan"):
            create_plan(s, team, elsewhere)
        with pytest.raises(PlanInvalid, match="may not hold a plan"):
            update_plan(s, team, own_id, own.version, elsewhere)
        with pytest.raises(PlanInvalid, match="may not hold a plan"):  # a branch-less plan spans all branches
            create_plan(s, team, _form(branch=None, owner=team.staff_id))
        with pytest.raises(PlanInvalid, match="may not hold a plan"):
            create_plan(s, lending, _form(department=None, element="R", items=["R1"]))
        created = create_plan(s, team, _form(owner=team.staff_id))  # their own unit: fine
    with Session(db) as s:
        assert s.get(ImprovementPlan, own_id).branch_id == own_branch
        assert s.get(ImprovementPlan, created).branch_id == own_branch


def test_a_refusal_names_the_field_at_fault(db):
    """Lending's head may plan in any branch, but only for Lending: a Service
    Desk plan is refused on the department, not the branch."""
    with Session(db) as s:
        team, lending = _user(s, "team.harbour"), _user(s, "head.lending")
        with pytest.raises(PlanInvalid) as caught:
            create_plan(s, lending, _form(branch="B02", department="SRV"))
        assert caught.value.errors == {
            "department": "you may not hold a plan for this department: it is outside your scope"
        }
        with pytest.raises(PlanInvalid) as caught:
            create_plan(s, lending, _form(department=None))
        assert set(caught.value.errors) == {"department"}
        assert "all departments" in caught.value.errors["department"]
        with pytest.raises(PlanInvalid) as caught:
            create_plan(s, team, _form(branch="B01", department="LEN", owner=team.staff_id))
        assert set(caught.value.errors) == {"branch", "department"}
        with pytest.raises(PlanInvalid) as caught:  # their own unit, but someone else as owner
            create_plan(s, team, _form(owner=None, baseline="9"))
        assert set(caught.value.errors) == {"owner", "baseline"}  # reported together with the rest


def test_a_link_outside_the_viewers_scope_prefills_their_own_unit(db):
    from dashboard.queries.reference import units
    from dashboard.services.plans import linked_unit

    with Session(db) as s:
        team, lending, head, boss = (
            _user(s, name) for name in ("team.harbour", "head.lending", "head.harbour", "executive")
        )

        def prefill(user, branch="", department=""):
            return linked_unit(units(s, user.scope), user.scope, branch, department)

        assert prefill(lending, "B02", "SRV") == ("B02", "LEN", ["department"])
        assert prefill(lending, "B04") == ("B04", "LEN", [])  # a branch link: their department
        assert prefill(team, "B01", "LEN") == ("B02", "SRV", ["branch", "department"])
        assert prefill(team) == ("B02", "SRV", [])
        assert prefill(head, "B01", "SRV") == ("B02", "SRV", ["branch"])
        assert prefill(head, "B02", "NOPE") == ("B02", "", ["department"])  # several to choose from
        assert prefill(boss, "B99", "SRV") == ("", "SRV", ["branch"])  # unknown: same as outside
        assert prefill(boss, "B01") == ("B01", "", [])


def test_action_edits_are_audited(db):
    with Session(db) as s, s.begin():
        head = _user(s, "head.harbour")
        plan_id = create_plan(s, head, _form())
        add_action(s, head, plan_id, "Weekly queue review", None)
    with Session(db) as s, s.begin():
        head = _user(s, "head.harbour")
        set_action_done(s, head, plan_id, plan_for_viewer(s, head.scope, plan_id).actions[0].id, True)
    with Session(db) as s:
        rows = s.execute(
            select(AuditEntry.action, AuditEntry.detail).where(AuditEntry.target == f"plan:{plan_id}")
        ).all()
    assert [a for a, _ in rows] == ["plan_create", "plan_edit", "plan_edit"]
    assert rows[1][1] == {"action added": "Weekly queue review"}


def test_team_member_may_view_but_not_edit_a_colleagues_plan(db):
    with Session(db) as s, s.begin():
        colleague_plan = create_plan(s, _user(s, "head.harbour"), _form())
    with Session(db) as s, s.begin():
        team = _user(s, "team.harbour")
        assert plan_for_viewer(s, team.scope, colleague_plan) is not None
        with pytest.raises(PlanForbidden):
            update_plan(s, team, colleague_plan, 1, _form())
        add_comment(s, team, colleague_plan, "We can help with the call-backs")  # commenting is allowed


def test_validation_reports_every_problem_at_once(db):
    with Session(db) as s:
        bad = _form(title="x", element="S", items=["R1"], start="2026-05-01", due="2026-01-01",
                    baseline=9, target="five", cost=-5, branch="B99",
                    stage="someday")  # fmt: skip
        with pytest.raises(PlanInvalid) as caught:
            create_plan(s, _user(s, "executive"), bad)
    assert set(caught.value.errors) == {
        "title",
        "items",
        "due",
        "baseline",
        "target",
        "cost",
        "branch",
        "stage",
    }
    assert caught.value.errors["target"] == "a number"
    assert caught.value.errors["baseline"] == "must be between 1 and 7 (the 7-point scale)"
    assert caught.value.errors["cost"] == "must not be negative"


def test_numbers_as_typed_are_range_checked_and_nothing_is_saved(db):
    """The form sends numbers as the text typed: out-of-range ones are
    refused by name, never stored as empty."""
    with Session(db) as s:
        team = _user(s, "team.harbour")
        typed = _form(owner=team.staff_id, baseline="9", target="0", cost=" -100 ")
        with pytest.raises(PlanInvalid) as caught:
            create_plan(s, team, typed)
        assert caught.value.errors == {
            "baseline": "must be between 1 and 7 (the 7-point scale)",
            "target": "must be between 1 and 7 (the 7-point scale)",
            "cost": "must not be negative",
        }
        before = s.scalar(select(func.count()).select_from(ImprovementPlan))
        plan_id = create_plan(s, team, _form(owner=team.staff_id, baseline="4.2", cost="25000"))
        plan = s.get(ImprovementPlan, plan_id)
        assert (plan.baseline_score, plan.target_score, plan.cost) == (4.2, 5.0, 25_000)
        assert s.scalar(select(func.count()).select_from(ImprovementPlan)) == before + 1


def test_script_in_a_title_is_stored_verbatim(db):
    """Stored as typed; the pages render it as text (tests/browser)."""
    title = '<img src=x onerror="window.__xss=1">'
    with Session(db) as s, s.begin():
        plan_id = create_plan(s, _user(s, "executive"), _form(title=title))
    with Session(db) as s:
        assert s.get(ImprovementPlan, plan_id).title == title


@pytest.fixture(params=BACKENDS)
def effect_db(request, session_databases):
    """A larger demo so unit-level effects have the power to show, on each
    backend (the rollups and the effect query run in SQL on both); only read."""
    return shared_demo(session_databases, request.param, responses=20_000, seed=7)


def test_planted_plans_effects(effect_db):
    from dashboard.auth.scope import Scope
    from dashboard.ingest.demo import plan as truth
    from dashboard.services.plan_effects import plan_effect

    everyone = Scope.everything()

    with Session(effect_db) as s:
        plans = {p.title: p for p in s.scalars(select(ImprovementPlan))}

        def effect(title):
            return plan_effect(s, plans[title], min_n=10, viewer=everyone, min_units=3)

        worked = effect(truth.EFFECTIVE_PLAN["title"])
        null = effect(truth.INEFFECTIVE_PLAN["title"])
        recent = effect("Riverside right-first-time programme")
    # planted: +0.4 in the first quarter after the start, +0.8 after -> 0.7 over four post waves
    assert worked.result.verdict == "improved" and worked.result.p_value < 0.001
    assert worked.result.ci_low < 0.7 < worked.result.ci_high
    assert worked.pre_waves == ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    assert worked.post_waves == ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    assert worked.n_control_units == 11  # the service desk of every other branch
    assert worked.effect_points == pytest.approx(100 * worked.result.effect / 6)
    assert worked.per_10k == pytest.approx(worked.effect_points / 120_000 * 10_000)
    assert null.result.verdict == "no significant change" and null.result.ci_low < 0 < null.result.ci_high
    assert recent.result.verdict == "too early to tell" and recent.effect_points is None


def test_plans_list_flags_overdue(db):
    from dashboard.auth.scope import Scope
    from dashboard.services.plan_effects import plans_with_effects

    with Session(db) as s:
        table = plans_with_effects(s, Scope.everything(), min_n=10, min_units=3, today=date(2026, 1, 15))
    overdue = dict(zip(table["title"], table["overdue"], strict=True))
    assert overdue["Harbour responsiveness programme"]  # active, due 2025-06-30
    assert not overdue["Hillcrest personal attention campaign"]  # done
    assert not overdue["Eastbrook branch refurbishment"]  # due 2026-12-31


def _staff_id(session, branch: str, department: str) -> int:
    from dashboard.db.models import Branch, Department, Staff

    return session.scalar(
        select(Staff.id)
        .join(Branch, Branch.id == Staff.branch_id)
        .join(Department, Department.id == Staff.department_id)
        .where(Branch.code == branch, Department.code == department, Staff.left_on.is_(None))
        .limit(1)
    )


def test_owners_come_only_from_the_plans_unit_in_scope_and_refusals_reveal_nothing(db):
    """A department head may name as owner only current staff of the plan's
    unit; another unit's staff, another department's staff and an id that
    exists nowhere get one and the same answer."""
    from dashboard.db.models import Staff
    from dashboard.services.plans import OWNER_REFUSED

    with Session(db) as s, s.begin():
        lending = _user(s, "head.lending")
        inside = _staff_id(s, "B02", "LEN")
        other_branch = _staff_id(s, "B03", "LEN")  # in lending's scope, but not the plan's unit
        out_of_scope = _staff_id(s, "B02", "SRV")
        missing = s.scalar(select(func.max(Staff.id))) + 1000
        assert None not in (inside, other_branch, out_of_scope)
        answers = []
        for owner in (other_branch, out_of_scope, missing):
            with pytest.raises(PlanInvalid) as caught:
                create_plan(s, lending, _form(department="LEN", owner=owner))
            answers.append(caught.value.errors)
        assert answers == [{"owner": OWNER_REFUSED}] * 3
        assert str(missing) not in str(answers) and str(out_of_scope) not in str(answers)
        assert create_plan(s, lending, _form(department="LEN", owner=inside)) > 0


def test_history_keeps_the_change_not_copies_of_a_long_description(db):
    long_text = "Call-backs within four hours. " * 120  # 3,600 characters
    with Session(db) as s, s.begin():
        plan_id = create_plan(s, _user(s, "executive"), _form(description=long_text))
    with Session(db) as s, s.begin():  # an edit of the title leaves the description out of history
        update_plan(s, _user(s, "executive"), plan_id, 1, _form(description=long_text, title="New title"))
    edited = long_text.replace("four hours. Call", "two hours. Call", 1)
    with Session(db) as s, s.begin():
        update_plan(s, _user(s, "executive"), plan_id, 2, _form(description=edited, title="New title"))
    with Session(db) as s:
        rows = [(c.field, c.old_value, c.new_value) for c in plan_history(s, plan_id)]
    described = [r for r in rows if r[0] == "description"]
    assert len(described) == 1
    _field, old, new = described[0]
    # the edit is at character 18: kept from the start, cut 30 characters after it
    assert old == "Call-backs within four hours. Call-backs within four…"
    assert new == "Call-backs within two hours. Call-backs within four…"
    assert sum(len(o or "") + len(n or "") for _f, o, n in rows) < 400
