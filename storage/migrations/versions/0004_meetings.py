"""Meetings: the plan's three series as rows, invited units, answers, decisions, resolutions;
and the day tracking ended on a referral.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("tracked_until", UTCDateTime(), nullable=True))
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("series_key", sa.String(32), nullable=False),
        sa.Column("district", sa.String(16), nullable=True),
        sa.Column("window_key", sa.String(7), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("video_link", sa.Text(), nullable=True),
        sa.Column("chair", sa.Text(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("organiser_unit_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("referral_cutoff", sa.Date(), nullable=True),
        sa.Column("minutes_due", sa.Date(), nullable=False),
        sa.Column("minutes_recorded_at", UTCDateTime(), nullable=True),
        sa.Column("minutes_sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organiser_id"], ["staff.id"], name="fk_meetings_organiser_id_staff"
        ),
        sa.ForeignKeyConstraint(
            ["organiser_unit_id"], ["units.id"], name="fk_meetings_organiser_unit_id_units"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_meetings"),
    )
    op.create_index("ix_meetings_starts_at", "meetings", ["starts_at"])
    op.create_table(
        "meeting_units",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_meeting_units_meeting_id_meetings"
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name="fk_meeting_units_unit_id_units"),
        sa.PrimaryKeyConstraint("meeting_id", "unit_id", name="pk_meeting_units"),
    )
    op.create_table(
        "meeting_answers",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("answer", sa.String(16), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_meeting_answers_meeting_id_meetings"
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name="fk_meeting_answers_staff_id_staff"
        ),
        sa.ForeignKeyConstraint(
            ["delegate_id"], ["staff.id"], name="fk_meeting_answers_delegate_id_staff"
        ),
        sa.PrimaryKeyConstraint("meeting_id", "staff_id", name="pk_meeting_answers"),
    )
    op.create_table(
        "meeting_decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("lead_unit_id", sa.String(64), nullable=True),
        sa.Column("units", sa.Text(), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_meeting_decisions_meeting_id_meetings"
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["referrals.id"], name="fk_meeting_decisions_referral_id_referrals"
        ),
        sa.ForeignKeyConstraint(
            ["lead_unit_id"], ["units.id"], name="fk_meeting_decisions_lead_unit_id_units"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_decisions"),
        sa.UniqueConstraint("meeting_id", "referral_id", name="uq_meeting_decisions_meeting_id"),
    )
    op.create_table(
        "meeting_resolutions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("owner_unit_id", sa.String(64), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name="fk_meeting_resolutions_meeting_id_meetings"
        ),
        sa.ForeignKeyConstraint(
            ["owner_unit_id"], ["units.id"], name="fk_meeting_resolutions_owner_unit_id_units"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_meeting_resolutions"),
    )
    op.create_index("ix_meeting_resolutions_meeting_id", "meeting_resolutions", ["meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_resolutions_meeting_id", table_name="meeting_resolutions")
    op.drop_table("meeting_resolutions")
    op.drop_table("meeting_decisions")
    op.drop_table("meeting_answers")
    op.drop_table("meeting_units")
    op.drop_index("ix_meetings_starts_at", table_name="meetings")
    op.drop_table("meetings")
    with op.batch_alter_table("referrals") as batch:
        batch.drop_column("tracked_until")
