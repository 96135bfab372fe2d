"""The migrations build the schema the models describe, on both backends."""

from __future__ import annotations

from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from dashboard.db.base import Base
from dashboard.db.migrate import MIGRATIONS_DIR, head_revision, is_up_to_date, upgrade
from dashboard.db.models import Branch, BranchDepartment, Department, ImprovementPlan


def test_migration_creates_every_model_table(fresh_engine):
    tables = set(inspect(fresh_engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert is_up_to_date(fresh_engine)
    # one head, and it is the newest revision file (no forgotten re-chaining)
    newest = max(p.name[:4] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py"))
    assert head_revision() == newest


def test_models_and_migrations_do_not_drift(fresh_engine):
    with fresh_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_upgrade_is_idempotent(fresh_engine):
    upgrade(fresh_engine)
    assert is_up_to_date(fresh_engine)


def test_branch_has_departments_and_plans_version_on_update(fresh_engine):
    with Session(fresh_engine) as s:
        b = Branch(code="B1", name="One")
        d = Department(code="D1", name="Dept")
        s.add_all([b, d])
        s.flush()
        s.add(BranchDepartment(branch_id=b.id, department_id=d.id))
        plan = ImprovementPlan(
            title="t",
            branch_id=b.id,
            element="S",
            item_codes=["S1"],
            start_on=date(2024, 1, 1),
            due_on=date(2024, 6, 30),
        )
        s.add(plan)
        s.commit()
        s.refresh(b)
        assert [x.code for x in b.departments] == ["D1"]
        assert plan.version == 1
        plan.title = "changed"
        s.commit()
        assert plan.version == 2
        assert s.scalar(select(ImprovementPlan.item_codes)) == ["S1"]


def test_rollup_tables_are_clustered_on_sqlite(sqlite_engine):
    with sqlite_engine.connect() as conn:
        ddl = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'rollup_item'").scalar_one()
    assert ddl.rstrip().upper().endswith("WITHOUT ROWID")


def test_downgrade_and_upgrade_round_trip(sqlite_engine):
    from alembic import command

    from dashboard.db.migrate import alembic_config

    cfg = alembic_config()
    with sqlite_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    upgrade(sqlite_engine)
    assert is_up_to_date(sqlite_engine)
