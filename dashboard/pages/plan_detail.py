"""One improvement plan (/plans/<id>) or a new one (/plans/new?branch=&
department=&element=&items=, the drill-down's "start a plan" link).

Callbacks are thin: each resolves the user on the server and calls
dashboard.services.plans, which checks scope, permission and version. The
form is never cleared by a refusal, so nothing typed is lost."""

from __future__ import annotations

from datetime import date, timedelta

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components.cards import fmt
from dashboard.components.plan_figures import plan_effect_figure
from dashboard.domain import ELEMENTS, PLAN_STAGES, PLAN_STATUSES
from dashboard.queries import reference
from dashboard.queries.plans import (
    element_items,
    plan_comments,
    plan_for_viewer,
    plan_history,
    staff_in_scope,
)
from dashboard.services import plans as plan_service
from dashboard.services.plan_effects import plan_effect
from dashboard.web_context import current_runtime, current_user

dash.register_page(
    __name__, path_template="/plans/<plan_id>", name="Plan", title="Plan - Customer satisfaction", nav=False
)

NOT_AVAILABLE = "This plan does not exist or is not available to you."


def layout(
    plan_id: str = "new", branch: str = "", department: str = "", element: str = "", items: str = "", **_q
):
    user = current_user()
    runtime = current_runtime()
    with runtime.read_session() as session:
        if plan_id == "new":
            start = date.today()
            values = {
                "branch_code": branch,
                "department_code": department,
                "element": element,
                "item_codes": [i for i in str(items).split(",") if i],
                "owner_id": user.staff_id if user else None,
                "start_on": start.isoformat(),  # sensible defaults: start now, review in six months
                "due_on": (start + timedelta(days=182)).isoformat(),
            }
            return _page(session, user, None, values, editable=True)
        try:
            number = int(plan_id)
        except ValueError:
            return dbc.Alert(NOT_AVAILABLE, color="warning", id="plan-missing")
        plan = plan_for_viewer(session, user.scope, number) if user else None
        if plan is None:
            return dbc.Alert(NOT_AVAILABLE, color="warning", id="plan-missing")
        editable = user.may_edit_plan(plan.branch_id, plan.department_id, plan.owner_id)
        return _page(session, user, plan, _values(session, plan), editable)


def _values(session, plan) -> dict:
    from dashboard.db.models import Branch, Department

    branch = session.get(Branch, plan.branch_id) if plan.branch_id else None
    department = session.get(Department, plan.department_id) if plan.department_id else None
    return {
        "title": plan.title,
        "branch_code": branch.code if branch else "",
        "department_code": department.code if department else "",
        "element": plan.element,
        "item_codes": list(plan.item_codes or []),
        "owner_id": plan.owner_id,
        "team": plan.team or "",
        "stage": plan.stage,
        "status": plan.status,
        "start_on": plan.start_on.isoformat(),
        "due_on": plan.due_on.isoformat(),
        "baseline_score": plan.baseline_score,
        "target_score": plan.target_score,
        "cost": plan.cost,
        "description": plan.description or "",
    }


def _page(session, user, plan, values: dict, editable: bool) -> html.Div:
    header = html.Div(
        [
            dcc.Link("← All plans", href="/plans", className="small"),
            html.H2(
                plan.title if plan else "New improvement plan", className="h4 mt-1", id="plan-title-heading"
            ),
            html.Div(
                [
                    dbc.Badge(plan.status, color="primary", className="me-1"),
                    dbc.Badge(plan.stage, color="info", className="me-1"),
                    dbc.Badge(ELEMENTS.get(plan.element, plan.element), color="secondary"),
                ]
            )
            if plan
            else None,
        ],
        className="mb-3",
    )
    stores = [
        dcc.Store(id="plan-id", data=plan.id if plan else None),
        dcc.Store(id="plan-version", data=plan.version if plan else None),
        dcc.Location(id="plan-location", refresh=True),
    ]
    sections = [_effect_section(session, plan)] if plan else []
    if plan:
        sections += [_actions_section(plan, editable), _comments_section(session, plan)]
    form = (
        _form(session, user, values)
        if editable
        else html.P("You can view this plan but not change it.", className="text-muted", id="plan-readonly")
    )
    sections.append(
        dbc.Card(
            [dbc.CardHeader("Edit plan" if plan else "Plan details"), dbc.CardBody(form)], className="mb-3"
        )
    )
    if plan:
        sections.append(_history_section(session, plan))
    return html.Div([*stores, header, *sections])


def _effect_section(session, plan) -> dbc.Card:
    min_n = current_runtime().settings.min_n
    effect = plan_effect(session, plan, min_n)
    r = effect.result
    if effect.effect_points is None:
        summary = html.P(
            [
                html.Strong(r.verdict.capitalize()),
                f" (plan unit: n = {int(r.cells.treated_post.n)} after the start).",
            ],
            id="plan-effect-summary",
        )
    else:
        summary = html.P(
            [
                html.Strong(r.verdict.capitalize()),
                f": {effect.effect_points:+.1f} index points "
                f"(95% CI {fmt(effect.ci_points[0])} to {fmt(effect.ci_points[1])}, "
                f"p = {r.p_value:.3g}; {r.test}). Plan unit changed {100 * r.treated_change / 6:+.1f}, "
                f"{effect.n_control_units} comparison units {100 * r.control_change / 6:+.1f}. "
                f"n before/after: {int(r.cells.treated_pre.n)}/{int(r.cells.treated_post.n)} vs "
                f"{int(r.cells.control_pre.n)}/{int(r.cells.control_post.n)}.",
                f" {fmt(effect.per_10k, 2)} points per 10,000 of cost." if effect.per_10k is not None else "",
            ],
            id="plan-effect-summary",
        )
    milestones = [(a.due_on, a.text) for a in plan.actions if a.due_on]
    figure = plan_effect_figure(effect.series, plan.element, plan.start_on, plan.due_on, milestones)
    before, after = ", ".join(effect.pre_waves) or "none", ", ".join(effect.post_waves) or "none yet"
    windows = f"Before: {before}. After: {after}."
    return dbc.Card(
        [
            dbc.CardHeader("Measured effect"),
            dbc.CardBody(
                [
                    summary,
                    dcc.Graph(id="plan-effect-figure", figure=figure, config={"displaylogo": False}),
                    html.P(windows, className="small text-muted"),
                ]
            ),
        ],
        className="mb-3",
    )


def _actions_section(plan, editable: bool) -> dbc.Card:
    options = [
        {"label": f"{a.text} (due {a.due_on.isoformat() if a.due_on else '—'})", "value": a.id}
        for a in plan.actions
    ]
    body = [
        dbc.Checklist(
            id="plan-actions", options=options, value=[a.id for a in plan.actions if a.done], switch=True
        )
        if options
        else html.P("No actions yet.", className="text-muted"),
    ]
    if editable:
        body.append(
            dbc.InputGroup(
                [
                    dbc.Label("New action", html_for="plan-action-text", className="visually-hidden"),
                    dbc.Input(id="plan-action-text", placeholder="New action", maxlength=500),
                    dbc.Label("Action due date", html_for="plan-action-due", className="visually-hidden"),
                    dbc.Input(id="plan-action-due", type="date"),
                    dbc.Button("Add action", id="plan-action-add", color="secondary"),
                ],
                className="mt-2",
            )
        )
    body.append(html.Div(id="plan-actions-feedback"))
    return dbc.Card([dbc.CardHeader("Actions"), dbc.CardBody(body)], className="mb-3")


def _comments_list(session, plan_id: int) -> list:
    comments = plan_comments(session, plan_id)
    if not comments:
        return [html.P("No comments yet.", className="text-muted")]
    return [
        html.Div(
            [
                html.Small(f"{c.username} · {c.at:%Y-%m-%d %H:%M}", className="text-muted d-block"),
                html.Span(c.text),
            ],
            className="mb-2 plan-comment",
        )
        for c in comments
    ]


def _comments_section(session, plan) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader("Comments"),
            dbc.CardBody(
                [
                    html.Div(_comments_list(session, plan.id), id="plan-comments"),
                    dbc.Label("Add a comment", html_for="plan-comment-text", className="visually-hidden"),
                    dbc.Textarea(id="plan-comment-text", placeholder="Add a comment", maxlength=4000),
                    dbc.Button(
                        "Comment", id="plan-comment-add", color="secondary", size="sm", className="mt-2"
                    ),
                    html.Div(id="plan-comment-feedback"),
                ]
            ),
        ],
        className="mb-3",
    )


def _history_section(session, plan) -> dbc.Card:
    rows = [
        html.Tr(
            [
                html.Td(f"{c.at:%Y-%m-%d %H:%M}"),
                html.Td(c.username or "—"),
                html.Td(c.field),
                html.Td(c.old_value or ""),
                html.Td(c.new_value or ""),
            ]
        )
        for c in plan_history(session, plan.id)
    ]
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in ("When", "Who", "What", "Before", "After")])),
            html.Tbody(rows),
        ],
        size="sm",
        responsive=True,
        id="plan-history",
    )
    note = (
        None
        if rows
        else html.P("Changes made before history was kept are not listed.", className="text-muted small")
    )
    return dbc.Card([dbc.CardHeader("History"), dbc.CardBody([table, note])], className="mb-3")


def _field(label: str, control, field_id: str, width: int = 6) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=field_id), control], md=width, className="mb-2")


def _form(session, user, v: dict) -> html.Div:
    units = reference.units(session, user.scope)
    branches = units.drop_duplicates("branch_code")
    departments = units.drop_duplicates("department_code")
    staff = staff_in_scope(session, user.scope)
    items = element_items(session)
    element = v.get("element") or None
    return html.Div(
        [
            dbc.Row(
                [
                    _field(
                        "Title",
                        dbc.Input(id="plan-title", value=v.get("title", ""), maxlength=200),
                        "plan-title",
                        12,
                    ),
                    _field(
                        "Branch",
                        dcc.Dropdown(
                            id="plan-branch",
                            value=v.get("branch_code") or None,
                            placeholder="All branches",
                            options=[
                                {"label": f"{r.branch_code} {r.branch_name}", "value": r.branch_code}
                                for r in branches.itertuples()
                            ],
                        ),
                        "plan-branch",
                    ),
                    _field(
                        "Department",
                        dcc.Dropdown(
                            id="plan-department",
                            value=v.get("department_code") or None,
                            placeholder="All departments",
                            options=[
                                {"label": r.department_name, "value": r.department_code}
                                for r in departments.itertuples()
                            ],
                        ),
                        "plan-department",
                    ),
                    _field(
                        "Targeted RATER element",
                        dcc.Dropdown(
                            id="plan-element",
                            value=element if element in ELEMENTS else None,
                            options=[{"label": n, "value": k} for k, n in ELEMENTS.items()],
                        ),
                        "plan-element",
                    ),
                    _field(
                        "Items",
                        dcc.Dropdown(
                            id="plan-items",
                            multi=True,
                            value=v.get("item_codes", []),
                            options=_item_options(items, element),
                        ),
                        "plan-items",
                    ),
                    _field(
                        "Owner",
                        dcc.Dropdown(
                            id="plan-owner",
                            value=v.get("owner_id"),
                            options=[
                                {"label": f"{r.name} ({r.employee_ref})", "value": int(r.staff_id)}
                                for r in staff.itertuples()
                            ],
                        ),
                        "plan-owner",
                    ),
                    _field(
                        "Team", dbc.Input(id="plan-team", value=v.get("team", ""), maxlength=120), "plan-team"
                    ),
                    _field(
                        "Stage",
                        dcc.Dropdown(
                            id="plan-stage",
                            value=v.get("stage", "assess"),
                            clearable=False,
                            options=list(PLAN_STAGES),
                        ),
                        "plan-stage",
                        3,
                    ),
                    _field(
                        "Status",
                        dcc.Dropdown(
                            id="plan-status",
                            value=v.get("status", "planned"),
                            clearable=False,
                            options=list(PLAN_STATUSES),
                        ),
                        "plan-status",
                        3,
                    ),
                    _field(
                        "Start",
                        dbc.Input(id="plan-start", type="date", value=v.get("start_on")),
                        "plan-start",
                        3,
                    ),
                    _field(
                        "Due", dbc.Input(id="plan-due", type="date", value=v.get("due_on")), "plan-due", 3
                    ),
                    _field(
                        "Baseline score (1-7)",
                        dbc.Input(
                            id="plan-baseline",
                            type="number",
                            min=1,
                            max=7,
                            step=0.1,
                            value=v.get("baseline_score"),
                        ),
                        "plan-baseline",
                        4,
                    ),
                    _field(
                        "Target score (1-7)",
                        dbc.Input(
                            id="plan-target",
                            type="number",
                            min=1,
                            max=7,
                            step=0.1,
                            value=v.get("target_score"),
                        ),
                        "plan-target",
                        4,
                    ),
                    _field(
                        "Cost",
                        dbc.Input(id="plan-cost", type="number", min=0, value=v.get("cost")),
                        "plan-cost",
                        4,
                    ),
                    _field(
                        "Description",
                        dbc.Textarea(id="plan-description", value=v.get("description", ""), maxlength=4000),
                        "plan-description",
                        12,
                    ),
                ]
            ),
            dbc.Button("Save plan", id="plan-save", color="primary"),
            dcc.Loading(html.Div(id="plan-feedback", className="mt-2")),
        ]
    )


def _item_options(items, element) -> list[dict]:
    chosen = items[items["element"] == element] if element else items.iloc[0:0]
    return [{"label": f"{r.code} {r.text}", "value": r.code} for r in chosen.itertuples()]


@callback(Output("plan-items", "options"), Input("plan-element", "value"))
def item_options(element):
    with current_runtime().read_session() as session:
        return _item_options(
            element_items(session), element if isinstance(element, str) and element in ELEMENTS else None
        )


@callback(
    Output("plan-feedback", "children"),
    Output("plan-location", "href"),
    Output("plan-version", "data"),
    Input("plan-save", "n_clicks"),
    State("plan-id", "data"),
    State("plan-version", "data"),
    *[
        State(f"plan-{name}", "value")
        for name in (
            "title",
            "branch",
            "department",
            "element",
            "items",
            "owner",
            "team",
            "stage",
            "status",
            "start",
            "due",
            "baseline",
            "target",
            "cost",
            "description",
        )
    ],
    prevent_initial_call=True,
)
def save(
    _clicks,
    plan_id,
    version,
    title,
    branch,
    department,
    element,
    items,
    owner,
    team,
    stage,
    status,
    start,
    due,
    baseline,
    target,
    cost,
    description,
):
    user = current_user()
    if user is None:
        return dbc.Alert("Please sign in again.", color="warning"), dash.no_update, dash.no_update
    data = plan_service.PlanInput(
        title=title or "",
        branch_code=branch or None,
        department_code=department or None,
        element=element,
        item_codes=list(items or []) if isinstance(items, list) else [],
        owner_id=owner if isinstance(owner, int) else None,
        team=team or "",
        stage=stage,
        status=status,
        start_on=start,
        due_on=due,
        baseline_score=baseline,
        target_score=target,
        cost=cost,
        description=description or "",
    )
    try:
        with current_runtime().write_session() as session:
            if plan_id is None:
                new_id = plan_service.create_plan(session, user, data)
                return dash.no_update, f"/plans/{new_id}", dash.no_update
            new_version = plan_service.update_plan(session, user, int(plan_id), int(version or 0), data)
    except plan_service.PlanInvalid as invalid:
        items_ = [html.Li(f"{field}: {message}") for field, message in invalid.errors.items()]
        return (
            dbc.Alert(
                [html.Strong("Not saved. Please correct:"), html.Ul(items_)], color="danger", id="plan-errors"
            ),
            dash.no_update,
            dash.no_update,
        )
    except plan_service.StalePlan as stale:
        return dbc.Alert(str(stale), color="warning", id="plan-stale"), dash.no_update, dash.no_update
    except (plan_service.PlanNotFound, plan_service.PlanForbidden, ValueError, TypeError):
        return dbc.Alert(NOT_AVAILABLE, color="danger", id="plan-refused"), dash.no_update, dash.no_update
    return (
        dbc.Alert(f"Saved (version {new_version}).", color="success", id="plan-saved", duration=6000),
        dash.no_update,
        new_version,
    )


@callback(
    Output("plan-comments", "children"),
    Output("plan-comment-text", "value"),
    Output("plan-comment-feedback", "children"),
    Input("plan-comment-add", "n_clicks"),
    State("plan-id", "data"),
    State("plan-comment-text", "value"),
    prevent_initial_call=True,
)
def comment(_clicks, plan_id, text):
    user = current_user()
    try:
        with current_runtime().write_session() as session:
            plan_service.add_comment(session, user, int(plan_id), text or "")
        with current_runtime().read_session() as session:
            return _comments_list(session, int(plan_id)), "", None
    except plan_service.PlanInvalid as invalid:
        return dash.no_update, dash.no_update, dbc.Alert(invalid.errors["comment"], color="danger")
    except (plan_service.PlanNotFound, AttributeError, ValueError, TypeError):
        return dash.no_update, dash.no_update, dbc.Alert(NOT_AVAILABLE, color="danger")


@callback(
    Output("plan-actions-feedback", "children"),
    Input("plan-actions", "value"),
    State("plan-id", "data"),
    prevent_initial_call=True,
)
def actions_done(done_ids, plan_id):
    user = current_user()
    try:
        with current_runtime().write_session() as session:
            plan = plan_service.editable_plan(session, user, int(plan_id))
            done = {int(i) for i in done_ids or []}
            for action in plan.actions:
                plan_service.set_action_done(session, user, plan.id, action.id, action.id in done)
    except (plan_service.PlanNotFound, plan_service.PlanForbidden, AttributeError, ValueError, TypeError):
        return dbc.Alert(
            "Not saved: you may not change this plan's actions.", color="danger", id="plan-actions-refused"
        )
    return html.Small("Saved.", className="text-success")


@callback(
    Output("plan-location", "href", allow_duplicate=True),
    Output("plan-actions-feedback", "children", allow_duplicate=True),
    Input("plan-action-add", "n_clicks"),
    State("plan-id", "data"),
    State("plan-action-text", "value"),
    State("plan-action-due", "value"),
    prevent_initial_call=True,
)
def add_action(_clicks, plan_id, text, due):
    user = current_user()
    try:
        with current_runtime().write_session() as session:
            plan_service.add_action(session, user, int(plan_id), text or "", due or None)
    except plan_service.PlanInvalid as invalid:
        return dash.no_update, dbc.Alert("; ".join(invalid.errors.values()), color="danger")
    except (plan_service.PlanNotFound, plan_service.PlanForbidden, AttributeError, ValueError, TypeError):
        return dash.no_update, dbc.Alert(NOT_AVAILABLE, color="danger")
    return f"/plans/{int(plan_id)}", None
