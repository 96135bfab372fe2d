"""The differencing attack on a plan's comparison units, on SQLite and
PostgreSQL (docs/SECURITY.md "Aggregates over units you cannot see").

A team member reads their plan's comparison series; someone starts a plan
on one of the comparison units, which leaves the pool; the team member reads
again. Subtracting the two unprotected series gives that unit's respondents
and index for every wave: the oracle below does the subtraction and checks
it against the unit's own figures. The team member's reads now carry no
pool series and no pool n, so the same subtraction yields nothing, while the
executive, whose scope covers the pool, still sees the full series.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.analytics.indices import to_index
from dashboard.auth.scope import Scope
from dashboard.auth.users import to_auth_user
from dashboard.db.models import AppUser, Branch, Department, ImprovementPlan, Staff
from dashboard.ingest.demo import plan as truth
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.queries.rollups import respondent_element_moments
from dashboard.services.element_scales import element_scale
from dashboard.services.plan_effects import POOL_WITHHELD, plan_effect, plans_with_effects
from dashboard.services.plans import create_plan

MIN_N, MIN_UNITS = 10, 3
POOL_UNIT = ("B05", "SRV")  # a service desk in the Harbour plan's comparison pool


@pytest.fixture
def db(demo_copy):
    return demo_copy(responses=20_000, seed=7)  # enough respondents per wave for every series to show


def _user(session, username):
    return to_auth_user(session.scalar(select(AppUser).where(AppUser.username == username)))


def _unit_ids(session, branch: str, department: str) -> tuple[int, int]:
    return (
        session.scalar(select(Branch.id).where(Branch.code == branch)),
        session.scalar(select(Department.id).where(Department.code == department)),
    )


def _harbour_plan(session) -> ImprovementPlan:
    return session.scalars(
        select(ImprovementPlan).where(ImprovementPlan.title == truth.EFFECTIVE_PLAN["title"])
    ).one()


def _read(engine, viewer: Scope, min_units: int = MIN_UNITS):
    with Session(engine) as s:
        return plan_effect(s, _harbour_plan(s), MIN_N, viewer=viewer, min_units=min_units)


def _start_plan_on_pool_unit(engine) -> None:
    """The executive starts a plan on the same element at B05's service desk."""
    with Session(engine) as s, s.begin():
        branch_id, department_id = _unit_ids(s, *POOL_UNIT)
        owner = s.scalar(
            select(Staff.id).where(
                Staff.branch_id == branch_id, Staff.department_id == department_id, Staff.left_on.is_(None)
            )
        )
        form = dict(
            title="Old Town service desk call-backs", branch=POOL_UNIT[0], department=POOL_UNIT[1],
            element=truth.EFFECTIVE_PLAN["element"], items=["S2"], team="B05 service desk", stage="assess",
            status="active", start="2024-07-01", due="2025-06-30", baseline=4.0, target=5.0, cost=5_000,
            description="", owner=owner,
        )  # fmt: skip
        create_plan(s, _user(s, "executive"), form)


def _comparison(effect) -> pd.DataFrame:
    return effect.series[effect.series["group"] == "comparison units"].set_index("code")


def _difference(before, after) -> pd.DataFrame:
    """The attack: the pool before minus the pool after, wave by wave."""
    b, a = _comparison(before), _comparison(after)
    waves = b.index.intersection(a.index)
    n = b.loc[waves, "n"] - a.loc[waves, "n"]
    total = b.loc[waves, "mean"] * b.loc[waves, "n"] - a.loc[waves, "mean"] * a.loc[waves, "n"]
    return pd.DataFrame({"n": n, "mean": total / n})


def _unit_truth(engine, plan_waves: list[str]) -> tuple[pd.DataFrame, tuple]:
    """B05's service desk as its own head sees it: respondents and index per wave."""
    element = truth.EFFECTIVE_PLAN["element"]
    with Session(engine) as s:
        branch_id, department_id = _unit_ids(s, *POOL_UNIT)
        unit = Scope(branch_ids=frozenset({branch_id}), department_ids=frozenset({department_id}))
        frame = respondent_element_moments(s, unit, Filters(), element, by=("wave_id",))
        scale = element_scale(s, Scope.everything(), Filters(), element)
        codes = reference.waves(s).set_index("wave_id")["code"]
    frame = frame.assign(code=frame["wave_id"].map(codes)).set_index("code").loc[plan_waves]
    return pd.DataFrame({"n": frame["n"], "index": to_index(frame["total"] / frame["n"], *scale)}), scale


def test_differencing_the_comparison_series_yields_nothing_to_a_team_member(db):
    with Session(db) as s:
        member = _user(s, "team.harbour")
        assert member.scope.allows(*_unit_ids(s, "B02", "SRV"))
        assert not member.scope.allows(*_unit_ids(s, *POOL_UNIT))
    executive = Scope.everything()
    exec_before, team_before = _read(db, executive), _read(db, member.scope)
    _start_plan_on_pool_unit(db)
    exec_after, team_after = _read(db, executive), _read(db, member.scope)

    # the oracle: on the full series (what the team member was shown before) the subtraction
    # gives the unit's exact respondents and index in every wave of the plan's windows
    waves = exec_before.pre_waves + exec_before.post_waves
    assert exec_before.n_control_units - exec_after.n_control_units == 1
    recovered = _difference(exec_before, exec_after)
    unit, scale = _unit_truth(db, waves)
    assert list(recovered.index) == waves
    # (even waves where the unit has fewer than MIN_N respondents: suppression alone does not help)
    assert recovered["n"].tolist() == unit["n"].tolist() and (unit["n"] > 0).all()
    assert to_index(recovered["mean"], *scale).tolist() == pytest.approx(unit["index"].tolist(), abs=1e-9)

    # the executive's scope covers the pool: the full series and its n are still shown
    assert exec_before.pool_shown and set(_comparison(exec_before).index) == set(waves)
    assert exec_before.result.cells.control_pre.n > 0

    # the team member: no pool series, no pool n, in either read, so the subtraction is empty
    for read in (team_before, team_after):
        assert not read.pool_shown
        assert set(read.series["group"]) == {"plan unit"}
        assert read.result.cells.control_pre.n == 0 and read.result.cells.control_post.n == 0
    assert _difference(team_before, team_after).empty
    # ... while their own unit's series and the effect estimate are as the executive's
    pd.testing.assert_frame_equal(
        team_before.series.reset_index(drop=True),
        exec_before.series[exec_before.series["group"] == "plan unit"].reset_index(drop=True),
    )
    assert team_before.effect_points == pytest.approx(exec_before.effect_points)
    assert team_before.ci_points == pytest.approx(exec_before.ci_points)


def test_a_pool_that_could_be_one_unit_withholds_the_effect_from_viewers_outside_it(db):
    """Eleven service desks are the Harbour plan's pool; asking for twelve units
    per wave makes it too small for anyone outside it, not for the executive."""
    with Session(db) as s:
        member = _user(s, "team.harbour")
    small = _read(db, member.scope, min_units=12)
    assert small.result.verdict == POOL_WITHHELD
    assert small.effect_points is None and small.ci_points is None and small.per_10k is None
    assert small.result.p_value is None and small.control_change_points is None
    executive = _read(db, Scope.everything(), min_units=12)
    assert executive.result.verdict == "improved" and not math.isnan(executive.effect_points)
    with Session(db) as s:
        listed = plans_with_effects(s, member.scope, MIN_N, 12).set_index("title")
        shown = plans_with_effects(s, member.scope, MIN_N, MIN_UNITS).set_index("title")
    harbour = truth.EFFECTIVE_PLAN["title"]
    assert listed.loc[harbour, "verdict"] == POOL_WITHHELD and pd.isna(listed.loc[harbour, "effect_points"])
    assert pd.isna(listed.loc[harbour, "p_value"]) and pd.isna(listed.loc[harbour, "ci_low"])
    assert shown.loc[harbour, "effect_points"] == pytest.approx(executive.effect_points)
