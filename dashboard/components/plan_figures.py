"""The plan-effect chart: the plan unit against the pooled comparison units,
wave by wave, with the plan's milestones marked."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.figures import LAYOUT, empty_figure, line_trace
from dashboard.domain import ELEMENT_COLOURS


def plan_effect_figure(
    series: pd.DataFrame, element: str, start: date, due: date, milestones: list[tuple[date, str]]
) -> go.Figure:
    """`series`: code, period_start, group, n, index. Vertical lines at the
    start and due dates; action due dates as markers on the top axis. The
    comparison line appears only when `series` holds it (a viewer whose scope
    covers the comparison units)."""
    if series.empty:
        return empty_figure("Too few responses to draw this unit's trend")
    fig = go.Figure()
    styles = {
        "plan unit": dict(color=ELEMENT_COLOURS.get(element, "#0d6efd"), width=3),
        "comparison units": dict(color="#6c757d", width=2, dash="dot"),
    }
    for group, part in series.groupby("group", sort=False):
        fig.add_trace(
            line_trace(
                part["period_start"],
                part["index"],
                group,
                styles.get(group, {}),
                part[["code", "n"]],
                "%{customdata[0]}: %{y:.1f} (n = %{customdata[1]})<extra>" + group + "</extra>",
            )
        )
    for when, label, colour in ((start, "plan start", "#198754"), (due, "due", "#dc3545")):
        fig.add_vline(x=when.isoformat(), line=dict(color=colour, dash="dash", width=1))
        fig.add_annotation(
            x=when.isoformat(),
            y=1.02,
            yref="paper",
            text=label,
            showarrow=False,
            font=dict(color=colour, size=11),
        )
    if milestones:
        fig.add_trace(
            go.Scatter(
                x=[d for d, _ in milestones],
                y=[series["index"].max() + 2] * len(milestones),
                mode="markers",
                marker=dict(symbol="diamond", size=10, color="#0d6efd"),
                name="actions due",
                text=[t for _, t in milestones],
                hovertemplate="%{x|%Y-%m-%d}: %{text}<extra></extra>",
            )
        )
    fig.update_layout(
        **LAYOUT,
        title="Targeted element, plan unit vs comparison units (index 0-100)"
        if (series["group"] == "comparison units").any()
        else "Targeted element, plan unit (index 0-100)",
        legend=dict(orientation="h", y=-0.2),
        yaxis_title="Index (0-100)",
    )
    return fig
