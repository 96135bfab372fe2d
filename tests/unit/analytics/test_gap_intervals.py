"""Gap intervals against scipy's own Welch and one-sample t intervals, and
the benchmark periods' bounds by hand."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pytest
from scipy import stats

from dashboard.analytics.gap_intervals import t_half_width, welch_half_width
from dashboard.analytics.moments import Moments
from dashboard.services.benchmarks import period_bounds


def test_welch_half_width_equals_scipy():
    managers, customers = [6.0, 5.5, 6.5], [5.0, 4.0, 6.0, 5.5, 4.5, 5.0]
    half, df = welch_half_width(Moments.of(managers), Moments.of(customers))
    low, high = stats.ttest_ind(managers, customers, equal_var=False).confidence_interval(0.95)
    diff = np.mean(managers) - np.mean(customers)
    assert (diff - half, diff + half) == pytest.approx((low, high))
    assert df == pytest.approx(stats.ttest_ind(managers, customers, equal_var=False).df)


def test_t_half_width_equals_scipy_and_needs_two():
    values = [70.0, 82.5, 64.0, 91.0]
    low, high = stats.ttest_1samp(values, 0).confidence_interval(0.95)
    assert t_half_width(Moments.of(values)) == pytest.approx((high - low) / 2)
    assert math.isnan(t_half_width(Moments.of([70.0])))
    assert all(math.isnan(v) for v in welch_half_width(Moments.of([1.0]), Moments.of([1.0, 2.0])))


@pytest.mark.parametrize(
    "period, bounds",
    [
        ("2026", (date(2026, 1, 1), date(2026, 12, 31))),
        ("2026-H1", (date(2026, 1, 1), date(2026, 6, 30))),
        ("2026-H2", (date(2026, 7, 1), date(2026, 12, 31))),
        ("2025-Q1", (date(2025, 1, 1), date(2025, 3, 31))),
        ("2024-Q4", (date(2024, 10, 1), date(2024, 12, 31))),
    ],
)
def test_benchmark_period_bounds(period, bounds):
    assert period_bounds(period) == bounds
