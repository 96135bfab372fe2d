"""Account-manager appraisal on the demo data against an independent pandas /
scipy / statsmodels computation from the raw answers: n in respondents,
means and t intervals, the Welch tests with Holm behind "outstanding", the
weakest element's 99% intervals behind a training need; min n, and who sees
whom per role."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from statsmodels.stats.multitest import multipletests

from dashboard.auth.roles import AuthUser
from dashboard.auth.scope import Scope
from dashboard.db.models import Department
from dashboard.queries.filters import Filters
from dashboard.services.managers import appraisal_for, manager_appraisal
from dashboard.services.metrics_cli import compute_metric

EVERYONE = Scope.everything()
MIN_N = 10
MIN_UNITS = 3


def _answers(session: Session) -> pd.DataFrame:
    """Raw survey answers with their customer's manager, reverse coding applied here."""
    raw = pd.read_sql(
        text(
            "SELECT r.id AS rid, r.department_id, c.account_manager_id AS manager, q.element, q.construct, "
            "q.reverse_coded, q.scale_min, q.scale_max, a.perception FROM answer a "
            "JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
            "LEFT JOIN customer c ON c.id = r.customer_id "
            "WHERE r.channel = 'survey' AND a.perception IS NOT NULL"
        ),
        session.connection(),
    )
    flip = raw["reverse_coded"].astype(bool)
    raw["value"] = np.where(flip, raw["scale_min"] + raw["scale_max"] - raw["perception"], raw["perception"])
    return raw


def _expected(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    overall = raw[raw["construct"] == "overall"].groupby(["rid", "manager"], dropna=False)["value"].mean()
    overall = overall.reset_index()
    lo, hi = raw.loc[raw["construct"] == "overall", ["scale_min", "scale_max"]].iloc[0]
    per = overall.dropna(subset=["manager"]).groupby("manager")["value"]
    table = pd.DataFrame({"n": per.size(), "mean": per.mean(), "sd": per.std(ddof=1)})
    half = stats.t.ppf(0.975, table["n"] - 1) * table["sd"] / np.sqrt(table["n"])
    table["csi"] = 100 * (table["mean"] - lo) / (hi - lo)
    table["low"] = 100 * (table["mean"] - half - lo) / (hi - lo)
    table["high"] = 100 * (table["mean"] + half - lo) / (hi - lo)
    return table, overall


def test_numbers_equal_an_independent_computation(demo_engine):
    with Session(demo_engine) as s:
        view = manager_appraisal(s, EVERYONE, Filters(), MIN_N)
        raw = _answers(s)
    expected, overall = _expected(raw)
    got = view.table.set_index("unit")
    assert set(got.index) == set(expected.index)
    assert (got["n"] == expected.loc[got.index, "n"]).all()
    ranked = got[got["status"] == "ranked"]
    assert set(ranked.index) == set(expected.index[expected["n"] >= MIN_N])
    assert len(ranked) >= 10
    for col, want in (("mean", "csi"), ("ci_low", "low"), ("ci_high", "high")):
        assert np.allclose(ranked[col], expected.loc[ranked.index, want], atol=1e-9)
    assert got.loc[got["status"] != "ranked", ["mean", "ci_low", "ci_high", "shrunk"]].isna().all().all()
    # outstanding: Welch manager vs everyone else, Holm over the ranked managers (statsmodels)
    p = {
        m: stats.ttest_ind(
            overall.loc[overall["manager"] == m, "value"],
            overall.loc[overall["manager"] != m, "value"],
            equal_var=False,
        ).pvalue
        for m in ranked.index
    }
    holm = dict(zip(p, multipletests(list(p.values()), method="holm")[1], strict=True))
    for m in ranked.index:
        assert ranked.loc[m, "vs_rest_p_holm"] == pytest.approx(holm[m], rel=1e-6, abs=1e-12)
    assert view.organisation["n"] == overall["rid"].nunique()


def test_training_need_intervals_equal_scipy(demo_engine):
    with Session(demo_engine) as s:
        view = manager_appraisal(s, EVERYONE, Filters(), MIN_N)
        raw = _answers(s)
    rater = raw[raw["element"].notna()]
    lo = rater.groupby("element")["scale_min"].first()
    hi = rater.groupby("element")["scale_max"].first()
    means = rater.pivot_table(index=["rid"], columns="element", values="value", aggfunc="mean").dropna()
    index = 100 * (means - lo) / (hi - lo)
    manager_of = raw.drop_duplicates("rid").set_index("rid")["manager"]
    ranked = view.table[view.table["status"] == "ranked"]
    checked = needs = 0
    for r in ranked.itertuples():
        mine = index[manager_of.loc[index.index] == r.unit]
        if len(mine) < MIN_N:
            continue
        weakest = mine.mean().round(9)[list("RATES")].idxmin()  # ties: the first in RATER order
        assert r.weakest == weakest
        paired = mine[weakest] - mine.drop(columns=weakest).mean(axis=1)
        ci = stats.ttest_1samp(paired, 0).confidence_interval(0.99)
        assert (r.vs_others_low, r.vs_others_high) == pytest.approx((ci.low, ci.high), abs=1e-8)
        rest = index.loc[manager_of.loc[index.index] != r.unit, weakest]
        welch = stats.ttest_ind(mine[weakest], rest, equal_var=False).confidence_interval(0.99)
        assert (r.element_vs_rest_low, r.element_vs_rest_high) == pytest.approx(
            (welch.low, welch.high), abs=1e-8
        )
        below = ci.high < 0 or welch.high < 0
        assert r.need == (weakest if below else "no clear weakness")
        checked += 1
        needs += below
    assert checked >= 10 and 0 < needs < checked  # both verdicts are exercised


def test_a_high_min_n_leaves_no_number(demo_engine):
    with Session(demo_engine) as s:
        out = json.loads(compute_metric(s, "managers", min_n=10_000))
    assert out["min_n"] == 10_000 and out["counted_in"] == "respondents"
    assert out["organisation"]["csi"] is None
    for row in out["managers"]:
        assert row["status"] == "too few responses" and "unit" not in row
        assert all(
            row[k] is None for k in ("mean", "ci_low", "ci_high", "shrunk", "vs_rest", "weakest_index")
        )


def test_scope_per_role(demo_engine):
    with Session(demo_engine) as s:
        lending = s.scalar(select(Department.id).where(Department.code == "LEN"))
        head = AuthUser(1, "h", "H", "department_head", department_id=lending)
        seen = appraisal_for(s, head, None, MIN_N, MIN_UNITS).table
        raw = _answers(s)
        everyone = manager_appraisal(s, EVERYONE, Filters(), MIN_N).table
        # a team member who is an account manager sees their own row only, ranked among their unit's
        some = everyone[everyone["status"] == "ranked"].iloc[0]
        unit = raw[raw["manager"] == some.unit].groupby(["department_id"]).size().idxmax()
        branch = s.execute(text(f"SELECT branch_id FROM staff WHERE id = {int(some.unit)}")).scalar()
        member = AuthUser(
            2, "t", "T", "team_member", branch_id=branch, department_id=int(unit), staff_id=int(some.unit)
        )
        own = appraisal_for(s, member, None, MIN_N, MIN_UNITS).table
        stranger = AuthUser(3, "u", "U", "team_member", branch, int(unit))
        nobody = appraisal_for(s, stranger, None, MIN_N, MIN_UNITS).table
        anonymous = appraisal_for(s, None, None, MIN_N, MIN_UNITS).table
    # the department head: managers of customers who answered about Lending, numbers from those answers only
    lending_raw = raw[raw["department_id"] == lending]
    expected, _ = _expected(lending_raw)
    got = seen.set_index("unit")
    assert set(got.index) == set(expected.index) and len(got) < len(everyone)
    assert (got["n"] == expected.loc[got.index, "n"]).all()
    assert list(own["unit"]) == [some.unit]
    assert nobody.empty and anonymous.empty
