"""One colour per RATER element everywhere: the charts' hues, and text
variants that stay readable (WCAG AA contrast on white)."""

from __future__ import annotations

import pandas as pd

from dashboard.components.figures import element_bars
from dashboard.domain import ELEMENT_COLOURS, ELEMENT_TEXT_COLOURS, ELEMENTS


def _contrast_on_white(hex_colour: str) -> float:
    """WCAG 2.x contrast ratio against #ffffff."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_contrast_formula_on_known_values():
    assert round(_contrast_on_white("#000000"), 1) == 21.0
    assert round(_contrast_on_white("#767676"), 2) == 4.54  # the classic AA-passing grey


def test_element_names_are_readable_in_their_colour():
    assert set(ELEMENT_TEXT_COLOURS) == set(ELEMENTS) == set(ELEMENT_COLOURS)
    for element, colour in ELEMENT_TEXT_COLOURS.items():
        assert _contrast_on_white(colour) >= 4.5, element


def test_profile_bars_use_each_element_s_colour():
    df = pd.DataFrame(
        {
            "element": list(ELEMENTS),
            "csi": [70.0] * 5,
            "csi_low": [68.0] * 5,
            "csi_high": [72.0] * 5,
            "n": [50] * 5,
        }
    )
    bars = element_bars(df, "profile").data[0]
    assert list(bars.marker.color) == [ELEMENT_COLOURS[e] for e in ELEMENTS]
