"""Opt-in alerts: a match on my need at once, the weekly round-up; matches already told

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'alert_settings',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('match_alerts', sa.Boolean(), nullable=False),
        sa.Column('weekly', sa.Boolean(), nullable=False),
        sa.Column('last_weekly_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['account.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('account_id'),
    )
    op.create_table(
        'match_seen',
        sa.Column('listing_id', sa.Integer(), nullable=False),
        sa.Column('candidate_key', sa.String(length=80), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['listing_id'], ['listing.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('listing_id', 'candidate_key'),
    )


def downgrade():
    op.drop_table('match_seen')
    op.drop_table('alert_settings')
