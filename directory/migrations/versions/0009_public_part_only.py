"""the Pays site shows anyone only what members made public

Nodes now mark the public part of what they share (a member's ``public`` field list, a
listing's or rencontre's ``"public": true``; directory/services/audience.py). The search
rows and the full-text index are built from that public part only, and ``event_entry`` gets
a ``public`` flag. Records received before carry no mark: they are network-only until their
node shares them again (``chaleur federation reshare``), so their search rows go now.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 07:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

RECORD = sa.table('record', sa.column('id', sa.Integer), sa.column('type', sa.String),
                  sa.column('deleted', sa.Boolean), sa.column('payload', sa.JSON))
EVENT_ENTRY = sa.table('event_entry', sa.column('record_id', sa.Integer),
                       sa.column('public', sa.Boolean))
PEER = sa.table('peer', sa.column('search_version', sa.Integer))


def upgrade():
    from directory.services.aggregation import searchable_text
    from directory.services.audience import is_public, public_part
    from directory.services.fulltext import rebuild

    with op.batch_alter_table('event_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    bind = op.get_bind()
    rows = list(bind.execute(sa.select(RECORD.c.id, RECORD.c.type, RECORD.c.payload)
                             .where(RECORD.c.deleted.is_(False),
                                    RECORD.c.type.in_(('member', 'listing', 'event')))))
    hidden = {'member': [], 'listing': []}
    texts = []
    for record_id, kind, payload in rows:
        if kind == 'event':
            if is_public('event', payload):
                bind.execute(EVENT_ENTRY.update().where(EVENT_ENTRY.c.record_id == record_id)
                             .values(public=True))
            continue
        shown = public_part(kind, payload)
        if shown is None:
            hidden[kind].append(record_id)
        else:
            texts.append((record_id, *searchable_text(kind, shown)))
    tables = {'member': ('member_skill', 'member_entry'), 'listing': ('listing_entry',)}
    for kind, record_ids in hidden.items():
        for start in range(0, len(record_ids), 500):
            chunk = record_ids[start:start + 500]
            for table in tables[kind]:
                bind.execute(sa.text(f'DELETE FROM {table} WHERE record_id IN :ids')
                             .bindparams(sa.bindparam('ids', expanding=True)),
                             {'ids': chunk})
    rebuild(bind, texts)
    bind.execute(PEER.update().values(search_version=PEER.c.search_version + 1))


def downgrade():
    with op.batch_alter_table('event_entry', schema=None) as batch_op:
        batch_op.drop_column('public')
