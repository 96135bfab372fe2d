"""Pure Plotly figure builders: DataFrame in, figure out. No data access,
so they are unit-tested without a browser and reused by exports."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.analytics.ranking import rank_labels
from dashboard.domain import ELEMENT_COLOURS, ELEMENTS

# A short modebar (image download, reset): on touch screens plotly shows it
# permanently, and the full bar covered chart titles on tablets.
GRAPH_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": [
        "zoom2d",
        "pan2d",
        "select2d",
        "lasso2d",
        "zoomIn2d",
        "zoomOut2d",
        "autoScale2d",
        "toggleSpikelines",
        "hoverClosestCartesian",
        "hoverCompareCartesian",
    ],
}

LAYOUT = dict(
    template="plotly_white",
    margin=dict(l=50, r=20, t=50, b=40),
    height=340,
    font=dict(family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size=13),
)


def line_trace(x, y, name: str, line: dict, customdata, hovertemplate: str) -> go.Scatter:
    """A trend line with a marker per wave (the index-over-time charts)."""
    return go.Scatter(
        x=x,
        y=y,
        mode="lines+markers",
        name=name,
        line=line,
        customdata=customdata,
        hovertemplate=hovertemplate,
    )


def marker_trace(x, y, name: str, marker: dict, **extra) -> go.Scatter:
    """Points without lines: ranked units, their shrunk estimates, targets."""
    return go.Scatter(x=x, y=y, mode="markers", name=name, marker=marker, **extra)


def empty_figure(message: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(
        text=message,
        showarrow=False,
        font=dict(size=15, color="#6c757d"),
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
    )
    fig.update_layout(**LAYOUT, xaxis=dict(visible=False), yaxis=dict(visible=False))
    return fig


def nothing_to_show(df: pd.DataFrame) -> str:
    """Why a chart is empty: no responses at all, or too few to show."""
    n = df["n"].fillna(0) if "n" in df else pd.Series(dtype=float)
    if df.empty or n.sum() == 0:
        return "No responses in this selection"
    return f"Too few responses to show (at most n = {int(n.max()):,} per group)"


def ci_whiskers(df: pd.DataFrame, colour: str) -> dict:
    """Asymmetric error bars from `csi` to `csi_low` and `csi_high`."""
    return dict(
        type="data",
        symmetric=False,
        array=df["csi_high"] - df["csi"],
        arrayminus=df["csi"] - df["csi_low"],
        color=colour,
    )


def _ci_band(fig: go.Figure, df: pd.DataFrame) -> None:
    """The 95% CI as one shaded polygon per run of shown points, so the band
    breaks where the line does; a lone point gets an error bar instead."""
    shown = df["csi"].notna().to_numpy()
    run = (shown != pd.Series(shown).shift(fill_value=False).to_numpy()).cumsum()
    first = True
    for _, part in df[shown].groupby(run[shown]):
        if len(part) == 1:
            fig.add_trace(
                go.Scatter(
                    x=part["label"],
                    y=part["csi"],
                    mode="markers",
                    marker=dict(size=1, color="rgba(13,110,253,0.5)"),
                    error_y=ci_whiskers(part, "rgba(13,110,253,0.5)"),
                    hoverinfo="skip",
                    showlegend=False,
                )
            )
            continue
        fig.add_trace(
            go.Scatter(
                x=[*part["label"], *part["label"][::-1]],
                y=[*part["csi_high"], *part["csi_low"][::-1]],
                mode="lines",
                line=dict(width=0),
                fill="toself",
                fillcolor="rgba(13,110,253,0.15)",
                name="95% CI",
                legendgroup="ci",
                showlegend=first,
                hoverinfo="skip",
            )
        )
        first = False


def trend_figure(df: pd.DataFrame, title: str, y_title: str = "CSI (0-100)") -> go.Figure:
    """Line of `csi` over `label` with a shaded 95% CI (`csi_low`, `csi_high`);
    suppressed points (csi NaN) leave gaps instead of inventing numbers."""
    if df.empty or df["csi"].isna().all():
        return empty_figure(nothing_to_show(df))
    fig = go.Figure()
    _ci_band(fig, df)
    fig.add_trace(
        line_trace(
            df["label"],
            df["csi"],
            y_title,
            dict(color="#0d6efd", width=2),
            df[["csi_low", "csi_high", "n"]].to_numpy(),
            "%{x}<br>%{y:.1f} (95% CI %{customdata[0]:.1f}-%{customdata[1]:.1f})"
            "<br>n = %{customdata[2]:,}<extra></extra>",
        )
    )
    fig.update_layout(
        **LAYOUT,
        title=title,
        yaxis_title=y_title,
        # the band's polygons list waves out of order: keep the waves' order
        xaxis=dict(categoryorder="array", categoryarray=list(df["label"])),
        hovermode="x unified",
        legend=dict(orientation="h", y=-0.2),
    )
    return fig


def element_bars(df: pd.DataFrame, title: str, target_col: str | None = None) -> go.Figure:
    """One bar per RATER element (`element`, `csi`, `csi_low`, `csi_high`, `n`) in
    the element's fixed colour, with CI whiskers and optional target marks."""
    if df.empty or df["csi"].isna().all():
        return empty_figure(nothing_to_show(df))
    names = [ELEMENTS.get(e, e) for e in df["element"]]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=df["csi"],
            marker_color=[ELEMENT_COLOURS.get(e, "#888") for e in df["element"]],
            error_y=ci_whiskers(df, "#444"),
            customdata=df[["n"]].to_numpy(),
            name="score",
            hovertemplate="%{x}: %{y:.1f}<br>n = %{customdata[0]:,} respondents<extra></extra>",
        )
    )
    if target_col and target_col in df:
        target_mark = dict(symbol="line-ew-open", size=34, color="#dc3545", line=dict(width=3))
        fig.add_trace(marker_trace(names, df[target_col], "target", target_mark))
    fig.update_layout(
        **LAYOUT, title=title, yaxis=dict(title="CSI (0-100)", range=[0, 100]), showlegend=bool(target_col)
    )
    return fig


def ranking_figure(df: pd.DataFrame, title: str, rank: str = "rank") -> go.Figure:
    """Forest plot: each ranked unit's raw index with its 95% CI, and the
    shrunk (empirical-Bayes) estimate the order is based on. Units are
    labelled ("Name (CODE)", the `label` column) with the `rank` column (the pages pass the rank the pairwise
    tests support), ordered by it and then by the shrunk estimate's rank."""
    ranked = df[df["status"] == "ranked"].sort_values(list(dict.fromkeys([rank, "rank"])), ascending=False)
    if ranked.empty:
        return empty_figure("No unit has enough responses to be ranked")
    # "#2 B01", or "=1 ACC" for a rank shared with other units
    ranks = [r if r.startswith("=") else f"#{r}" for r in rank_labels(ranked[rank])]
    labels = [f"{r} {c}" for r, c in zip(ranks, ranked["label"], strict=True)]
    fig = go.Figure()
    fig.add_trace(
        marker_trace(
            ranked["mean"],
            labels,
            "index (95% CI)",
            dict(color="#6c757d", size=8),
            error_x=dict(
                type="data",
                symmetric=False,
                array=ranked["ci_high"] - ranked["mean"],
                arrayminus=ranked["mean"] - ranked["ci_low"],
                color="#adb5bd",
            ),
            customdata=ranked[["n"]].to_numpy(),
            hovertemplate="%{y}: %{x:.1f}<br>n = %{customdata[0]:,.0f}<extra></extra>",
        )
    )
    shrunk_mark = dict(color="#0d6efd", symbol="diamond", size=10)
    fig.add_trace(marker_trace(ranked["shrunk"], labels, "shrunk estimate (ranked on)", shrunk_mark))
    fig.update_layout(
        **{**LAYOUT, "height": max(260, 34 * len(ranked) + 120)},
        title=title,
        xaxis_title="CSI (0-100)",
        legend=dict(orientation="h", y=-0.15),
    )
    return fig
