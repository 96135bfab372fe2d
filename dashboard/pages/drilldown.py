"""RATER drill-down: element -> its items -> where it is weak -> the
comments behind it. The whole view is in the URL (/elements?element=S&item=S2
&by=branch&unit=B02&q=...&from=&to=&segment=&channel=), so it can be
bookmarked and back/forward walk the drill path. Controls only rewrite the
URL; the layout renders from it with the viewer's scope."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, State, ctx, dcc, html

from dashboard.components.cards import NO_RATINGS, data_table, fmt, fmt_range, signed
from dashboard.components.figures import GRAPH_CONFIG, element_bars
from dashboard.components.filter_bar import breadcrumbs, filter_bar, filter_bar_to_url
from dashboard.components.page_url import location, url_callback
from dashboard.domain import CHANNELS, ELEMENT_TEXT_COLOURS, ELEMENTS
from dashboard.services import drilldown as drill
from dashboard.services.scope_text import fixed_unit
from dashboard.services.view_state import load_global_filters, query_filters
from dashboard.urlstate import DRILL as PAGE
from dashboard.urlstate import PLAN
from dashboard.web_context import current_runtime, current_scope

dash.register_page(
    __name__,
    path="/elements",
    name="RATER drill-down",
    title="RATER drill-down - Customer satisfaction",
    order=2,
)


def layout(**query) -> html.Div:
    state = PAGE.parse(query)
    runtime = current_runtime()
    scope, min_n = current_scope(), runtime.settings.min_n
    element, by, unit = state["element"], state["by"], state["unit"]
    with runtime.read_session() as session:
        current, waves = load_global_filters(session, state)
        fixed = fixed_unit(session, scope)
        filters = query_filters(current, waves, all_channels=by == "channel")
        items = drill.item_table(session, scope, filters, element, min_n) if element else None
        item = state["item"] if items is not None and state["item"] in set(items["code"]) else None
        crumbs = [("All elements", PAGE.href(state, element=None, item=None, unit=None, q=None))]
        body: list = []
        if element is None:
            body = _elements_level(drill.element_profile(session, scope, filters, min_n), state)
        else:
            crumbs.append((ELEMENTS[element], PAGE.href(state, item=None, unit=None, q=None)))
            if item:
                crumbs.append((item, PAGE.href(state, unit=None, q=None)))
            unit_filters = drill.unit_filter(session, scope, filters, by, unit) if unit else None
            if unit and unit_filters is not None:
                crumbs.append((unit, None))
                body = _comments_level(
                    session, scope, unit_filters, element, item, by, unit, state, runtime, fixed
                )
            else:
                if unit:  # a unit the viewer may not see, or a stale link
                    body.append(
                        dbc.Alert(
                            f"{unit!r} is not available to you.", color="warning", id="drill-unit-refused"
                        )
                    )
                spots = drill.weak_spots(session, scope, filters, by, element, item, min_n)
                body += _element_level(items, element, item, spots, by, state, min_n, fixed)
        crumbs[-1] = (crumbs[-1][0], None)
    return html.Div(
        [
            location(PAGE),
            html.H2("RATER drill-down", className="h4"),
            filter_bar(PAGE, waves, current),
            breadcrumbs(crumbs, "drill-breadcrumbs"),
            html.P(f"Showing {current.label}.", className="small text-muted", id="drill-selection"),
            dcc.Loading(html.Div(body, id="drill-body")),
        ]
    )


def _elements_level(profile, state) -> list:
    if profile.empty:
        return [dbc.Alert(NO_RATINGS, color="info", id="drill-empty")]
    bars = drill.profile_bars(profile)
    figure = element_bars(bars, "Click an element to see its items")
    rows = [
        html.Tr(
            [
                html.Td(
                    dcc.Link(
                        r.name,
                        href=PAGE.href(state, element=r.element),
                        style={"color": ELEMENT_TEXT_COLOURS[r.element]},
                        id=f"drill-element-{r.element}",
                    )
                ),
                html.Td(fmt(r.csi), className="drill-csi"),
                html.Td(fmt_range(r.csi_low, r.csi_high)),
                html.Td(fmt(r.p_mean, 2)),
                html.Td(fmt(r.e_mean, 2)),
                html.Td(fmt(r.gap, 2)),
                html.Td(fmt(r.top_box, 1, "%")),
                html.Td(f"{int(r.respondents):,}" + (" (too few)" if r.suppressed else "")),
            ]
        )
        for r in profile.itertuples()
    ]
    return [
        dcc.Graph(id=PAGE.id("elements-figure"), figure=figure, config=GRAPH_CONFIG),
        data_table(
            ["Element", "CSI", "95% CI", "P mean", "E mean", "Gap P-E", "Top-2-box", "Respondents"],
            rows,
            "drill-elements-table",
        ),
    ]


def _element_level(items, element, item, spots, by, state, min_n, fixed) -> list:
    item_rows = [
        html.Tr(
            [
                html.Td(
                    dbc.Button(
                        r.code,
                        id={"type": PAGE.id("item"), "index": r.code},
                        color="link",
                        size="sm",
                        className="p-0",
                    )
                ),
                html.Td(r.text),
                html.Td(fmt(r.csi), className="drill-csi"),
                html.Td(fmt(r.p_mean, 2)),
                html.Td(fmt(r.e_mean, 2)),
                html.Td(f"{fmt(r.gap, 2)} ± {fmt(r.gap_half, 2)}" if r.gap == r.gap else "—"),
                html.Td(fmt(r.top_box, 1, "%")),
                html.Td(f"{int(r.n_p):,}" + (" (too few)" if r.suppressed else "")),
            ],
            className="table-primary" if r.code == item else None,
        )
        for r in items.itertuples()
    ]
    tabs = dbc.Nav(
        [
            dbc.NavItem(
                dbc.NavLink(
                    label, href=PAGE.href(state, by=key, unit=None), active=key == by, id=f"drill-by-{key}"
                )
            )
            for key, label in drill.DIMENSION_LABELS.items()
        ],
        pills=True,
        className="my-2",
    )
    subject = f"item {item}" if item else ELEMENTS[element]
    spot_rows = []
    for r in spots.itertuples():
        value = f"{r.group}"
        link = dcc.Link(
            str(r.label),
            href=PAGE.href(state, unit=_unit_code(r.label, by, value)),
            className="drill-unit-link",
        )
        plan = None
        # a weakness is a group below the whole selection, not one that rounds to it
        if by in ("branch", "department") and not r.suppressed and round(r.diff, 1) < 0:
            plan = dcc.Link(
                "Start a plan for this weakness",
                href=_plan_link(by, str(r.label).split(" ")[0], element, item, fixed),
                className="small",
            )
        spot_rows.append(
            html.Tr(
                [
                    html.Td(link),
                    html.Td(fmt(r.csi), className="drill-csi"),
                    html.Td(fmt_range(r.csi_low, r.csi_high)),
                    html.Td(signed(r.diff)),
                    html.Td(f"{int(_people(r)):,}" + (" (too few responses)" if r.suppressed else "")),
                    html.Td(plan),
                ]
            )
        )
    return [
        html.H3(f"{ELEMENTS[element]}: items", className="h5 mt-2"),
        html.P(
            "Click an item to see where it is weak. Gap = perception minus expectation (± 95% CI).",
            className="small text-muted",
        ),
        data_table(
            ["Item", "Question", "CSI", "P mean", "E mean", "Gap P-E", "Top-2-box", "n"],
            item_rows,
            "drill-items-table",
        ),
        html.H3(f"Where {subject} is weak", className="h5 mt-3"),
        tabs,
        data_table(["Group", "CSI", "95% CI", "vs all", "Respondents", ""], spot_rows, "drill-spots-table")
        if spot_rows
        else dbc.Alert("No responses for this selection.", color="info"),
        html.P(
            f"Weakest first. Groups with fewer than {min_n} respondents are not scored. "
            "Click a group to read its comments.",
            className="small text-muted",
        ),
    ]


def _people(row) -> int:
    """Respondents of a group: element rows count them; an item's answers are its respondents."""
    people = getattr(row, "respondents", None)
    return row.n_p if people is None or people != people else people


def _unit_code(label: str, by: str, value: str) -> str:
    return str(label).split(" ")[0] if by in ("branch", "department") else value


def _plan_link(by: str, code: str, element: str, item: str | None, fixed: dict[str, str]) -> str:
    """A viewer restricted to one branch (or department) plans inside it, so
    the link carries that unit as well as the weak group."""
    return PLAN.href({**fixed, by: code, "element": element, "items": item})


def _comments_level(session, scope, unit_filters, element, item, by, unit, state, runtime, fixed) -> list:
    page, count = drill.comments_for(
        session, scope, unit_filters, element, state["q"] or "", runtime.settings.min_n_comments
    )
    search = dbc.InputGroup(
        [
            dbc.Label("Search comments", html_for=PAGE.id("search"), className="visually-hidden"),
            dbc.Input(
                id=PAGE.id("search"),
                value=state["q"] or "",
                placeholder="Search comments",
                maxlength=100,
                type="search",
            ),
            dbc.Button("Search", id=PAGE.id("search-go"), color="secondary"),
        ],
        className="mb-2",
    )
    plan = None
    if by in ("branch", "department"):
        plan = dcc.Link(
            "Start a plan for this weakness",
            href=_plan_link(by, unit, element, item, fixed),
            id="drill-start-plan",
        )
    where = CHANNELS.get(unit, unit) if by == "channel" else unit
    header = [html.H3(f"Comments behind {ELEMENTS[element]} at {where}", className="h5 mt-2"), plan]
    if page is None:
        note = (
            f"Only {count} comment{'s' if count != 1 else ''} here; comments are shown from "
            f"{runtime.settings.min_n_comments} on, so that writers cannot be recognised."
        )
        return [*header, dbc.Alert(note, color="info", id="drill-comments-suppressed")]
    rows = [
        html.Tr(
            [
                html.Td(f"{r.submitted_at:%Y-%m-%d}"),
                html.Td(r.department),
                html.Td(r.segment),
                html.Td(fmt(r.element_mean, 2)),
                html.Td(r.comment, className="drill-comment"),
            ]
        )
        for r in page.rows.itertuples()
    ]
    summary = (
        f"{page.matches:,} of {page.group_size:,} comments from respondents who rated "
        f"{ELEMENTS[element]} lowest of the five elements"
    )
    return [
        *header,
        search,
        html.P(
            summary + (f", matching {state['q']!r}." if state["q"] else "."),
            className="small text-muted",
            id="drill-comments-summary",
        ),
        data_table(
            ["Date", "Department", "Segment", f"{ELEMENTS[element]} (1-7)", "Comment"],
            rows,
            "drill-comments-table",
        )
        if rows
        else dbc.Alert("No comments match the search.", color="info", id="drill-comments-none"),
    ]


filter_bar_to_url(PAGE)


@url_callback(PAGE, Input(PAGE.id("elements-figure"), "clickData"))
def element_clicked(_state, click):
    try:
        name = click["points"][0]["x"]
    except (TypeError, KeyError, IndexError):
        return None
    element = next((code for code, label in ELEMENTS.items() if label == name), None)
    return {"element": element, "item": None, "unit": None, "q": None} if element else None


@url_callback(PAGE, Input({"type": PAGE.id("item"), "index": ALL}, "n_clicks"))
def item_clicked(_state, clicks):
    if not isinstance(ctx.triggered_id, dict) or not any(clicks or []):
        return None
    return {"item": ctx.triggered_id.get("index"), "unit": None, "q": None}


@url_callback(
    PAGE,
    Input(PAGE.id("search-go"), "n_clicks"),
    Input(PAGE.id("search"), "n_submit"),
    State(PAGE.id("search"), "value"),
)
def search_comments(_state, _clicks, _submit, text):
    return {"q": text.strip()[:100] if isinstance(text, str) else None}
