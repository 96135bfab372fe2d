"""Filters a page applies on top of the viewer's scope, and `where`, which
turns scope (through queries.scope_sql) + filters into WHERE clauses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false

from dashboard.auth.scope import Scope
from dashboard.domain import REPRESENTATIVE_CHANNEL
from dashboard.queries.scope_sql import scope_clauses


@dataclass(frozen=True)
class Filters:
    """What the user chose; every field narrows, none widens the scope."""

    wave_ids: tuple[int, ...] | None = None
    branch_ids: tuple[int, ...] | None = None
    department_ids: tuple[int, ...] | None = None
    segments: tuple[str, ...] | None = None
    # Only surveys are representative (DOMAIN 7), so that is the default.
    channels: tuple[str, ...] | None = (REPRESENTATIVE_CHANNEL,)

    @property
    def needs_segment_grain(self) -> bool:
        return self.segments is not None

    def cache_key(self) -> str:
        return repr(self)


def filter_clauses(table, filters: Filters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    pairs = (
        (filters.wave_ids, "wave_id"),
        (filters.branch_ids, "branch_id"),
        (filters.department_ids, "department_id"),
        (filters.channels, "channel"),
        (filters.segments, "segment"),
    )
    for values, name in pairs:
        if values is None or name not in table.c:
            continue
        clauses.append(table.c[name].in_(list(values)) if values else false())
    return clauses


def where(table, scope: Scope, filters: Filters) -> list[ColumnElement[bool]]:
    return scope_clauses(table, scope) + filter_clauses(table, filters)
