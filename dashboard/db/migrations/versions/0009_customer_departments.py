"""customer_department: the departments each customer has dealt with

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:55:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'customer_department',
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['customer_id'], ['customer.id'], name=op.f('fk_customer_department_customer_id_customer')
        ),
        sa.ForeignKeyConstraint(
            ['department_id'], ['department.id'], name=op.f('fk_customer_department_department_id_department')
        ),
        sa.PrimaryKeyConstraint('department_id', 'customer_id', name=op.f('pk_customer_department')),
        sqlite_with_rowid=False,
    )
    # existing databases: fill it from what they hold (as refresh_customer_departments does)
    op.execute(
        "INSERT INTO customer_department (department_id, customer_id) "
        "SELECT department_id, customer_id FROM response WHERE customer_id IS NOT NULL "
        "UNION SELECT department_id, customer_id FROM service_request WHERE customer_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table('customer_department')
