"""Figures for the gaps page: customers' vs management's importance, and
the importance-performance quadrant."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.figures import LAYOUT, empty_figure
from dashboard.domain import ELEMENT_COLOURS, ELEMENTS


def importance_comparison(gap1: pd.DataFrame) -> go.Figure:
    """Points out of 100 each side gives the five elements (gap 1)."""
    if gap1.empty:
        return empty_figure("No importance data")
    names = [ELEMENTS.get(e, e) for e in gap1["element"]]
    fig = go.Figure(
        [
            go.Bar(x=names, y=gap1["customer_importance"], name="customers", marker_color="#0d6efd"),
            go.Bar(x=names, y=gap1["management_importance"], name="management", marker_color="#adb5bd"),
        ]
    )
    fig.update_layout(**LAYOUT, barmode="group", title="Importance: customers vs management (points of 100)")
    return fig


def ipa_quadrant(drivers: pd.DataFrame) -> go.Figure:
    """Derived importance (share of explained variance) against performance
    (CSI); the lines are the means, which define the four quadrants."""
    if drivers.empty or drivers["derived_share"].isna().all():
        return empty_figure("Too few complete responses for driver analysis")
    x = 100 * drivers["derived_share"]
    y = drivers["performance"]
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            text=drivers["element_name"],
            textposition="top center",
            marker=dict(size=16, color=[ELEMENT_COLOURS.get(e, "#888") for e in drivers["driver"]]),
            customdata=drivers[["quadrant"]],
            hovertemplate="%{text}: importance %{x:.1f}%, CSI %{y:.1f}<br>%{customdata[0]}<extra></extra>",
        )
    )
    fig.add_vline(x=float(x.mean()), line=dict(color="#adb5bd", dash="dot"))
    fig.add_hline(y=float(y.mean()), line=dict(color="#adb5bd", dash="dot"))
    for label, xa, ya in (
        ("Concentrate here", 1, 0),
        ("Keep up the good work", 1, 1),
        ("Low priority", 0, 0),
        ("Possible overkill", 0, 1),
    ):
        fig.add_annotation(
            text=label,
            xref="paper",
            yref="paper",
            x=0.98 if xa else 0.02,
            y=0.02 if not ya else 0.98,
            xanchor="right" if xa else "left",
            showarrow=False,
            font=dict(size=11, color="#6c757d"),
        )
    fig.update_layout(
        **LAYOUT,
        title="Importance-performance (derived importance: LMG share of R²)",
        xaxis_title="Derived importance (% of explained variance)",
        yaxis_title="Performance (CSI)",
        showlegend=False,
    )
    return fig
