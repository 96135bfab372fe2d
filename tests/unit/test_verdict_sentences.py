"""The plain-words verdicts (services/rankings.py) on hand-made units whose
differences are known: the sentence, the unit page's sentence, the groups,
the tie rule in the labels and the too-few-units note."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.analytics.moments import Moments
from dashboard.analytics.ranking import rank_units
from dashboard.services.rankings import focus_sentence, ranking_report, with_verdicts

NAMES = {"B01": "Central", "B04": "Riverside", "B07": "Eastbrook", "B08": "Hillside", "B09": "Lakeside"}


def _ranked(scores: dict[str, list[float]], min_n: int = 5) -> pd.DataFrame:
    """unit_ranking's shape: rank_units on 1-10 scores, with code, name and the scale."""
    rows = []
    for i, (code, values) in enumerate(scores.items()):
        m = Moments.of(values)
        rows.append(
            {
                "unit": i + 1,
                "code": code,
                "name": NAMES[code],
                "n": m.n,
                "total": m.total,
                "total_sq": m.total_sq,
            }
        )
    ranked = rank_units(pd.DataFrame(rows), min_n=min_n)
    ranked.attrs.update(scale_min=1.0, scale_max=10.0)
    return ranked


def _spread(centre: float, n: int = 40) -> list[float]:
    return list(centre + np.tile([-1.0, 0.0, 1.0, 0.5, -0.5], n // 5))


def test_one_real_difference_reads_as_one_sentence():
    # B04 is 0.9 raw points (10.0 index points on 1-10) below B07; B01 sits between, close to both
    view = with_verdicts(
        _ranked({"B07": _spread(8.0), "B01": _spread(7.55, 10), "B04": _spread(7.1)}), "branch", 5
    )
    assert view.verdict == (
        "Riverside (B04) is below Eastbrook (B07) by 10.0 points, p < 0.001; "
        "the other pairs of branches cannot be told apart."
    )
    assert view.groups == ("a: Eastbrook (B07), Central (B01)", "b: Central (B01), Riverside (B04)")
    assert list(view.table["rank_label"]) == ["=1", "=1", "2"]  # only B07 is significantly ahead of B04
    assert (
        focus_sentence(view, "B01") == "Central (B01) cannot be told apart from any of the other 2 branches."
    )
    assert focus_sentence(view, "B04") == (
        "Riverside (B04) is below Eastbrook (B07) by 10.0 points, p < 0.001; "
        "it cannot be told apart from the other 1 branch."
    )
    assert view.shrinkage_note.startswith("Fewer than 5 branches can be ranked")


def test_no_difference_and_nothing_to_compare():
    same = with_verdicts(_ranked({"B07": _spread(8.0), "B04": _spread(8.0)}), "branch", 5)
    assert same.verdict == "No two of the 2 branches can be told apart."
    assert list(same.table["rank_label"]) == ["=1", "=1"] and same.groups == ()
    alone = with_verdicts(_ranked({"B07": _spread(8.0), "B04": [9.0, 9.0]}), "branch", 5)
    assert alone.verdict == "Fewer than two branches have at least 5 respondents: nothing to compare."
    assert "Not compared (fewer than 5 respondents): Riverside (B04)." in alone.method
    assert focus_sentence(alone, "B04") == (
        "Riverside (B04) has fewer than the minimum respondents here: not compared with other branches."
    )
    assert list(alone.table["rank_label"]) == ["1", ""]
    small = ranking_report(alone)["units"].set_index("code").loc["B04"]  # printed by csat metrics ranking
    assert small["n"] == 2 and small[["mean", "ci_low", "ci_high", "shrunk", "total"]].isna().all()


def test_many_differences_list_the_largest_per_lower_unit_and_count_the_rest():
    scores = {
        "B07": _spread(9.0),
        "B09": _spread(8.0),
        "B01": _spread(7.0),
        "B08": _spread(6.0),
        "B04": _spread(5.0),
    }
    view = with_verdicts(_ranked(scores), "branch", 5)
    assert view.verdict == (
        "Riverside (B04) is below Eastbrook (B07) by 44.4 points (p < 0.001) and Lakeside (B09) "
        "by 33.3 points (p < 0.001); Hillside (B08) is below Eastbrook (B07) by 33.3 points, p < 0.001; "
        "7 more pairs differ (see the groups)."
    )
    assert list(view.table["rank_label"]) == ["1", "2", "3", "4", "5"]
    assert view.shrinkage_note is None  # five units: the between-unit variance is estimated
    report = ranking_report(view)
    assert [g["units"] for g in report["groups"]] == [[c] for c in scores]
    assert all("unit" not in row for row in report["units"].to_dict("records"))
