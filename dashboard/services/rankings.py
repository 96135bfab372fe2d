"""Unit rankings as the pages show them: the ranked table with each rank as
read ("=1" when shared, "" when not ranked), and whether the data show any
real difference between the units at all."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.ranking import no_differences_detected, rank_labels
from dashboard.auth.scope import Scope
from dashboard.queries.filters import Filters
from dashboard.services.metrics import unit_ranking


@dataclass
class RankingView:
    table: pd.DataFrame  # unit_ranking's columns plus rank_label
    no_differences: bool  # between-unit variance estimated as zero: all share rank 1


def with_rank_labels(ranked: pd.DataFrame) -> pd.DataFrame:
    """`ranked` (from unit_ranking) with the rank as shown in `rank_label`."""
    return ranked.assign(rank_label=rank_labels(ranked["rank"])) if not ranked.empty else ranked


def ranking_view(
    session: Session,
    scope: Scope,
    wave_ids: tuple[int, ...] | None,
    unit: str,
    element: str | None,
    min_n: int,
) -> RankingView:
    """Units ranked on an element (None: overall satisfaction) over the waves
    (None: all of them)."""
    table = unit_ranking(session, scope, Filters(wave_ids=wave_ids), unit, element, min_n=min_n)
    return RankingView(with_rank_labels(table), no_differences_detected(table))
