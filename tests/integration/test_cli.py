"""The CLI works end to end on a fresh SQLite file (click CliRunner)."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import create_engine, text

from dashboard.cli import main


def test_init_db_then_demo_then_demo_if_empty(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", url)
    runner = CliRunner()
    result = runner.invoke(main, ["init-db"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["demo", "--responses", "300", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert "done: 300 responses" in result.output
    result = runner.invoke(main, ["demo", "--responses", "300", "--if-empty"])
    assert result.exit_code == 0 and "already holds 300 responses" in result.output
    result = runner.invoke(main, ["demo", "--responses", "300"])
    assert result.exit_code != 0 and "empty database" in result.output
    with create_engine(url).connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM response")).scalar_one() == 300


def test_demo_rejects_tiny_sizes(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    result = CliRunner().invoke(main, ["demo", "--responses", "10"])
    assert result.exit_code != 0 and "at least 100" in result.output
