"""The safety question's answer and a report already made, on each referral.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("safety_answer", sa.Text(), nullable=True))
        batch.add_column(sa.Column("report_channel", sa.String(24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.drop_column("report_channel")
        batch.drop_column("safety_answer")
