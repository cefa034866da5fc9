"""peer.search_version: raised with every change to a node's searched rows

The people search keeps the shown members in memory (directory/services/people_index.py) and
reloads a node's members when this number changes. Existing rows start at 0: a process
starting after the upgrade loads every node anyway.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('peer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_version', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('peer', schema=None) as batch_op:
        batch_op.drop_column('search_version')
