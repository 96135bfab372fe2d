"""Gaps (/gaps plus the global filters): the five SERVQUAL gaps side by side,
customers' vs management's importance ranking, and the importance-performance
quadrant with the key drivers."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.cards import NO_RATINGS, data_table, fmt, graph_card
from dashboard.components.channel_section import channel_section
from dashboard.components.filter_bar import filter_bar, filter_bar_to_url
from dashboard.components.gap_figures import importance_figure, quadrant_figure
from dashboard.components.page_url import location
from dashboard.domain import ELEMENT_TEXT_COLOURS
from dashboard.services.channel_view import channel_view
from dashboard.services.gaps_view import CELLS, gaps_view
from dashboard.services.view_state import load_global_filters, query_filters
from dashboard.urlstate import FILTER_PARAMS, PageState
from dashboard.web_context import current_runtime, current_scope

dash.register_page(__name__, path="/gaps", name="Gaps", title="Gaps - Customer satisfaction", order=3)

PAGE = PageState("gaps", "/gaps", FILTER_PARAMS)
# Short headers so the table fits a tablet; the sources table under it says
# what each gap compares, on which scale, from which data.
GAP_HEADERS = (
    "Element",
    "Gap 1 belief − expectation",
    "Importance rank cust. / mgmt",
    "Gap 2 target − belief",
    "Gap 3 survey − target",
    "Gap 3 audits − target",
    "Gap 4 promises kept",
    "Gap 5 P − E",
)
DIGITS = {"gap1": 2, "gap2": 1, "gap3": 1, "gap3_audit": 1, "gap4": 0, "gap5": 2}


def layout(**query) -> html.Div:
    runtime = current_runtime()
    with runtime.read_session() as session:
        current, waves = load_global_filters(session, PAGE.parse(query))
        filters = query_filters(current, waves)
        view = gaps_view(session, current_scope(), filters, runtime.settings.min_n)
        channels = channel_view(session, current_scope(), filters, runtime.settings.min_n)
    return html.Div(
        [
            location(PAGE),
            html.H2("The five gaps", className="h4"),
            filter_bar(PAGE, waves, current),
            html.P(f"Showing {current.label}.", className="small text-muted", id="gaps-selection"),
            dcc.Loading(html.Div([*_body(view), *channel_section(channels)], id="gaps-body")),
        ]
    )


def _cell(view, key: str, element: str) -> html.Td:
    """A gap's value over its 95% interval and n; suppressed and missing
    cells say so instead of a number."""
    gap, measure = CELLS[key]
    found = view.summary[
        (view.summary["gap"] == gap)
        & (view.summary["measure"] == measure)
        & (view.summary["element"] == element)
    ]
    digits = DIGITS[key]
    r = found.iloc[0] if not found.empty else None
    if r is None:  # gap 4 lists only elements with a published promise
        value, detail = "—", "no promise"
    elif r.status == "too few respondents":
        detail = f"too few: n = {r.n} < {view.min_n}"
    elif r.status == "missing input":
        detail = "input missing"
    else:
        interval = f"[{r.ci_low:.{digits}f}, {r.ci_high:.{digits}f}]" if r.ci_low == r.ci_low else "[—]"
        detail = f"{interval} n = {r.n_of}"
    if r is not None:
        value = fmt(r.value, digits, "%") if key == "gap4" else _signed(r.value, digits)
    return html.Td(
        [html.Span(value, className="gaps-value"), html.Br(), html.Small(detail, className="text-muted")],
        id=f"gaps-{key}-{element}",
    )


def _sources(view) -> dbc.Table:
    """What each gap compares: measure, scale, interval method and source."""
    table = view.summary.drop_duplicates(["gap", "measure", "source"])
    rows = [
        html.Tr(
            [
                html.Td(f"Gap {r.gap}"),
                html.Td(r.measure),
                html.Td(r.unit),
                html.Td(r.method),
                html.Td(r.source),
            ]
        )
        for r in table.itertuples()
    ]
    return data_table(("Gap", "Measure", "Scale", "95% interval", "Source"), rows, "gaps-sources", size="sm")


def _body(view) -> list:
    rows = [
        html.Tr(
            [
                html.Td(r.name, style={"color": ELEMENT_TEXT_COLOURS[r.element]}, className="fw-semibold"),
                _cell(view, "gap1", r.element),
                html.Td(f"{_rank(r.customer_rank)} / {_rank(r.management_rank)}"),
                *(_cell(view, key, r.element) for key in ("gap2", "gap3", "gap3_audit", "gap4", "gap5")),
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
    missing = [html.Li(_with_code(message)) for messages in view.missing.values() for message in messages]
    return [
        *([dbc.Alert(NO_RATINGS, color="info", id="gaps-empty")] if unrated else []),
        *(
            [dbc.Alert([html.Strong("Missing inputs"), html.Ul(missing)], color="warning", id="gaps-missing")]
            if missing
            else []
        ),
        data_table(GAP_HEADERS, rows, "gaps-table"),
        html.P(
            "Each gap per element, its 95% interval in brackets and n (customers and managers "
            "count once each; audits and service requests as records). Gap 1 (knowledge): what "
            "management believes customers expect minus what customers say they expect. Gap 2 "
            "(standards): the company-wide target minus management's belief as an index. Gap 3 "
            "(delivery): the delivered index, from the survey and from the audits, minus the "
            "target. Gap 4 (communication): the share of service requests meeting the published "
            "promises. Gap 5 (customer): perception minus expectation. Groups of fewer than "
            f"{view.min_n} respondents are not shown. Derived importance is the LMG share of "
            "overall satisfaction's explained variance; the quadrants split at the means.",
            className="small text-muted",
        ),
        _sources(view),
        html.P([weighted, html.Br(), sla], className="small", id="gaps-summary"),
        dbc.Row(
            [
                dbc.Col(graph_card("gaps-importance", importance_figure(view.gap1)), lg=6),
                dbc.Col(graph_card("gaps-quadrants", quadrant_figure(view.drivers)), lg=6),
            ],
            className="g-3",
        ),
    ]


def _with_code(message: str) -> list:
    """A message with its `commands` set as code."""
    parts = message.split("`")
    return [html.Code(part) if i % 2 else part for i, part in enumerate(parts)]


def _signed(value: float, digits: int) -> str:
    return "—" if value != value else f"{value:+.{digits}f}"


def _rank(value: float) -> str:
    return "—" if value != value else str(int(value))


filter_bar_to_url(PAGE)
