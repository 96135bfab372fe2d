"""Architecture rules that keep the layers visible, checked on every run.

pages -> services -> (analytics, queries) -> db; pages import services and
components only; components build UI and figures and import no data layer;
nothing imports the CLI adapters but the CLI; services run no SQL; a
viewer's Scope becomes SQL in queries/scope_sql.py only."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "dashboard"

# What a page may import from the package, and why.
PAGE_IMPORTS = {
    "dashboard.services": "use cases: every number and every write a page shows or makes",
    "dashboard.components": "UI pieces and figure builders",
    "dashboard.domain": "vocabulary (element names and colours, channels, plan stages)",
    "dashboard.web_context": "the request's runtime, user and scope (resolved by auth on the server)",
    "dashboard.urlstate": "the page's URL parameters, declared once; pure parsing, no data access",
}
DATA_LAYERS = ("dashboard.services", "dashboard.queries", "dashboard.db")
CLI_ADAPTERS = ("dashboard.cli", "dashboard.services.metrics_cli")  # and dashboard.cli_*
# Services own transactions: they may add, flush, delete objects and commit,
# but build no statement and read nothing through the session themselves.
STATEMENT_RUNS = {"execute", "scalar", "scalars"}  # on any receiver (a connection too)
SESSION_READS = {"query", "get", "get_one", "merge"}  # on a session (pandas has .query and .merge)
SQLALCHEMY_FOR_SERVICES = {"sqlalchemy.orm": {"Session"}, "sqlalchemy.exc": None}  # None: any name
SCOPE_IDS = {"branch_ids", "department_ids"}
SCOPE_READERS = {"queries/scope_sql.py", "services/scope_text.py"}  # and auth/, which defines Scope


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module if node.module.startswith("dashboard") else node.module.split(".")[0])
    return names


def _imported_modules(tree: ast.AST) -> set[str]:
    """Every module a file imports, at any depth (function-level too), with
    `from a import b` counted as both `a` and `a.b` (b may be a module)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _within(module: str, packages) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def _files(layer: str):
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text())


def page_leaks(name: str, tree: ast.AST) -> set[str]:
    return {
        m
        for m in _imported_modules(tree)
        if (m.startswith("dashboard.") and not _within(m, PAGE_IMPORTS)) or _within(m, ("sqlalchemy",))
    }


def component_leaks(name: str, tree: ast.AST) -> set[str]:
    return {m for m in _imported_modules(tree) if _within(m, (*DATA_LAYERS, "sqlalchemy"))}


def cli_adapter_imports(name: str, tree: ast.AST) -> set[str]:
    if name == "cli.py" or name.startswith("cli_"):
        return set()  # the CLI itself
    return {m for m in _imported_modules(tree) if _within(m, CLI_ADAPTERS) or m.startswith("dashboard.cli_")}


def service_sql(name: str, tree: ast.AST) -> set[str]:
    """Statement builders imported from sqlalchemy, and reads through a session."""
    hits = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            hits.update(a.name for a in node.names if _within(a.name, ("sqlalchemy",)))
        elif isinstance(node, ast.ImportFrom) and node.module and _within(node.module, ("sqlalchemy",)):
            allowed = SQLALCHEMY_FOR_SERVICES.get(node.module, set())
            if allowed is not None:
                hits.update(f"{node.module}.{a.name}" for a in node.names if a.name not in allowed)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            receiver = ast.unparse(node.func.value)
            if node.func.attr in STATEMENT_RUNS or (
                node.func.attr in SESSION_READS and "session" in receiver
            ):
                hits.add(f"{receiver}.{node.func.attr}() on line {node.lineno}")
    return hits


def scope_id_reads(name: str, tree: ast.AST) -> set[str]:
    """`<...>scope.branch_ids` / `.department_ids`: a Scope's ids read outside
    the translator (and the one module that puts the scope in words)."""
    if name.startswith("auth/") or name in SCOPE_READERS:
        return set()
    hits = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in SCOPE_IDS:
            receiver = ast.unparse(node.value)
            if receiver.lower().endswith("scope") or receiver.lower().endswith("scope()"):
                hits.add(f"{receiver}.{node.attr} on line {node.lineno}")
    return hits


def _violations(rule: str, check, layers) -> list[str]:
    found = []
    for layer in layers:
        for name, tree in _files(layer) if layer else _package_files():
            hits = check(name, tree)
            if hits:
                found.append(f"dashboard/{name}: {sorted(hits)}")
    return found


def _package_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text())


def test_analytics_is_pure():
    for path in (PACKAGE / "analytics").glob("*.py"):
        bad = _imports(path) & {"dash", "flask", "sqlalchemy", "dash_bootstrap_components", "plotly"}
        assert not bad, f"{path.name} imports {bad}"


def test_layers_point_one_way():
    lower = {
        "queries": {"dashboard.services", "dashboard.pages"},
        "analytics": {"dashboard.services", "dashboard.pages", "dashboard.queries", "dashboard.db"},
        "db": {"dashboard.services", "dashboard.pages", "dashboard.queries"},
    }
    for layer, forbidden in lower.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            hits = {m for m in _imports(path) if any(m.startswith(f) for f in forbidden)}
            assert not hits, f"{path.relative_to(ROOT)} imports {hits}"


# rule -> (check, the folder it applies to (None: the whole package), what it keeps)
RULES = {
    "pages": (page_leaks, "pages", f"pages import only {sorted(PAGE_IMPORTS)}"),
    "components": (component_leaks, "components", "components build UI from values they are given"),
    "cli": (cli_adapter_imports, None, f"only the CLI imports {CLI_ADAPTERS} and dashboard.cli_*"),
    "services_sql": (service_sql, "services", "SQL belongs in queries/; services add, flush, delete, commit"),
    "scope_ids": (
        scope_id_reads,
        None,
        "a Scope's ids are read only in queries/scope_sql.py, auth/, scope_text",
    ),
}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_layering_rule(rule):
    check, layer, keeps = RULES[rule]
    found = _violations(rule, check, [layer])
    assert not found, f"{keeps}: {found}"


def test_ruff_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed in this environment")
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
