"""The ranking chart labels each unit with its rank, marking shared ranks."""

from __future__ import annotations

import pandas as pd

from dashboard.components.figures import ranking_figure


def _table(ranks: list[float]) -> pd.DataFrame:
    k = len(ranks)
    return pd.DataFrame(
        {
            "code": [f"D{i}" for i in range(k)],
            "label": [f"Dept {i} (D{i})" for i in range(k)],
            "status": "ranked",
            "rank": ranks,
            "mean": [68.0 + i for i in range(k)],
            "ci_low": 60.0,
            "ci_high": 80.0,
            "shrunk": 68.8,
            "n": 100,
        }
    )


def test_tied_units_are_labelled_as_ties_not_all_first():
    labels = list(ranking_figure(_table([1.0, 1.0, 1.0]), "tied").data[1].y)
    assert sorted(labels) == ["=1 Dept 0 (D0)", "=1 Dept 1 (D1)", "=1 Dept 2 (D2)"]


def test_distinct_ranks_keep_their_numbers():
    labels = list(ranking_figure(_table([2.0, 1.0, 2.0, 4.0]), "mixed").data[1].y)
    # worst at the bottom of the list, top of chart
    assert labels == ["#4 Dept 3 (D3)", "=2 Dept 0 (D0)", "=2 Dept 2 (D2)", "#1 Dept 1 (D1)"]
