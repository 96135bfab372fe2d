"""rollup_element: respondents' element-mean moments for the gaps' intervals

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:45:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_MOMENTS = [f"{stat}_{m}" for m in ("e", "p", "gap") for stat in ("n", "sum", "sumsq")]


def upgrade() -> None:
    op.create_table(
        'rollup_element',
        sa.Column('segment', sa.String(length=40), nullable=False),
        sa.Column('element', sa.String(length=1), nullable=False),
        sa.Column('scale_min', sa.Integer(), nullable=False),
        sa.Column('scale_max', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=20), nullable=False),
        sa.Column('wave_id', sa.Integer(), nullable=False),
        sa.Column('branch_id', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        *(
            sa.Column(name, sa.Integer() if name.startswith('n_') else sa.Float(), server_default='0',
                      nullable=False)
            for name in _MOMENTS
        ),
        sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], name=op.f('fk_rollup_element_branch_id_branch')),
        sa.ForeignKeyConstraint(
            ['department_id'], ['department.id'], name=op.f('fk_rollup_element_department_id_department')
        ),
        sa.ForeignKeyConstraint(['wave_id'], ['wave.id'], name=op.f('fk_rollup_element_wave_id_wave')),
        sa.PrimaryKeyConstraint(
            'segment', 'element', 'scale_min', 'scale_max', 'channel', 'wave_id', 'branch_id', 'department_id',
            name=op.f('pk_rollup_element'),
        ),
        sqlite_with_rowid=False,
    )
    # existing databases: fill it from their answers, as refresh_rollups does
    # (the SQL is copied, not imported, so this revision stays as it ran)
    scored = "CAST(CASE WHEN q.reverse_coded THEN q.scale_min + q.scale_max - a.{0} ELSE a.{0} END AS FLOAT)"
    e, p = scored.format("expectation"), scored.format("perception")
    keys = "wave_id, branch_id, department_id, channel, segment"
    r_keys = ", ".join("r." + k for k in keys.split(", "))
    x_keys = ", ".join("x." + k for k in keys.split(", "))
    moments = ", ".join(
        f"COUNT(x.{m}), COALESCE(SUM(x.{m}), 0), COALESCE(SUM(x.{m} * x.{m}), 0)" for m in ("e", "p", "gap")
    )
    op.execute(
        f"INSERT INTO rollup_element ({keys}, element, scale_min, scale_max, {', '.join(_MOMENTS)}) "
        f"SELECT {x_keys}, x.element, x.lo, x.hi, {moments} FROM ("
        f"SELECT {r_keys}, q.element, q.scale_min AS lo, q.scale_max AS hi, "
        f"AVG({e}) AS e, AVG({p}) AS p, AVG({p} - {e}) AS gap "
        f"FROM answer a JOIN response r ON r.id = a.response_id JOIN question q ON q.id = a.question_id "
        f"WHERE q.element IS NOT NULL "
        f"GROUP BY r.id, {r_keys}, q.element, q.scale_min, q.scale_max) x "
        f"GROUP BY {x_keys}, x.element, x.lo, x.hi"
    )


def downgrade() -> None:
    op.drop_table('rollup_element')
