"""Referrals: the referral, its history, drafts, sequences, pending inputs, expiring messages.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "referral_sequences",
        sa.Column("roc_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("roc_year", name="pk_referral_sequences"),
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("submission_key", sa.String(64), nullable=False),
        sa.Column("district", sa.Text(), nullable=False),
        sa.Column("village", sa.Text(), nullable=True),
        sa.Column("alias", sa.Text(), nullable=True),
        sa.Column("children_under_6", sa.Integer(), nullable=True),
        sa.Column("children_6_17", sa.Integer(), nullable=True),
        sa.Column("elders_65_plus", sa.Integer(), nullable=True),
        sa.Column("disabled", sa.Integer(), nullable=True),
        sa.Column("categories", sa.Text(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=False),
        sa.Column("priority_flags", sa.Text(), nullable=False),
        sa.Column("serving_units", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("mandatory_report", sa.Boolean(), nullable=False),
        sa.Column("narrative", sa.LargeBinary(), nullable=True),
        sa.Column("household_hash", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("referrer_id", sa.Integer(), nullable=False),
        sa.Column("referrer_unit_id", sa.String(64), nullable=True),
        sa.Column("center_id", sa.String(64), nullable=False),
        sa.Column("case_manager_id", sa.Integer(), nullable=True),
        sa.Column("target_conference", sa.String(7), nullable=True),
        sa.Column("adhoc", sa.Boolean(), nullable=False),
        sa.Column("return_reason", sa.LargeBinary(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["referrer_id"], ["staff.id"], name="fk_referrals_referrer_id_staff"
        ),
        sa.ForeignKeyConstraint(
            ["referrer_unit_id"], ["units.id"], name="fk_referrals_referrer_unit_id_units"
        ),
        sa.ForeignKeyConstraint(["center_id"], ["units.id"], name="fk_referrals_center_id_units"),
        sa.ForeignKeyConstraint(
            ["case_manager_id"], ["staff.id"], name="fk_referrals_case_manager_id_staff"
        ),
        sa.ForeignKeyConstraint(["decided_by"], ["staff.id"], name="fk_referrals_decided_by_staff"),
        sa.PrimaryKeyConstraint("id", name="pk_referrals"),
        sa.UniqueConstraint("code", name="uq_referrals_code"),
        sa.UniqueConstraint("submission_key", name="uq_referrals_submission_key"),
    )
    op.create_index("ix_referrals_center_status", "referrals", ["center_id", "status"])
    op.create_index("ix_referrals_referrer_id", "referrals", ["referrer_id"])
    op.create_index("ix_referrals_case_manager_id", "referrals", ["case_manager_id"])
    op.create_index("ix_referrals_household_hash", "referrals", ["household_hash"])
    op.create_table(
        "referral_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name="fk_referral_events_referral_id_referrals"
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff.id"], name="fk_referral_events_actor_id_staff"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_referral_events"),
    )
    op.create_index("ix_referral_events_referral_id", "referral_events", ["referral_id"])
    op.create_table(
        "referral_drafts",
        sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("nonce", sa.String(16), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name="fk_referral_drafts_staff_id_staff"
        ),
        sa.PrimaryKeyConstraint("staff_id", name="pk_referral_drafts"),
    )
    op.create_table(
        "pending_inputs",
        sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name="fk_pending_inputs_staff_id_staff"
        ),
        sa.PrimaryKeyConstraint("staff_id", name="pk_pending_inputs"),
    )
    op.create_table(
        "message_expiries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("delete_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_message_expiries"),
    )
    op.create_index("ix_message_expiries_delete_at", "message_expiries", ["delete_at"])


def downgrade() -> None:
    op.drop_index("ix_message_expiries_delete_at", table_name="message_expiries")
    op.drop_table("message_expiries")
    op.drop_table("pending_inputs")
    op.drop_table("referral_drafts")
    op.drop_index("ix_referral_events_referral_id", table_name="referral_events")
    op.drop_table("referral_events")
    for index in ("household_hash", "case_manager_id", "referrer_id"):
        op.drop_index(f"ix_referrals_{index}", table_name="referrals")
    op.drop_index("ix_referrals_center_status", table_name="referrals")
    op.drop_table("referrals")
    op.drop_table("referral_sequences")
