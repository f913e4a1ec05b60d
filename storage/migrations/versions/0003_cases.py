"""Cases: status and tracking on the referral, entries, the team of units, obligations.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("case_status", sa.String(24), nullable=True))
        batch.add_column(sa.Column("tracked", sa.Boolean(), server_default="0", nullable=False))
        batch.add_column(sa.Column("tracked_since", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("tracked_reason", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("opened_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("pending_inputs") as batch:
        batch.add_column(sa.Column("payload", sa.LargeBinary(), nullable=True))
    op.create_table(
        "case_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("author_unit_id", sa.String(64), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("period", sa.String(7), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("next_step", sa.LargeBinary(), nullable=True),
        sa.Column("next_due", sa.Date(), nullable=True),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name="fk_case_entries_referral_id_referrals"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff.id"], name="fk_case_entries_author_id_staff"
        ),
        sa.ForeignKeyConstraint(
            ["author_unit_id"], ["units.id"], name="fk_case_entries_author_unit_id_units"
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["case_entries.id"], name="fk_case_entries_corrects_id_case_entries"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_case_entries"),
        sa.UniqueConstraint("referral_id", "kind", "period", name="uq_case_entries_report_period"),
    )
    op.create_index("ix_case_entries_referral_id", "case_entries", ["referral_id"])
    op.create_table(
        "case_team",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("since", UTCDateTime(), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name="fk_case_team_referral_id_referrals"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_case_team_unit_id_units"),
        sa.PrimaryKeyConstraint("referral_id", "unit_id", name="pk_case_team"),
    )
    op.create_table(
        "obligations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("owner_staff_id", sa.Integer(), nullable=True),
        sa.Column("owner_unit_id", sa.String(64), nullable=True),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("done_entry_id", sa.Integer(), nullable=True),
        sa.Column("waived_reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name="fk_obligations_referral_id_referrals"
        ),
        sa.ForeignKeyConstraint(
            ["owner_staff_id"], ["staff.id"], name="fk_obligations_owner_staff_id_staff"
        ),
        sa.ForeignKeyConstraint(
            ["owner_unit_id"], ["units.id"], name="fk_obligations_owner_unit_id_units"
        ),
        sa.ForeignKeyConstraint(
            ["done_entry_id"], ["case_entries.id"], name="fk_obligations_done_entry_id_case_entries"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_obligations"),
        sa.UniqueConstraint(
            "referral_id", "kind", "period", name="uq_obligations_referral_kind_period"
        ),
    )
    op.create_index("ix_obligations_state_due", "obligations", ["state", "due"])


def downgrade() -> None:
    op.drop_index("ix_obligations_state_due", table_name="obligations")
    op.drop_table("obligations")
    op.drop_table("case_team")
    op.drop_index("ix_case_entries_referral_id", table_name="case_entries")
    op.drop_table("case_entries")
    with op.batch_alter_table("pending_inputs") as batch:
        batch.drop_column("payload")
    with op.batch_alter_table("referrals") as batch:
        for column in ("opened_at", "tracked_reason", "tracked_since", "tracked", "case_status"):
            batch.drop_column(column)
