"""Home: the organisation's overall satisfaction index, its trend, NPS and
RATER profile, straight from the database."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.cards import data_table, drill_links, fmt, fmt_range, graph_card, kpi_card
from dashboard.components.figures import element_bars, trend_figure
from dashboard.components.verdicts import verdict_block
from dashboard.domain import ELEMENTS
from dashboard.services.benchmarks import benchmark_comparison
from dashboard.services.churn import exposure_summary
from dashboard.services.overview import home_summary
from dashboard.services.scope_text import describe_scope
from dashboard.urlstate import CHURN, DRILL, RANKINGS, UNIT
from dashboard.web_context import current_runtime, current_scope

dash.register_page(__name__, path="/", name="Overview", title="Overview - Customer satisfaction", order=0)


def layout(**_query) -> html.Div:
    runtime = current_runtime()
    with runtime.read_session() as session:
        summary = home_summary(session, current_scope(), min_n=runtime.settings.min_n)
        churn_exposure = exposure_summary(session, current_scope())
        benchmarks = benchmark_comparison(session, current_scope(), runtime.settings.min_n)
        view = describe_scope(session, current_scope())
    if summary.latest is None:
        return dbc.Alert(
            [
                "No survey responses yet. Load demo data with ",
                html.Code("csat demo"),
                " or import responses with ",
                html.Code("csat import responses FILE"),
                ".",
            ],
            color="info",
            id="home-empty",
        )

    latest = summary.latest
    if latest.suppressed:
        csi_text, csi_detail = "—", f"too few responses (n = {latest.n})"
    else:
        csi_text = fmt(latest.value)
        csi_detail = f"95% CI {fmt_range(latest.ci_low, latest.ci_high)}, n = {latest.n:,}"
    change = summary.change
    if change is None:
        change_text = "—"
        change_detail = (
            "only one wave" if len(summary.trend) < 2 else "too few responses in one of the two waves"
        )
    else:
        change_text = f"{summary.change_points:+.1f} pts"
        verdict = "significant" if change.significant else "not significant"
        change_detail = f"{verdict} ({change.test}, p = {change.p_value:.3f})"
    nps = summary.nps
    nps_text = fmt(nps.value, digits=0) if nps else "—"
    nps_detail = (
        f"95% CI {fmt(nps.ci_low, 0)} to {fmt(nps.ci_high, 0)}, n = {nps.n:,}" if nps else "too few responses"
    )

    return html.Div(
        [
            html.H2("Customer satisfaction overview", className="h4 mb-1"),
            html.P(
                f"Latest wave: {summary.latest_label} · survey responses · {summary.units} unit"
                f"{'s' if summary.units != 1 else ''}" + (f" · your view: {view}" if view else ""),
                className="text-muted",
                id="home-subtitle",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        kpi_card("Overall satisfaction index", csi_text, csi_detail, "kpi-csi"), md=6, xl=3
                    ),
                    dbc.Col(
                        kpi_card("Change vs previous wave", change_text, change_detail, "kpi-change"),
                        md=6,
                        xl=3,
                    ),
                    dbc.Col(
                        kpi_card("Top-2-box satisfied", *_top_box(summary.top_box), "kpi-topbox"), md=6, xl=3
                    ),
                    dbc.Col(kpi_card("Net Promoter Score", nps_text, nps_detail, "kpi-nps"), md=6, xl=3),
                ],
                className="g-3 mb-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        graph_card(
                            "home-trend", trend_figure(summary.trend, "Overall satisfaction index by wave")
                        ),
                        lg=7,
                    ),
                    dbc.Col(
                        graph_card(
                            "home-elements",
                            element_bars(
                                summary.elements,
                                f"RATER profile vs target, {summary.latest_label}",
                                target_col="target",
                            ),
                        ),
                        lg=5,
                    ),
                ],
                className="g-3",
            ),
            _drill_links(summary.latest_code),
            _churn_card(churn_exposure),
            _ranking_card(summary.ranking, summary.branch_verdicts, summary.latest_code),
            *_benchmark_card(benchmarks),
            html.P(
                "Index = 100 x (mean - scale minimum) / (scale maximum - scale minimum); 95% Student-t "
                "confidence intervals; groups under the minimum sample size are listed without numbers.",
                className="small text-muted mt-3",
            ),
        ]
    )


def _top_box(estimate) -> tuple[str, str]:
    if estimate is None or estimate.suppressed:
        return "—", "too few responses"
    return (
        fmt(estimate.value, suffix="%"),
        f"95% Wilson CI {fmt(estimate.ci_low)}-{fmt(estimate.ci_high)}%, n = {estimate.n:,}",
    )


def _drill_links(wave_code: str | None) -> html.Div:
    """Into the drill-down for the same wave the profile shows."""
    one_wave = {"from": wave_code, "to": wave_code}
    return drill_links({code: DRILL.href(one_wave, element=code) for code in ELEMENTS}, "home-drill")


def _change(row) -> str:
    """The branch's change from the previous wave; * marks a significant Welch test."""
    change = getattr(row, "change", float("nan"))
    if change != change:
        return "—"
    return f"{change:+.1f}" + ("*" if row.change_significant else "")


def _ranking_card(ranking, verdicts, wave_code: str | None) -> dbc.Card:
    if ranking is None or ranking.empty:
        body = html.P("No branch has responses in the latest wave.", className="text-muted")
    else:
        notes = (verdicts.shrinkage_note,) if verdicts.shrinkage_note else ()
        verdict = verdict_block(verdicts.verdict, verdicts.method, verdicts.groups, "home-pairwise", notes)
        rows = []
        for r, label in zip(ranking.itertuples(), ranking["rank_label"], strict=True):
            ranked = r.status == "ranked"
            rows.append(
                html.Tr(
                    [
                        html.Td(label if ranked else "—"),
                        html.Td(dcc.Link(r.label, href=UNIT.href({}, branch=r.code))),
                        html.Td(r.group if ranked else "—"),
                        html.Td(fmt(r.mean) if ranked else "—"),
                        html.Td(fmt_range(r.ci_low, r.ci_high) if ranked else "—"),
                        html.Td(f"{int(r.rank_low)}-{int(r.rank_high)}" if ranked else "—"),
                        html.Td(_change(r)),
                        html.Td(f"{int(r.n):,}" + ("" if ranked else " (too few responses)")),
                    ]
                )
            )
        headers = ("Rank", "Branch", "Group", "Index", "95% CI", "Rank range", "Change vs prev. wave", "n")
        body = html.Div([verdict, data_table(headers, rows, "home-ranking")])
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    "Branch ranking, overall satisfaction · ",
                    dcc.Link(
                        "all rankings",
                        href=RANKINGS.href({}, unit="branch", element="overall", wave=wave_code),
                    ),
                ]
            ),
            dbc.CardBody(
                [
                    body,
                    html.P(
                        "Rank: 1 + the number of branches the pairwise tests find significantly better, so "
                        'branches the data cannot order share a rank ("="); within a rank, the order follows '
                        "the shrunk (empirical-Bayes) estimate, not the index shown: a branch with fewer "
                        "responses is pulled further toward the mean. Group: branches sharing a letter "
                        "cannot be told apart. Index and changes in 0-100 index points. "
                        "Change: points on the index since the previous wave; * significant "
                        "(Welch two-sample t-test, p < 0.05); — fewer than the minimum responses in a wave.",
                        className="small text-muted mb-0",
                    ),
                ]
            ),
        ],
        className="mt-3 shadow-sm",
    )


def _churn_card(exposure: dict) -> dbc.Alert:
    """Churn exposure in one line, linking to the churn page."""
    if not exposure["customers"]:
        text = "Churn risk: no customers scored yet."
    else:
        revenue = exposure["revenue_at_risk"]
        money = "" if revenue is None else f", revenue at risk {revenue:,.0f}"
        kind = "" if exposure["method"] == "model" else " (rule-based score)"
        text = (
            f"Churn risk{kind}: {exposure['high']:,} customers at high and {exposure['medium']:,} at medium "
            f"risk of {exposure['customers']:,}{money}. "
        )
    return dbc.Alert(
        [text, dcc.Link("See who and why", href=CHURN.path)],
        color="light",
        className="mt-3 mb-0",
        id="home-churn",
    )


def _benchmark_card(benchmarks) -> list:
    """Imported industry or competitor indices, each with its source and
    period, beside the organisation's own index for the same period."""
    if benchmarks.empty:
        return []
    rows = [
        html.Tr(
            [
                html.Td(r.source),
                html.Td(r.period),
                html.Td(r.what),
                html.Td(fmt(r.index)),
                html.Td(fmt(r.own_index) if r.status == "shown" else "—"),
                html.Td(fmt_range(r.own_low, r.own_high) if r.status == "shown" else r.status),
                html.Td(f"{r.n:,}" if r.n else "—"),
                html.Td("—" if r.difference != r.difference else f"{r.difference:+.1f}"),
            ]
        )
        for r in benchmarks.itertuples()
    ]
    headers = ("Source", "Period", "Index of", "Benchmark", "Ours", "Our 95% CI", "n", "Ours − benchmark")
    return [
        dbc.Card(
            dbc.CardBody(
                [
                    html.H3("Industry benchmarks", className="h6"),
                    data_table(headers, rows, "home-benchmarks", size="sm"),
                    html.P(
                        "Published indices on 0-100 as imported; ours is the survey's index over the "
                        "waves within the same period (n counts respondents). A benchmark's own "
                        "method and sample may differ: see its note.",
                        className="small text-muted mb-0",
                    ),
                ]
            ),
            className="mt-3",
            id="home-benchmarks-card",
        )
    ]
