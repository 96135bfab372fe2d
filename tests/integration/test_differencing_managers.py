"""The account-managers page cannot be differenced to another manager, on
SQLite and PostgreSQL (docs/SECURITY.md "Aggregates over units you cannot see").

A team member sees their own row, and on every page their unit's figures,
by segment too. Business and corporate customers all have an account
manager, so in a unit whose customers have only one other manager, the
team member's row and the unit's total over those segments subtract to that
manager's exact n and index: the oracle below does it against the full table
(what a viewer entitled to every manager sees). The team member's row is
now withheld there, so the subtraction has nothing to work on; in a unit
with enough other managers their row is shown as before.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from dashboard.auth.roles import AuthUser
from dashboard.queries.filters import Filters
from dashboard.services.managers import REST_TOO_SMALL, appraisal_for, manager_appraisal

MIN_N, MIN_UNITS = 3, 3  # a low min n, so the demo's small units are ranked at all
MANAGED = ("sme", "corporate")  # segments whose customers all have an account manager (asserted)


def _units(session, managed_only: bool = False) -> pd.DataFrame:
    """Survey respondents per unit and account manager, straight from the responses."""
    segments = " AND c.segment IN ('sme', 'corporate')" if managed_only else ""
    return pd.read_sql(
        text(
            "SELECT r.branch_id, r.department_id, c.account_manager_id AS manager, "
            "COUNT(DISTINCT r.id) AS n FROM response r JOIN customer c ON c.id = r.customer_id "
            f"WHERE r.channel = 'survey' AND c.account_manager_id IS NOT NULL{segments} GROUP BY 1, 2, 3"
        ),
        session.connection(),
    )


def _member(branch, department, staff_id) -> AuthUser:
    return AuthUser(9, "t", "T", "team_member", branch_id=int(branch), department_id=int(department),
                    staff_id=int(staff_id))  # fmt: skip


def _pick(per: pd.DataFrame, wanted) -> tuple[AuthUser, pd.DataFrame]:
    """The first unit (by id) whose managers' respondent counts pass `wanted`, as its
    best-answered manager's team member."""
    for (branch, department), managers in per.groupby(["branch_id", "department_id"]):
        if wanted(managers["n"].sort_values(ascending=False).tolist()):
            top = managers.sort_values("n", ascending=False).iloc[0]
            return _member(branch, department, top["manager"]), managers
    raise AssertionError("the demo has no such unit")


def test_the_rest_of_a_two_manager_unit_cannot_be_subtracted(demo_engine):
    with Session(demo_engine) as s:
        unmanaged = s.scalar(
            text(
                "SELECT COUNT(*) FROM customer "
                "WHERE segment IN ('sme', 'corporate') AND account_manager_id IS NULL"
            )
        )
        assert unmanaged == 0
        everyone, managed = _units(s), _units(s, managed_only=True)
        two = everyone.groupby(["branch_id", "department_id"])["manager"].transform("size") == 2
        two_unit = everyone[two][["branch_id", "department_id"]].drop_duplicates()
        member, managers = _pick(managed.merge(two_unit), lambda ns: len(ns) == 2 and min(ns) >= MIN_N)
        selection = Filters(segments=MANAGED)
        full = manager_appraisal(s, member.scope, selection, MIN_N)
        now = manager_appraisal(s, member.scope, selection, MIN_N, member.staff_id, MIN_UNITS)
        page = appraisal_for(s, member, None, MIN_N, MIN_UNITS)  # the page: every segment
    rows = full.table.set_index("unit")
    assert len(rows) == 2 and (rows["status"] == "ranked").all()
    own, other = rows.loc[member.staff_id], rows.drop(index=member.staff_id).iloc[0]

    # the oracle: the row as the team member was shown it, minus their view's total
    org = full.organisation
    rest_n = org["n"] - own["n"]
    rest_index = (org["csi"] * org["n"] - own["mean"] * own["n"]) / rest_n
    assert rest_n == other["n"] == managers["n"].min()
    assert rest_index == pytest.approx(other["mean"], abs=1e-9)

    # now: the row is there (who), with no number in it (how), so there is nothing to subtract
    for view in (now, page):
        assert list(view.table["unit"]) == [member.staff_id]
        row = view.table.iloc[0]
        assert row["status"] == REST_TOO_SMALL
        for column in ("n", "mean", "ci_low", "ci_high", "shrunk", "vs_rest", "rank_low", "element_vs_rest"):
            assert pd.isna(row[column]), column
        assert not row["outstanding"] and not view.no_differences


def test_a_unit_with_enough_other_managers_shows_the_row(demo_engine):
    with Session(demo_engine) as s:
        member, _ = _pick(
            _units(s), lambda ns: len(ns) > MIN_UNITS and min(ns) >= MIN_N and sum(ns[2:]) >= MIN_N
        )
        full = manager_appraisal(s, member.scope, Filters(), MIN_N).table.set_index("unit")
        seen = appraisal_for(s, member, None, MIN_N, MIN_UNITS).table
    row = seen.iloc[0]
    assert list(seen["unit"]) == [member.staff_id] and row["status"] == "ranked"
    assert row["n"] == full.loc[member.staff_id, "n"]
    assert row["mean"] == pytest.approx(full.loc[member.staff_id, "mean"])
    # asking for more managers than the unit has withholds the same row
    with Session(demo_engine) as s:
        strict = appraisal_for(s, member, None, MIN_N, min_units=len(full)).table
    assert strict.iloc[0]["status"] == REST_TOO_SMALL
