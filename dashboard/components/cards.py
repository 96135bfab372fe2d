"""Small reusable UI pieces."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.figures import GRAPH_CONFIG
from dashboard.domain import ELEMENT_TEXT_COLOURS, ELEMENTS

# complaints and praise usually arrive without RATER ratings (DOMAIN 7)
NO_RATINGS = (
    "No RATER ratings in this selection. Complaints and praise are usually recorded without "
    "ratings; the survey channel is the representative one."
)


def kpi_card(title: str, value: str, detail: str, card_id: str, tone: str = "primary") -> dbc.Card:
    """A headline number with its honest small print (n, CI, test)."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(title, className="text-muted small text-uppercase"),
                html.Div(value, className=f"fs-2 fw-semibold text-{tone}", id=f"{card_id}-value"),
                html.Div(detail, className="small text-muted", id=f"{card_id}-detail"),
            ]
        ),
        className="h-100 shadow-sm",
        id=card_id,
    )


def fmt(value: float | None, digits: int = 1, suffix: str = "") -> str:
    """Format a number, or an em dash when it is suppressed/absent."""
    if value is None or value != value:  # NaN
        return "—"
    return f"{value:.{digits}f}{suffix}"


def fmt_range(low: float | None, high: float | None, digits: int = 1) -> str:
    """An interval "low-high", or one em dash when it is suppressed."""
    if fmt(low) == "—" or fmt(high) == "—":
        return "—"
    return f"{fmt(low, digits)}-{fmt(high, digits)}"


def signed(value: float | None, digits: int = 1) -> str:
    """A signed difference; what rounds to zero shows as +0.0, never -0.0."""
    if value is None or value != value:
        return "—"
    return f"{round(value, digits) + 0.0:+.{digits}f}"


def graph_card(graph_id: str, figure) -> dbc.Card:
    """A figure in a card, without Plotly's logo in the mode bar."""
    return dbc.Card(dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG), className="shadow-sm")


def data_table(headers: list | tuple, rows: list, table_id: str, **options) -> dbc.Table:
    """A compact table that scrolls sideways inside its card on narrow screens.
    A header is a text or an `html.Th` (for its own class); `options` are
    dbc.Table's (striped=True, hover=False, ...)."""
    cells = [h if isinstance(h, html.Th) else html.Th(h) for h in headers]
    return dbc.Table(
        [html.Thead(html.Tr(cells)), html.Tbody(rows)],
        **{"size": "sm", "hover": True, "responsive": True, **options},
        id=table_id,
    )


def drill_links(href_for: dict[str, str], id_prefix: str) -> html.Div:
    """'Drill into' links, one per RATER element in its colour; `href_for`
    maps element code -> the drill-down's URL (urlstate.DRILL.href)."""
    links = [
        dcc.Link(
            name,
            href=href_for[code],
            id=f"{id_prefix}-{code}",
            className="me-3",
            style={"color": ELEMENT_TEXT_COLOURS[code]},
        )
        for code, name in ELEMENTS.items()
    ]
    return html.Div([html.Span("Drill into: ", className="text-muted me-2"), *links], className="mt-2 small")
