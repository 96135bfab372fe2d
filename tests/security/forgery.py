"""Build forged callback requests for every callback the app registers, and
find what a response reveals about units, customers and plans outside a
viewer's scope. Generic on purpose: a new page's callbacks are covered
without anyone remembering to add them."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from sqlalchemy import select

from dashboard.auth.scope import Scope
from dashboard.db.models import Branch, Customer, Department, ImprovementPlan, Staff

WILDCARDS = ('["MATCH"]', '["ALL"]', '["ALLSMALLER"]')


@dataclass(frozen=True)
class Secrets:
    """Strings that must never reach a viewer with this scope."""

    words: frozenset[str]  # unit names and codes, plan titles
    customer_refs: frozenset[str]
    # Staff names and employee references may show next to an in-scope
    # customer (their account manager, also on /managers) and the demo's embed
    # unit codes ("Account manager B02-LEN-1", "AM-B02-LEN-1").
    benign: frozenset[str] = frozenset()


def out_of_scope_secrets(session, scope: Scope) -> Secrets:
    words: set[str] = set()
    for b in session.scalars(select(Branch)):
        if scope.branch_ids is not None and b.id not in scope.branch_ids:
            words |= {b.code, b.name}
    for d in session.scalars(select(Department)):
        if scope.department_ids is not None and d.id not in scope.department_ids:
            words |= {d.code, d.name}
    for p in session.scalars(select(ImprovementPlan)):
        if not scope.allows(p.branch_id, p.department_id):
            words.add(p.title)
    refs = set()
    if scope.branch_ids is not None:
        refs = set(
            session.scalars(select(Customer.external_ref).where(Customer.branch_id.not_in(scope.branch_ids)))
        )
    staff = frozenset(session.scalars(select(Staff.name)))
    staff |= frozenset(session.scalars(select(Staff.employee_ref)))
    return Secrets(frozenset(words), frozenset(refs), staff)


INJECTED = frozenset({"B01", "B03", "LEN", "ACC", "BUS", "SRV"})  # unit codes among the forged values


def leaks(text: str, secrets: Secrets) -> list[str]:
    """Secrets found in a response. A code the request itself injected that
    comes back only as a whole string value is the user's own typing echoed
    (a comment reading "LEN"), not a leak; names always count."""
    for name in sorted(secrets.benign, key=len, reverse=True):
        text = text.replace(name, "")
    for value in FORGED_QUERY_VALUES:  # a page may keep the URL it was given (its own view state)
        text = text.replace(json.dumps(value)[1:-1], "")
    for code in INJECTED:  # echoed as a whole value or as a URL parameter value the user typed
        text = text.replace(f'"{code}"', '""')
        text = re.sub(rf"=(%27)?{code}(?=[&\"])", "=", text)
    found = [w for w in secrets.words if re.search(rf"(?<![\w]){re.escape(w)}(?![\w])", text)]
    found += [ref for ref in set(re.findall(r"C\d{7}", text)) if ref in secrets.customer_refs]
    return sorted(found)


# Values an attacker would put in inputs: other units' codes and ids, other
# customers and plans, and URL query strings naming them.
FORGED_SEARCHES = (
    "?branch=B01&department=ACC&unit=branch&element=R&wave=all",
    "?branch=B03&department=LEN&customer=1&plan=1&id=1&segment=retail&channel=survey",
    "?unit=department&department=BUS&element=S&item=S2&q=%25",
    "?branch=B02%27%20OR%20%271%27%3D%271&department=SRV%22%3B--&q=%27%3B%20DROP%20TABLE%20response%3B--",
)
FORGED_QUERY_VALUES = sorted(
    {v for search in FORGED_SEARCHES for _k, v in parse_qsl(search.lstrip("?")) if len(v) > 3},
    key=len,
    reverse=True,
)
FORGED_VALUES = ("B01", "LEN", 1, 2, ["B01", "B03"], "ACC", None, "' OR 1=1 --")
FORGED_CLICK = {
    "points": [
        {
            "customdata": ["B01", "LEN", 1],
            "label": "B01",
            "x": "B01",
            "y": "Central",
            "text": "B01",
            "pointIndex": 0,
            "pointNumber": 0,
            "curveNumber": 0,
        }
    ]
}


def forged_value(prop: str, k: int, pathnames: list[str]):
    if prop == "pathname":
        return pathnames[k % len(pathnames)]
    if prop == "search":
        return FORGED_SEARCHES[k % len(FORGED_SEARCHES)]
    if prop == "href":
        return "http://localhost" + pathnames[k % len(pathnames)] + FORGED_SEARCHES[k % len(FORGED_SEARCHES)]
    if prop in ("n_clicks", "n_submit", "n_clicks_timestamp"):
        return k + 1
    if prop in ("clickData", "hoverData", "selectedData"):
        return FORGED_CLICK
    if prop == "active_cell":
        return {"row": 0, "column": 0, "column_id": "code", "row_id": 1}
    if prop == "data":  # stores: record ids (plans, customers) or dicts naming units
        return ({"branch": "B01", "department": "LEN", "customer": 1, "plan": 1, "id": 1}, 1, 2, 3, 4, "2")[
            k % 6
        ]
    return FORGED_VALUES[k % len(FORGED_VALUES)]


def _concrete_id(raw: str, k: int):
    """Pattern-matching ids arrive as JSON with wildcards; fill them with
    out-of-scope values."""
    if not raw.startswith("{"):
        return raw, False
    spec = json.loads(raw)
    is_all = any(v in (["ALL"], ["ALLSMALLER"]) for v in spec.values())
    filled = {key: (("B01", "LEN", 1, "R")[k % 4] if isinstance(v, list) else v) for key, v in spec.items()}
    return filled, is_all


def _entry(dep: dict, k: int, pathnames: list[str]):
    ident, is_all = _concrete_id(dep["id"], k)
    item = {"id": ident, "property": dep["property"], "value": forged_value(dep["property"], k, pathnames)}
    return [item] if is_all else item


def _outputs(output: str, k: int):
    parts = output.strip(".").split("...") if output.startswith("..") else [output]
    outs = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        concrete, is_all = _concrete_id(ident, k)
        out = {"id": concrete, "property": prop}
        outs.append([out] if is_all else out)
    return outs if output.startswith("..") else outs[0]


def forged_requests(dependencies: list[dict], pathnames: list[str], variants: int = 6):
    """(label, body) for each server-side callback x forged variant."""
    for dep in dependencies:
        if dep.get("clientside_function"):
            continue
        for k in range(variants):
            inputs = [_entry(i, k, pathnames) for i in dep["inputs"]]
            changed = next(
                (
                    f"{i['id'] if isinstance(i['id'], str) else json.dumps(i['id'])}.{i['property']}"
                    for i in _flat(inputs)
                ),
                None,
            )
            yield (
                f"{dep['output']}#{k}",
                {
                    "output": dep["output"],
                    "outputs": _outputs(dep["output"], k),
                    "inputs": inputs,
                    "state": [_entry(s, k, pathnames) for s in dep["state"]],
                    "changedPropIds": [changed] if changed else [],
                },
            )


def _flat(entries):
    return itertools.chain.from_iterable(e if isinstance(e, list) else [e] for e in entries)
