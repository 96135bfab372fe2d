"""The gaps summary's vocabulary: its columns and statuses, one row
builder, what each gap is computed from and what to import when an input is
missing (the gaps page and `csat metrics gaps` say it in the same words)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
from sqlalchemy.orm import Session

from dashboard.domain import ELEMENTS, REPRESENTATIVE_CHANNEL
from dashboard.queries import reference
from dashboard.queries.filters import Filters

SUMMARY_COLUMNS = [
    "gap",
    "element",
    "measure",
    "value",
    "ci_low",
    "ci_high",
    "n",
    "n_of",
    "unit",
    "method",
    "source",
    "status",
]
SHOWN, TOO_FEW, MISSING = "shown", "too few respondents", "missing input"
WELCH = "Welch t (customers' vs managers' means)"
STUDENT = "Student t"

# One command per input, as a user types it.
IMPORT = {
    "management_survey": "`csat import management_survey` (with a management template)",
    "standards": "`csat import standards`",
    "audits": "`csat import audits`",
    "promises": "`csat import promises`",
    "service_requests": "`csat import service_requests`",
    "expectations": "`csat import responses` with expectation (`_E`) columns",
    "perceptions": "`csat import responses`",
}
WHAT = {
    "management_survey": "management's beliefs (a management survey)",
    "standards": "service standards",
    "audits": "delivery audits",
    "promises": "published promises",
    "service_requests": "service requests",
    "expectations": "customers' expectations",
    "perceptions": "customers' ratings",
}


def needs(gap: int, inputs: list[str], imported: dict[str, int], element: str | None = None) -> list[str]:
    """One sentence per missing input: 'gap 2 needs service standards:
    import them with `csat import standards`' when nothing of that kind was
    imported; otherwise the input exists but none of it (for `element`)
    falls in the viewer's scope and selection."""
    out = []
    for kind in inputs:
        if imported.get(kind, 1) == 0:
            out.append(f"gap {gap} needs {WHAT[kind]}: import them with {IMPORT[kind]}")
        else:
            of = f" for {ELEMENTS[element]}" if element else ""
            out.append(
                f"gap {gap} needs {WHAT[kind]}{of} in this selection (none in your scope, units or period)"
            )
    return out


def wave_label(session: Session, filters: Filters) -> str:
    """The responses a customer-side number comes from: waves and channels."""
    waves = reference.waves(session)
    if filters.wave_ids:
        waves = waves[waves["wave_id"].isin(filters.wave_ids)]
    codes = ", ".join(waves["code"]) or "no wave"
    channels = ", ".join(filters.channels) if filters.channels else "every channel"
    if filters.channels == (REPRESENTATIVE_CHANNEL,):
        channels = "survey channel"
    return f"responses, waves {codes} ({channels})"


def period_text(start: date | None, end: date) -> str:
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}" if start else f"up to {end:%Y-%m-%d}"


def survey_dates(first, last) -> str:
    if first is None:
        return "no answers"
    first, last = (pd.Timestamp(d).date() for d in (first, last))
    return f"surveyed {first:%Y-%m-%d}" + ("" if first == last else f" to {last:%Y-%m-%d}")


def around(value: float, half: float) -> tuple[float, float]:
    return (value - half, value + half) if half == half else (math.nan, math.nan)


def row(gap, element, measure, value, interval, n, n_of, unit, method, source, status=SHOWN) -> dict:
    """One line of the summary; a suppressed or missing line keeps its n."""
    low, high = interval
    if status != SHOWN:
        value = low = high = math.nan
    return dict(
        zip(
            SUMMARY_COLUMNS,
            [gap, element, measure, value, low, high, int(n), n_of, unit, method, source, status],
            strict=True,
        )
    )
