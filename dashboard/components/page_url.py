"""The one way a control changes a page's view: a callback rewrites the URL's
`search` and Dash's page router renders the layout again from the new URL
(a history entry per change, so back/forward and bookmarks just work). What
a page's URL may say is declared in dashboard/urlstate.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import dash
from dash import Input, Output, State, callback, dcc

from dashboard.urlstate import PageState

Update = Callable[..., dict[str, Any] | None]


def location(page: PageState) -> dcc.Location:
    """The page's own Location: setting its search navigates (refresh="callback-nav")."""
    return dcc.Location(id=page.url_id, refresh="callback-nav")


def url_callback(page: PageState, *inputs: Input) -> Callable[[Update], Update]:
    """Register `update(state, *input_values) -> changes` as a callback that
    applies the changes to the URL's state (None as a value: the default;
    None instead of a dict: leave the URL as it is). The state is parsed from
    the browser's URL on every call, and the changes go through the same
    cleaning, so neither is trusted."""

    def register(update: Update) -> Update:
        @callback(
            Output(page.url_id, "search", allow_duplicate=True),
            *inputs,
            State(page.url_id, "search"),
            prevent_initial_call=True,
        )
        def write_url(*args):
            *values, search = args
            state = page.parse(search)
            changes = update(state, *values)
            return dash.no_update if changes is None else page.with_changes(state, **changes)

        return update

    return register


def controls_to_url(page: PageState, keys: Sequence[str], resets: Sequence[str] = ()) -> None:
    """Controls whose id is `page.id(key)` write their value to `key`; a
    change also sends `resets` back to their defaults."""

    @url_callback(page, *[Input(page.id(key), "value") for key in keys])
    def controls_changed(_state, *values):
        return {**dict(zip(keys, values, strict=True)), **dict.fromkeys(resets)}
