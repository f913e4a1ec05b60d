"""The minutes' attendance (confirmed by the organiser, per invited unit) and what each
decision needs: whether the case was tracked when it was decided, and why it was released.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_attendance",
        sa.Column("meeting_id", sa.Integer(), sa.ForeignKey("meetings.id"), primary_key=True),
        sa.Column("unit_id", sa.String(64), sa.ForeignKey("units.id"), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("attendance_confirmed_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("meeting_decisions") as batch:
        batch.add_column(sa.Column("was_tracked", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("reason", sa.String(24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting_decisions") as batch:
        batch.drop_column("reason")
        batch.drop_column("was_tracked")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("attendance_confirmed_at")
    op.drop_table("meeting_attendance")
