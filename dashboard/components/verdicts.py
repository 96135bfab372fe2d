"""Which differences between units are real, as a page shows them: the
sentence, the groups of units no test separates, and the small print that
names the test, its correction and the scale."""

from __future__ import annotations

from dash import html


def verdict_block(
    verdict: str, method: str, groups: tuple[str, ...], id_prefix: str, notes: tuple[str, ...] = ()
) -> html.Div:
    """`verdict` in plain words; `groups` as "a: Name (CODE), ..." lines
    (units sharing a letter cannot be told apart); `notes` (e.g. shrinkage
    not estimated) and `method` as small print."""
    parts = [html.P(verdict, className="mb-1", id=f"{id_prefix}-verdict")]
    if groups:
        parts.append(
            html.Div(
                [
                    html.Span("Cannot be separated within each group: ", className="me-1"),
                    *[html.Span(g, className="badge text-bg-light border me-1 text-wrap") for g in groups],
                ],
                className="small mb-1",
                id=f"{id_prefix}-groups",
            )
        )
    if notes:
        parts.append(html.P(" ".join(notes), className="small mb-1", id=f"{id_prefix}-note"))
    if method:
        parts.append(html.P(method, className="small text-muted mb-0", id=f"{id_prefix}-method"))
    return html.Div(parts, className="mb-3", id=id_prefix)
