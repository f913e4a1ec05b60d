"""Indexes for the questions asked of every row at scale: which cases a unit serves (/mycases,
/search), which cases are tracked or waiting, which duties of a kind are open, who holds a role
(the planning pass).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_case_team_unit_until", "case_team", ["unit_id", "until"]),
    ("ix_referrals_tracked", "referrals", ["tracked"]),
    ("ix_referrals_status", "referrals", ["status"]),
    ("ix_referrals_center_id", "referrals", ["center_id"]),
    ("ix_obligations_kind_state", "obligations", ["kind", "state"]),
    ("ix_staff_role_status", "staff", ["role", "status"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
