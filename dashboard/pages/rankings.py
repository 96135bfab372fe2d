"""Rankings: branches or departments on overall satisfaction or one RATER
element, with n, confidence intervals, shrinkage and rank intervals. The
selection lives in the URL (?unit=&element=&wave=&sort=) so views can be shared."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from dashboard.components.cards import data_table, fmt, fmt_range
from dashboard.components.dropdown_label import dropdown_label
from dashboard.components.figures import GRAPH_CONFIG, ranking_figure
from dashboard.components.page_url import controls_to_url, location
from dashboard.components.verdicts import verdict_block
from dashboard.domain import ELEMENTS
from dashboard.services import reference_data
from dashboard.services.rankings import ranking_view
from dashboard.urlstate import RANKINGS as PAGE
from dashboard.urlstate import UNIT
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
CONTROLS = ("unit", "element", "wave", "sort")


def layout(**query) -> html.Div:
    state = PAGE.parse(query)
    runtime = current_runtime()
    scope = current_scope()  # resolved on the server for every request
    with runtime.read_session() as session:
        waves = reference_data.waves(session)
        codes = list(waves["code"])
        wave = state["wave"] if state["wave"] in (*codes, "all") else (codes[-1] if codes else "all")
        wave_ids = tuple(waves.loc[waves["code"] == wave, "wave_id"]) if wave != "all" else None
        element = None if state["element"] == "overall" else state["element"]
        view = ranking_view(session, scope, wave_ids, state["unit"], element, runtime.settings.min_n)
    wave_options = {"all": "All waves", **dict(zip(waves["code"], waves["name"], strict=True))}
    labels = (
        ("Compare", UNITS),
        ("On", MEASURES),
        ("Wave", wave_options),
        ("Sort by", {k: v[0] for k, v in SORTS.items()}),
    )
    shown = {**state, "wave": wave}
    return html.Div(
        [
            location(PAGE),
            html.H2("Rankings", className="h4"),
            dbc.Row(
                [
                    _control(key, label, options, shown[key])
                    for key, (label, options) in zip(CONTROLS, labels, strict=True)
                ],
                className="g-3 mb-3 filter-bar",
            ),
            dcc.Loading(html.Div(_body(view, state, runtime.settings.min_n), id=PAGE.id("body"))),
        ]
    )


def _control(key: str, label: str, options: dict[str, str], value: str) -> dbc.Col:
    return dbc.Col(
        [
            dropdown_label(label, PAGE.id(key)),
            dcc.Dropdown(
                id=PAGE.id(key),
                options=[{"label": v, "value": k} for k, v in options.items()],
                value=value,
                clearable=False,
            ),
        ],
        md=3,
    )


def _body(view, state, min_n: int):
    table = view.table
    if table.empty:
        return dbc.Alert("No responses for this selection.", color="info", id="rankings-empty")
    unit = state["unit"]
    title = f"{UNITS[unit]} on {MEASURES[state['element']]}"
    tied = (
        html.P(
            "No real differences between units detected (between-unit variance estimated as zero): "
            "every index is shrunk to the overall mean.",
            className="small",
            id="rankings-no-differences",
        )
        if view.no_differences
        else None
    )
    notes = (view.shrinkage_note,) if view.shrinkage_note else ()
    return html.Div(
        [
            verdict_block(view.verdict, view.method, view.groups, "rankings-pairwise", notes),
            tied,
            dcc.Graph(
                id="rankings-figure",
                figure=ranking_figure(table, title, rank="rank_shown"),
                config=GRAPH_CONFIG,
            ),
            _table(_sorted(table, state["sort"]), unit),
            html.P(
                "Rank: 1 + the number of units the pairwise tests find significantly better, so units "
                'the data cannot order share a rank ("=" marks a shared rank); within a rank, units are '
                "ordered by the empirical-Bayes estimate (each index shrunk toward the overall mean by "
                "its precision). Group: units sharing a letter cannot be told apart. The rank interval "
                "is the 95% range of ranks in 4,000 posterior draws. Index and differences in 0-100 "
                f"index points. Units with fewer than {min_n} respondents are not ranked.",
                className="small text-muted",
            ),
        ]
    )


def _sorted(table, sort: str):
    ranked = table["status"] == "ranked"
    ascending = SORTS[sort][1]
    keys = ["rank_shown", "rank"] if sort == "rank" else [sort]
    order = table[ranked].sort_values([*keys, "code"], ascending=[ascending] * len(keys) + [True])
    return pd.concat([order, table[~ranked].sort_values("code")])


def _table(table, unit: str) -> dbc.Table:
    headers = ("Rank", "Rank interval", UNIT_NOUNS[unit], "Group", "Index", "95% CI", "Shrunk", "n")
    rows = []
    for r, rank in zip(table.itertuples(), table["rank_label"], strict=True):
        ranked = r.status == "ranked"
        rows.append(
            html.Tr(
                [
                    html.Td(rank if ranked else "—"),
                    html.Td(f"{int(r.rank_low)}-{int(r.rank_high)}" if ranked else r.status),
                    html.Td(
                        dcc.Link(
                            r.label,
                            href=UNIT.href({}, **{unit: r.code}),
                            id=f"rankings-open-{r.code}",
                        )
                    ),
                    html.Td(r.group if ranked else "—"),
                    html.Td(fmt(r.mean) if ranked else "—"),
                    html.Td(fmt_range(r.ci_low, r.ci_high) if ranked else "—"),
                    html.Td(fmt(r.shrunk) if ranked else "—"),
                    html.Td(f"{int(r.n):,}"),
                ],
                className="" if ranked else "text-muted",
            )
        )
    return data_table(headers, rows, "rankings-table", striped=True)


controls_to_url(PAGE, CONTROLS)
