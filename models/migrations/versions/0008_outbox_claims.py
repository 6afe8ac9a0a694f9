"""Outbox: claim, send, mark (status 'sendes' with claimed_at/claimed_by), the Message-ID kept in
the row, retries with backoff (next_attempt_at) and status 'fejlet'; daily check runs for the
heartbeat.

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 10:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_STATUSES = ('afventer', 'sendt', 'forældet')
NEW_STATUSES = ('afventer', 'sendes', 'sendt', 'fejlet', 'forældet')


OLD_KINDS = ('påmindelse', 'eskalering', 'ugeoversigt')
NEW_KINDS = ('påmindelse', 'eskalering', 'ugeoversigt', 'driftsadvarsel')


def _status(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name='message_status', native_enum=False, create_constraint=True, length=40)


def _kind(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name='message_kind', native_enum=False, create_constraint=True, length=40)


def upgrade() -> None:
    with op.batch_alter_table('outbox') as batch:
        batch.add_column(sa.Column('message_id', sa.String(), nullable=False, server_default=''))
        batch.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('claimed_by', sa.String(), nullable=False, server_default=''))
        batch.alter_column('status', existing_type=_status(OLD_STATUSES), type_=_status(NEW_STATUSES))
        batch.alter_column('kind', existing_type=_kind(OLD_KINDS), type_=_kind(NEW_KINDS))
    # Rows built before this revision carry their Message-ID in the message text only.
    outbox = sa.table('outbox', sa.column('id', sa.Integer()), sa.column('message', sa.Text()),
                      sa.column('message_id', sa.String()))
    connection = op.get_bind()
    for row_id, message in connection.execute(sa.select(outbox.c.id, outbox.c.message)):
        for line in message.splitlines():
            if line.lower().startswith('message-id:'):
                connection.execute(outbox.update().where(outbox.c.id == row_id)
                                   .values(message_id=line.split(':', 1)[1].strip()))
                break
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('message_id', server_default=None)
        batch.alter_column('claimed_by', server_default=None)

    op.create_table('daily_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_checks'))
    )
    op.create_index(op.f('ix_daily_checks_day'), 'daily_checks', ['day'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_daily_checks_day'), table_name='daily_checks')
    op.drop_table('daily_checks')
    op.execute("UPDATE outbox SET status = 'afventer' WHERE status IN ('sendes', 'fejlet')")
    op.execute("DELETE FROM outbox WHERE kind = 'driftsadvarsel'")
    with op.batch_alter_table('outbox') as batch:
        batch.alter_column('kind', existing_type=_kind(NEW_KINDS), type_=_kind(OLD_KINDS))
        batch.alter_column('status', existing_type=_status(NEW_STATUSES), type_=_status(OLD_STATUSES))
        batch.drop_column('claimed_by')
        batch.drop_column('claimed_at')
        batch.drop_column('next_attempt_at')
        batch.drop_column('message_id')
