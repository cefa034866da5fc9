"""Listings people can use: five kinds, skills, commune and radius, visibility, state, expiry

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 06:10:00

Existing listings keep the audience they had (visibility "" follows their member's skills
group), take their member's commune, and get 60 days from the upgrade before their first
reminder.
"""
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.add_column(sa.Column('skills', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('commune_code', sa.String(length=5), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('radius_km', sa.Integer(), nullable=False,
                                      server_default='20'))
        batch_op.add_column(sa.Column('visibility', sa.String(length=16), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('state', sa.String(length=12), nullable=False,
                                      server_default='active'))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
    expiry = (datetime.now(timezone.utc) + timedelta(days=60)).replace(tzinfo=None)
    op.execute(sa.text(
        "UPDATE listing SET skills = '[]', expires_at = :expiry, "
        "commune_code = (SELECT member.commune_code FROM member "
        "WHERE member.id = listing.member_id)").bindparams(expiry=expiry))
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.alter_column('skills', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column('commune_code', server_default=None)
        batch_op.alter_column('radius_km', server_default=None)
        batch_op.alter_column('visibility', server_default=None)
        batch_op.alter_column('state', server_default=None)
        batch_op.create_index(batch_op.f('ix_listing_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_listing_expires_at'), ['expires_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_expires_at'))
        batch_op.drop_index(batch_op.f('ix_listing_state'))
        batch_op.drop_column('expires_at')
        batch_op.drop_column('state')
        batch_op.drop_column('visibility')
        batch_op.drop_column('radius_km')
        batch_op.drop_column('commune_code')
        batch_op.drop_column('skills')
