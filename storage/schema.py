"""The tables, as SQLAlchemy Core metadata: what the repositories query.

Migrations in `storage/migrations/versions` create exactly this; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from storage.types import UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

units = Table(
    "units",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("role", String(32), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
)

staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("telegram_user_id", BigInteger, nullable=False, unique=True),
    Column("display_name", Text, nullable=True),
    Column("role", String(32), nullable=False),
    Column("unit_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("status", String(16), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("invite_id", Integer, nullable=True),
    Column("decided_by", Integer, ForeignKey("staff.id"), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_staff_unit_status", staff.c.unit_id, staff.c.status)
Index("ix_staff_role_status", staff.c.role, staff.c.status)

invites = Table(
    "invites",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    Column("unit_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("districts", Text, nullable=True),
    Column("issued_by", Integer, ForeignKey("staff.id"), nullable=True),
    Column("preapproved", Boolean, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime, nullable=True),
    Column("used_by_telegram_id", BigInteger, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_staff_id", Integer, ForeignKey("staff.id"), nullable=True),
    Column("actor_telegram_id", BigInteger, nullable=True),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("subject", Text, nullable=True),
    Column("detail", Text, nullable=True),
)
Index("ix_audit_log_at", audit_log.c.at)
Index("ix_audit_log_actor_staff_id", audit_log.c.actor_staff_id)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# --- referrals (migration 0002) ----------------------------------------------------------------

referral_sequences = Table(
    "referral_sequences",
    metadata,
    Column("roc_year", Integer, primary_key=True, autoincrement=False),
    Column("last", Integer, nullable=False),
)

referrals = Table(
    "referrals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("submission_key", String(64), nullable=False, unique=True),
    Column("district", Text, nullable=False),
    Column("village", Text, nullable=True),
    Column("alias", Text, nullable=True),
    Column("children_under_6", Integer, nullable=True),
    Column("children_6_17", Integer, nullable=True),
    Column("elders_65_plus", Integer, nullable=True),
    Column("disabled", Integer, nullable=True),
    Column("categories", Text, nullable=False),
    Column("needs", Text, nullable=False),
    Column("priority_flags", Text, nullable=False),
    Column("serving_units", Text, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("mandatory_report", Boolean, nullable=False),
    # The safety question: NULL when not asked (danger recognised), "none", or the grounds.
    Column("safety_answer", Text, nullable=True),
    Column("report_channel", String(24), nullable=True),  # a report already made, and where
    Column("narrative", LargeBinary, nullable=True),
    Column("household_hash", String(64), nullable=True),
    Column("status", String(16), nullable=False),
    Column("referrer_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("referrer_unit_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("center_id", String(64), ForeignKey("units.id"), nullable=False),
    Column("case_manager_id", Integer, ForeignKey("staff.id"), nullable=True),
    Column("target_conference", String(7), nullable=True),
    Column("adhoc", Boolean, nullable=False),
    Column("case_status", String(24), nullable=True),
    Column("tracked", Boolean, nullable=False, server_default="0"),
    Column("tracked_since", UTCDateTime, nullable=True),
    Column("tracked_until", UTCDateTime, nullable=True),
    Column("tracked_reason", LargeBinary, nullable=True),
    Column("opened_at", UTCDateTime, nullable=True),
    Column("return_reason", LargeBinary, nullable=True),
    Column("decided_by", Integer, ForeignKey("staff.id"), nullable=True),
    Column("decided_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_referrals_center_status", referrals.c.center_id, referrals.c.status)
Index("ix_referrals_referrer_id", referrals.c.referrer_id)
Index("ix_referrals_case_manager_id", referrals.c.case_manager_id)
Index("ix_referrals_household_hash", referrals.c.household_hash)
Index("ix_referrals_tracked", referrals.c.tracked)
# Only the few waiting: a full status index would lead SQLite to sort every open referral
# rather than walk them newest first.
Index(
    "ix_referrals_waiting",
    referrals.c.status,
    sqlite_where=referrals.c.status == "waiting",
    postgresql_where=referrals.c.status == "waiting",
)
# Walks a center's referrals newest first without sorting them (/mycases, /search), and its
# referrals in one district (/search 龜山區).
Index("ix_referrals_center_id", referrals.c.center_id)
Index("ix_referrals_center_district", referrals.c.center_id, referrals.c.district)

referral_events = Table(
    "referral_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("referral_id", Integer, ForeignKey("referrals.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor_id", Integer, ForeignKey("staff.id"), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("detail", Text, nullable=True),
)
Index("ix_referral_events_referral_id", referral_events.c.referral_id)

referral_drafts = Table(
    "referral_drafts",
    metadata,
    Column("staff_id", Integer, ForeignKey("staff.id"), primary_key=True, autoincrement=False),
    Column("nonce", String(16), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

pending_inputs = Table(
    "pending_inputs",
    metadata,
    Column("staff_id", Integer, ForeignKey("staff.id"), primary_key=True, autoincrement=False),
    Column("kind", String(32), nullable=False),
    Column("subject", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("payload", LargeBinary, nullable=True),  # encrypted answers collected so far
)

message_expiries = Table(
    "message_expiries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("delete_at", UTCDateTime, nullable=False),
)
Index("ix_message_expiries_delete_at", message_expiries.c.delete_at)

# The copies of one notice sent to several people (an application to every approver), so that
# when one of them acts the others' copies can say so (migration 0010).
message_copies = Table(
    "message_copies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(64), nullable=False),  # "application:42"
    Column("chat_id", BigInteger, nullable=False),
    Column("message_id", BigInteger, nullable=False),
    Column("sent_at", UTCDateTime, nullable=False),
)
Index("ix_message_copies_subject", message_copies.c.subject)

# --- cases: entries, tracking, co-serving units, obligations (migration 0003) -------------------

case_entries = Table(
    "case_entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("referral_id", Integer, ForeignKey("referrals.id"), nullable=False),
    Column("author_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("author_unit_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("kind", String(32), nullable=False),
    Column("entry_date", Date, nullable=False),
    Column("period", String(7), nullable=True),  # the month a monthly report covers
    Column("note", LargeBinary, nullable=True),  # encrypted
    Column("next_step", LargeBinary, nullable=True),  # encrypted
    Column("next_due", Date, nullable=True),
    Column("corrects_id", Integer, ForeignKey("case_entries.id"), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("referral_id", "kind", "period", name="uq_case_entries_report_period"),
)
Index("ix_case_entries_referral_id", case_entries.c.referral_id)

case_team = Table(
    "case_team",
    metadata,
    Column("referral_id", Integer, ForeignKey("referrals.id"), primary_key=True),
    Column("unit_id", String(64), ForeignKey("units.id"), primary_key=True),
    Column("since", UTCDateTime, nullable=False),
    Column("until", UTCDateTime, nullable=True),
)
Index("ix_case_team_unit_until", case_team.c.unit_id, case_team.c.until, case_team.c.referral_id)

obligations = Table(
    "obligations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("referral_id", Integer, ForeignKey("referrals.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("period", String(32), nullable=False),
    Column("owner_staff_id", Integer, ForeignKey("staff.id"), nullable=True),
    Column("owner_unit_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("due", Date, nullable=False),
    Column("state", String(16), nullable=False),
    Column("done_entry_id", Integer, ForeignKey("case_entries.id"), nullable=True),
    Column("waived_reason", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("referral_id", "kind", "period", name="uq_obligations_referral_kind_period"),
)
Index("ix_obligations_state_due", obligations.c.state, obligations.c.due)
Index("ix_obligations_kind_state", obligations.c.kind, obligations.c.state)


# --- meetings of the plan's three series (migration 0004) -----------------------------------------

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("series_key", String(32), nullable=False),
    Column("district", String(16), nullable=True),  # None for the city-level series
    Column("window_key", String(7), nullable=False),  # the required window it counts for
    Column("starts_at", UTCDateTime, nullable=False),
    Column("place", Text, nullable=False),
    Column("video_link", Text, nullable=True),
    Column("chair", Text, nullable=False),
    Column("organiser_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("organiser_unit_id", String(64), ForeignKey("units.id"), nullable=False),
    Column("status", String(16), nullable=False),  # planned / cancelled
    Column("referral_cutoff", Date, nullable=True),
    Column("minutes_due", Date, nullable=False),
    Column("minutes_recorded_at", UTCDateTime, nullable=True),
    Column("minutes_sent_at", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("moved_from", UTCDateTime, nullable=True),  # the time it had before its last move
    Column("changed_at", UTCDateTime, nullable=True),  # when it was last moved or cancelled
    # When the organiser confirmed who attended (migration 0009); the minutes wait for it.
    Column("attendance_confirmed_at", UTCDateTime, nullable=True),
)
Index("ix_meetings_starts_at", meetings.c.starts_at)

meeting_units = Table(
    "meeting_units",
    metadata,
    Column("meeting_id", Integer, ForeignKey("meetings.id"), primary_key=True),
    Column("unit_id", String(64), ForeignKey("units.id"), primary_key=True),
)

meeting_answers = Table(
    "meeting_answers",
    metadata,
    Column("meeting_id", Integer, ForeignKey("meetings.id"), primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), primary_key=True, autoincrement=False),
    Column("answer", String(16), nullable=False),  # attend / absent / delegated
    Column("delegate_id", Integer, ForeignKey("staff.id"), nullable=True),
    Column("answered_at", UTCDateTime, nullable=False),
)

meeting_decisions = Table(
    "meeting_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id"), nullable=False),
    Column("referral_id", Integer, ForeignKey("referrals.id"), nullable=False),
    Column("decision", String(16), nullable=False),  # keep / release / joint_plan / refer_on
    Column("lead_unit_id", String(64), ForeignKey("units.id"), nullable=True),
    Column("units", Text, nullable=True),  # JSON list: the units of a joint service plan
    Column("note", LargeBinary, nullable=True),  # encrypted: what is expected
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("was_tracked", Boolean, nullable=True),  # the case's tracking when decided (0009)
    Column("reason", String(24), nullable=True),  # why a case was released (0009)
    UniqueConstraint("meeting_id", "referral_id", name="uq_meeting_decisions_meeting_id"),
)

# Who attended, per invited unit, as the organiser confirmed it (migration 0009).
meeting_attendance = Table(
    "meeting_attendance",
    metadata,
    Column("meeting_id", Integer, ForeignKey("meetings.id"), primary_key=True),
    Column("unit_id", String(64), ForeignKey("units.id"), primary_key=True),
    Column("state", String(16), nullable=False),  # attended / delegate / excused / absent
    Column("updated_at", UTCDateTime, nullable=False),
)

meeting_resolutions = Table(
    "meeting_resolutions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("meeting_id", Integer, ForeignKey("meetings.id"), nullable=False),
    Column("text", LargeBinary, nullable=False),  # encrypted, redacted
    Column("owner_unit_id", String(64), ForeignKey("units.id"), nullable=False),
    Column("due", Date, nullable=True),
    Column("state", String(16), nullable=False),  # open / done
    Column("done_at", UTCDateTime, nullable=True),
    Column("recorded_at", UTCDateTime, nullable=False),
)
Index("ix_meeting_resolutions_meeting_id", meeting_resolutions.c.meeting_id)


# --- nudges: the outbox the scheduler sends from (migration 0005) ---------------------------------

nudges = Table(
    "nudges",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(200), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("subject", String(64), nullable=False),  # "obligation:45", "meeting:12", …
    Column("step", String(32), nullable=False),
    Column("escalation", Integer, nullable=False),
    Column("recipient_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("due_at", UTCDateTime, nullable=False),  # already moved into office hours
    Column("window_key", String(10), nullable=False),  # the send window: one digest each
    Column("state", String(16), nullable=False),  # pending / claimed / sent / dropped / unknown
    Column("lease_until", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("snoozes", Integer, nullable=False),
    Column("message_id", BigInteger, nullable=True),
    Column("dropped_reason", String(32), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
Index("ix_nudges_state_due_at", nudges.c.state, nudges.c.due_at)
