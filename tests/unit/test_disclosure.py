"""The rule for aggregates over units a viewer cannot see (analytics/disclosure.py),
on hand-worked pools."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.analytics.disclosure import pool_hides_each_unit, pool_safe_in_every_wave
from dashboard.config import ConfigError, Settings


def test_a_pool_needs_enough_units_and_respondents_beyond_its_largest():
    assert pool_hides_each_unit([10, 10, 10], min_units=3, min_n=10)  # 30 - 10 = 20 beyond the largest
    assert not pool_hides_each_unit([10, 10], min_units=3, min_n=10)  # two units
    assert not pool_hides_each_unit([100, 4, 4], min_units=3, min_n=10)  # 8 beyond the dominant unit
    assert pool_hides_each_unit([100, 5, 5], min_units=3, min_n=10)  # exactly 10 beyond it
    assert not pool_hides_each_unit([20, 20, 0], min_units=3, min_n=10)  # a unit with no respondents: no unit
    assert pool_hides_each_unit([], min_units=3, min_n=10)  # nothing to show, nothing revealed


def test_every_wave_must_pass():
    frame = pd.DataFrame(
        {
            "wave_id": [1, 1, 1, 2, 2, 2],
            "branch_id": [1, 2, 3, 1, 2, 3],
            "department_id": [6] * 6,
            "n": [12, 12, 12, 30, 3, 3],  # wave 2: one unit is almost the whole pool
        }
    )
    units = ["branch_id", "department_id"]
    assert pool_safe_in_every_wave(frame[frame["wave_id"] == 1], units, 3, 10)
    assert not pool_safe_in_every_wave(frame, units, 3, 10)
    # two rows of one unit in a wave are one unit (summed), not two
    doubled = pd.DataFrame({"wave_id": [1, 1, 1], "branch_id": [1, 1, 2], "department_id": [6, 6, 6],
                            "n": [10, 10, 10]})  # fmt: skip
    assert not pool_safe_in_every_wave(doubled, units, 3, 5)


def test_the_pool_setting_is_read_and_bounded(monkeypatch):
    monkeypatch.setenv("CSAT_MIN_POOL_UNITS", "5")
    assert Settings.from_env().min_pool_units == 5
    assert Settings().min_pool_units == 3
    with pytest.raises(ConfigError, match="CSAT_MIN_POOL_UNITS"):
        Settings(min_pool_units=1).validate()  # one unit's figure is that unit's
