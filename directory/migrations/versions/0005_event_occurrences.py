"""event occurrences: recurring rencontres expanded, with their excluded and moved dates

The Pays showed a series as its first date only. Each live event record is now expanded
into one row per occurrence (federation/recurrence.py), which the agenda, the feeds and the
figures read; this migration fills the table from the records already received.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 06:15:00

"""
from alembic import op
import sqlalchemy as sa

from federation.recurrence import occurrences


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

RECORD = sa.table('record', sa.column('id', sa.Integer), sa.column('peer_id', sa.Integer),
                  sa.column('type', sa.String), sa.column('deleted', sa.Boolean),
                  sa.column('payload', sa.JSON))


def upgrade():
    table = op.create_table(
        'event_occurrence',
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('peer_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['record.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('record_id', 'starts_at'),
    )
    op.create_index('ix_event_occurrence_starts_at', 'event_occurrence', ['starts_at'])
    op.create_index('ix_event_occurrence_peer', 'event_occurrence', ['peer_id', 'starts_at'])
    connection = op.get_bind()
    rows = []
    for record_id, peer_id, payload in connection.execute(
            sa.select(RECORD.c.id, RECORD.c.peer_id, RECORD.c.payload).where(
                RECORD.c.type == 'event', RECORD.c.deleted.is_(False))):
        for item in occurrences(payload or {}):
            rows.append({'record_id': record_id, 'peer_id': peer_id,
                         'starts_at': item.starts_at.replace(tzinfo=None),
                         'ends_at': item.ends_at.replace(tzinfo=None)})
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    op.drop_index('ix_event_occurrence_peer', table_name='event_occurrence')
    op.drop_index('ix_event_occurrence_starts_at', table_name='event_occurrence')
    op.drop_table('event_occurrence')
