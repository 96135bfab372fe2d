"""Rankings: branches or departments on overall satisfaction or one RATER
element, with n, confidence intervals, shrinkage and rank intervals. The
selection lives in the URL (?unit=&element=&wave=&sort=) so views can be shared."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard.components.cards import fmt, fmt_range
from dashboard.components.dropdown_label import dropdown_label
from dashboard.components.figures import GRAPH_CONFIG, ranking_figure
from dashboard.domain import ELEMENTS
from dashboard.services import reference_data
from dashboard.services.rankings import ranking_view
from dashboard.web_context import current_runtime, current_scope

dash.register_page(
    __name__, path="/rankings", name="Rankings", title="Rankings - Customer satisfaction", order=1
)

MEASURES = {"overall": "Overall satisfaction", **ELEMENTS}
UNITS = {"branch": "Branches", "department": "Departments"}
UNIT_NOUNS = {"branch": "Branch", "department": "Department"}
# column -> (label, ascending); unranked units always come last
SORTS = {
    "rank": ("Rank", True),
    "code": ("Unit code", True),
    "mean": ("Index", False),
    "n": ("Responses", False),
}


def _choice(value, allowed, default):
    return value if isinstance(value, str) and value in allowed else default


def layout(
    unit: str = "branch", element: str = "overall", wave: str = "", sort: str = "rank", **_other
) -> html.Div:
    runtime = current_runtime()
    with runtime.read_session() as session:
        waves = reference_data.waves(session)
    wave_codes = list(waves["code"])
    return html.Div(
        [
            dcc.Location(id="rankings-url", refresh=False),
            html.H2("Rankings", className="h4"),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            dropdown_label("Compare", "rankings-unit"),
                            dcc.Dropdown(
                                id="rankings-unit",
                                options=[{"label": v, "value": k} for k, v in UNITS.items()],
                                value=_choice(unit, UNITS, "branch"),
                                clearable=False,
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dropdown_label("On", "rankings-element"),
                            dcc.Dropdown(
                                id="rankings-element",
                                value=_choice(element, MEASURES, "overall"),
                                options=[{"label": v, "value": k} for k, v in MEASURES.items()],
                                clearable=False,
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dropdown_label("Wave", "rankings-wave"),
                            dcc.Dropdown(
                                id="rankings-wave",
                                options=[{"label": "All waves", "value": "all"}]
                                + [
                                    {"label": n, "value": c}
                                    for c, n in zip(waves["code"], waves["name"], strict=True)
                                ],
                                value=_choice(
                                    wave, [*wave_codes, "all"], wave_codes[-1] if wave_codes else "all"
                                ),
                                clearable=False,
                            ),
                        ],
                        md=3,
                    ),
                    dbc.Col(
                        [
                            dropdown_label("Sort by", "rankings-sort"),
                            dcc.Dropdown(
                                id="rankings-sort",
                                options=[{"label": v[0], "value": k} for k, v in SORTS.items()],
                                value=_choice(sort, SORTS, "rank"),
                                clearable=False,
                            ),
                        ],
                        md=3,
                    ),
                ],
                className="g-3 mb-3 filter-bar",
            ),
            dcc.Loading(html.Div(id="rankings-body")),
        ]
    )


@callback(
    Output("rankings-body", "children"),
    Output("rankings-url", "search"),
    Input("rankings-unit", "value"),
    Input("rankings-element", "value"),
    Input("rankings-wave", "value"),
    Input("rankings-sort", "value"),
    State("rankings-url", "search"),
)
def update(unit: str, element: str, wave: str, sort: str = "rank", current_search: str | None = None):
    unit = _choice(unit, UNITS, "branch")
    sort = _choice(sort, SORTS, "rank")
    element = _choice(element, MEASURES, "overall")
    wave = wave if isinstance(wave, str) else "all"
    runtime = current_runtime()
    scope = current_scope()  # resolved on the server for every request
    with runtime.read_session() as session:
        waves = reference_data.waves(session)
        wave_ids = tuple(waves.loc[waves["code"] == wave, "wave_id"]) if wave != "all" else None
        if wave != "all" and not wave_ids:
            return dbc.Alert("Unknown wave.", color="warning"), dash.no_update
        view = ranking_view(
            session, scope, wave_ids, unit, None if element == "overall" else element, runtime.settings.min_n
        )
    table = view.table
    search = "?" + urlencode({"unit": unit, "element": element, "wave": wave, "sort": sort})
    latest = str(waves["code"].iloc[-1]) if len(waves) else "all"
    if _same_view(current_search, search, latest):
        # the URL already says this (perhaps implicitly, by defaults): pushing it
        # again would add a history entry and break the browser's forward button
        search = dash.no_update
    if table.empty:
        return dbc.Alert("No responses for this selection.", color="info", id="rankings-empty"), search
    title = f"{UNITS[unit]} on {MEASURES[element]}"
    tied = (
        html.P(
            "No real differences between units detected (between-unit variance estimated as zero): "
            "all are shrunk to the overall mean and share rank 1.",
            className="small",
            id="rankings-no-differences",
        )
        if view.no_differences
        else None
    )
    return html.Div(
        [
            tied,
            dcc.Graph(id="rankings-figure", figure=ranking_figure(table, title), config=GRAPH_CONFIG),
            _table(_sorted(table, sort), unit),
            html.P(
                "Ranked on the empirical-Bayes estimate (each index shrunk toward the overall mean by "
                'its precision); "=" marks a rank shared by several units; the rank interval is the 95% '
                "range of ranks in 4,000 posterior draws. "
                f"Units with fewer than {runtime.settings.min_n} responses are not ranked.",
                className="small text-muted",
            ),
        ]
    ), search


def _same_view(current: str | None, canonical: str, latest_wave: str) -> bool:
    """Whether the URL, read with the layout's defaults, already shows this view."""
    if not isinstance(current, str):
        return False
    given = dict(parse_qsl(current.lstrip("?")))
    wanted = dict(parse_qsl(canonical.lstrip("?")))
    defaults = {"unit": "branch", "element": "overall", "sort": "rank", "wave": latest_wave}
    return all(given.get(k, defaults.get(k)) == v for k, v in wanted.items())


def _sorted(table, sort: str):
    ranked = table["status"] == "ranked"
    ascending = SORTS[sort][1]
    order = table[ranked].sort_values([sort, "code"], ascending=[ascending, True])
    return pd.concat([order, table[~ranked].sort_values("code")])


def _table(table, unit: str) -> dbc.Table:
    header = html.Thead(
        html.Tr(
            [
                html.Th(h)
                for h in ("Rank", "Rank interval", UNIT_NOUNS[unit], "Index", "95% CI", "Shrunk", "n")
            ]
        )
    )
    rows = []
    for r, rank in zip(table.itertuples(), table["rank_label"], strict=True):
        ranked = r.status == "ranked"
        rows.append(
            html.Tr(
                [
                    html.Td(rank if ranked else "—"),
                    html.Td(f"{int(r.rank_low)}-{int(r.rank_high)}" if ranked else r.status),
                    html.Td(dcc.Link(r.code, href=f"/unit?{unit}={r.code}", id=f"rankings-open-{r.code}")),
                    html.Td(fmt(r.mean) if ranked else "—"),
                    html.Td(fmt_range(r.ci_low, r.ci_high) if ranked else "—"),
                    html.Td(fmt(r.shrunk) if ranked else "—"),
                    html.Td(f"{int(r.n):,}"),
                ],
                className="" if ranked else "text-muted",
            )
        )
    return dbc.Table(
        [header, html.Tbody(rows)], id="rankings-table", striped=True, hover=True, size="sm", responsive=True
    )
