"""Case content for agendas and minutes: texts, indstilling points, attachments, meeting notes.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 16:42:59.932455
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('case_contents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('beslutning', 'drøftelse', 'orientering', name='item_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=True),
    sa.Column('occasion', sa.String(), nullable=False),
    sa.Column('presentation', sa.String(), nullable=False),
    sa.Column('recommender', sa.String(), nullable=False),
    sa.Column('economy', sa.String(), nullable=False),
    sa.Column('legal_basis', sa.String(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_contents_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_contents')),
    sa.UniqueConstraint('case_id', name=op.f('uq_case_contents_case_id'))
    )
    op.create_table('recommendation_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_recommendation_points_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendation_points')),
    sa.UniqueConstraint('case_id', 'number', name=op.f('uq_recommendation_points_case_id_number'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('file', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_attachments_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('case_id', 'number', name=op.f('uq_attachments_case_id_number'))
    )
    op.create_table('meeting_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('journal_number', sa.String(), nullable=False),
    sa.Column('approval_decision', sa.String(), nullable=False),
    sa.Column('other_business_decision', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_meeting_notes_meeting_id_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_notes')),
    sa.UniqueConstraint('meeting_id', name=op.f('uq_meeting_notes_meeting_id'))
    )


def downgrade() -> None:
    op.drop_table('meeting_notes')
    op.drop_table('attachments')
    op.drop_table('recommendation_points')
    op.drop_table('case_contents')
