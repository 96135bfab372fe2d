"""Feedback channels beside the survey (DOMAIN 7): per wave and channel,
the volume of responses and their tone, the overall-satisfaction index with
its 95% interval. Comment cards, complaints, praise and on-site reports are
self-selected, so they never enter the index by default; this view shows
them side by side with the survey and says so."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.analytics.indices import csi_table
from dashboard.auth.scope import Scope
from dashboard.domain import CHANNELS
from dashboard.queries import reference
from dashboard.queries.channels import response_volume
from dashboard.queries.filters import Filters
from dashboard.queries.rollups import item_moments

COLUMNS = [
    "wave",
    "channel",
    "channel_name",
    "responses",
    "rated",
    "csi",
    "csi_low",
    "csi_high",
    "suppressed",
]


def channel_view(session: Session, scope: Scope, filters: Filters, min_n: int) -> pd.DataFrame:
    """One row per wave and channel in scope: responses, respondents who
    rated overall satisfaction (`rated`) and their index (0-100, Student t
    95% interval), suppressed below `min_n` respondents. The channel filter
    is ignored (every channel is shown); the others apply."""
    every = replace(filters, channels=None)
    volume = response_volume(session, scope, every)
    if volume.empty:
        return pd.DataFrame(columns=COLUMNS)
    moments = item_moments(
        session, scope, every, by=("wave_id", "channel", "construct", "scale_min", "scale_max")
    )
    overall = moments[moments["construct"] == "overall"]
    tone = csi_table(overall, "scale_min", "scale_max", min_n=min_n) if not overall.empty else overall
    out = volume.merge(
        tone.reindex(columns=["wave_id", "channel", "n_p", "csi", "csi_low", "csi_high", "suppressed"]),
        on=["wave_id", "channel"],
        how="left",
    )
    waves = reference.waves(session).set_index("wave_id")
    out["wave"] = out["wave_id"].map(waves["code"])
    out["order"] = out["wave_id"].map(waves["period_start"])
    out["channel_name"] = out["channel"].map(CHANNELS)
    out["rated"] = out["n_p"].fillna(0).astype(int)
    out["suppressed"] = out["suppressed"].astype("boolean").fillna(True).astype(bool)
    channel_order = {c: i for i, c in enumerate(CHANNELS)}
    out = out.sort_values(
        ["order", "channel"], key=lambda c: c.map(channel_order) if c.name == "channel" else c
    )
    return out[COLUMNS].reset_index(drop=True)
