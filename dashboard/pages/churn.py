"""Churn risk (/churn?branch=&segment=&manager=&customer=): customers at
risk in the viewer's scope with their reasons, exposure by branch, one
customer's history, model quality for admins, and a CSV export (audited)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html

from dashboard.components.cards import data_table, fmt, kpi_card
from dashboard.components.dropdown_label import dropdown_label
from dashboard.components.page_url import controls_to_url, location, url_callback
from dashboard.services import churn as churn_service
from dashboard.urlstate import CHURN as PAGE
from dashboard.web_context import current_runtime, current_scope, current_user

dash.register_page(
    __name__, path="/churn", name="Churn risk", title="Churn risk - Customer satisfaction", order=60
)

LIST_LIMIT = 100
BAND_TONES = {"high": "danger", "medium": "warning", "low": "secondary"}
LIST_FILTERS = ("branch", "segment", "manager")


def layout(**query) -> html.Div:
    state = PAGE.parse(query)
    runtime, scope, user = current_runtime(), current_scope(), current_user()
    chosen = {k: state[k] for k in LIST_FILTERS}
    with runtime.read_session() as session:  # aggregates and the top of the list come from SQL
        table = churn_service.riskiest(session, scope, LIST_LIMIT, **chosen)
        summary, by_branch = churn_service.exposure_overview(session, scope, **chosen)
        options = churn_service.filter_options(session, scope)
        model = churn_service.latest_model(session)
        history = _history(session, scope, state["customer"])
        method_note = _method_note(summary, model)
        model_card = _model_card(model) if user is not None and user.is_admin and model is not None else None
    return html.Div(
        [
            location(PAGE),
            dcc.Store(id=PAGE.id("scrolled")),
            dcc.Download(id=PAGE.id("download")),
            html.Div(
                [
                    html.H2("Churn risk", className="h4 mb-0"),
                    dbc.Button("Export CSV", id=PAGE.id("export"), color="secondary", size="sm"),
                ],
                className="d-flex justify-content-between align-items-center mb-2",
            ),
            html.P(method_note, className="small text-muted", id="churn-method"),
            _filters(options, state),
            _kpis(summary),
            dbc.Row(
                [
                    dbc.Col(_list(table, summary["customers"], state["customer"]), lg=8),
                    dbc.Col(
                        [history, _by_branch(by_branch)],
                        lg=4,
                        # on a tablet the columns stack: a chosen customer's history comes first
                        className="churn-side" + (" order-first order-lg-last" if state["customer"] else ""),
                    ),
                ],
                className="g-3",
            ),
            model_card,
        ]
    )


def _method_note(summary, model) -> str:
    if summary["method"] is None:
        return "No customer has been scored yet: run `csat churn train`."
    if summary["method"] == "rules":
        return (
            "Rule-based score (no churn outcomes to learn from yet): 1 point per consecutive "
            "dissatisfied wave (up to 4), 1.5 for an unresolved complaint, 2 when the account "
            "manager left; 3+ is high risk."
        )
    return (
        f"Probability of leaving within the next quarter, model version {model.id} trained "
        f"{model.trained_at:%Y-%m-%d} ({model.algorithm})."
    )


def _filters(options: dict[str, list[str]], state) -> dbc.Row:
    def col(key, label):
        return dbc.Col(
            [
                dropdown_label(label, PAGE.id(key), className="small mb-0"),
                dcc.Dropdown(
                    id=PAGE.id(key),
                    options=[{"label": v, "value": v} for v in options[key]],
                    value=state[key],
                    placeholder="All",
                ),
            ],
            md=4,
        )

    return dbc.Row(
        [col("branch", "Branch"), col("segment", "Segment"), col("manager", "Account manager")],
        className="g-2 mb-3",
    )


def _kpis(summary) -> dbc.Row:
    revenue = summary["revenue_at_risk"]
    revenue_note = (
        "expected loss: sum of probability x annual revenue"
        if summary["method"] == "model"
        else "annual revenue of high-risk customers"
    )
    return dbc.Row(
        [
            dbc.Col(
                kpi_card(
                    "Customers scored",
                    f"{summary['customers']:,}",
                    "active customers in your scope",
                    "churn-kpi-customers",
                ),
                md=4,
            ),
            dbc.Col(
                kpi_card(
                    "High / medium risk",
                    f"{summary['high']:,} / {summary['medium']:,}",
                    "risk bands",
                    "churn-kpi-bands",
                    tone="danger",
                ),
                md=4,
            ),
            dbc.Col(
                kpi_card(
                    "Revenue at risk",
                    "—" if revenue is None else f"{revenue:,.0f}",
                    revenue_note,
                    "churn-kpi-revenue",
                ),
                md=4,
            ),
        ],
        className="g-3 mb-3",
    )


def _list(table, total: int, chosen: int | None = None) -> dbc.Card:
    if table.empty:
        return dbc.Alert("No scored customers for this selection.", color="info", id="churn-empty")
    rows = []
    for r in table.itertuples():
        risk = f"{100 * r.probability:.1f}%" if r.method == "model" else f"{r.points:.1f} pts"
        rows.append(
            html.Tr(
                [
                    html.Td(
                        dbc.Button(
                            r.external_ref,
                            id={"type": PAGE.id("customer"), "index": int(r.customer_id)},
                            color="link",
                            size="sm",
                            className="p-0",
                        )
                    ),
                    html.Td(r.branch),
                    html.Td(r.segment),
                    html.Td(r.account_manager or "—"),
                    html.Td(
                        [dbc.Badge(r.band, color=BAND_TONES.get(r.band, "secondary"), className="me-1"), risk]
                    ),
                    html.Td(
                        "; ".join(r.reasons) if isinstance(r.reasons, list) and r.reasons else "—",
                        className="small",
                    ),
                ],
                className="table-active" if int(r.customer_id) == chosen else None,
            )
        )
    headers = ("Customer", "Branch", "Segment", "Account manager", "Risk", "Top reasons")
    table_el = data_table(headers, rows, "churn-table")
    note = html.P(
        f"The {len(table)} riskiest of {total:,}; the export has all.",
        className="small text-muted",
    )
    return dbc.Card(
        [dbc.CardHeader("Customers at risk"), dbc.CardBody([table_el, note])], className="shadow-sm"
    )


def _by_branch(exposure) -> dbc.Card:
    rows = [
        html.Tr(
            [
                html.Td(r.branch),
                html.Td(f"{r.high:,}"),
                html.Td(f"{r.medium:,}"),
                html.Td(
                    "—"
                    if r.revenue_at_risk != r.revenue_at_risk or r.revenue_at_risk is None
                    else f"{r.revenue_at_risk:,.0f}"
                ),
            ]
        )
        for r in exposure.itertuples()
    ]
    headers = ("Branch", "High", "Medium", "Revenue at risk")
    body = data_table(headers, rows, "churn-by-branch", hover=False, responsive=False)
    return dbc.Card([dbc.CardHeader("Exposure by branch"), dbc.CardBody(body)], className="shadow-sm mt-3")


def _history(session, scope, customer: int | None):
    if customer is None:
        return dbc.Card(
            dbc.CardBody(html.P("Click a customer to see their history.", className="text-muted mb-0")),
            id="churn-history",
            className="shadow-sm",
        )
    found = churn_service.customer_in_scope(session, scope, customer)
    if found is None:
        return dbc.Alert(
            "This customer does not exist or is not available to you.", color="warning", id="churn-history"
        )
    feedback, requests = churn_service.customer_history(session, scope, found.id)
    items = [
        html.Li(
            [
                html.Strong(f"{r.wave} "),
                f"{r.channel}, overall {fmt(r.overall, 0)}/10",
                html.Div(r.comment, className="small text-muted") if isinstance(r.comment, str) else None,
            ]
        )
        for r in feedback.head(12).itertuples()
    ]
    reqs = [
        html.Li(
            f"{r.submitted_at:%Y-%m-%d} {'complaint' if r.complaint else 'request'}, "
            + ("unresolved" if pd.isna(r.resolved_at) else f"resolved {r.resolved_at:%Y-%m-%d}")
            + ("" if pd.isna(r.rating) else f", rated {int(r.rating)}/5")
        )
        for r in requests.head(12).itertuples()
    ]
    return dbc.Card(
        [
            dbc.CardHeader(f"{found.external_ref} · {found.segment} · joined {found.joined_on:%Y-%m-%d}"),
            dbc.CardBody(
                [
                    html.H3("Feedback", className="h6"),
                    html.Ul(items or [html.Li("none")], className="small"),
                    html.H3("Service requests", className="h6"),
                    html.Ul(reqs or [html.Li("none")], className="small"),
                ]
            ),
        ],
        id="churn-history",
        className="shadow-sm",
    )


def _span(dates) -> str:
    """["2022-06-30", "2024-12-31"] -> "2022-06-30 to 2024-12-31"."""
    return " to ".join(str(d) for d in dates) if isinstance(dates, list | tuple) and dates else "—"


def _model_card(model) -> dbc.Card:
    m = model.metrics
    rows = [
        html.Tr(
            [
                html.Td(r["bin"]),
                html.Td(f"{r['n']:,}"),
                html.Td(f"{100 * r['predicted']:.1f}%"),
                html.Td(f"{100 * r['observed']:.1f}%"),
            ]
        )
        for r in model.calibration
    ]
    split = m.get("split", {})
    return dbc.Card(
        [
            dbc.CardHeader(f"Model quality (version {model.id}, admins only)"),
            dbc.CardBody(
                [
                    html.P(
                        f"Held-out AUC {m['auc']:.3f}, Brier score {m['brier']:.4f}, "
                        f"expected calibration error {m['ece']:.4f} on {m['n']:,} customer-quarters "
                        f"with {m['events']:,} churned (base rate {100 * m['base_rate']:.1f}%). "
                        f"Trained on snapshots {_span(split.get('train'))}, calibrated on "
                        f"{_span(split.get('calibrate'))}, tested on {_span(split.get('test'))}.",
                        id="churn-model-metrics",
                    ),
                    data_table(
                        ("Predicted", "n", "Mean predicted", "Observed"),
                        rows,
                        "churn-calibration",
                        hover=False,
                        responsive=False,
                    ),
                ]
            ),
        ],
        className="shadow-sm mt-3",
        id="churn-model",
    )


controls_to_url(PAGE, LIST_FILTERS, resets=("customer",))


@url_callback(PAGE, Input({"type": PAGE.id("customer"), "index": ALL}, "n_clicks"))
def customer_clicked(_state, clicks):
    if not isinstance(ctx.triggered_id, dict) or not any(clicks or []):
        return None
    return {"customer": ctx.triggered_id.get("index")}


@callback(
    Output(PAGE.id("download"), "data"),
    Input(PAGE.id("export"), "n_clicks"),
    State(PAGE.url_id, "search"),
    prevent_initial_call=True,
)
def export(_clicks, search):
    user = current_user()
    state = PAGE.parse(search)
    given = {k: str(v) for k, v in state.items() if v is not None}  # what the URL said, for the audit log
    runtime = current_runtime()
    with runtime.write_session() as session:
        chosen = {k: state[k] for k in LIST_FILTERS}
        csv = churn_service.export_scores(session, current_scope(), user, chosen, given)
    return dcc.send_string(csv, "churn-risk.csv")


# Stacked columns (below Bootstrap's lg): bring the chosen customer's history
# into view; on wider screens it sits beside the list and stays in view (CSS).
clientside_callback(
    """function (search) {
        if (new URLSearchParams(search || "").get("customer") && window.innerWidth < 992) {
            const card = document.getElementById("churn-history");
            if (card) { card.scrollIntoView({block: "start"}); }
        }
        return window.dash_clientside.no_update;
    }""",
    Output(PAGE.id("scrolled"), "data"),
    Input(PAGE.url_id, "search"),
)
