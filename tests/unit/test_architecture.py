"""Architecture rules that keep the layers visible, checked on every run."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "dashboard"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module if node.module.startswith("dashboard") else node.module.split(".")[0])
    return names


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


def test_ruff_is_clean():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed in this environment")
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
