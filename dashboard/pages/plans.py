"""Improvement plans: every plan the viewer may see, with status, measured
effect (difference in differences) and overdue plans highlighted. The status
filter is a plain link, so the URL (?status=) holds the view."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.cards import data_table, fmt
from dashboard.components.plan_sections import due_with_flag
from dashboard.domain import ELEMENT_TEXT_COLOURS, ELEMENTS
from dashboard.services.plan_effects import plans_with_effects
from dashboard.urlstate import PLANS as PAGE
from dashboard.web_context import current_runtime, current_scope, current_user

dash.register_page(
    __name__,
    path="/plans",
    name="Improvement plans",
    title="Improvement plans - Customer satisfaction",
    order=70,
)

# the status filter's labels, in the order of its URL values
FILTERS = {s: s.capitalize() for s in PAGE.choices("status")}
VERDICT_TONES = {"improved": "success", "worsened": "danger", "no significant change": "secondary"}


def layout(**query) -> html.Div:
    state = PAGE.parse(query)
    status = state["status"]
    runtime = current_runtime()
    with runtime.read_session() as session:
        settings = runtime.settings
        table = plans_with_effects(session, current_scope(), settings.min_n, settings.min_pool_units)
    if status == "open":
        shown = table[table["status"].isin(["planned", "active"])]
    elif status == "all":
        shown = table
    else:
        shown = table[table["status"] == status]
    user = current_user()
    return html.Div(
        [
            html.Div(
                [
                    html.H2("Improvement plans", className="h4 mb-0"),
                    dbc.Button("New plan", href="/plans/new", color="primary", size="sm", id="plans-new")
                    if user is not None
                    else None,
                ],
                className="d-flex justify-content-between align-items-center mb-3",
            ),
            dbc.Nav(
                [
                    dbc.NavItem(
                        dbc.NavLink(
                            label,
                            href=PAGE.href(state, status=key),
                            active=key == status,
                            id=PAGE.id(f"filter-{key}"),
                        )
                    )
                    for key, label in FILTERS.items()
                ],
                pills=True,
                className="mb-3",
                id=PAGE.id("filter"),
            ),
            _table(shown)
            if len(shown)
            else dbc.Alert(_empty_reason(table, status), color="info", id="plans-empty"),
            html.P(
                "Effect: change of the targeted RATER element at the plan's unit from the four waves before "
                "the start to up to four waves after, minus the change at comparable units without a plan "
                "(difference in differences, 95% CI, index points 0-100). 'Too early to tell' until the "
                f"plan's unit has {runtime.settings.min_n} responses after the start.",
                className="small text-muted mt-2",
            ),
        ]
    )


def _empty_reason(table, status: str) -> str:
    if table.empty:
        return "No improvement plans in your part of the organisation yet."
    return f"No {FILTERS[status].lower()} plans. Choose another filter to see the other {len(table)}."


def _effect_cell(row) -> html.Td:
    if row["effect_points"] is None or row["effect_points"] != row["effect_points"]:
        return html.Td(row["verdict"], className="text-muted")
    tone = VERDICT_TONES.get(row["verdict"], "secondary")
    return html.Td(
        [
            dbc.Badge(row["verdict"], color=tone, className="me-1 text-wrap"),
            f"{row['effect_points']:+.1f} ({fmt(row['ci_low'])} to {fmt(row['ci_high'])})",
        ]
    )


# Columns a tablet leaves out so the effect fits; the plan's page shows them.
WIDE_ONLY = "d-none d-lg-table-cell"


def _table(rows) -> dbc.Table:
    headers = [
        html.Th(h, className=WIDE_ONLY if h in ("Stage", "Per 10k cost") else None)
        for h in ("Plan", "Unit", "Element", "Stage", "Status", "Due", "Effect", "Per 10k cost")
    ]
    body = []
    for _, row in rows.iterrows():
        unit = (
            " / ".join(x for x in (row["branch_name"], row["department_name"]) if isinstance(x, str)) or "—"
        )
        body.append(
            html.Tr(
                [
                    html.Td(dcc.Link(row["title"], href=f"/plans/{row['plan_id']}")),
                    html.Td(unit),
                    html.Td(
                        html.Span(
                            ELEMENTS.get(row["element"], row["element"]),
                            style={"color": ELEMENT_TEXT_COLOURS.get(row["element"])},
                        )
                    ),
                    html.Td(row["stage"], className=WIDE_ONLY),
                    html.Td(row["status"]),
                    html.Td(due_with_flag(row["due_on"], row["overdue"])),
                    _effect_cell(row),
                    html.Td(
                        fmt(row["per_10k"], 2) if row["per_10k"] is not None else "—", className=WIDE_ONLY
                    ),
                ],
                className="table-danger" if row["overdue"] else None,
            )
        )
    return data_table(headers, body, "plans-table")
