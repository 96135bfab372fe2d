"""One improvement plan (/plans/<id>) or a new one (/plans/new?branch=&
department=&element=&items=, the drill-down's "start a plan" link).

Callbacks are thin: each resolves the user on the server and calls
dashboard.services.plans (writes: scope, permission and version checks) or
dashboard.services.plan_page (reads). The form's inputs and the save
callback's states are derived from its declaration (services/plan_form.py),
so the save callback receives one dict of values by field name. The form is
never cleared by a refusal, so nothing typed is lost."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard.components.cards import fmt
from dashboard.components.figures import GRAPH_CONFIG
from dashboard.components.page_url import location
from dashboard.components.plan_figures import plan_effect_figure
from dashboard.components.plan_sections import (
    actions_section,
    comments_list,
    comments_section,
    form_section,
    history_section,
    invalid_mark,
    invalid_prop,
)
from dashboard.domain import ELEMENTS
from dashboard.services import plan_form, plan_page
from dashboard.services import plans as plan_service
from dashboard.services.plan_effects import plan_effect
from dashboard.services.plans import PlanForbidden, PlanInvalid, PlanNotFound, StalePlan
from dashboard.urlstate import PLAN as PAGE
from dashboard.web_context import current_runtime, current_scope, current_user

dash.register_page(
    __name__, path_template="/plans/<plan_id>", name="Plan", title="Plan - Customer satisfaction", nav=False
)

NOT_AVAILABLE = "This plan does not exist or is not available to you."


def layout(plan_id: str = "new", **query):
    user = current_user()
    link = PAGE.parse(query)
    with current_runtime().read_session() as session:
        try:
            if plan_id == "new":
                page = plan_page.new_plan(
                    session, user, link["branch"], link["department"], link["element"], link["items"] or ""
                )
            else:
                page = plan_page.open_plan(session, user, plan_id)
        except PlanNotFound:
            return dbc.Alert(NOT_AVAILABLE, color="warning", id=PAGE.id("missing"))
        # the body is rendered again in place after a write (add_action), so
        # the Location that navigates after a create stays outside it
        return html.Div([location(PAGE), html.Div(_page(session, page), id=PAGE.id("body"))])


def _outside_notice(page: plan_page.PlanPage) -> dbc.Alert | None:
    """Says which linked unit was outside the viewer's scope, and what the
    form holds instead (see plan_service.linked_unit)."""
    instead = {True: "your own {noun} is filled in instead.", False: "choose a {noun} from the list."}
    sentences = [
        f"The linked {noun} is outside your scope: " + instead[bool(page.values[noun])].format(noun=noun)
        for noun in page.outside
    ]
    return dbc.Alert(" ".join(sentences), color="warning", id=PAGE.id("link-outside")) if sentences else None


def _page(session, page: plan_page.PlanPage) -> html.Div:
    plan = page.plan
    header = html.Div(
        [
            dcc.Link("← All plans", href="/plans", className="small"),
            html.H2(
                plan.title if plan else "New improvement plan",
                className="h4 mt-1",
                id=PAGE.id("title-heading"),
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
        dcc.Store(id=PAGE.id("id"), data=plan.id if plan else None),
        dcc.Store(id=PAGE.id("version"), data=plan.version if plan else None),
    ]
    sections = [_effect_section(session, plan)] if plan else []
    if plan:
        sections += [actions_section(plan, page.editable), comments_section(page.comments)]
    form = (
        form_section(plan_form.FIELDS, page.values, page.choices)
        if page.editable
        else html.P(
            "You can view this plan but not change it.", className="text-muted", id=PAGE.id("readonly")
        )
    )
    sections.append(
        dbc.Card(
            [dbc.CardHeader("Edit plan" if plan else "Plan details"), dbc.CardBody(form)], className="mb-3"
        )
    )
    if plan:
        sections.append(history_section(page.history))
    return html.Div([*stores, header, _outside_notice(page), *sections])


def _effect_section(session, plan) -> dbc.Card:
    settings = current_runtime().settings
    effect = plan_effect(
        session, plan, settings.min_n, viewer=current_scope(), min_units=settings.min_pool_units
    )
    r = effect.result
    # the pool's n only to a viewer whose scope covers it (services/plan_effects.py)
    control = f"{int(r.cells.control_pre.n)}/{int(r.cells.control_post.n)}"
    pool_n = f" vs comparison {control}" if effect.pool_shown else ""
    if effect.effect_points is None:
        summary = html.P(
            [
                html.Strong(r.verdict.capitalize()),
                f" (plan unit: n = {int(r.cells.treated_post.n)} after the start).",
            ],
            id=PAGE.id("effect-summary"),
        )
    else:
        summary = html.P(
            [
                html.Strong(r.verdict.capitalize()),
                f": {effect.effect_points:+.1f} index points "
                f"(95% CI {fmt(effect.ci_points[0])} to {fmt(effect.ci_points[1])}, "
                f"p = {r.p_value:.3g}; {r.test}). Plan unit changed {effect.treated_change_points:+.1f}, "
                f"{effect.n_control_units} comparison units {effect.control_change_points:+.1f}. "
                f"Respondents before/after: plan unit {int(r.cells.treated_pre.n)}/"
                f"{int(r.cells.treated_post.n)}{pool_n}.",
                f" {fmt(effect.per_10k, 2)} points per 10,000 of cost." if effect.per_10k is not None else "",
            ],
            id=PAGE.id("effect-summary"),
        )
    pool_note = (
        None
        if effect.pool_shown
        else html.P(
            "The comparison units lie outside your scope, so their wave-by-wave numbers and respondent "
            f"counts are not shown, and the effect only while every wave's comparison has at least "
            f"{settings.min_pool_units} units and {settings.min_n} respondents beyond its largest unit.",
            className="small text-muted",
            id=PAGE.id("effect-pool-note"),
        )
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
                    dcc.Graph(id=PAGE.id("effect-figure"), figure=figure, config=GRAPH_CONFIG),
                    html.P(windows, className="small text-muted"),
                    pool_note,
                ]
            ),
        ],
        className="mb-3",
    )


ELEMENT, ITEMS = plan_form.BY_NAME["element"], plan_form.BY_NAME["items"]


@callback(output=Output(ITEMS.input_id, "options"), inputs={"element": Input(ELEMENT.input_id, "value")})
def item_options(element):
    with current_runtime().read_session() as session:
        return plan_page.item_choices(session, element)


def _reply(feedback, path=dash.no_update, version=dash.no_update, errors=None) -> dict:
    """The save callback's outputs: every field marked valid or not. Inputs
    keep their values (not outputs), so a refusal never loses what was typed."""
    errors = errors or {}
    marks = {f.name: invalid_mark(f, f.name in errors) for f in plan_form.FIELDS}
    return {"feedback": feedback, "path": path, "version": version, "marks": marks}


@callback(
    output={
        "feedback": Output(PAGE.id("feedback"), "children"),
        "path": Output(PAGE.url_id, "href"),
        "version": Output(PAGE.id("version"), "data"),
        "marks": {f.name: Output(f.input_id, invalid_prop(f)) for f in plan_form.FIELDS},
    },
    inputs={
        "_clicks": Input(PAGE.id("save"), "n_clicks"),
        "plan_id": State(PAGE.id("id"), "data"),
        "version": State(PAGE.id("version"), "data"),
        "values": {f.name: State(f.input_id, "value") for f in plan_form.FIELDS},
    },
    prevent_initial_call=True,
)
def save(_clicks, plan_id, version, values: dict):
    """Create (no plan id yet) or update the plan from the form's values."""
    user = current_user()
    if user is None:
        return _reply(dbc.Alert("Please sign in again.", color="warning"))
    try:
        with current_runtime().write_session() as session:
            if plan_id is None:
                new_id = plan_service.create_plan(session, user, values)
                return _reply(dash.no_update, path=f"/plans/{new_id}")
            new_version = plan_service.update_plan(session, user, plan_id, version, values)
    except PlanInvalid as invalid:
        errors = invalid.errors.items()
        listed = [html.Li(f"{plan_form.label(name)}: {message}") for name, message in errors]
        alert = dbc.Alert(
            [html.Strong("Not saved. Please correct:"), html.Ul(listed)], color="danger", id=PAGE.id("errors")
        )
        return _reply(alert, errors=invalid.errors)
    except StalePlan as stale:
        return _reply(dbc.Alert(str(stale), color="warning", id=PAGE.id("stale")))
    except (PlanNotFound, PlanForbidden):
        return _reply(dbc.Alert(NOT_AVAILABLE, color="danger", id=PAGE.id("refused")))
    saved = dbc.Alert(f"Saved (version {new_version}).", color="success", id=PAGE.id("saved"), duration=6000)
    return _reply(saved, version=new_version)


@callback(
    output=(
        Output(PAGE.id("comments"), "children"),
        Output(PAGE.id("comment-text"), "value"),
        Output(PAGE.id("comment-feedback"), "children"),
    ),
    inputs={
        "_clicks": Input(PAGE.id("comment-add"), "n_clicks"),
        "plan_id": State(PAGE.id("id"), "data"),
        "text": State(PAGE.id("comment-text"), "value"),
    },
    prevent_initial_call=True,
)
def comment(_clicks, plan_id, text):
    user = current_user()
    try:
        with current_runtime().write_session() as session:
            plan_service.add_comment(session, user, plan_id, text)
        with current_runtime().read_session() as session:
            return comments_list(plan_page.comments(session, user, plan_id)), "", None
    except PlanInvalid as invalid:
        return dash.no_update, dash.no_update, dbc.Alert(invalid.errors["comment"], color="danger")
    except PlanNotFound:
        return dash.no_update, dash.no_update, dbc.Alert(NOT_AVAILABLE, color="danger")


@callback(
    output=Output(PAGE.id("actions-feedback"), "children"),
    inputs={"done_ids": Input(PAGE.id("actions"), "value"), "plan_id": State(PAGE.id("id"), "data")},
    prevent_initial_call=True,
)
def actions_done(done_ids, plan_id):
    try:
        with current_runtime().write_session() as session:
            plan_service.set_actions_done(session, current_user(), plan_id, done_ids)
    except (PlanNotFound, PlanForbidden, PlanInvalid):
        return dbc.Alert(
            "Not saved: you may not change this plan's actions.",
            color="danger",
            id=PAGE.id("actions-refused"),
        )
    return html.Small("Saved.", className="text-success")


@callback(
    output=(
        Output(PAGE.id("body"), "children"),
        Output(PAGE.id("actions-feedback"), "children", allow_duplicate=True),
    ),
    inputs={
        "_clicks": Input(PAGE.id("action-add"), "n_clicks"),
        "plan_id": State(PAGE.id("id"), "data"),
        "text": State(PAGE.id("action-text"), "value"),
        "due": State(PAGE.id("action-due"), "value"),
    },
    prevent_initial_call=True,
)
def add_action(_clicks, plan_id, text, due):
    try:
        with current_runtime().write_session() as session:
            plan_number = plan_service.add_action(session, current_user(), plan_id, text, due)
    except PlanInvalid as invalid:
        return dash.no_update, dbc.Alert("; ".join(invalid.errors.values()), color="danger")
    except (PlanNotFound, PlanForbidden):
        return dash.no_update, dbc.Alert(NOT_AVAILABLE, color="danger")
    with current_runtime().read_session() as session:  # the plan as stored: actions, history, version
        return _page(session, plan_page.open_plan(session, current_user(), plan_number)), None
