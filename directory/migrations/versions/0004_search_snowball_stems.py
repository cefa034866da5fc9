"""full-text index rebuilt with Snowball French stems, the same tokens on both databases

The index held crude hand-made stems, and on PostgreSQL the words went through the
``french`` configuration over chaleur_unaccent(): SQLite and PostgreSQL did not index the
same tokens. Both now index the folded words and their Snowball French stems computed in
Python (vocabulary/text.py, directory/services/fulltext.py; on PostgreSQL the stems carry a
leading "0" so that synonyms are looked up among stems only), so every record's entry is
written again from the records, which are the truth; chaleur_unaccent() is no longer used.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕÚÙÛÜÝ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUY"
RECORD = sa.table('record', sa.column('id', sa.Integer), sa.column('type', sa.String),
                  sa.column('deleted', sa.Boolean), sa.column('payload', sa.JSON))


def _texts(bind):
    from directory.services.aggregation import searchable_text

    rows = bind.execute(sa.select(RECORD.c.id, RECORD.c.type, RECORD.c.payload)
                        .where(RECORD.c.deleted.is_(False),
                               RECORD.c.type.in_(('member', 'listing')))
                        .order_by(RECORD.c.id))
    for record_id, kind, payload in rows:
        yield (record_id, *searchable_text(kind, payload or {}))


def upgrade():
    from directory.services.fulltext import rebuild

    bind = op.get_bind()
    rebuild(bind, list(_texts(bind)))
    if bind.dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS chaleur_unaccent(text)')


def downgrade():
    # The entries keep the new tokens, which the 0003 code's queries still partly match;
    # its inserts need chaleur_unaccent() again (the translate() form: no extension needed).
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE OR REPLACE FUNCTION chaleur_unaccent(text) RETURNS text "
                   "LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS "
                   f"$$ SELECT translate($1, '{ACCENTED}', '{PLAIN}') $$")
