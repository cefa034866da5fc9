"""Questions au réseau between villages: a question is a shared record (version, update
time, open or resolved), an answer has its own id and may come from another village

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:30:00

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

ANSWER = sa.table('answer', sa.column('id', sa.Integer), sa.column('uuid', sa.String))


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), nullable=False,
                                      server_default='open'))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=False,
                                      server_default=sa.func.current_timestamp()))
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('author_village', sa.String(length=63), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('author_uuid', sa.String(length=36), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('author_name', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.alter_column('member_id', existing_type=sa.Integer(), nullable=True)
    bind = op.get_bind()
    for (answer_id,) in bind.execute(sa.select(ANSWER.c.id)).all():
        bind.execute(ANSWER.update().where(ANSWER.c.id == answer_id)
                     .values(uuid=str(uuid.uuid4())))
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.alter_column('uuid', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint('uq_answer_uuid', ['uuid'])
        batch_op.create_index(batch_op.f('ix_answer_author_uuid'), ['author_uuid'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_author_uuid'))
        batch_op.drop_constraint('uq_answer_uuid', type_='unique')
        batch_op.drop_column('author_name')
        batch_op.drop_column('author_uuid')
        batch_op.drop_column('author_village')
        batch_op.drop_column('uuid')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('updated_at')
        batch_op.drop_column('version')
        batch_op.drop_column('state')
