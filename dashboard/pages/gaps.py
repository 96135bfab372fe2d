"""The five SERVQUAL gaps side by side, customers' vs management's
importance, and the importance-performance quadrant with derived drivers.
Wave range, segment and channel live in the URL (global filter bar)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components.cards import fmt, graph_card
from dashboard.components.filter_bar import filter_bar, filter_inputs
from dashboard.components.gap_figures import importance_comparison, ipa_quadrant
from dashboard.domain import ELEMENTS
from dashboard.services.metrics import drivers
from dashboard.services.metrics_cli import gaps_report
from dashboard.services.view_state import load_global_filters, valid_filter_changes, with_changes
from dashboard.web_context import current_runtime, current_scope

dash.register_page(__name__, path="/gaps", name="Gaps", title="Gaps - Customer satisfaction", order=3)

PREFIX = "gaps"


def layout(**query) -> html.Div:
    state = {k: v for k, v in query.items() if isinstance(v, str)}
    runtime, scope = current_runtime(), current_scope()
    with runtime.read_session() as session:
        current, waves = load_global_filters(session, state)
        filters = current.to_filters(waves)
        report = gaps_report(session, scope, filters)
        driver_table = drivers(session, scope, filters)
    gap1 = report["gap1_knowledge"]
    return html.Div(
        [
            dcc.Location(id="gaps-url", refresh="callback-nav"),
            dcc.Store(id="gaps-state", data=state),
            html.H2("The five gaps", className="h4"),
            filter_bar(PREFIX, waves, current),
            html.P(
                f"Showing {current.label}. "
                "Management surveys and service standards are not filtered by wave.",
                className="small text-muted",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _card(
                            "Gap 1 · Knowledge: what management thinks customers expect",
                            _gap1(gap1),
                            "gaps-gap1",
                        ),
                        lg=12,
                    ),
                    dbc.Col(
                        _card(
                            "Gap 2 · Standards: targets vs what customers value",
                            _gap2(report["gap2_standards"]),
                            "gaps-gap2",
                        ),
                        lg=4,
                    ),
                    dbc.Col(
                        _card(
                            "Gap 3 · Delivery: standards vs what is delivered",
                            _gap3(report["gap3_delivery"]),
                            "gaps-gap3",
                        ),
                        lg=4,
                    ),
                    dbc.Col(
                        _card(
                            "Gap 4 · Communication: promises vs what is kept",
                            _gap4(report["gap4_communication"]),
                            "gaps-gap4",
                        ),
                        lg=4,
                    ),
                    dbc.Col(
                        _card(
                            "Gap 5 · Customer: perception minus expectation (SERVQUAL)",
                            _gap5(report["gap5_customer"]),
                            "gaps-gap5",
                        ),
                        lg=12,
                    ),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        graph_card("gaps-importance", importance_comparison(gap1)),
                        lg=6,
                    ),
                    dbc.Col(
                        graph_card("gaps-ipa", ipa_quadrant(driver_table)),
                        lg=6,
                    ),
                ],
                className="g-3 mt-1",
            ),
        ]
    )


def _card(title: str, body, card_id: str) -> dbc.Card:
    return dbc.Card([dbc.CardHeader(title), dbc.CardBody(body)], className="h-100 shadow-sm", id=card_id)


def _table(headers, rows, table_id) -> dbc.Table:
    body = [html.Tr([html.Td(c) for c in row]) for row in rows]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(body)],
        size="sm",
        responsive=True,
        id=table_id,
        className="mb-0",
    )


def _rank(value) -> str:
    return "—" if value != value else str(int(value))


def _gap1(gap1) -> dbc.Table:
    rows = [
        (
            ELEMENTS.get(r.element, r.element),
            fmt(r.customer_expectation, 2),
            fmt(r.management_belief, 2),
            fmt(r.expectation_gap, 2),
            _rank(r.customer_importance_rank),
            _rank(r.management_importance_rank),
        )
        for r in gap1.itertuples()
    ]
    return _table(
        [
            "Element",
            "Customers expect",
            "Management believes",
            "Difference",
            "Customer rank",
            "Management rank",
        ],
        rows,
        "gaps-gap1-table",
    )


def _gap2(gap2) -> dbc.Table:
    rows = [
        (
            ELEMENTS.get(r.element, r.element),
            fmt(r.target_index),
            _rank(r.management_importance_rank),
            _rank(r.customer_importance_rank),
        )
        for r in gap2.itertuples()
    ]
    return _table(["Element", "Target index", "Management rank", "Customer rank"], rows, "gaps-gap2-table")


def _gap3(gap3) -> html.Div:
    standards = gap3["standards_vs_csi"]
    rows = [
        (ELEMENTS.get(r.element, r.element), fmt(r.target_index), fmt(r.delivered_csi), fmt(r.shortfall))
        for r in standards.itertuples()
    ]
    requests = gap3["service_requests"]
    note = None
    if not requests.empty and int(requests["n"].iloc[0]):
        r = requests.iloc[0]
        note = html.P(
            f"Service requests: {100 * r.within_sla / r.n:.1f}% resolved within their SLA, "
            f"{int(r.unresolved):,} unresolved, "
            f"mean first response {fmt(r.mean_first_response_h)} h (n = {int(r.n):,}).",
            className="small mt-2 mb-0",
            id="gaps-sla",
        )
    return html.Div(
        [_table(["Element", "Target", "Delivered CSI", "Shortfall"], rows, "gaps-gap3-table"), note]
    )


def _gap4(gap4) -> html.Div:
    if gap4.empty:
        return html.P("No published commitments.", className="text-muted")
    rows = [(r.text, f"{100 * r.met / r.n:.1f}%" if r.n else "—", f"{int(r.n):,}") for r in gap4.itertuples()]
    return _table(["Commitment", "Kept", "n"], rows, "gaps-gap4-table")


def _gap5(gap5) -> html.Div:
    elements = gap5["elements"]
    rows = [
        (ELEMENTS.get(r.element, r.element), fmt(r.gap, 2), r.items, r.status) for r in elements.itertuples()
    ]
    weighted = gap5["weighted"]
    summary = (
        f"Unweighted SERVQUAL score {_score(gap5['unweighted'])}; "
        f"weighted by customers' stated importance {_score(weighted)}. "
        "Negative: perceptions fall short of expectations."
    )
    return html.Div(
        [
            _table(["Element", "Gap P-E", "Items", "Status"], rows, "gaps-gap5-table"),
            html.P(summary, className="small mt-2 mb-0", id="gaps-servqual"),
        ]
    )


def _score(value) -> str:
    return value if isinstance(value, str) else fmt(value, 2)  # "not measured" stays words


@callback(
    Output("gaps-url", "search"),
    *[Input(i, "value") for i in filter_inputs(PREFIX)],
    State("gaps-state", "data"),
    prevent_initial_call=True,
)
def filters_changed(wave_from, wave_to, segment, channel, state):
    with current_runtime().read_session() as session:
        changes = valid_filter_changes(session, wave_from, wave_to, segment, channel)
    state = {k: v for k, v in (state or {}).items() if isinstance(v, str)} if isinstance(state, dict) else {}
    return with_changes(state, **changes)
