"""Late additions: a case put on a meeting after its deadline, with who decided and why.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 08:50:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('late_additions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('decided_by', sa.String(), nullable=False),
    sa.Column('reason', sa.String(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_late_additions_body_id_bodies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_late_additions_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_late_additions_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_late_additions')),
    sa.UniqueConstraint('case_id', 'stage', 'body_id', name=op.f('uq_late_additions_case_id_stage_body_id'))
    )
    op.create_index(op.f('ix_late_additions_case_id'), 'late_additions', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_late_additions_case_id'), table_name='late_additions')
    op.drop_table('late_additions')
