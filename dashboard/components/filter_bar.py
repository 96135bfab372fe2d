"""The global filter bar: wave range, segment and channel. Its dropdowns take
their ids from the page (`page.id("from")`) and write the page's URL
(`filter_bar_to_url`); the parameters are urlstate.FILTER_PARAMS."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components.dropdown_label import dropdown_label
from dashboard.components.page_url import controls_to_url
from dashboard.domain import CHANNELS, SEGMENTS
from dashboard.urlstate import FILTER_KEYS, GlobalFilters, PageState


def filter_bar(page: PageState, waves, current: GlobalFilters) -> dbc.Card:
    wave_options = [{"label": n, "value": c} for c, n in zip(waves["code"], waves["name"], strict=True)]

    def control(key: str, label: str, component) -> dbc.Col:
        return dbc.Col([dropdown_label(label, page.id(key), className="small mb-0"), component], md=3, xs=6)

    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    control(
                        "from",
                        "From wave",
                        dcc.Dropdown(
                            id=page.id("from"),
                            options=wave_options,
                            value=current.wave_from,
                            clearable=False,
                        ),
                    ),
                    control(
                        "to",
                        "To wave",
                        dcc.Dropdown(
                            id=page.id("to"), options=wave_options, value=current.wave_to, clearable=False
                        ),
                    ),
                    control(
                        "segment",
                        "Segment",
                        dcc.Dropdown(
                            id=page.id("segment"),
                            options=[
                                {"label": s.upper() if s == "sme" else s.capitalize(), "value": s}
                                for s in SEGMENTS
                            ],
                            value=current.segment,
                            placeholder="All segments",
                        ),
                    ),
                    control(
                        "channel",
                        "Channel",
                        dcc.Dropdown(
                            id=page.id("channel"),
                            options=[{"label": v, "value": k} for k, v in CHANNELS.items()],
                            value=current.channel,
                            clearable=False,
                        ),
                    ),
                ],
                className="g-2",
            ),
            className="py-2",
        ),
        className="mb-3 shadow-sm filter-bar",
        id=page.id("filters"),
    )


def filter_bar_to_url(page: PageState, resets: tuple[str, ...] = ()) -> None:
    """A change in the bar rewrites the page's URL, keeping its other keys."""
    controls_to_url(page, FILTER_KEYS, resets)


def breadcrumbs(items: list[tuple[str, str | None]], crumb_id: str) -> html.Nav:
    """[(label, href or None for the current level)]."""
    crumbs = [
        html.Li(
            dcc.Link(label, href=href) if href else label,
            className="breadcrumb-item" + ("" if href else " active"),
            **({} if href else {"aria-current": "page"}),
        )
        for label, href in items
    ]
    return html.Nav(html.Ol(crumbs, className="breadcrumb mb-2"), **{"aria-label": "breadcrumb"}, id=crumb_id)
