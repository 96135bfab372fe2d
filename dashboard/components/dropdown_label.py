"""Visible labels for dcc.Dropdown that are also its accessible name.

Dash 4's dropdown renders its control as
`<button id=ID aria-labelledby="ID-value-count ID-value">`: ID-value is the
current value (or placeholder) and ID-value-count the "N selected" badge of a
multi-select, rendered only with two or more values chosen. The component
takes no aria props, and aria-labelledby wins over `<label for=ID>`, so a
screen reader announced only the value ("Q4 2025", "All"). Giving the label
the id ID-value-count makes it the first part of the name: "From wave Q4
2025". (A multi-select with two or more values also renders its own badge
with that id; the label comes first in the page, so the name still starts
with it.)"""

from __future__ import annotations

import dash_bootstrap_components as dbc


def dropdown_label(text: str, dropdown_id: str, **kwargs) -> dbc.Label:
    return dbc.Label(text, html_for=dropdown_id, id=f"{dropdown_id}-value-count", **kwargs)
