"""A branch, a department or one branch x department unit
(/unit?branch=B02&department=SRV&from=&to=&segment=&channel=): the same
views as the organisation's, scoped to the unit, with its plans."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components.cards import drill_links, graph_card
from dashboard.components.figures import element_bars, trend_figure
from dashboard.components.filter_bar import filter_bar, filter_inputs
from dashboard.domain import ELEMENTS
from dashboard.queries import reference
from dashboard.services import unit_view
from dashboard.services.view_state import load_global_filters, valid_filter_changes, with_changes
from dashboard.web_context import current_runtime, current_scope

dash.register_page(__name__, path="/unit", name="Units", title="Unit - Customer satisfaction", order=4)

PREFIX = "unit"


def layout(**query) -> html.Div:
    state = {k: v for k, v in query.items() if isinstance(v, str)}
    runtime, scope, min_n = current_runtime(), current_scope(), current_runtime().settings.min_n
    with runtime.read_session() as session:
        current, waves = load_global_filters(session, state)
        units = reference.units(session, scope)
        unit = unit_view.resolve_unit(session, scope, state.get("branch"), state.get("department"))
        picker = _picker(units, state)
        if unit is None:
            message = (
                "Choose a branch and/or department."
                if not state.get("branch") and not state.get("department")
                else "This unit does not exist or is not available to you."
            )
            return html.Div(
                [
                    dcc.Location(id="unit-url", refresh="callback-nav"),
                    html.H2("Units", className="h4"),
                    picker,
                    dbc.Alert(message, color="info", id="unit-missing"),
                ]
            )
        filters = unit_view.unit_filters(current.to_filters(waves), unit)
        trend = unit_view.unit_trend(session, scope, filters, waves, min_n)
        profile = unit_view.unit_profile(session, scope, filters, min_n)
        plans = unit_view.unit_plans(session, scope, unit)
    bars = profile[["element", "csi", "csi_low", "csi_high", "n_p"]].set_axis(
        ["element", "value", "low", "high", "n"], axis=1
    )
    drill_key = ("branch", unit.branch_code) if unit.branch_code else ("department", unit.department_code)
    return html.Div(
        [
            dcc.Location(id="unit-url", refresh="callback-nav"),
            dcc.Store(id="unit-state", data=state),
            html.H2(unit.label, className="h4", id="unit-title"),
            picker,
            filter_bar(PREFIX, waves, current),
            html.P(
                f"Profile and plans for {current.label}; the trend shows every wave.",
                className="small text-muted",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        graph_card("unit-trend", trend_figure(trend, "Overall satisfaction index by wave")),
                        lg=7,
                    ),
                    dbc.Col(
                        graph_card("unit-elements", element_bars(bars, "RATER profile")),
                        lg=5,
                    ),
                ],
                className="g-3",
            ),
            drill_links(
                {code: f"element={code}&by={drill_key[0]}&unit={drill_key[1]}" for code in ELEMENTS},
                "unit-drill",
            ),
            _plans_card(plans, unit),
        ]
    )


def _picker(units, state) -> dbc.Row:
    branches = units.drop_duplicates("branch_code")
    departments = units.drop_duplicates("department_code")
    return dbc.Row(
        [
            dbc.Col(
                [
                    dbc.Label("Branch", html_for="unit-branch", className="small mb-0"),
                    dcc.Dropdown(
                        id="unit-branch",
                        value=state.get("branch"),
                        placeholder="All branches",
                        options=[
                            {"label": f"{r.branch_code} {r.branch_name}", "value": r.branch_code}
                            for r in branches.itertuples()
                        ],
                    ),
                ],
                md=6,
            ),
            dbc.Col(
                [
                    dbc.Label("Department", html_for="unit-department", className="small mb-0"),
                    dcc.Dropdown(
                        id="unit-department",
                        value=state.get("department"),
                        placeholder="All departments",
                        options=[
                            {"label": r.department_name, "value": r.department_code}
                            for r in departments.itertuples()
                        ],
                    ),
                ],
                md=6,
            ),
        ],
        className="g-2 mb-3",
    )


def _plans_card(plans, unit) -> dbc.Card:
    if plans.empty:
        body = html.P(
            "No improvement plans for this unit.", className="text-muted mb-0", id="unit-plans-empty"
        )
    else:
        rows = [
            html.Tr(
                [
                    html.Td(dcc.Link(r.title, href=f"/plans/{r.plan_id}")),
                    html.Td(ELEMENTS.get(r.element, r.element)),
                    html.Td(r.stage),
                    html.Td(r.status),
                    html.Td(r.due_on.isoformat()),
                ]
            )
            for r in plans.itertuples()
        ]
        body = dbc.Table(
            [
                html.Thead(html.Tr([html.Th(h) for h in ("Plan", "Element", "Stage", "Status", "Due")])),
                html.Tbody(rows),
            ],
            size="sm",
            responsive=True,
            id="unit-plans",
            className="mb-0",
        )
    return dbc.Card([dbc.CardHeader("Improvement plans"), dbc.CardBody(body)], className="mt-3 shadow-sm")


@callback(
    Output("unit-url", "search"),
    Input("unit-branch", "value"),
    Input("unit-department", "value"),
    *[Input(i, "value") for i in filter_inputs(PREFIX)],
    State("unit-state", "data"),
    prevent_initial_call=True,
)
def controls_changed(branch, department, wave_from, wave_to, segment, channel, state):
    with current_runtime().read_session() as session:
        changes = valid_filter_changes(session, wave_from, wave_to, segment, channel)
        units = reference.units(session, current_scope())
    changes["branch"] = branch if isinstance(branch, str) and branch in set(units["branch_code"]) else None
    changes["department"] = (
        department if isinstance(department, str) and department in set(units["department_code"]) else None
    )
    state = {k: v for k, v in state.items() if isinstance(v, str)} if isinstance(state, dict) else {}
    return with_changes(state, **changes)
