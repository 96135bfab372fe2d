"""The state of a view as it lives in the URL query string: the global filter
bar (wave range, segment, channel) plus page-specific keys. Parsing never
trusts the URL: unknown values fall back to defaults, ids come from codes
looked up on the server."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.domain import CHANNELS, REPRESENTATIVE_CHANNEL
from dashboard.queries import reference
from dashboard.queries.filters import Filters

SEGMENTS = ("retail", "sme", "corporate")
GLOBAL_KEYS = ("from", "to", "segment", "channel")


def parse_search(search: str | None) -> dict[str, str]:
    """Query string -> dict of single string values (the last one wins)."""
    if not isinstance(search, str):
        return {}
    return {k: v for k, v in parse_qsl(search.lstrip("?"), keep_blank_values=False) if isinstance(v, str)}


def with_changes(state: dict[str, str], **changes: str | None) -> str:
    """A query string from `state` with `changes` applied (None removes a key)."""
    merged = {**state}
    for key, value in changes.items():
        if value in (None, "", []):
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return "?" + urlencode(merged) if merged else ""


@dataclass(frozen=True)
class GlobalFilters:
    wave_from: str | None
    wave_to: str | None
    segment: str | None
    channel: str
    wave_codes: tuple[str, ...]  # the waves in range, oldest first

    def to_filters(self, waves: pd.DataFrame, all_channels: bool = False) -> Filters:
        ids = tuple(int(w) for w in waves.loc[waves["code"].isin(self.wave_codes), "wave_id"])
        return Filters(
            wave_ids=ids or (-1,),  # an empty range shows nothing rather than everything
            segments=(self.segment,) if self.segment else None,
            channels=None if all_channels else (self.channel,),
        )

    @property
    def label(self) -> str:
        span = (
            self.wave_codes[0]
            if len(self.wave_codes) == 1
            else f"{self.wave_codes[0]} to {self.wave_codes[-1]}"
        )
        parts = [span if self.wave_codes else "no waves"]
        if self.segment:
            parts.append(f"segment {self.segment}")
        parts.append(CHANNELS.get(self.channel, self.channel).split(" (")[0].lower())
        return ", ".join(parts)


def global_filters(waves: pd.DataFrame, state: dict[str, str], default_span: int = 4) -> GlobalFilters:
    """Default: the last `default_span` waves, all segments, surveys."""
    codes = list(waves["code"])
    to = state.get("to") if state.get("to") in codes else (codes[-1] if codes else None)
    start_default = codes[max(0, codes.index(to) - default_span + 1)] if to else None
    start = state.get("from") if state.get("from") in codes else start_default
    if start and to and codes.index(start) > codes.index(to):
        start, to = to, start
    in_range = tuple(codes[codes.index(start) : codes.index(to) + 1]) if start and to else ()
    segment = state.get("segment") if state.get("segment") in SEGMENTS else None
    channel = state.get("channel") if state.get("channel") in CHANNELS else REPRESENTATIVE_CHANNEL
    return GlobalFilters(start, to, segment, channel, in_range)


def load_global_filters(session: Session, state: dict[str, str]) -> tuple[GlobalFilters, pd.DataFrame]:
    waves = reference.waves(session)
    return global_filters(waves, state), waves


def valid_filter_changes(session: Session, wave_from, wave_to, segment, channel) -> dict[str, str | None]:
    """Filter-bar values as URL keys, dropping anything that is not a known
    wave, segment or channel (None removes the key: the default applies)."""
    codes = set(reference.waves(session)["code"])

    def known(value, allowed):
        return value if isinstance(value, str) and value in allowed else None

    return {
        "from": known(wave_from, codes),
        "to": known(wave_to, codes),
        "segment": known(segment, SEGMENTS),
        "channel": known(channel, CHANNELS),
    }
