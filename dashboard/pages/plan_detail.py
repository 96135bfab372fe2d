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
from dashboard.components.figures import GRAPH_CONFIG
from dashboard.components.plan_figures import plan_effect_figure
from dashboard.components.plan_sections import (
    actions_section,
    comments_list,
    comments_section,
    history_section,
    plan_form,
)
from dashboard.components.plan_sections import item_options as item_options_for
from dashboard.domain import ELEMENTS
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
            (branch_code, department_code), notice = _linked_unit(session, user, branch, department)
            values = {
                "branch_code": branch_code,
                "department_code": department_code,
                "element": element,
                "item_codes": [i for i in str(items).split(",") if i],
                "owner_id": user.staff_id if user else None,
                "start_on": start.isoformat(),  # sensible defaults: start now, review in six months
                "due_on": (start + timedelta(days=182)).isoformat(),
            }
            return _page(session, user, None, values, editable=True, notice=notice)
        try:
            number = int(plan_id)
        except ValueError:
            return dbc.Alert(NOT_AVAILABLE, color="warning", id="plan-missing")
        plan = plan_for_viewer(session, user.scope, number) if user else None
        if plan is None:
            return dbc.Alert(NOT_AVAILABLE, color="warning", id="plan-missing")
        editable = user.may_edit_plan(plan.branch_id, plan.department_id, plan.owner_id)
        return _page(session, user, plan, _values(session, plan), editable)


def _linked_unit(session, user, branch, department) -> tuple[tuple[str, str], dbc.Alert | None]:
    """The branch and department to prefill from a link, and a notice when the
    link named one outside the viewer's scope (see plan_service.linked_unit)."""
    branch_code, department_code, outside = plan_service.linked_unit(
        reference.units(session, user.scope), user.scope, branch, department
    )
    filled = {"branch": branch_code, "department": department_code}
    sentences = [
        f"The linked {noun} is outside your scope: "
        + (f"your own {noun} is filled in instead." if filled[noun] else f"choose a {noun} from the list.")
        for noun in outside
    ]
    notice = dbc.Alert(" ".join(sentences), color="warning", id="plan-link-outside") if outside else None
    return (branch_code, department_code), notice


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


def _page(session, user, plan, values: dict, editable: bool, notice=None) -> html.Div:
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
        sections += [
            actions_section(plan, editable),
            comments_section(plan_comments(session, plan.id)),
        ]
    form = (
        plan_form(
            values,
            reference.units(session, user.scope),
            staff_in_scope(session, user.scope),
            element_items(session),
        )
        if editable
        else html.P("You can view this plan but not change it.", className="text-muted", id="plan-readonly")
    )
    sections.append(
        dbc.Card(
            [dbc.CardHeader("Edit plan" if plan else "Plan details"), dbc.CardBody(form)], className="mb-3"
        )
    )
    if plan:
        sections.append(history_section(plan_history(session, plan.id)))
    return html.Div([*stores, header, notice, *sections])


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
                f"p = {r.p_value:.3g}; {r.test}). Plan unit changed {effect.treated_change_points:+.1f}, "
                f"{effect.n_control_units} comparison units {effect.control_change_points:+.1f}. "
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
                    dcc.Graph(id="plan-effect-figure", figure=figure, config=GRAPH_CONFIG),
                    html.P(windows, className="small text-muted"),
                ]
            ),
        ],
        className="mb-3",
    )


@callback(Output("plan-items", "options"), Input("plan-element", "value"))
def item_options(element):
    with current_runtime().read_session() as session:
        return item_options_for(
            element_items(session), element if isinstance(element, str) and element in ELEMENTS else None
        )


# Every field a validation error can name, with its visible label. Inputs are
# marked with dbc's `invalid`; dropdowns (no such prop) with the `is-invalid`
# class, styled in assets/forms.css. All are listed above the button as well.
FIELD_LABELS = {
    "title": "Title",
    "branch": "Branch",
    "department": "Department",
    "element": "Targeted RATER element",
    "items": "Items",
    "owner": "Owner",
    "stage": "Stage",
    "status": "Status",
    "start": "Start",
    "due": "Due",
    "baseline": "Baseline score",
    "target": "Target score",
    "cost": "Cost",
}
MARKED_INPUTS = ("title", "start", "due", "baseline", "target", "cost")
MARKED_DROPDOWNS = ("branch", "department", "element", "items", "owner", "stage", "status")


def _reply(feedback, href=dash.no_update, version=dash.no_update, errors=None) -> tuple:
    """The save callback's outputs; inputs keep their values (not outputs),
    so a refusal never loses what was typed."""
    errors = errors or {}
    return (
        feedback,
        href,
        version,
        *[name in errors for name in MARKED_INPUTS],
        *["is-invalid" if name in errors else "" for name in MARKED_DROPDOWNS],
    )


@callback(
    Output("plan-feedback", "children"),
    Output("plan-location", "href"),
    Output("plan-version", "data"),
    *[Output(f"plan-{name}", "invalid") for name in MARKED_INPUTS],
    *[Output(f"plan-{name}", "className") for name in MARKED_DROPDOWNS],
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
        return _reply(dbc.Alert("Please sign in again.", color="warning"))
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
                return _reply(dash.no_update, href=f"/plans/{new_id}")
            new_version = plan_service.update_plan(session, user, int(plan_id), int(version or 0), data)
    except plan_service.PlanInvalid as invalid:
        errors = invalid.errors.items()
        items_ = [html.Li(f"{FIELD_LABELS.get(field, field)}: {message}") for field, message in errors]
        alert = dbc.Alert(
            [html.Strong("Not saved. Please correct:"), html.Ul(items_)], color="danger", id="plan-errors"
        )
        return _reply(alert, errors=invalid.errors)
    except plan_service.StalePlan as stale:
        return _reply(dbc.Alert(str(stale), color="warning", id="plan-stale"))
    except (plan_service.PlanNotFound, plan_service.PlanForbidden, ValueError, TypeError):
        return _reply(dbc.Alert(NOT_AVAILABLE, color="danger", id="plan-refused"))
    saved = dbc.Alert(f"Saved (version {new_version}).", color="success", id="plan-saved", duration=6000)
    return _reply(saved, version=new_version)


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
            return comments_list(plan_comments(session, int(plan_id))), "", None
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
