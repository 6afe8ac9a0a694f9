"""Calendar feeds: personal feed tokens (hashes only) and the published ledger.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23 16:44:31.711609
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(), nullable=False),
    sa.Column('email', sa.String(), nullable=False),
    sa.Column('department', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_feed_tokens_token_hash'))
    )
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feed_tokens_email'), ['email'], unique=False)

    op.create_table('published_entries',
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('fingerprint', sa.String(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_published_entries'))
    )


def downgrade() -> None:
    op.drop_table('published_entries')
    with op.batch_alter_table('feed_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_feed_tokens_email'))
    op.drop_table('feed_tokens')
