"""Pure figure builders for the gaps page: importance as customers and as
management see it, and the importance-performance quadrant."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.components.figures import LAYOUT, empty_figure
from dashboard.domain import ELEMENT_COLOURS, ELEMENTS


def importance_figure(gap1: pd.DataFrame) -> go.Figure:
    """Share of the 100 importance points per element: customers' answers
    beside management's belief of them (gap 1 on importance)."""
    df = gap1.dropna(subset=["customer_importance", "management_importance"], how="all")
    if df.empty:
        return empty_figure("No importance allocations in this selection")
    order = {e: i for i, e in enumerate(ELEMENTS)}
    df = df.sort_values("element", key=lambda s: s.map(order))
    names = [ELEMENTS[e] for e in df["element"]]
    colours = [ELEMENT_COLOURS[e] for e in df["element"]]
    fig = go.Figure(
        [
            go.Bar(
                x=names,
                y=df["customer_importance"],
                name="customers",
                marker=dict(color=colours),
                hovertemplate="%{x}: %{y:.1f} points (customers)<extra></extra>",
            ),
            go.Bar(
                x=names,
                y=df["management_importance"],
                name="management's belief",
                marker=dict(color=colours, pattern=dict(shape="/"), opacity=0.55),
                hovertemplate="%{x}: %{y:.1f} points (management)<extra></extra>",
            ),
        ]
    )
    fig.update_layout(
        **LAYOUT,
        title="Importance: customers vs management (of 100 points)",
        barmode="group",
        yaxis_title="mean points",
        legend=dict(orientation="h", y=-0.2),
    )
    return fig


def quadrant_figure(drivers: pd.DataFrame) -> go.Figure:
    """Importance-performance map: derived importance (share of explained
    R^2) against element CSI, split at the means into the four quadrants."""
    if drivers.empty:
        return empty_figure("Too few responses for a driver analysis")
    x, y = 100 * drivers["lmg_share"], drivers["performance"]
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            text=[ELEMENTS[e] for e in drivers["driver"]],
            textposition="top center",
            marker=dict(size=16, color=[ELEMENT_COLOURS[e] for e in drivers["driver"]]),
            customdata=drivers[["quadrant"]].to_numpy(),
            hovertemplate="%{text}<br>importance %{x:.1f}%<br>CSI %{y:.1f}"
            "<br>%{customdata[0]}<extra></extra>",
        )
    )
    fig.add_vline(x=float(x.mean()), line=dict(color="#adb5bd", dash="dash"))
    fig.add_hline(y=float(y.mean()), line=dict(color="#adb5bd", dash="dash"))
    pad_x, pad_y = max(2.0, (x.max() - x.min()) * 0.25), max(1.0, (y.max() - y.min()) * 0.25)
    corners = (
        ("Concentrate here", x.max() + pad_x, y.min() - pad_y, "right", "bottom"),
        ("Keep up the good work", x.max() + pad_x, y.max() + pad_y, "right", "top"),
        ("Low priority", x.min() - pad_x, y.min() - pad_y, "left", "bottom"),
        ("Possible overkill", x.min() - pad_x, y.max() + pad_y, "left", "top"),
    )
    for label, cx, cy, xanchor, yanchor in corners:
        fig.add_annotation(
            x=cx,
            y=cy,
            text=label,
            showarrow=False,
            xanchor=xanchor,
            yanchor=yanchor,
            font=dict(color="#6c757d"),
        )
    fig.update_layout(
        **LAYOUT,
        title="Importance-performance quadrants",
        xaxis=dict(title="derived importance (% of explained R²)", range=[x.min() - pad_x, x.max() + pad_x]),
        yaxis=dict(title="CSI (0-100)", range=[y.min() - pad_y, y.max() + pad_y]),
        showlegend=False,
    )
    return fig
