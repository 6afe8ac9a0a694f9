"""A meeting's items_changed_at: when what its agenda items show last changed (OParl's modified).

Existing meetings get the latest of what the OParl reads computed before: their consultations'
and decisions' creation and their cases' last change.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 13:45:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('meetings') as batch:
        batch.add_column(sa.Column('items_changed_at', sa.DateTime(timezone=True), nullable=True))
    # The latest stamp of the meeting's items; max() of the three per-kind maxima.
    for stamp in (
        "SELECT max(c.created_at) FROM consultations c WHERE c.meeting_id = meetings.id",
        "SELECT max(d.created_at) FROM decisions d JOIN consultations c ON c.id = d.consultation_id"
        " WHERE c.meeting_id = meetings.id",
        "SELECT max(k.updated_at) FROM cases k JOIN consultations c ON c.case_id = k.id"
        " WHERE c.meeting_id = meetings.id",
    ):
        op.execute(
            f"UPDATE meetings SET items_changed_at = ({stamp}) "
            f"WHERE items_changed_at IS NULL OR items_changed_at < ({stamp})"
        )


def downgrade() -> None:
    with op.batch_alter_table('meetings') as batch:
        batch.drop_column('items_changed_at')
