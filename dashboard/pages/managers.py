"""Account managers: ranked by their customers' overall satisfaction with
the rules of the branch rankings, the clearly outstanding ones marked, and
each manager's weakest RATER element named as a training need where the
intervals show one. Who is listed is decided on the server for every request
(services/managers.py); the view (?wave=&manager=) lives in the URL."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.cards import data_table, fmt, fmt_range, signed
from dashboard.components.dropdown_label import dropdown_label
from dashboard.components.page_url import controls_to_url, location
from dashboard.services.managers import appraisal_for, wave_choice
from dashboard.urlstate import MANAGERS as PAGE
from dashboard.web_context import current_runtime, current_user

dash.register_page(
    __name__,
    path="/managers",
    name="Account managers",
    title="Account managers - Customer satisfaction",
    order=50,
)

CONTROLS = ("wave",)


def layout(**query) -> html.Div:
    state = PAGE.parse(query)
    runtime = current_runtime()
    min_n = runtime.settings.min_n
    with runtime.read_session() as session:
        waves = wave_choice(session, state["wave"])
        view = appraisal_for(session, current_user(), waves.wave_ids, min_n, runtime.settings.min_pool_units)
    return html.Div(
        [
            location(PAGE),
            html.H2("Account managers", className="h4"),
            dbc.Row(
                dbc.Col(
                    [
                        dropdown_label("Wave", PAGE.id("wave")),
                        dcc.Dropdown(
                            id=PAGE.id("wave"),
                            options=[{"label": v, "value": k} for k, v in waves.options.items()],
                            value=waves.code,
                            clearable=False,
                        ),
                    ],
                    md=3,
                ),
                className="g-3 mb-3 filter-bar",
            ),
            html.Div(_body(view, {**state, "wave": waves.code}, min_n), id=PAGE.id("body")),
        ]
    )


def _body(view, state, min_n: int):
    table = view.table
    if table.empty:
        return dbc.Alert(
            "No account managers with customers' responses in your view for this wave.",
            color="info",
            id="managers-empty",
        )
    org = view.organisation
    notes = [
        html.P(
            f"All respondents in your view: index {fmt(org['csi'])} (95% CI "
            f"{fmt_range(org['csi_low'], org['csi_high'])}), {org['n']:,} respondents; "
            f"{view.ranked_among} account managers ranked.",
            id="managers-organisation",
        )
    ]
    if view.no_differences:
        notes.append(
            html.P(
                "No real differences between account managers detected (between-manager variance "
                "estimated as zero): all are shrunk to the overall mean and share rank 1.",
                className="small",
                id="managers-no-differences",
            )
        )
    selected = table[table["employee_ref"] == state["manager"]] if state["manager"] else table.iloc[0:0]
    return html.Div(
        [
            *notes,
            _table(table, state),
            _detail(selected.iloc[0]) if len(selected) else None,
            html.P(
                "Index: customers' overall satisfaction on 0-100 index points (the question's scale). "
                "Ranked on the empirical-Bayes estimate (shrunk toward the overall mean by its precision), "
                'as branches are; "=" marks a shared rank; the rank interval is the 95% range of ranks in '
                f"4,000 posterior draws. Account managers with fewer than {min_n} respondents are not "
                f"ranked. Outstanding: {view.test}, at 5%. Training need: the weakest RATER element, "
                "named only when its 99% interval (Bonferroni over five elements) is below the manager's "
                "other elements (paired, per respondent) or below the rest of your view (Welch).",
                className="small text-muted",
            ),
        ]
    )


def _table(table, state) -> dbc.Table:
    headers = (
        "Rank",
        "Rank interval",
        "Account manager",
        "Index",
        "95% CI",
        "Shrunk",
        "Respondents",
        "Outstanding",
        "Training need",
    )
    rows = []
    for r in table.itertuples():
        ranked = r.status == "ranked"
        link = dcc.Link(
            f"{r.name} ({r.employee_ref})",
            href=PAGE.href(state, manager=r.employee_ref),
            id=f"managers-open-{r.employee_ref}",
        )
        rows.append(
            html.Tr(
                [
                    html.Td(r.rank_label if ranked else "—"),
                    html.Td(f"{int(r.rank_low)}-{int(r.rank_high)}" if ranked else r.status),
                    html.Td(link),
                    html.Td(fmt(r.mean)),
                    html.Td(fmt_range(r.ci_low, r.ci_high)),
                    html.Td(fmt(r.shrunk) if ranked else "—"),
                    html.Td("—" if fmt(r.n) == "—" else f"{int(r.n):,}"),  # "—": withheld (services/managers)
                    html.Td("outstanding" if r.outstanding else ""),
                    html.Td(r.need_name if ranked else "—"),
                ],
                className="" if ranked else "text-muted",
            )
        )
    return data_table(headers, rows, "managers-table", striped=True)


def _detail(r) -> dbc.Card:
    if r.status != "ranked" or r.need_name in ("not measured", "too few responses"):
        text = f"{r.name}: {r.need_name or r.status}; no element breakdown is shown."
        return dbc.Card(dbc.CardBody(text), id="managers-detail", className="mb-3")
    lines = [
        f"Weakest element: {r.weakest_name}, index {fmt(r.weakest_index)} ({int(r.n_elements):,} respondents "
        "who rated all five elements).",
        f"Against this manager's other four elements: {signed(r.vs_others)} points "
        f"(99% CI {fmt_range(r.vs_others_low, r.vs_others_high)}).",
        f"Against the rest of your view: {signed(r.element_vs_rest)} points "
        f"(99% CI {fmt_range(r.element_vs_rest_low, r.element_vs_rest_high)}).",
        f"Training need: {r.need_name}.",
    ]
    return dbc.Card(
        dbc.CardBody([html.H3(f"{r.name} ({r.employee_ref})", className="h6"), *map(html.P, lines)]),
        id="managers-detail",
        className="mb-3",
    )


controls_to_url(PAGE, CONTROLS)
