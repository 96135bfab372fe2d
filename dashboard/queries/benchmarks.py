"""External benchmarks as imported (published indices, not the viewer's
data, so no scope applies)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.db.models import ExternalBenchmark


def external_benchmarks(session: Session) -> pd.DataFrame:
    b = ExternalBenchmark
    stmt = select(b.source, b.period, b.year, b.element, b.index_value, b.note).order_by(
        b.year.desc(), b.period.desc(), b.source, b.element
    )
    columns = ["source", "period", "year", "element", "index", "note"]
    return pd.DataFrame(session.execute(stmt).all(), columns=columns)
