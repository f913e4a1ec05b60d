"""The tables, as SQLAlchemy Core metadata: what the repositories query.

Migrations in `storage/migrations/versions` create exactly this; a test compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
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
