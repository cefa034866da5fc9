"""record ids are never given twice (SQLite AUTOINCREMENT)

The people index (directory/services/people_index.py) knows a member by its record id and
version. SQLite gives a new row the highest id plus one: once a resync dropped a node's
records (forget_node_records), the next record could take a dropped id, with version 1, and
the index would keep the dropped member. AUTOINCREMENT never gives an id twice; PostgreSQL's
sequence never did, so there is nothing to do there.

SQLite cannot add AUTOINCREMENT to a table: the table is rebuilt, every row and id kept, with
foreign keys off during the copy (dropping the old table would otherwise cascade to every
entry) and checked before the commit. PRAGMA foreign_keys has no effect inside a
transaction, hence the autocommit block and the explicit BEGIN/COMMIT around the rebuild.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    _rebuild_record(autoincrement=True)


def downgrade():
    _rebuild_record(autoincrement=False)


def _rebuild_record(autoincrement):
    if op.get_bind().dialect.name != 'sqlite':
        return
    with op.get_context().autocommit_block():
        bind = op.get_bind()
        bind.exec_driver_sql('PRAGMA foreign_keys=OFF')
        try:
            bind.exec_driver_sql('BEGIN')
            try:
                with op.batch_alter_table('record', recreate='always', table_kwargs={
                        'sqlite_autoincrement': autoincrement}):
                    pass
                broken = bind.exec_driver_sql('PRAGMA foreign_key_check').fetchall()
                if broken:
                    raise RuntimeError(f'foreign keys broken by the rebuild: {broken[:5]}')
            except BaseException:
                bind.exec_driver_sql('ROLLBACK')
                raise
            bind.exec_driver_sql('COMMIT')
        finally:
            bind.exec_driver_sql('PRAGMA foreign_keys=ON')
