"""Users belong to one municipality, and an administrator flag for the secretariat.

An account made before this revision has no municipality (''): it sees every municipality, as
before, until an administrator or `sagsgang bruger opret --kommune` says otherwise.

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-01 11:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('municipality', sa.String(), nullable=False, server_default=''))
        batch.add_column(sa.Column('admin', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('admin')
        batch.drop_column('municipality')
