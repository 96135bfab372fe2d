"""After a responses import the rollup tables equal an independent pandas
aggregate of the raw answers in the file, reverse coding included."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from tests.integration.import_fixtures import load_samples, read_sample, run_import, sample_path
from tests.support.databases import throwaway_engine
from tests.support.rollup_check import assert_rollups_match_file


def _assert_rollups_equal_file(engine, path: Path) -> None:
    with engine.connect() as conn:
        assert_rollups_match_file(conn, path)


def test_sample_rollups_equal_pandas_aggregate_of_file(fresh_engine):
    load_samples(fresh_engine)
    _assert_rollups_equal_file(fresh_engine, sample_path("responses"))


def test_second_import_into_same_partitions_rebuilds_them(tmp_path):
    """Two files into the same waves x branches: rollups cover both."""
    with throwaway_engine("sqlite", tmp_path) as eng:
        load_samples(eng, upto="responses")
        raw = read_sample("responses.csv")
        for part, rows in (("a", raw.iloc[::2]), ("b", raw.iloc[1::2])):
            rows.to_csv(tmp_path / f"{part}.csv", index=False)
            run_import(eng, "responses", tmp_path / f"{part}.csv")
        _assert_rollups_equal_file(eng, sample_path("responses"))


MINI_TEMPLATE = """\
code: MINI
name: Mini survey with a reverse-coded item
scale: {min: 1, max: 5}
questions:
  - {code: Q1, element: S, asks: [E, P], text: They were fast}
  - {code: Q2, element: S, asks: [P], reverse_coded: true, text: I had to wait long}
  - {code: Q3, element: R, asks: [E, P], reverse_coded: true, scale: {min: 0, max: 10}, text: Errors}
  - {code: OVERALL, construct: overall, asks: [P], scale: {min: 1, max: 10}, required: true, text: Overall}
  - {code: NOTE, type: text, asks: [], text: "Anything else?"}
"""

MINI_RESPONSES = """\
response_id,wave,customer_ref,branch_code,department_code,channel,submitted_at,segment,Q1_E,Q1_P,Q2,Q3_E,Q3_P,OVERALL,NOTE
a,M1,C101,N01,ACC,survey,2026-01-05,,5,4,1,10,0,9,fine
b,M1,C101,N01,ACC,survey,2026-01-06,,4,2,5,3,7,4,
c,M1,,N01,ACC,survey,2026-01-07 08:00,retail,,3,2,,5,7,
d,M1,007,N01,LEN,complaint,2026-01-08,,5,1,5,8,9,2,slow
e,M1,C104,S01,ACC,praise,2026-01-09,,3,5,1,,,10,
"""


def _load_mini(engine, tmp_path):
    load_samples(engine, upto="responses")
    (tmp_path / "mini.yaml").write_text(MINI_TEMPLATE)
    run_import(engine, "template", tmp_path / "mini.yaml")
    (tmp_path / "w.csv").write_text(
        "code,name,template_code,period_start,period_end\nM1,M1,MINI,2026-01-01,2026-03-31\n"
    )
    run_import(engine, "waves", tmp_path / "w.csv")
    (tmp_path / "r.csv").write_text(MINI_RESPONSES)
    return run_import(engine, "responses", tmp_path / "r.csv")


def test_reverse_coded_items_are_reversed_in_rollups(fresh_engine, tmp_path):
    report = _load_mini(fresh_engine, tmp_path)
    assert report.written == {"response": 5, "answer": 19, "importance_allocation": 0}
    _assert_rollups_equal_file(fresh_engine, tmp_path / "r.csv")

    # and by hand, from the database: reversed = lo + hi - x
    with fresh_engine.connect() as conn:
        sums = {
            code: tuple(row)
            for code, *row in conn.execute(
                text(
                    "SELECT q.code, SUM(r.n_p), SUM(r.sum_p), SUM(r.sumsq_p), SUM(r.n_e), SUM(r.sum_e) "
                    "FROM rollup_item r JOIN question q ON q.id = r.question_id "
                    "JOIN survey_template t ON t.id = q.template_id WHERE t.code = 'MINI' GROUP BY q.code"
                )
            )
        }
    # Q2 raw 1, 5, 2, 5, 1 on 1..5 -> 5, 1, 4, 1, 5
    assert sums["Q2"] == (5, 16.0, 68.0, 0, 0.0)
    # Q3 on 0..10: P raw 0, 7, 5, 9 -> 10, 3, 5, 1; E raw 10, 3, 8 -> 0, 7, 2
    assert sums["Q3"] == (4, 19.0, 135.0, 3, 9.0)
    assert sums["Q1"][1] == 15.0  # not reversed


def test_element_ci_falls_back_to_answers_without_complete_cases(fresh_engine, tmp_path):
    """MINI asks two of the five elements, so no respondent is a complete case
    in the driver rollup: the element CI stays the item-answer one."""
    import numpy as np
    from scipy import stats
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from dashboard.auth.scope import Scope
    from dashboard.db.models import Wave
    from dashboard.queries.filters import Filters
    from dashboard.services.drilldown import element_profile

    _load_mini(fresh_engine, tmp_path)
    with Session(fresh_engine) as session:
        wave = session.scalar(select(Wave.id).where(Wave.code == "M1"))
        profile = element_profile(session, Scope.everything(), Filters(wave_ids=(wave,)), min_n=1)
    s = profile.set_index("element").loc["S"]
    # survey answers to S on 1..5: Q1 4, 2, 3 and Q2 reversed (1, 5, 2 -> 5, 1, 4)
    answers = np.array([4, 2, 3, 5, 1, 4], dtype=float)
    half = stats.t.ppf(0.975, 5) * answers.std(ddof=1) / np.sqrt(6) * 100 / 4
    assert s["ci_basis"] == "answers"
    assert s["csi"] == pytest.approx(100 * (answers.mean() - 1) / 4)
    assert (s["csi_low"], s["csi_high"]) == pytest.approx((s["csi"] - half, s["csi"] + half))
    assert set(profile["ci_basis"]) == {"answers"}
