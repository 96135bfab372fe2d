"""`csat backup` and `csat restore` on SQLite and PostgreSQL: a restore gives
back every table exactly as it was when the backup was taken."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import MetaData, delete, select, update

from dashboard.cli import main
from dashboard.db.models import AuditEntry, Customer, Response


def _every_table(engine) -> dict[str, list[tuple]]:
    """Every table the database holds (reflected, so alembic_version too), rows in key order."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {
            name: conn.execute(select(table).order_by(*table.primary_key.columns or table.columns)).all()
            for name, table in meta.tables.items()
        }


def test_restore_gives_back_every_table(demo_copy, tmp_path, monkeypatch):
    engine = demo_copy(300, 3)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    before = _every_table(engine)
    assert "alembic_version" in before and len(before["response"]) > 0
    file = tmp_path / "csat.backup"
    runner = CliRunner()
    made = runner.invoke(main, ["backup", str(file)])
    assert made.exit_code == 0, made.output
    assert runner.invoke(main, ["backup", str(file)]).exit_code != 0  # never overwrites

    with engine.begin() as conn:  # damage after the backup
        conn.execute(delete(AuditEntry))
        conn.execute(update(Customer).values(name="changed"))
        conn.execute(delete(Response).where(Response.id == select(Response.id).limit(1).scalar_subquery()))
    assert _every_table(engine) != before

    done = runner.invoke(main, ["restore", str(file), "--yes"])
    assert done.exit_code == 0, done.output
    after = _every_table(engine)
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], name


def test_restore_refuses_a_file_that_is_not_a_backup(demo_copy, tmp_path, monkeypatch):
    engine = demo_copy(300, 3)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    before = _every_table(engine)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    result = CliRunner().invoke(main, ["restore", str(junk), "--yes"])
    assert result.exit_code != 0 and "not a" in result.output
    assert _every_table(engine) == before
