"""Gaps (/gaps plus the global filters): the five SERVQUAL gaps side by side,
customers' vs management's importance ranking, and the importance-performance
quadrant with the key drivers."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.cards import NO_RATINGS, data_table, fmt, graph_card
from dashboard.components.filter_bar import filter_bar, filter_bar_to_url
from dashboard.components.gap_figures import importance_figure, quadrant_figure
from dashboard.components.page_url import location
from dashboard.domain import ELEMENT_TEXT_COLOURS
from dashboard.services.gaps_view import gaps_view
from dashboard.services.view_state import load_global_filters, query_filters
from dashboard.urlstate import FILTER_PARAMS, PageState
from dashboard.web_context import current_runtime, current_scope

dash.register_page(__name__, path="/gaps", name="Gaps", title="Gaps - Customer satisfaction", order=3)

PAGE = PageState("gaps", "/gaps", FILTER_PARAMS)
# Short headers so the table fits a tablet; the note under the charts says
# what each gap compares.
GAP_HEADERS = (
    "Element",
    "Gap 1 belief − expectation",
    "Importance rank cust. / mgmt",
    "Gap 2 target CSI",
    "Gap 3 CSI − target",
    "Gap 4 promises kept",
    "Gap 5 P − E",
)


def layout(**query) -> html.Div:
    runtime = current_runtime()
    with runtime.read_session() as session:
        current, waves = load_global_filters(session, PAGE.parse(query))
        view = gaps_view(
            session, current_scope(), query_filters(current, waves), min_n=runtime.settings.min_n
        )
    return html.Div(
        [
            location(PAGE),
            html.H2("The five gaps", className="h4"),
            filter_bar(PAGE, waves, current),
            html.P(f"Showing {current.label}.", className="small text-muted", id="gaps-selection"),
            dcc.Loading(html.Div(_body(view), id="gaps-body")),
        ]
    )


def _body(view) -> list:
    rows = [
        html.Tr(
            [
                html.Td(r.name, style={"color": ELEMENT_TEXT_COLOURS[r.element]}, className="fw-semibold"),
                html.Td(_signed(r.gap1, 2)),
                html.Td(f"{_rank(r.customer_rank)} / {_rank(r.management_rank)}"),
                html.Td(fmt(r.target, 0)),
                html.Td(_signed(r.gap3, 1)),
                html.Td(fmt(r.gap4, 0, "%")),
                html.Td(_signed(r.gap5, 2), className="gaps-gap5"),
            ],
            id=f"gaps-row-{r.element}",
        )
        for r in view.table.itertuples()
    ]
    weighted = (
        "Weighted SERVQUAL score (gap 5 weighted by customers' importance points): "
        f"{view.weighted_servqual:+.2f}"
        if isinstance(view.weighted_servqual, float)
        else f"Weighted SERVQUAL score: {view.weighted_servqual}"
    )
    period = (
        f" submitted {view.sla['from']:%d %b %Y} to {view.sla['to']:%d %b %Y}"
        if view.sla and view.sla["from"]
        else ""
    )
    sla = (
        f"Service requests handled within SLA: {view.sla['within_pct']:.0f}% of {view.sla['n']:,}{period}."
        if view.sla
        else "No service requests in this selection."
    )
    unrated = view.table[["delivered", "gap5"]].isna().all().all()
    return [
        *([dbc.Alert(NO_RATINGS, color="info", id="gaps-empty")] if unrated else []),
        data_table(GAP_HEADERS, rows, "gaps-table"),
        html.P(
            "Gap 1 (knowledge): what management believes customers expect minus what they say they "
            "expect, on the 1-7 scale; the importance ranks compare customers' stated points with "
            "management's belief. Gap 2 (standards): the company-wide target CSI per element. Gap 3 "
            "(delivery): the delivered CSI minus that target. Gap 4 (communication): the share of "
            "published promises kept (e.g. 'answer within 24 hours'). Gap 5 (customer): perception "
            "minus expectation, 1-7. Derived importance is the LMG share of overall satisfaction's "
            "explained variance; the quadrants split at the means.",
            className="small text-muted",
        ),
        html.P([weighted, html.Br(), sla], className="small", id="gaps-summary"),
        dbc.Row(
            [
                dbc.Col(graph_card("gaps-importance", importance_figure(view.gap1)), lg=6),
                dbc.Col(graph_card("gaps-quadrants", quadrant_figure(view.drivers)), lg=6),
            ],
            className="g-3",
        ),
    ]


def _signed(value: float, digits: int) -> str:
    return "—" if value != value else f"{value:+.{digits}f}"


def _rank(value: float) -> str:
    return "—" if value != value else str(int(value))


filter_bar_to_url(PAGE)
