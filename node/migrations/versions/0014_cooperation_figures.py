"""« Mise en relation réussie »: the two confirmations of a conversation, counted for the
funders; people of other villages kept in an address book

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 09:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cooperation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation', sa.String(length=120), nullable=False),
    sa.Column('owner_said_at', sa.DateTime(), nullable=True),
    sa.Column('other_said_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('conversation')
    )
    with op.batch_alter_table('cooperation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cooperation_confirmed_at'), ['confirmed_at'],
                              unique=False)
    op.create_table('network_contact',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('node_id', sa.String(length=63), nullable=False),
    sa.Column('member_uuid', sa.String(length=36), nullable=False),
    sa.Column('village', sa.String(length=200), nullable=False),
    sa.Column('profile', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('owner_id', 'node_id', 'member_uuid')
    )
    with op.batch_alter_table('network_contact', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_contact_owner_id'), ['owner_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('network_contact', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_network_contact_owner_id'))
    op.drop_table('network_contact')
    with op.batch_alter_table('cooperation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cooperation_confirmed_at'))
    op.drop_table('cooperation')
