"""Indexes for the questions asked of every row at scale: which cases a unit serves and a
center's newest (/mycases, /search), which cases are tracked or waiting, which duties of a kind
are open, who holds a role (the planning pass).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEXES = (
    # A unit's cases newest first (the newest of a /mycases page, without sorting them all).
    ("ix_case_team_unit_until", "case_team", ["unit_id", "until", "referral_id"]),
    ("ix_referrals_tracked", "referrals", ["tracked"]),
    ("ix_referrals_center_id", "referrals", ["center_id"]),
    ("ix_referrals_center_district", "referrals", ["center_id", "district"]),
    ("ix_obligations_kind_state", "obligations", ["kind", "state"]),
    ("ix_staff_role_status", "staff", ["role", "status"]),
)
WAITING = sa.text("status = 'waiting'")


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    # Only the few waiting: a full status index would lead SQLite to sort every open referral
    # rather than walk them newest first.
    op.create_index(
        "ix_referrals_waiting",
        "referrals",
        ["status"],
        sqlite_where=WAITING,
        postgresql_where=WAITING,
    )


def downgrade() -> None:
    op.drop_index("ix_referrals_waiting", table_name="referrals")
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
