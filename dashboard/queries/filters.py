"""Filters a page applies on top of the viewer's scope, and the one helper
that turns scope + filters into WHERE clauses."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, true

from dashboard.auth.scope import Scope
from dashboard.domain import REPRESENTATIVE_CHANNEL


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


def scope_clauses(table, scope: Scope) -> list[ColumnElement[bool]]:
    """WHERE clauses restricting `table` (with branch_id/department_id
    columns) to the scope. An empty allowed set yields FALSE, never 'all'."""
    clauses: list[ColumnElement[bool]] = []
    for ids, column in ((scope.branch_ids, table.c.branch_id), (scope.department_ids, table.c.department_id)):
        if ids is None:
            continue
        clauses.append(column.in_(sorted(ids)) if ids else false())
    return clauses or [true()]


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
