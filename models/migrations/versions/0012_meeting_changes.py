"""An append-only log of changes to what a meeting shows (OParl's Meeting.modified), one row per
meeting per write: inserts only, so concurrent writers never wait for each other's rows.

The backfill gives every existing meeting the stamps its `modified` was computed from before:
its own `updated_at`, its consultations' and their decisions' times, and the latest change of any
case its body treats (a case re-planned away left no row behind, so that stamp stands in for it).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 17:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BACKFILL = (
    "SELECT id, updated_at FROM meetings",
    "SELECT meeting_id, max(created_at) FROM consultations GROUP BY meeting_id",
    "SELECT c.meeting_id, max(d.created_at) FROM decisions d JOIN consultations c ON c.id = d.consultation_id"
    " GROUP BY c.meeting_id",
    "SELECT m.id, b.stamp FROM meetings m JOIN (SELECT c.body_id, max(k.updated_at) AS stamp FROM consultations c"
    " JOIN cases k ON k.id = c.case_id GROUP BY c.body_id) b ON b.body_id = m.body_id",
)


def upgrade() -> None:
    op.create_table('meeting_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_changes'))
    )
    op.create_index('ix_meeting_changes_meeting_id_changed_at', 'meeting_changes', ['meeting_id', 'changed_at'], unique=False)
    for select in _BACKFILL:
        op.execute(f"INSERT INTO meeting_changes (meeting_id, changed_at) {select}")


def downgrade() -> None:
    op.drop_index('ix_meeting_changes_meeting_id_changed_at', table_name='meeting_changes')
    op.drop_table('meeting_changes')
