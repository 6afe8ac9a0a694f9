"""Initial schema: bodies, meetings, cases, consultations, decisions.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 16:32:44.341701
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('bodies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality', sa.String(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('kind', sa.Enum('administrativ', 'politisk', 'ad hoc', name='body_kind', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bodies')),
    sa.UniqueConstraint('municipality', 'key', name=op.f('uq_bodies_municipality_key'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality', sa.String(), nullable=False),
    sa.Column('journal_number', sa.String(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('route_key', sa.String(), nullable=False),
    sa.Column('ready_date', sa.Date(), nullable=False),
    sa.Column('target_body_id', sa.Integer(), nullable=True),
    sa.Column('target_date', sa.Date(), nullable=True),
    sa.Column('closed_item', sa.Boolean(), nullable=False),
    sa.Column('owner_name', sa.String(), nullable=False),
    sa.Column('owner_email', sa.String(), nullable=False),
    sa.Column('manager_name', sa.String(), nullable=False),
    sa.Column('manager_email', sa.String(), nullable=False),
    sa.Column('department', sa.String(), nullable=False),
    sa.Column('status', sa.Enum('åben', 'afsluttet', name='case_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(target_body_id IS NULL) = (target_date IS NULL)', name=op.f('ck_cases_target_complete')),
    sa.ForeignKeyConstraint(['target_body_id'], ['bodies.id'], name=op.f('fk_cases_target_body_id_bodies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('municipality', 'journal_number', name=op.f('uq_cases_municipality_journal_number'))
    )
    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('municipality', sa.String(), nullable=False),
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(), nullable=False),
    sa.Column('status', sa.Enum('planlagt', 'foreløbig', 'aflyst', name='meeting_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('moved_from', sa.Date(), nullable=True),
    sa.Column('overridden', sa.Boolean(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_meetings_body_id_bodies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings')),
    sa.UniqueConstraint('municipality', 'key', name=op.f('uq_meetings_municipality_key'))
    )
    op.create_index(op.f('ix_meetings_body_id'), 'meetings', ['body_id'], unique=False)
    op.create_index(op.f('ix_meetings_day'), 'meetings', ['day'], unique=False)

    op.create_table('consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('latest_meeting_id', sa.Integer(), nullable=False),
    sa.Column('latest_deadline', sa.Date(), nullable=False),
    sa.Column('slack_working_days', sa.Integer(), nullable=False),
    sa.Column('agenda_due', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_consultations_body_id_bodies')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_consultations_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['latest_meeting_id'], ['meetings.id'], name=op.f('fk_consultations_latest_meeting_id_meetings')),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_consultations_meeting_id_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations')),
    sa.UniqueConstraint('case_id', 'stage', 'body_id', 'round', name=op.f('uq_consultations_case_id_stage_body_id_round'))
    )
    op.create_index(op.f('ix_consultations_meeting_id'), 'consultations', ['meeting_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('godkendt', 'anbefalet', 'taget til efterretning', 'drøftet', 'udsat', 'tilbagesendt', 'ikke godkendt', name='outcome', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('text', sa.String(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_decisions_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_decisions_consultation_id'))
    )


def downgrade() -> None:
    op.drop_table('decisions')
    op.drop_index(op.f('ix_consultations_meeting_id'), table_name='consultations')
    op.drop_table('consultations')
    op.drop_index(op.f('ix_meetings_day'), table_name='meetings')
    op.drop_index(op.f('ix_meetings_body_id'), table_name='meetings')
    op.drop_table('meetings')
    op.drop_table('cases')
    op.drop_table('bodies')
