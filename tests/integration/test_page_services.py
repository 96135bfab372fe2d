"""The unit and gaps pages' services on both backends, against numbers worked
out independently from the raw answers with pandas (the oracle: plain
pandas means over the answer rows, no rollups involved)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.services.gaps_view import gaps_view
from dashboard.services.unit_view import resolve_unit, unit_plans, unit_summary

RAW = text(
    "SELECT r.wave_id, r.branch_id, r.department_id, q.code, q.element, q.construct, q.reverse_coded, "
    "q.scale_min, q.scale_max, a.perception, a.expectation "
    "FROM answer a JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
    "WHERE r.channel = 'survey'"
)


def _raw(session: Session) -> pd.DataFrame:
    df = pd.read_sql(RAW, session.connection())
    flip = df["reverse_coded"].astype(bool)
    for col in ("perception", "expectation"):
        df.loc[flip, col] = df["scale_min"] + df["scale_max"] - df.loc[flip, col]
    return df


def _csi(values: pd.Series, lo: float, hi: float) -> float:
    return 100 * (values.mean() - lo) / (hi - lo)


def test_unit_summary_equals_raw_answers(demo_engine):
    with Session(demo_engine) as session:
        raw = _raw(session)
        waves = reference.waves(session)
        unit = resolve_unit(session, Scope.everything(), "B02", None)
        summary = unit_summary(session, Scope.everything(), Filters(), unit, waves, min_n=10)
    mine = raw[raw["branch_id"] == unit.branch_id]
    overall = mine[(mine["construct"] == "overall") & mine["perception"].notna()]
    expected = overall.groupby("wave_id")["perception"].agg(["mean", "size"])
    trend = summary.trend.set_index("wave_id")
    assert list(trend.index) == list(expected.index)
    for wave_id, row in expected.iterrows():
        lo, hi = overall[["scale_min", "scale_max"]].iloc[0]
        got = trend.loc[wave_id]
        assert got["n"] == row["size"]
        if row["size"] >= 10:
            assert got["csi"] == pytest.approx(100 * (row["mean"] - lo) / (hi - lo), abs=1e-9)
        else:
            assert np.isnan(got["csi"])
    items = mine[mine["element"].notna() & mine["perception"].notna()]
    by_item = items.groupby("code").apply(lambda g: _csi(g["perception"], 1, 7), include_groups=False)
    assert list(summary.weakest_items["code"]) == list(by_item.sort_values().index[:5])
    assert summary.weakest_items["csi"].to_numpy() == pytest.approx(by_item.sort_values().to_numpy()[:5])


def test_units_outside_the_scope_resolve_to_nothing(demo_engine):
    with Session(demo_engine) as session:
        units = reference.units(session, Scope.everything())
        lending = int(units.loc[units["department_code"] == "LEN", "department_id"].iloc[0])
        head = Scope(department_ids=frozenset({lending}), label="head of lending")
        assert resolve_unit(session, head, None, "SRV") is None
        assert resolve_unit(session, head, "B02", "SRV") is None
        assert resolve_unit(session, head, "B02'; DROP TABLE response; --", None) is None
        own = resolve_unit(session, head, None, "LEN")
        assert own is not None and own.department_id == lending
        # a branch the head may see only through their department stays narrowed to it
        harbour = resolve_unit(session, head, "B02", None)
        plans = unit_plans(session, head, harbour)
        assert set(plans["department_code"]) <= {"LEN"}
        everything = unit_plans(
            session, Scope.everything(), resolve_unit(session, Scope.everything(), "B02", "SRV")
        )
        assert "Harbour responsiveness programme" in set(everything["title"])
    # as on the plans list: past due and not done or cancelled (the demo's Harbour plan is due 2025-06-30)
    overdue = dict(zip(everything["title"], everything["overdue"], strict=True))
    expected = {
        r.title: r.due_on < date.today() and r.status not in ("done", "cancelled")
        for r in everything.itertuples()
    }
    assert overdue == expected and overdue["Harbour responsiveness programme"]


def test_gaps_view_equals_raw_answers(demo_engine):
    with Session(demo_engine) as session:
        raw = _raw(session)
        view = gaps_view(session, Scope.everything(), Filters(), 10)
    rater = raw[raw["element"].notna()]
    table = view.table.set_index("element")
    both = rater.dropna(subset=["perception", "expectation"])
    # the element gap is the mean of its item gaps (DOMAIN 2: unweighted dimension score)
    item_gap = (both["perception"] - both["expectation"]).groupby([both["element"], both["code"]]).mean()
    gap5 = item_gap.groupby(level="element").mean()
    assert table["gap5"].to_dict() == pytest.approx(gap5.to_dict())
    delivered = (
        rater.dropna(subset=["perception"]).groupby("element")["perception"].apply(lambda s: _csi(s, 1, 7))
    )
    assert table["delivered"].to_dict() == pytest.approx(delivered.to_dict())
    assert (table["gap3"] == table["delivered"] - table["target"]).all()
    # the planted mismatch (DOMAIN 2): customers rank Reliability first, management Tangibles
    assert table.loc["R", "customer_rank"] == 1 and table.loc["T", "management_rank"] == 1
    assert len(view.drivers) == 5 and set(view.drivers["quadrant"]) <= {
        "Keep up the good work",
        "Concentrate here",
        "Low priority",
        "Possible overkill",
    }


def test_overview_ranking_movers_equal_raw_answers(demo_engine):
    from dashboard.services.overview import home_summary

    with Session(demo_engine) as session:
        raw = _raw(session)
        summary = home_summary(session, Scope.everything(), min_n=10)
    overall = raw[(raw["construct"] == "overall") & raw["perception"].notna()]
    last_two = sorted(overall["wave_id"].unique())[-2:]
    lo, hi = overall[["scale_min", "scale_max"]].iloc[0]
    stats = overall[overall["wave_id"].isin(last_two)].groupby(["branch_id", "wave_id"])["perception"]
    means, sizes = stats.mean().unstack(), stats.size().unstack()
    ranking = summary.ranking.set_index("unit")
    checked = 0
    for branch in ranking.index:
        enough = branch in sizes.index and (sizes.loc[branch].reindex(last_two).fillna(0) >= 10).all()
        if not enough:
            assert np.isnan(ranking.loc[branch, "change"])
            continue
        expected = 100 * (means.loc[branch, last_two[1]] - means.loc[branch, last_two[0]]) / (hi - lo)
        assert ranking.loc[branch, "change"] == pytest.approx(expected, abs=1e-9)
        checked += 1
    assert checked >= 3


def test_drilldown_minimum_counts_respondents_not_answers(demo_engine):
    """An element's answers are items x respondents: a branch passes the
    minimum only with min_n respondents (oracle: distinct responses in pandas)."""
    from dashboard.services import drilldown

    with Session(demo_engine) as session:
        raw = pd.read_sql(
            text(
                "SELECT r.id, r.wave_id, r.branch_id FROM answer a JOIN response r ON r.id = a.response_id "
                "JOIN question q ON q.id = a.question_id WHERE r.channel = 'survey' AND q.element = 'S' "
                "AND a.perception IS NOT NULL"
            ),
            session.connection(),
        )
        latest = int(raw["wave_id"].max())
        spots = drilldown.weak_spots(
            session, Scope.everything(), Filters(wave_ids=(latest,)), "branch", "S", None, min_n=20
        )
    people = raw[raw["wave_id"] == latest].groupby("branch_id")["id"].nunique()
    answers = raw[raw["wave_id"] == latest].groupby("branch_id").size()
    assert ((people < 20) & (answers >= 20)).any()  # the case the rule is about exists
    for r in spots.itertuples():
        assert r.suppressed == (people[r.group] < 20), r.label
        assert r.n_p == answers[r.group]


# --- element CIs: respondents, not answers, are the independent units ------------------------

RESPONDENT_RAW = text(
    "SELECT r.id AS response_id, r.wave_id, r.branch_id, q.element, q.construct, q.reverse_coded, "
    "q.scale_min, q.scale_max, a.perception "
    "FROM answer a JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
    "WHERE r.channel = 'survey' AND a.perception IS NOT NULL AND q.qtype IN ('scale', 'nps')"
)


def _respondent_means(session: Session) -> pd.DataFrame:
    """Each respondent's mean perception per RATER element (reverse coding
    applied), complete cases only: every element and overall satisfaction
    answered, as the driver rollup defines them."""
    df = pd.read_sql(RESPONDENT_RAW, session.connection())
    flip = df["reverse_coded"].astype(bool)
    df.loc[flip, "perception"] = df["scale_min"] + df["scale_max"] - df.loc[flip, "perception"]
    rater = df[df["element"].notna()]
    means = rater.pivot_table(
        index=["response_id", "wave_id", "branch_id"], columns="element", values="perception", aggfunc="mean"
    ).dropna(subset=list("RATES"))
    overall = set(df.loc[df["construct"] == "overall", "response_id"])
    return means[means.index.get_level_values("response_id").isin(overall)].reset_index()


def _half_width(values: pd.Series, lo: float = 1, hi: float = 7) -> float:
    """t(0.975, n - 1) sd / sqrt(n), on the 0-100 index."""
    from scipy import stats

    n = len(values)
    return float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n) * 100 / (hi - lo))


def _check_element_ci(got_low, got_high, got_csi, people: pd.Series, answers: pd.Series) -> None:
    assert got_csi == pytest.approx(_csi(answers, 1, 7), abs=1e-9)  # the point estimate is all answers'
    half = (got_high - got_low) / 2
    assert half == pytest.approx(_half_width(people), rel=1e-9)
    assert half > 1.2 * _half_width(answers)  # the naive interval treats items as independent


def test_element_profile_ci_counts_respondents(demo_engine):
    from dashboard.services.drilldown import element_profile

    with Session(demo_engine) as session:
        people = _respondent_means(session)
        raw = _raw(session)
        profile = element_profile(session, Scope.everything(), Filters(), min_n=10).set_index("element")
    answers = raw[raw["element"].notna() & raw["perception"].notna()]
    assert len(people) > 1000 and set(profile.index) == set("RATES")
    for element, row in profile.iterrows():
        assert row["ci_basis"] == "respondents"
        mine = answers.loc[answers["element"] == element, "perception"]
        _check_element_ci(row["csi_low"], row["csi_high"], row["csi"], people[element], mine)


def test_weak_spots_element_ci_counts_respondents(demo_engine):
    from dashboard.services.drilldown import weak_spots

    with Session(demo_engine) as session:
        people = _respondent_means(session)
        raw = _raw(session)
        latest = int(people["wave_id"].max())
        spots = weak_spots(
            session, Scope.everything(), Filters(wave_ids=(latest,)), "branch", "S", None, min_n=10
        )
    people = people[people["wave_id"] == latest]
    answers = raw[(raw["wave_id"] == latest) & (raw["element"] == "S") & raw["perception"].notna()]
    shown = spots[~spots["suppressed"]]
    assert len(shown) >= 5
    for r in shown.itertuples():
        _check_element_ci(
            r.csi_low,
            r.csi_high,
            r.csi,
            people.loc[people["branch_id"] == r.group, "S"],
            answers.loc[answers["branch_id"] == r.group, "perception"],
        )


def test_overview_rater_profile_ci_counts_respondents(demo_engine):
    from dashboard.services.overview import home_summary

    with Session(demo_engine) as session:
        people = _respondent_means(session)
        raw = _raw(session)
        summary = home_summary(session, Scope.everything(), min_n=10)
    latest = int(summary.trend["wave_id"].iloc[-1])
    people = people[people["wave_id"] == latest]
    answers = raw[(raw["wave_id"] == latest) & raw["element"].notna() & raw["perception"].notna()]
    elements = summary.elements.set_index("element")
    assert set(elements.index) == set("RATES")
    for element, row in elements.iterrows():
        mine = answers.loc[answers["element"] == element, "perception"]
        _check_element_ci(row["csi_low"], row["csi_high"], row["csi"], people[element], mine)


def test_overview_rater_profile_minimum_counts_respondents(demo_engine):
    """The overview's profile shows respondents as n and suppresses an element
    below the minimum of respondents even when its answers (items x people)
    would pass it (oracle: distinct responses in pandas)."""
    from dashboard.services.overview import home_summary

    with Session(demo_engine) as session:
        latest = int(home_summary(session, Scope.everything(), min_n=10).trend["wave_id"].iloc[-1])
        per_element = pd.read_sql(
            text(
                "SELECT q.element, COUNT(DISTINCT r.id) AS people, COUNT(*) AS answers "
                "FROM answer a JOIN response r ON r.id = a.response_id "
                "JOIN question q ON q.id = a.question_id WHERE r.channel = 'survey' "
                "AND q.element IS NOT NULL AND a.perception IS NOT NULL "
                "AND r.wave_id = :wave GROUP BY q.element"
            ),
            session.connection(),
            params={"wave": latest},
        ).set_index("element")
        minimum = int(per_element["people"].max()) + 1  # above every element's people, below its answers
        assert (per_element["answers"] >= minimum).all()
        strict = home_summary(session, Scope.everything(), min_n=minimum).elements.set_index("element")
    assert strict["csi"].isna().all() and strict["csi_low"].isna().all()
    assert dict(strict["n"]) == {e: int(per_element.loc[e, "people"]) for e in strict.index}


def test_gaps_service_requests_follow_the_chosen_waves(demo_engine):
    """SLA attainment and promises kept count the requests submitted in the
    chosen waves' periods, within the viewer's scope (oracle: pandas over the
    raw requests)."""
    from dashboard.queries import reference

    with Session(demo_engine) as session:
        waves = reference.waves(session)
        wave = waves.iloc[-2]
        branch_id = int(session.scalar(text("SELECT id FROM branch WHERE code = 'B02'")))
        harbour = Scope(branch_ids=frozenset({branch_id}))
        view = gaps_view(session, harbour, Filters(wave_ids=(int(wave["wave_id"]),)), 10)
        requests = pd.read_sql(
            text("SELECT branch_id, submitted_at, resolved_at, sla_hours FROM service_request"),
            session.connection(),
        )
    submitted = pd.to_datetime(requests["submitted_at"])
    inside = (
        (requests["branch_id"] == branch_id)
        & (submitted >= pd.Timestamp(wave["period_start"]))
        & (submitted < pd.Timestamp(wave["period_end"]) + pd.Timedelta(days=1))
    )
    mine = requests[inside]
    hours = (
        pd.to_datetime(mine["resolved_at"]) - pd.to_datetime(mine["submitted_at"])
    ).dt.total_seconds() / 3600
    within = int((mine["resolved_at"].notna() & (hours <= mine["sla_hours"])).sum())
    assert 0 < view.sla["n"] == len(mine) < (submitted >= pd.Timestamp(wave["period_start"])).sum()
    assert view.sla["within_pct"] == pytest.approx(100 * within / len(mine))
    assert view.sla["from"] == wave["period_start"] and view.sla["to"] == wave["period_end"]


def test_a_selection_without_ratings_gives_empty_views_not_errors(demo_engine):
    """Complaints carry no RATER ratings in the demo: the gaps view and the
    drill-down profile come back empty (the pages then explain why)."""
    from dashboard.services.drilldown import element_profile

    complaints = Filters(channels=("complaint",))
    with Session(demo_engine) as session:
        view = gaps_view(session, Scope.everything(), complaints, 10)
        profile = element_profile(session, Scope.everything(), complaints, min_n=10)
    assert list(view.table["element"]) == list("RATES")
    assert view.table[["delivered", "gap5"]].isna().all().all()
    assert view.weighted_servqual == "not measured" and view.drivers.empty
    assert profile.empty


def test_overview_change_is_hidden_with_a_hidden_wave(demo_engine):
    """A change from a shown wave to a hidden one would reveal the hidden
    index: with the latest wave under the minimum, there is no change either."""
    from dashboard.services.overview import home_summary

    with Session(demo_engine) as session:
        shown = home_summary(session, Scope.everything(), min_n=10)
        latest_n = int(shown.trend["n_p"].iloc[-1])
        hidden = home_summary(session, Scope.everything(), min_n=latest_n + 1)
    assert shown.change is not None and shown.change_points is not None
    assert np.isnan(hidden.trend["csi"].iloc[-1])
    assert hidden.change is None and hidden.change_points is None


def test_a_narrowed_view_says_so(demo_engine):
    """Figures the scope narrows name it: a Lending head opening Harbour sees
    Lending's numbers, and the heading says 'Lending only'."""
    from dashboard.services.scope_text import describe_scope

    with Session(demo_engine) as session:
        lending = int(session.scalar(text("SELECT id FROM department WHERE code = 'LEN'")))
        harbour = int(session.scalar(text("SELECT id FROM branch WHERE code = 'B02'")))
        head = Scope(department_ids=frozenset({lending}))
        branch_head = Scope(branch_ids=frozenset({harbour}))
        assert describe_scope(session, Scope.everything()) is None
        assert describe_scope(session, head) == "Lending (LEN) in every branch"
        assert describe_scope(session, branch_head) == "Harbour (B02), every department"
        assert (
            resolve_unit(session, head, "B02", None).label == "Harbour (B02) · Lending (LEN) only (your view)"
        )
        assert resolve_unit(session, Scope.everything(), "B02", None).label == "Harbour (B02)"
        assert resolve_unit(session, branch_head, "B02", "SRV").label == "Harbour (B02) · Service Desk (SRV)"
