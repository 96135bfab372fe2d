"""UI pieces of the plan page (dashboard/pages/plan_detail.py): the
create/edit form, actions, comments and history. Pure builders: they get
rows and frames already scoped by the page, and render user text as text."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.components.dropdown_label import dropdown_label
from dashboard.domain import ELEMENTS, PLAN_STAGES, PLAN_STATUSES


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
                    html.Div(comments_list(comments), id="plan-comments"),
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


def history_section(changes) -> dbc.Card:
    """Who changed which field when, from before to after."""
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
        for c in changes
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


def field(label: str, control, field_id: str, width: int = 6) -> dbc.Col:
    if isinstance(control, dcc.Dropdown):
        label_ = dropdown_label(label, field_id)  # also the dropdown's accessible name
    else:
        label_ = dbc.Label(label, html_for=field_id)
    return dbc.Col([label_, control], md=width, className="mb-2")


def plan_form(v: dict, units: pd.DataFrame, staff: pd.DataFrame, items: pd.DataFrame) -> html.Div:
    """The create/edit form filled with `v` (values as typed or stored);
    dropdowns offer only the units and staff passed in (the viewer's scope)."""
    branches = units.drop_duplicates("branch_code")
    departments = units.drop_duplicates("department_code")
    element = v.get("element") or None
    return html.Div(
        [
            dbc.Row(
                [
                    field(
                        "Title",
                        dbc.Input(id="plan-title", value=v.get("title", ""), maxlength=200),
                        "plan-title",
                        12,
                    ),
                    field(
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
                    field(
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
                    field(
                        "Targeted RATER element",
                        dcc.Dropdown(
                            id="plan-element",
                            value=element if element in ELEMENTS else None,
                            options=[{"label": n, "value": k} for k, n in ELEMENTS.items()],
                        ),
                        "plan-element",
                    ),
                    field(
                        "Items",
                        dcc.Dropdown(
                            id="plan-items",
                            multi=True,
                            value=v.get("item_codes", []),
                            options=item_options(items, element),
                        ),
                        "plan-items",
                    ),
                    field(
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
                    field(
                        "Team", dbc.Input(id="plan-team", value=v.get("team", ""), maxlength=120), "plan-team"
                    ),
                    _choice("Stage", "plan-stage", v.get("stage", "assess"), PLAN_STAGES),
                    _choice("Status", "plan-status", v.get("status", "planned"), PLAN_STATUSES),
                    field(
                        "Start",
                        dbc.Input(id="plan-start", type="date", value=v.get("start_on")),
                        "plan-start",
                        3,
                    ),
                    field("Due", dbc.Input(id="plan-due", type="date", value=v.get("due_on")), "plan-due", 3),
                    _score("Baseline score (1-7)", "plan-baseline", v.get("baseline_score")),
                    _score("Target score (1-7)", "plan-target", v.get("target_score")),
                    field("Cost", _number_input("plan-cost", v.get("cost")), "plan-cost", 4),
                    field(
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


def _choice(label: str, field_id: str, value, options) -> dbc.Col:
    """A required pick from a fixed list (stage, status)."""
    control = dcc.Dropdown(id=field_id, value=value, clearable=False, options=list(options))
    return field(label, control, field_id, 3)


def _score(label: str, field_id: str, value) -> dbc.Col:
    """A mean on the 7-point perception scale, the scale plan targets use."""
    return field(label, _number_input(field_id, value), field_id, 4)


def _number_input(field_id: str, value) -> dbc.Input:
    """A number typed as text. A `type="number"` input with min/max/step
    reports a value it finds invalid as no value at all (null), so 9 for a
    1-7 score or -100 for a cost would reach the server as "empty" and be
    dropped without a word. As text, the server sees exactly what was typed
    and validates it (dashboard.services.plans.clean)."""
    return dbc.Input(id=field_id, type="text", inputmode="decimal", value=number_text(value))


def number_text(value) -> str:
    """A stored number as the form shows it: 25000 rather than 25000.0."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def item_options(items, element) -> list[dict]:
    chosen = items[items["element"] == element] if element else items.iloc[0:0]
    return [{"label": f"{r.code} {r.text}", "value": r.code} for r in chosen.itertuples()]
