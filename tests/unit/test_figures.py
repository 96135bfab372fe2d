"""Figure builders: honest gaps and empty states (pure plotly, no browser)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.components.figures import element_bars, nothing_to_show, trend_figure


def _trend(values, n):
    labels = [f"W{i}" for i in range(len(values))]
    v = np.array(values, dtype=float)
    return pd.DataFrame({"label": labels, "csi": v, "csi_low": v - 2, "csi_high": v + 2, "n": n})


def test_ci_band_breaks_where_a_wave_is_hidden():
    # W2 is suppressed (too few responses): W0-W1 and W3-W5 are separate bands
    df = _trend([60, 61, np.nan, 63, 64, 65], [30, 30, 4, 30, 30, 30])
    fig = trend_figure(df, "t")
    bands = [t for t in fig.data if t.fill == "toself"]
    assert [sorted(set(t.x)) for t in bands] == [["W0", "W1"], ["W3", "W4", "W5"]]
    # each band is the upper edge left to right, then the lower edge back
    assert list(bands[0].y) == [62.0, 63.0, 59.0, 58.0]
    assert list(fig.layout.xaxis.categoryarray) == list(df["label"])  # waves stay in order
    line = fig.data[-1]
    assert np.isnan(line.y[2])  # the line breaks too


def test_a_lone_shown_wave_gets_an_error_bar():
    df = _trend([np.nan, 61, np.nan], [3, 30, 3])
    fig = trend_figure(df, "t")
    assert not [t for t in fig.data if t.fill == "toself"]
    bar = [t for t in fig.data if t.error_y and t.error_y.array is not None]
    assert len(bar) == 1 and list(bar[0].x) == ["W1"] and list(bar[0].error_y.array) == [2.0]


def test_empty_charts_say_why():
    assert nothing_to_show(_trend([], [])) == "No responses in this selection"
    assert nothing_to_show(_trend([np.nan, np.nan], [0, 0])) == "No responses in this selection"
    hidden = _trend([np.nan, np.nan], [9, 4])
    assert nothing_to_show(hidden) == "Too few responses to show (at most n = 9 per group)"
    assert trend_figure(hidden, "t").layout.annotations[0].text == nothing_to_show(hidden)
    bars = pd.DataFrame(
        {"element": ["R"], "csi": [np.nan], "csi_low": [np.nan], "csi_high": [np.nan], "n": [9]}
    )
    assert element_bars(bars, "p").layout.annotations[0].text.startswith("Too few responses")
