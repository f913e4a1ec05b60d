"""Plain records the repositories return: no database handles, no lazy loading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class UnitRecord:
    id: str
    name: str
    kind: str
    role: str
    active: bool


@dataclass(frozen=True)
class StaffRecord:
    id: int
    telegram_user_id: int
    display_name: str | None
    role: str
    unit_id: str | None
    status: str
    locale: str
    invite_id: int | None
    decided_by: int | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class InviteRecord:
    id: int
    role: str
    unit_id: str | None
    districts: tuple[str, ...]
    issued_by: int | None
    preapproved: bool
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    used_by_telegram_id: int | None


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor_staff_id: int | None
    actor_telegram_id: int | None
    action: str
    outcome: str
    subject: str | None
    detail: str | None
