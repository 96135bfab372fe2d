"""UI pieces of the plan page (dashboard/pages/plan_detail.py): the
create/edit form, actions, comments and history. Pure builders: they get
rows and choices already scoped by the services, and render user text as text."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.dropdown_label import dropdown_label
from dashboard.urlstate import PLAN


def due_with_flag(due_on, overdue: bool) -> list:
    """A plan's due date, with an "overdue" badge on its own line when late."""
    due = [html.Span(f"{due_on:%Y-%m-%d}" if due_on is not None else "—", className="text-nowrap")]
    return due + ([html.Br(), dbc.Badge("overdue", color="danger")] if overdue else [])


def actions_section(plan, editable: bool) -> dbc.Card:
    """Actions as done/not-done switches; an add row only for editors."""
    options = [
        {"label": f"{a.text} (due {a.due_on.isoformat() if a.due_on else '—'})", "value": a.id}
        for a in plan.actions
    ]
    body = [
        dbc.Checklist(
            id=PLAN.id("actions"), options=options, value=[a.id for a in plan.actions if a.done], switch=True
        )
        if options
        else html.P("No actions yet.", className="text-muted"),
    ]
    if editable:
        body.append(
            dbc.InputGroup(
                [
                    dbc.Label("New action", html_for=PLAN.id("action-text"), className="visually-hidden"),
                    dbc.Input(id=PLAN.id("action-text"), placeholder="New action", maxlength=500),
                    dbc.Label("Action due date", html_for=PLAN.id("action-due"), className="visually-hidden"),
                    dbc.Input(id=PLAN.id("action-due"), type="date"),
                    dbc.Button("Add action", id=PLAN.id("action-add"), color="secondary"),
                ],
                className="mt-2",
            )
        )
    body.append(html.Div(id=PLAN.id("actions-feedback")))
    return dbc.Card([dbc.CardHeader("Actions"), dbc.CardBody(body)], className="mb-3")


def comments_list(comments) -> list:
    """Comments as plain text (never HTML), newest last."""
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


def comments_section(comments) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader("Comments"),
            dbc.CardBody(
                [
                    html.Div(comments_list(comments), id=PLAN.id("comments")),
                    dbc.Label("Add a comment", html_for=PLAN.id("comment-text"), className="visually-hidden"),
                    dbc.Textarea(id=PLAN.id("comment-text"), placeholder="Add a comment", maxlength=4000),
                    dbc.Button(
                        "Comment", id=PLAN.id("comment-add"), color="secondary", size="sm", className="mt-2"
                    ),
                    html.Div(id=PLAN.id("comment-feedback")),
                ]
            ),
        ],
        className="mb-3",
    )


def history_section(changes) -> dbc.Card:
    """Who changed what when, from before to after (`changes`: rows with at,
    username, what, before, after)."""
    rows = [
        html.Tr(
            [
                html.Td(f"{c.at:%Y-%m-%d %H:%M}"),
                html.Td(c.username or "—"),
                html.Td(c.what),
                html.Td(c.before or ""),
                html.Td(c.after or ""),
            ]
        )
        for c in changes
    ]
    table = dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in ("When", "Who", "What", "Before", "After")])),
            html.Tbody(rows),
        ],
        size="sm",
        responsive=True,
        id=PLAN.id("history"),
    )
    note = (
        None
        if rows
        else html.P("Changes made before history was kept are not listed.", className="text-muted small")
    )
    return dbc.Card([dbc.CardHeader("History"), dbc.CardBody([table, note])], className="mb-3")


DROPDOWNS = ("dropdown", "multi", "choice")


def form_section(fields, values: dict, choices: dict[str, list]) -> html.Div:
    """The create/edit form: one control per declared field (`fields`:
    dashboard.services.plan_form.FIELDS), filled with `values` (as typed or
    stored) and offering `choices` (the viewer's units and staff only)."""
    return html.Div(
        [
            dbc.Row([_field(f, values.get(f.name), choices.get(f.name, [])) for f in fields]),
            dbc.Button("Save plan", id=PLAN.id("save"), color="primary"),
            dcc.Loading(html.Div(id=PLAN.id("feedback"), className="mt-2")),
        ]
    )


def _field(f, value, options: list) -> dbc.Col:
    control = _control(f, value, options)
    if f.control in DROPDOWNS:
        label = dropdown_label(f.form_label, f.input_id)  # also the dropdown's accessible name
    else:
        label = dbc.Label(f.form_label, html_for=f.input_id)
    return dbc.Col([label, control], md=f.width, className="mb-2")


def _control(f, value, options: list):
    # only the props a field declares, so the others keep the component's defaults
    optional = {k: v for k, v in (("placeholder", f.placeholder), ("maxlength", f.max_length)) if v}
    if f.control in DROPDOWNS:
        return dcc.Dropdown(
            id=f.input_id,
            value=value,
            options=options,
            multi=f.control == "multi",
            clearable=f.control != "choice",  # a choice (stage, status) is required
            **optional,
        )
    if f.control == "textarea":
        return dbc.Textarea(id=f.input_id, value=value, **optional)
    if f.control == "date":
        return dbc.Input(id=f.input_id, type="date", value=value)
    if f.control == "number":
        # A number typed as text. A `type="number"` input with min/max/step
        # reports a value it finds invalid as no value at all (null), so 9 for
        # a 1-7 score or -100 for a cost would reach the server as "empty" and
        # be dropped without a word. As text, the server sees exactly what was
        # typed and names what is wrong with it.
        return dbc.Input(id=f.input_id, type="text", inputmode="decimal", value=value)
    return dbc.Input(id=f.input_id, value=value, **optional)


def invalid_prop(f) -> str:
    """The property that marks a field invalid: dbc's `invalid` on inputs;
    dropdowns have none, so their class (styled in assets/forms.css)."""
    return "className" if f.control in DROPDOWNS else "invalid"


def invalid_mark(f, invalid: bool):
    return ("is-invalid" if invalid else "") if f.control in DROPDOWNS else invalid
