"""The fediverse layer: followers, outbox, delivery queue, published Events, remote keys

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 06:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('ap_follower',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.String(length=500), nullable=False),
    sa.Column('inbox', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('actor_id')
    )
    op.create_table('ap_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.String(length=500), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity_id')
    )
    with op.batch_alter_table('ap_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ap_activity_object_id'), ['object_id'], unique=False)
    op.create_table('ap_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity', sa.Integer(), nullable=False),
    sa.Column('inbox', sa.String(length=500), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.Integer(), nullable=False),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['activity'], ['ap_activity.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('activity', 'inbox', name='uq_ap_delivery')
    )
    with op.batch_alter_table('ap_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ap_delivery_state'), ['state'], unique=False)
    op.create_table('ap_object',
    sa.Column('uuid', sa.String(length=64), nullable=False),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('uuid')
    )
    op.create_table('ap_remote_key',
    sa.Column('key_id', sa.String(length=500), nullable=False),
    sa.Column('owner', sa.String(length=500), nullable=False),
    sa.Column('public_key_pem', sa.Text(), nullable=False),
    sa.Column('fetched_at', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key_id')
    )


def downgrade():
    op.drop_table('ap_remote_key')
    op.drop_table('ap_object')
    with op.batch_alter_table('ap_delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ap_delivery_state'))
    op.drop_table('ap_delivery')
    with op.batch_alter_table('ap_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ap_activity_object_id'))
    op.drop_table('ap_activity')
    op.drop_table('ap_follower')
