"""The 0-100 index formula is written once, in analytics/indices.py
(`to_index`, `to_index_points`, `to_index_sql`); every other module calls
it with the scale of the questions. This scan fails on the shapes the
formula took before it was gathered there: `100 * (m - lo) / (hi - lo)`,
`100 * x / span`, `(m - 1) / 6`, a `SCALE = (1, 7)` constant, and the same
arithmetic inside SQL text."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from dashboard.analytics.indices import to_index, to_index_points, to_index_sql

PACKAGE = Path(__file__).resolve().parents[2] / "dashboard"
HOME = PACKAGE / "analytics" / "indices.py"
SPAN_WORDS = re.compile(r"span|width|scale", re.IGNORECASE)
SQL_INDEX = re.compile(r"100(\.0)?\s*\*\s*\(")


def _is_number(node: ast.AST, *values: float) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
        and (not values or node.value in values)
    )


def _is_span(node: ast.AST) -> bool:
    """A denominator that is a scale width: `hi - lo`, a literal 6 (1-7),
    or a name, item or call such as `span`, `SCALE[1]`, `_span(lo, hi)`."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub) or _is_number(node, 6):
        return True
    return isinstance(node, ast.Name | ast.Attribute | ast.Subscript | ast.Call) and bool(
        SPAN_WORDS.search(ast.unparse(node))
    )


def _arithmetic(node: ast.AST):
    """The nodes of one arithmetic expression (through BinOp and UnaryOp)."""
    yield node
    if isinstance(node, ast.BinOp):
        yield from _arithmetic(node.left)
        yield from _arithmetic(node.right)
    elif isinstance(node, ast.UnaryOp):
        yield from _arithmetic(node.operand)


def _string_parts(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def formula_sites(source: str) -> list[str]:
    """Every place in `source` that writes the index formula by hand."""
    tree = ast.parse(source)
    inner = {id(c) for n in ast.walk(tree) if isinstance(n, ast.BinOp) for c in (n.left, n.right)}
    sites = []
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and id(node) not in inner:
            parts = list(_arithmetic(node))
            divides_by_span = any(
                isinstance(p, ast.BinOp) and isinstance(p.op, ast.Div) and _is_span(p.right) for p in parts
            )
            if divides_by_span and any(_is_number(p, 100) for p in parts):
                sites.append(f"line {node.lineno}: {ast.unparse(node)}")
        if (  # (m - 1) / 6: the 1-7 scale assumed
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and _is_number(node.right, 6)
            and isinstance(node.left, ast.BinOp)
            and isinstance(node.left.op, ast.Sub)
        ):
            sites.append(f"line {node.lineno}: {ast.unparse(node)}")
        if (  # SCALE = (1.0, 7.0): a scale that does not come from the questions
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and "SCALE" in t.id.upper() for t in node.targets)
            and isinstance(node.value, ast.Tuple)
            and len(node.value.elts) == 2
            and all(_is_number(e) for e in node.value.elts)
        ):
            sites.append(f"line {node.lineno}: {ast.unparse(node)}")
        text = _string_parts(node)
        if text and SQL_INDEX.search(text) and "scale_m" in text:
            sites.append(f"line {node.lineno}: SQL {text.strip()[:80]!r}")
    return sorted(set(sites))


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path != HOME and "migrations" not in path.parts:
            yield path


def test_the_index_formula_is_written_only_in_analytics_indices():
    found = {
        str(path.relative_to(PACKAGE)): sites
        for path in _modules()
        if (sites := formula_sites(path.read_text()))
    }
    assert found == {}, f"convert through dashboard.analytics.indices.to_index / to_index_points: {found}"


def test_the_home_of_the_formula_is_what_the_scan_recognises():
    """The scan sees the formula where it does live (so it would see a copy)."""
    assert formula_sites(HOME.read_text())


@pytest.mark.parametrize(
    "source",
    [
        "ranked[col] = 100 * (ranked[col] - lo) / (hi - lo)",
        "ranked['shrunk_sd'] = 100 * ranked['shrunk_sd'] / (hi - lo)",
        "csi = dict(zip(RATER, 100 * (means - 1) / 6))",
        "cov_csi = cov / n * (100 / 6) ** 2",
        "change = 100 * change.diff / (last.scale_max - last.scale_min)",
        "points = 100.0 * result.effect / span",
        "SCALE = (1.0, 7.0)",
        "text = f'changed {100 * r.treated_change / 6:+.1f}'",
        "x = (element_means - 1) / 6",
        'sql = f"AVG(CASE WHEN c THEN 100.0 * ({p} - q.scale_min) / (q.scale_max - q.scale_min) END)"',
        "out['csi'] = np.where(s, np.nan, 100 * (mean - lo_v) / span)",
        "index = 100 * (m - lo) / scale_width(lo, hi)",
    ],
)
def test_the_scan_finds_each_shape_the_formula_took(source):
    assert formula_sites(source), source


@pytest.mark.parametrize(
    "source",
    [
        "share = 100 * out['top2'] / out['n_p']",
        "rate = 100 * met / n.where(n > 0)",
        "risk = f'{100 * r.probability:.1f}%'",
        "var = (total_sq - total**2 / n) / (n - 1)",
        "csi = to_index(mean, lo, hi)",
        "points = to_index_points(result.effect, *scale)",
        "p = '(CASE WHEN q.reverse_coded THEN q.scale_min + q.scale_max - a.perception END)'",
        "WINDOW = 4",
    ],
)
def test_the_scan_leaves_other_arithmetic_alone(source):
    assert formula_sites(source) == []


def test_the_one_formula_on_numbers_series_and_sql():
    """Hand-worked on 1-5: 4 -> 75, a difference of 0.5 -> 12.5 points; the SQL
    form gives the same on integer columns (no integer division)."""
    assert to_index(4, 1, 5) == 75.0 and to_index_points(0.5, 1, 5) == 12.5
    means = pd.Series([1.0, 3.0, 5.0], index=["a", "b", "c"])
    assert to_index(means, 1, 5).to_dict() == {"a": 0.0, "b": 50.0, "c": 100.0}
    assert list(to_index([2.0, 6.0], [1, 1], [5, 7])) == [25.0, 250 / 3]  # each row its own scale
    assert to_index(4.5, 1, 7) - to_index(3.0, 1, 7) == pytest.approx(to_index_points(1.5, 1, 7))
    with pytest.raises(ValueError):
        to_index_points(1.0, 5, 5)
    sql = to_index_sql("x", "lo", "hi")
    got = (
        sqlite3.connect(":memory:").execute(f"SELECT {sql} FROM (SELECT 4 AS x, 1 AS lo, 5 AS hi)").fetchone()
    )
    assert got == (75.0,)
