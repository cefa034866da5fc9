"""Answering another village's rencontre: the visitor's home village on the host's answer,
and the home village's copy of its members' answers elsewhere

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.add_column(sa.Column('home_village', sa.String(length=63), nullable=True))
        batch_op.add_column(sa.Column('home_member', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('visitor_name', sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(
            'uq_rsvp_visitor', ['event_id', 'occurrence_at', 'home_village', 'home_member'])
    op.create_table('answer_elsewhere',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('village', sa.String(length=63), nullable=False),
    sa.Column('village_name', sa.String(length=160), nullable=False),
    sa.Column('answer', sa.String(length=64), nullable=False),
    sa.Column('sequence', sa.BigInteger(), nullable=False),
    sa.Column('event_uuid', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('village', 'answer')
    )
    with op.batch_alter_table('answer_elsewhere', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_elsewhere_member_id'), ['member_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_answer_elsewhere_starts_at'), ['starts_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('answer_elsewhere', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_elsewhere_starts_at'))
        batch_op.drop_index(batch_op.f('ix_answer_elsewhere_member_id'))
    op.drop_table('answer_elsewhere')
    with op.batch_alter_table('rsvp', schema=None) as batch_op:
        batch_op.drop_constraint('uq_rsvp_visitor', type_='unique')
        batch_op.drop_column('visitor_name')
        batch_op.drop_column('home_member')
        batch_op.drop_column('home_village')
