"""The feedback-channels section: each channel's volume and tone per wave
beside the survey, with the reminder that the other channels are
self-selected (DOMAIN 7)."""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.components.cards import data_table, fmt, fmt_range

BIAS_NOTE = (
    "Comment cards, complaints, praise and on-site reports are self-selected: people choose to "
    "write, and complaints and praise are one-sided by construction. They are shown beside the "
    "survey for their volume and tone and never enter the index unless chosen in the channel filter."
)


def channel_section(channels: pd.DataFrame) -> list:
    if channels.empty:
        return [html.H3("Feedback channels", className="h5 mt-4"), html.P("No responses in this selection.")]
    rows = [
        html.Tr(
            [
                html.Td(r.wave),
                html.Td(r.channel_name),
                html.Td(f"{r.responses:,}"),
                html.Td(f"{r.rated:,}"),
                html.Td("—" if r.suppressed else fmt(r.csi)),
                html.Td("too few rated" if r.suppressed else fmt_range(r.csi_low, r.csi_high)),
            ],
            id=f"gaps-channel-{r.wave}-{r.channel}",
        )
        for r in channels.itertuples()
    ]
    headers = ("Wave", "Channel", "Responses", "Rated overall", "Index (0-100)", "95% CI")
    return [
        html.H3("Feedback channels", className="h5 mt-4"),
        html.P(BIAS_NOTE, className="small text-muted", id="gaps-channel-note"),
        data_table(headers, rows, "gaps-channels", size="sm"),
    ]
