"""Feedback volume per wave and channel (DOMAIN 7): how many responses
each channel brought, whether or not they carry ratings."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.db.models import Response
from dashboard.queries.filters import Filters, where


def response_volume(session: Session, scope: Scope, filters: Filters) -> pd.DataFrame:
    """Responses per wave and channel in scope and filters (every channel
    when `filters.channels` is None)."""
    r = Response.__table__
    stmt = (
        select(r.c.wave_id, r.c.channel, func.count())
        .where(*where(r, scope, filters))
        .group_by(r.c.wave_id, r.c.channel)
        .order_by(r.c.wave_id, r.c.channel)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=["wave_id", "channel", "responses"])
