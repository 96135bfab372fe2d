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


def test_import_command_dry_run_and_refusal(tmp_path, monkeypatch):
    from pathlib import Path

    samples = Path(__file__).resolve().parents[2] / "data" / "samples"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    runner = CliRunner()
    result = runner.invoke(main, ["import", "units", str(samples / "units.csv"), "--dry-run"])
    assert result.exit_code == 0 and "would write 2 branch" in result.output
    result = runner.invoke(main, ["import", "units", str(samples / "units.csv")])
    assert result.exit_code == 0 and "wrote 2 branch" in result.output
    bad = tmp_path / "staff.csv"
    bad.write_text("employee_ref,name,branch_code\nE1,Ann,NOPE\n")
    result = runner.invoke(main, ["import", "staff", str(bad)])
    assert result.exit_code == 2
    assert "row 2, column branch_code: unknown branch 'NOPE'" in result.output
    result = runner.invoke(main, ["import", "nonsense", str(bad)])
    assert result.exit_code != 0 and "unknown kind" in result.output


def test_users_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/cli.db")
    runner = CliRunner()
    assert runner.invoke(main, ["init-db"]).exit_code == 0
    result = runner.invoke(
        main, ["users", "create", "boss", "--role", "executive"], input="a-long-secret\n" * 2
    )
    assert result.exit_code == 0 and "created boss (executive, scope b[*]d[*])" in result.output
    result = runner.invoke(
        main, ["users", "create", "boss", "--role", "admin", "--password", "a-long-secret"]
    )
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(
        main, ["users", "create", "t", "--role", "team_member", "--password", "a-long-secret"]
    )
    assert result.exit_code != 0 and "needs both --branch and --department" in result.output
    assert runner.invoke(main, ["users", "deactivate", "boss"]).exit_code == 0
    listing = runner.invoke(main, ["users", "list"]).output
    assert "boss" in listing and "executive" in listing and "deactivated" in listing
    with create_engine(f"sqlite:///{tmp_path}/cli.db").connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM app_user WHERE username='boss'")).scalar_one()
    assert stored.startswith("scrypt:") and "a-long-secret" not in stored


def test_import_command_lists_problems_for_a_truncated_workbook_and_dry_runs_the_writes(
    tmp_path, monkeypatch
):
    from pathlib import Path

    samples = Path(__file__).resolve().parents[2] / "data" / "samples"
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("DATABASE_URL", url)
    runner = CliRunner()
    cut = tmp_path / "responses.xlsx"
    whole = (samples / "responses.xlsx").read_bytes()
    cut.write_bytes(whole[: len(whole) // 2])
    result = runner.invoke(main, ["import", "responses", str(cut), "--dry-run"])
    assert result.exit_code == 2, result.output  # a problem list, not a traceback (exit 1)
    assert "file: is not a readable .xlsx workbook" in result.output
    result = runner.invoke(main, ["import", "units", str(samples / "units.csv"), "--dry-run"])
    assert result.exit_code == 0
    assert (
        "dry run: the file is valid and its writes succeeded; rolled back, nothing was written"
        in result.output
    )
    with create_engine(url).connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM branch")).scalar_one() == 0
