"""A case's next wake-up time: when the service's wake-up flow (vaekning) advances it next.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('cases', sa.Column('wake_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_cases_wake_at'), 'cases', ['wake_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_cases_wake_at'), table_name='cases')
    with op.batch_alter_table('cases') as batch:
        batch.drop_column('wake_at')
