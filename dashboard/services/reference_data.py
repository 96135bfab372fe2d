"""Reference data as the pages show it (labels, filter options): the waves
and the branch x department units the viewer may see."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.auth.scope import Scope
from dashboard.queries import reference


def waves(session: Session) -> pd.DataFrame:
    """wave_id, code, name, period_start, period_end; oldest first."""
    return reference.waves(session)


def units(session: Session, scope: Scope) -> pd.DataFrame:
    """The viewer's units with branch and department ids, codes and names."""
    return reference.units(session, scope)
