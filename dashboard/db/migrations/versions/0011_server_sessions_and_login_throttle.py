"""server-side login sessions, login throttle counters, session epoch per user

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 20:45:00
"""

from alembic import op
import sqlalchemy as sa

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('app_user', sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'login_session',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('epoch', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['app_user.id'], name=op.f('fk_login_session_user_id_app_user'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_login_session')),
    )
    op.create_index(op.f('ix_login_session_user_id'), 'login_session', ['user_id'])
    op.create_table(
        'login_throttle',
        sa.Column('key', sa.String(length=140), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failure_at', sa.DateTime(), nullable=False),
        sa.Column('not_before', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle')),
    )


def downgrade() -> None:
    op.drop_table('login_throttle')
    op.drop_index(op.f('ix_login_session_user_id'), table_name='login_session')
    op.drop_table('login_session')
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('session_epoch')
