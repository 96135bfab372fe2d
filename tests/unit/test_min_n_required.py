"""The minimum n cannot be forgotten: every service that computes a metric
takes `min_n` as a required argument (no default to fall back on), so the
one value from the settings (CSAT_MIN_N) is what every page, export and the
CLI pass (docs/ANALYTICS.md "Statistical policy")."""

from __future__ import annotations

import inspect

import pytest

from dashboard.services import (
    changes,
    drilldown,
    gaps,
    gaps_view,
    metrics,
    metrics_cli,
    overview,
    rankings,
    unit_view,
)

METRIC_SERVICES = [
    metrics.csi_by,
    metrics.servqual,
    metrics.unit_ranking,
    metrics.drivers,
    metrics.headline,
    metrics.weighted_csi,
    metrics.loyalty,
    changes.wave_change,
    changes.unit_comparison,
    changes.biggest_movers,
    overview.home_summary,
    drilldown.element_profile,
    drilldown.item_table,
    drilldown.weak_spots,
    unit_view.unit_summary,
    rankings.ranking_view,
    gaps.gaps_report,
    gaps_view.gaps_view,
    metrics_cli.compute_metric,
]


@pytest.mark.parametrize("service", METRIC_SERVICES, ids=lambda f: f"{f.__module__}.{f.__name__}")
def test_min_n_is_a_required_argument(service):
    parameter = inspect.signature(service).parameters.get("min_n")
    assert parameter is not None, "a metric service must take the minimum n"
    assert parameter.default is inspect.Parameter.empty, "min_n must come from the settings, not a default"
