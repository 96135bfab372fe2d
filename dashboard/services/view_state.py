"""The filter bar's choice (a parsed URL state, dashboard/urlstate.py) checked
against the waves in the database, and turned into query filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.queries import reference
from dashboard.queries.filters import Filters
from dashboard.urlstate import GlobalFilters, resolve_filters


def load_global_filters(session: Session, state: Mapping[str, Any]) -> tuple[GlobalFilters, pd.DataFrame]:
    """The filters `state` means, and the waves (for the filter bar's options)."""
    waves = reference.waves(session)
    return resolve_filters(list(waves["code"]), state), waves


def query_filters(current: GlobalFilters, waves: pd.DataFrame, all_channels: bool = False) -> Filters:
    ids = tuple(int(w) for w in waves.loc[waves["code"].isin(current.wave_codes), "wave_id"])
    return Filters(
        wave_ids=ids or (-1,),  # an empty range shows nothing rather than everything
        segments=(current.segment,) if current.segment else None,
        channels=None if all_channels else (current.channel,),
    )
