"""Number formatting shared by the pages."""

from __future__ import annotations

import math

from dashboard.components.cards import fmt_range, signed


def test_a_hidden_interval_is_one_dash():
    assert fmt_range(61.04, 70.96) == "61.0-71.0"
    assert fmt_range(math.nan, math.nan) == "—" and fmt_range(None, 3.0) == "—"


def test_differences_that_round_to_zero_have_no_minus():
    assert signed(-0.04) == "+0.0" and signed(0.04) == "+0.0"
    assert signed(-0.06) == "-0.1" and signed(2.346, 2) == "+2.35"
    assert signed(math.nan) == "—"
