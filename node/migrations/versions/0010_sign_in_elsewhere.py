"""Signing in elsewhere in the network: authorization codes and consents, and when each
member was told what « Réseau » now means

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('network_notice_at', sa.DateTime(), nullable=True))
    op.create_table('sign_in_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('client_id', sa.String(length=63), nullable=False),
    sa.Column('redirect_uri', sa.String(length=512), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=128), nullable=False),
    sa.Column('code_challenge', sa.String(length=128), nullable=False),
    sa.Column('code_challenge_method', sa.String(length=8), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('auth_time', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash')
    )
    with op.batch_alter_table('sign_in_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_code_account_id'), ['account_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_code_expires_at'), ['expires_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_code_nonce'), ['nonce'], unique=False)
    op.create_table('sign_in_consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.String(length=63), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('account_id', 'client_id')
    )


def downgrade():
    op.drop_table('sign_in_consent')
    with op.batch_alter_table('sign_in_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_code_nonce'))
        batch_op.drop_index(batch_op.f('ix_sign_in_code_expires_at'))
        batch_op.drop_index(batch_op.f('ix_sign_in_code_account_id'))
    op.drop_table('sign_in_code')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_column('network_notice_at')
