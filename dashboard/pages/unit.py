"""Branch / department page (/unit?branch=B02&department=SRV plus the global
filters): the overview's views narrowed to one unit, its trend, its weakest
items and its improvement plans. Without a unit it lists the units the viewer
may open. Codes in the URL are checked against the viewer's scope."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.cards import data_table, fmt, fmt_range, graph_card, kpi_card
from dashboard.components.figures import element_bars, nothing_to_show, trend_figure
from dashboard.components.filter_bar import breadcrumbs, filter_bar, filter_bar_to_url
from dashboard.components.page_url import location
from dashboard.components.plan_sections import due_with_flag
from dashboard.components.verdicts import verdict_block
from dashboard.domain import ELEMENT_TEXT_COLOURS, ELEMENTS
from dashboard.services import reference_data
from dashboard.services.drilldown import profile_bars
from dashboard.services.unit_view import resolve_unit, unit_summary
from dashboard.services.view_state import load_global_filters, query_filters
from dashboard.urlstate import DRILL, FILTER_KEYS
from dashboard.urlstate import UNIT as PAGE
from dashboard.web_context import current_runtime, current_scope

dash.register_page(__name__, path="/unit", name="Units", title="Unit - Customer satisfaction", order=4)


def layout(**query) -> html.Div:
    state = PAGE.parse(query)
    runtime = current_runtime()
    scope, min_n = current_scope(), runtime.settings.min_n
    with runtime.read_session() as session:
        current, waves = load_global_filters(session, state)
        unit = resolve_unit(session, scope, state["branch"], state["department"])
        if unit is None:
            title = "Units"
            body = _unit_index(reference_data.units(session, scope), state)
        else:
            title = unit.label
            summary = unit_summary(session, scope, query_filters(current, waves), unit, waves, min_n)
            body = _unit_body(summary, unit, state, current.label)
    crumbs = [("Units", PAGE.href(state, branch=None, department=None)), (title, None)]
    return html.Div(
        [
            location(PAGE),
            breadcrumbs(crumbs if unit else crumbs[:1], "unit-breadcrumbs"),
            html.H2(title, className="h4", id="unit-title"),
            filter_bar(PAGE, waves, current),
            dcc.Loading(html.Div(body, id="unit-body")),
        ]
    )


def _unit_index(units, state) -> list:
    refused = []
    if state["branch"] or state["department"]:  # forged or stale link: say so, show nothing of it
        refused = [dbc.Alert("This unit is not available to you.", color="warning", id="unit-refused")]
    if units.empty:
        return [*refused, dbc.Alert("No units are visible to you.", color="info", id="unit-none")]

    def link(label, **codes):
        return dcc.Link(label, href=PAGE.href(state, **codes), className="me-2")

    branches = units.drop_duplicates("branch_code")
    departments = units.drop_duplicates("department_code")
    return [
        *refused,
        html.H3("Branches", className="h6"),
        html.Div(
            [link(f"{r.branch_code} {r.branch_name}", branch=r.branch_code) for r in branches.itertuples()],
            id="unit-branches",
            className="mb-3",
        ),
        html.H3("Departments", className="h6"),
        html.Div(
            [
                link(f"{r.department_code} {r.department_name}", department=r.department_code)
                for r in departments.itertuples()
            ],
            id="unit-departments",
        ),
    ]


def _unit_body(summary, unit, state, selection: str) -> list:
    trend = summary.trend
    last = trend.iloc[-1] if not trend.empty else None
    if last is None:
        csi_text, csi_detail = "—", "no responses in this selection"
    elif last["csi"] != last["csi"]:
        csi_text, csi_detail = "—", f"too few responses (n = {int(last['n'])})"
    else:
        csi_text = fmt(last["csi"])
        csi_detail = (
            f"{last['label']}: 95% CI {fmt_range(last['csi_low'], last['csi_high'])}, n = {int(last['n']):,}"
        )
    bars = profile_bars(summary.profile)
    drill_query = {k: state[k] for k in FILTER_KEYS}
    return [
        html.P(f"Showing {selection}.", className="small text-muted", id="unit-selection"),
        dbc.Row(
            [
                dbc.Col(kpi_card("Overall satisfaction index", csi_text, csi_detail, "unit-csi"), md=4),
                dbc.Col(
                    graph_card("unit-trend", trend_figure(trend, "Overall satisfaction index by wave")), md=8
                ),
            ],
            className="g-3 mb-3",
        ),
        dbc.Row(
            [
                dbc.Col(graph_card("unit-elements", element_bars(bars, "RATER profile")), lg=6),
                dbc.Col(
                    _weakest_items(summary.weakest_items, unit, drill_query, nothing_to_show(bars)), lg=6
                ),
            ],
            className="g-3 mb-3",
        ),
        _peers_section(summary.peers),
        _plans_section(summary.plans),
    ]


def _peers_section(peers) -> dbc.Card:
    """Which differences between this unit and the others of its kind are real."""
    view = peers.view
    notes = (view.shrinkage_note,) if view.shrinkage_note else ()
    return dbc.Card(
        [
            dbc.CardHeader(peers.title),
            dbc.CardBody(verdict_block(peers.verdict, view.method, view.groups, "unit-peers", notes)),
        ],
        className="shadow-sm mb-3",
    )


def _weakest_items(items, unit, drill_query, why_empty: str) -> dbc.Card:
    if items.empty:
        body = dbc.Alert(f"{why_empty}: no item can be scored here.", color="info")
    else:
        rows = [
            html.Tr(
                [
                    html.Td(
                        dcc.Link(
                            r.code,
                            href=DRILL.href(drill_query, element=r.element, item=r.code, **_drill_unit(unit)),
                            style={"color": ELEMENT_TEXT_COLOURS[r.element]},
                        )
                    ),
                    html.Td(ELEMENTS[r.element]),
                    html.Td(fmt(r.csi), className="unit-item-csi"),
                    html.Td(fmt(r.gap, 2)),
                    html.Td(f"{int(r.n_p):,}"),
                ]
            )
            for r in items.itertuples()
        ]
        body = data_table(("Item", "Element", "CSI", "Gap P-E", "n"), rows, "unit-items-table")
    return dbc.Card([dbc.CardHeader("Weakest items"), dbc.CardBody(body)], className="shadow-sm h-100")


def _drill_unit(unit) -> dict[str, str]:
    """The drill-down narrows by one dimension: the branch when there is one."""
    if unit.branch_code:
        return {"by": "branch", "unit": unit.branch_code}
    return {"by": "department", "unit": unit.department_code}


def _plans_section(plans) -> dbc.Card:
    if plans.empty:
        body = html.P(
            "No improvement plans for this unit yet.", className="text-muted mb-0", id="unit-plans-none"
        )
    else:
        rows = [
            html.Tr(
                [
                    html.Td(dcc.Link(r.title, href=f"/plans/{int(r.plan_id)}")),
                    html.Td(ELEMENTS.get(r.element, r.element or "—")),
                    html.Td(r.stage),
                    html.Td(r.status),
                    html.Td(due_with_flag(r.due_on, r.overdue)),
                ],
                className="table-danger" if r.overdue else None,
            )
            for r in plans.itertuples()
        ]
        body = data_table(("Plan", "Element", "Stage", "Status", "Due"), rows, "unit-plans-table")
    return dbc.Card(
        [dbc.CardHeader("Improvement plans of this unit"), dbc.CardBody(body)],
        className="shadow-sm",
        id="unit-plans",
    )


filter_bar_to_url(PAGE)
