"""Messages between villages relayed node to node: sent, received, blocked senders

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 09:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contact_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('sender_id', sa.Integer(), nullable=False),
    sa.Column('to_node', sa.String(length=63), nullable=False),
    sa.Column('to_member', sa.String(length=36), nullable=False),
    sa.Column('to_name', sa.String(length=120), nullable=False),
    sa.Column('about_uuid', sa.String(length=36), nullable=False),
    sa.Column('about_title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answer_email', sa.String(length=254), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['sender_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('contact_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contact_sent_sender_id'), ['sender_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_contact_sent_created_at'), ['created_at'],
                              unique=False)
    op.create_table('contact_received',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('from_node', sa.String(length=63), nullable=False),
    sa.Column('from_member', sa.String(length=36), nullable=False),
    sa.Column('from_name', sa.String(length=120), nullable=False),
    sa.Column('about_uuid', sa.String(length=36), nullable=False),
    sa.Column('about_title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('reported_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uuid')
    )
    with op.batch_alter_table('contact_received', schema=None) as batch_op:
        batch_op.create_index('ix_contact_received_from', ['from_node', 'received_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_contact_received_recipient_id'), ['recipient_id'],
                              unique=False)
    op.create_table('contact_block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('from_node', sa.String(length=63), nullable=False),
    sa.Column('from_member', sa.String(length=36), nullable=False),
    sa.Column('from_name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'from_node', 'from_member')
    )


def downgrade():
    op.drop_table('contact_block')
    with op.batch_alter_table('contact_received', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_received_recipient_id'))
        batch_op.drop_index('ix_contact_received_from')
    op.drop_table('contact_received')
    with op.batch_alter_table('contact_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contact_sent_created_at'))
        batch_op.drop_index(batch_op.f('ix_contact_sent_sender_id'))
    op.drop_table('contact_sent')
