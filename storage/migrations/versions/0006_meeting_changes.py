"""Meetings that are moved or cancelled: when, and from which time, so the change is announced
once and the reminders queued for the old time are dropped.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("meetings") as table:
        table.add_column(sa.Column("moved_from", UTCDateTime(), nullable=True))
        table.add_column(sa.Column("changed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meetings") as table:
        table.drop_column("changed_at")
        table.drop_column("moved_from")
