"""identity_change: an admitted node's identity changes, held for the coordinator

An admitted node that re-posts its document with another address, endpoints, name or
contact no longer has it applied at once: the new document waits here (one row per node at
most) until the coordinator approves it; the peer's current document keeps serving.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('identity_change',
    sa.Column('peer_id', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['peer_id'], ['peer.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('peer_id')
    )


def downgrade():
    op.drop_table('identity_change')
