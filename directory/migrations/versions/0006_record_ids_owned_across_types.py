"""a record id names one record across types (uq_record_uuid)

Ownership holds by id: a record id one node stored (as an event, say) could be reused by
another node under another type (as a member) and was stored beside it, since the unique
constraint was (uuid, type). It becomes (uuid). Rows that already share an id are resolved
in favour of the first one stored (the lowest row id, its rightful owner); the later ones,
with their search rows, are dropped before the constraint is created.

SQLite cannot change a table's constraints: the table is rebuilt (AUTOINCREMENT kept), with
foreign keys off during the copy and checked before the commit, as in 0003.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 06:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

ENTRY_TABLES = ('member_skill', 'member_entry', 'listing_entry', 'event_entry',
                'event_occurrence')


def upgrade():
    _drop_later_duplicates()
    _swap_constraint(drop=('uq_record_uuid_type',), create=('uq_record_uuid', ['uuid']))


def downgrade():
    _swap_constraint(drop=('uq_record_uuid',), create=('uq_record_uuid_type', ['uuid', 'type']))


def _drop_later_duplicates():
    bind = op.get_bind()
    later = [row[0] for row in bind.exec_driver_sql(
        'SELECT r.id FROM record r WHERE EXISTS '
        '(SELECT 1 FROM record first WHERE first.uuid = r.uuid AND first.id < r.id)')]
    if not later:
        return
    postgres = bind.dialect.name == 'postgresql'
    mark = '%s' if postgres else '?'
    text_column = 'record_id' if postgres else 'rowid'
    for start in range(0, len(later), 500):
        chunk = tuple(later[start:start + 500])
        marks = ', '.join([mark] * len(chunk))
        for table in ENTRY_TABLES:
            bind.exec_driver_sql(f'DELETE FROM {table} WHERE record_id IN ({marks})', chunk)
        bind.exec_driver_sql(f'DELETE FROM record_text WHERE {text_column} IN ({marks})', chunk)
        bind.exec_driver_sql(f'DELETE FROM record WHERE id IN ({marks})', chunk)


def _swap_constraint(drop, create):
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(drop[0], 'record', type_='unique')
        op.create_unique_constraint(create[0], 'record', create[1])
        return
    with op.get_context().autocommit_block():
        bind = op.get_bind()
        bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
        try:
            bind.exec_driver_sql('BEGIN')
            try:
                with op.batch_alter_table('record', recreate='always', table_kwargs={
                        'sqlite_autoincrement': True}) as batch_op:
                    batch_op.drop_constraint(drop[0], type_='unique')
                    batch_op.create_unique_constraint(create[0], create[1])
                broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
                if broken:
                    raise RuntimeError(f'foreign keys broken by the rebuild: {broken[:5]}')
            except BaseException:
                bind.exec_driver_sql('ROLLBACK')
                raise
            bind.exec_driver_sql('COMMIT')
        finally:
            bind.exec_driver_sql('PRAGMA foreign_keys=ON')
