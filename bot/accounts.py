"""Staff accounts: invites, registration, approval, language — and the audit trail of each.

Each method is one transaction: the change and its audit entry commit together or not at all.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.clock import utcnow
from bot.domain.jurisdiction import Jurisdiction, Unit
from bot.domain.permissions import may_approve, may_invite
from bot.domain.roles import Role, StaffStatus, role_fits_unit
from bot.domain.text import looks_like_invite_code
from bot.keys import Keyring
from storage import Database
from storage.records import InviteRecord, StaffRecord
from storage.repositories import audit, copies, invites, staff

T = TypeVar("T")


@dataclass(frozen=True)
class Staff:
    """A member of staff as the rest of the product sees them."""

    id: int
    telegram_user_id: int
    display_name: str | None
    role: Role
    unit: Unit | None
    status: StaffStatus
    locale: str
    invite_id: int | None

    @property
    def active(self) -> bool:
        return self.status is StaffStatus.ACTIVE

    @property
    def unit_name(self) -> str:
        return self.unit.name if self.unit else "—"


# Invite codes are 72-bit and cannot be guessed, but nobody gets to try without limit: after a
# few wrong codes, a person (a private chat is its person's) waits before the next is checked.
WRONG_CODES_ALLOWED = 5
WRONG_CODE_WINDOW = timedelta(minutes=15)


class RedeemOutcome(StrEnum):
    STARTED = "started"  # a new registration begins
    RESUMED = "resumed"  # this person was already registering
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"
    ALREADY_ACTIVE = "already_active"
    PENDING = "pending"
    TOO_MANY_TRIES = "too_many_tries"  # wrong codes in a row: wait a while


class DecisionOutcome(StrEnum):
    DONE = "done"
    NOT_ALLOWED = "not_allowed"
    ALREADY_DECIDED = "already_decided"
    NOT_FOUND = "not_found"


class InviteProblem(StrEnum):
    ROLE_NOT_ALLOWED = "role_not_allowed"
    UNIT_NOT_FITTING = "unit_not_fitting"


@dataclass(frozen=True)
class IssuedInvite:
    code: str  # shown once to the issuer; only its keyed hash is stored
    invite: InviteRecord


INVITE_PURPOSE = "invite-code"


class Accounts:
    """The service behind registration, approval, invites and the audit of all of them."""

    def __init__(
        self, db: Database, jurisdiction: Jurisdiction, keyring: Keyring, invite_ttl: timedelta
    ) -> None:
        self.db = db
        self.jurisdiction = jurisdiction
        self.keyring = keyring
        self.invite_ttl = invite_ttl

    def _staff(self, record: StaffRecord) -> Staff:
        return Staff(
            id=record.id,
            telegram_user_id=record.telegram_user_id,
            display_name=record.display_name,
            role=Role(record.role),
            unit=self.jurisdiction.unit(record.unit_id),
            status=StaffStatus(record.status),
            locale=record.locale,
            invite_id=record.invite_id,
        )

    async def by_telegram_id(self, telegram_user_id: int) -> Staff | None:
        async with self.db.read() as conn:
            record = await staff.by_telegram_id(conn, telegram_user_id)
        return None if record is None else self._staff(record)

    async def by_id(self, staff_id: int) -> Staff | None:
        async with self.db.read() as conn:
            record = await staff.by_id(conn, staff_id)
        return None if record is None else self._staff(record)

    async def invite_of(self, member: Staff) -> InviteRecord | None:
        if member.invite_id is None:
            return None
        async with self.db.read() as conn:
            return await invites.by_id(conn, member.invite_id)

    # --- invites -------------------------------------------------------------------------------

    def invite_problem(
        self, issuer: Staff | None, role: Role, unit: Unit | None
    ) -> InviteProblem | None:
        """Why `issuer` may not issue this invite (None: they may). None issuer: the shell."""
        if issuer is not None and not may_invite(issuer.role, role):
            return InviteProblem.ROLE_NOT_ALLOWED
        if unit is not None and not role_fits_unit(role, unit.role):
            return InviteProblem.UNIT_NOT_FITTING
        if issuer is not None and issuer.role is Role.SUPERVISOR:
            # A supervisor's invite stays within their center and the districts it covers.
            if issuer.unit is None:
                return InviteProblem.ROLE_NOT_ALLOWED
            if role is Role.CASE_MANAGER and unit is not None and unit.id != issuer.unit.id:
                return InviteProblem.UNIT_NOT_FITTING
            if (
                role is Role.WORKER
                and unit is not None
                and not (set(unit.districts) & set(issuer.unit.covers))
            ):
                return InviteProblem.UNIT_NOT_FITTING
        return None

    async def issue_invite(
        self,
        *,
        issuer: Staff | None,
        role: Role,
        unit: Unit | None,
        districts: tuple[str, ...] = (),
    ) -> IssuedInvite | InviteProblem:
        """Make a one-time invite. Shell invites (issuer None) are approved in advance."""
        problem = self.invite_problem(issuer, role, unit)
        if problem is not None:
            async with self.db.write() as conn:
                await audit.append(
                    conn,
                    at=utcnow(),
                    action="invite.issue",
                    outcome="denied",
                    actor_staff_id=issuer.id if issuer else None,
                    detail={"role": role.value, "problem": problem.value},
                )
            return problem
        code = secrets.token_urlsafe(9)
        now = utcnow()
        async with self.db.write() as conn:
            record = await invites.insert(
                conn,
                code_hash=self.keyring.keyed_hash(INVITE_PURPOSE, code),
                role=role.value,
                unit_id=unit.id if unit else None,
                districts=districts,
                issued_by=issuer.id if issuer else None,
                preapproved=issuer is None,
                now=now,
                expires_at=now + self.invite_ttl,
            )
            await audit.append(
                conn,
                at=now,
                action="invite.issue",
                outcome="allowed",
                actor_staff_id=issuer.id if issuer else None,
                subject=f"invite:{record.id}",
                detail={"role": role.value, "unit": unit.id if unit else None, "shell": not issuer},
            )
        return IssuedInvite(code=code, invite=record)

    # --- registration --------------------------------------------------------------------------

    async def redeem(
        self, telegram_user_id: int, code: str, locale: str
    ) -> tuple[RedeemOutcome, Staff | None]:
        """`/start <code>`: consume the invite and open a registration for this person."""
        now = utcnow()
        async with self.db.write() as conn:
            existing = await staff.by_telegram_id(conn, telegram_user_id)
            if existing is not None:
                status = StaffStatus(existing.status)
                if status is StaffStatus.ACTIVE:
                    return RedeemOutcome.ALREADY_ACTIVE, self._staff(existing)
                if status is StaffStatus.PENDING:
                    return RedeemOutcome.PENDING, self._staff(existing)
                if status is StaffStatus.REGISTERING:
                    return RedeemOutcome.RESUMED, self._staff(existing)
            wrong = await audit.count_since(
                conn,
                action="invite.redeem",
                outcome="denied",
                actor_telegram_id=telegram_user_id,
                since=now - WRONG_CODE_WINDOW,
            )
            outcome = (
                RedeemOutcome.TOO_MANY_TRIES
                if wrong >= WRONG_CODES_ALLOWED
                else await self._check_code(conn, code, now)
            )
            if isinstance(outcome, RedeemOutcome):
                await audit.append(
                    conn,
                    at=now,
                    action="invite.redeem",
                    outcome="denied",
                    actor_telegram_id=telegram_user_id,
                    detail={"reason": outcome.value},
                )
                return outcome, None
            invite = outcome
            if not await invites.mark_used(
                conn, invite.id, telegram_user_id=telegram_user_id, now=now
            ):
                return RedeemOutcome.USED, None
            if existing is None:
                record = await staff.insert(
                    conn,
                    telegram_user_id=telegram_user_id,
                    role=invite.role,
                    unit_id=invite.unit_id,
                    status=StaffStatus.REGISTERING.value,
                    locale=locale,
                    invite_id=invite.id,
                    now=now,
                )
            else:
                # Someone rejected or suspended earlier starts over with a fresh invite.
                await staff.restart_registration(
                    conn,
                    existing.id,
                    role=invite.role,
                    unit_id=invite.unit_id,
                    status=StaffStatus.REGISTERING.value,
                    invite_id=invite.id,
                    now=now,
                )
                record = await _must(staff.by_id(conn, existing.id))
            await audit.append(
                conn,
                at=now,
                action="invite.redeem",
                outcome="allowed",
                actor_staff_id=record.id,
                actor_telegram_id=telegram_user_id,
                subject=f"invite:{invite.id}",
            )
        return RedeemOutcome.STARTED, self._staff(record)

    async def _check_code(
        self, conn: AsyncConnection, code: str, now: datetime
    ) -> InviteRecord | RedeemOutcome:
        if not looks_like_invite_code(code):
            return RedeemOutcome.MALFORMED
        invite = await invites.by_code_hash(conn, self.keyring.keyed_hash(INVITE_PURPOSE, code))
        if invite is None:
            return RedeemOutcome.UNKNOWN
        if invite.used_at is not None:
            return RedeemOutcome.USED
        if invite.expires_at <= now:
            return RedeemOutcome.EXPIRED
        return invite

    def next_registration_step(self, member: Staff) -> str | None:
        """The first thing still missing from a registration: "name", "unit", or None."""
        if member.display_name is None:
            return "name"
        if member.unit is None:
            return "unit"
        return None

    async def registration_districts(self, member: Staff) -> tuple[str, ...]:
        """Districts the applicant may pick a unit in (empty: any, city-wide units included)."""
        invite = await self.invite_of(member)
        return invite.districts if invite else ()

    async def set_display_name(self, member: Staff, name: str) -> Staff:
        async with self.db.write() as conn:
            await staff.set_fields(conn, member.id, now=utcnow(), display_name=name)
            return await self._complete_if_ready(conn, member.id)

    async def set_unit(self, member: Staff, unit: Unit) -> Staff | None:
        """Record the applicant's unit; None when the unit is not one they may pick."""
        if member.status is not StaffStatus.REGISTERING:
            return None
        allowed_districts = await self.registration_districts(member)
        if not role_fits_unit(member.role, unit.role):
            return None
        if allowed_districts and not set(unit.districts) & set(allowed_districts):
            return None
        async with self.db.write() as conn:
            await staff.set_fields(conn, member.id, now=utcnow(), unit_id=unit.id)
            return await self._complete_if_ready(conn, member.id)

    async def _complete_if_ready(self, conn: AsyncConnection, staff_id: int) -> Staff:
        """When nothing is missing: active for shell invites, otherwise pending approval."""
        member = self._staff(await _must(staff.by_id(conn, staff_id)))
        if member.status is not StaffStatus.REGISTERING or self.next_registration_step(member):
            return member
        invite = await invites.by_id(conn, member.invite_id) if member.invite_id else None
        preapproved = bool(invite and invite.preapproved)
        status = StaffStatus.ACTIVE if preapproved else StaffStatus.PENDING
        now = utcnow()
        await staff.set_fields(conn, staff_id, now=now, status=status.value)
        await audit.append(
            conn,
            at=now,
            action="registration.complete",
            outcome="allowed",
            actor_staff_id=staff_id,
            subject=f"staff:{staff_id}",
            detail={
                "status": status.value,
                "role": member.role.value,
                "unit": member.unit.id if member.unit else None,
            },
        )
        return self._staff(await _must(staff.by_id(conn, staff_id)))

    # --- approval ------------------------------------------------------------------------------

    def may_decide(self, approver: Staff, applicant: Staff) -> bool:
        if not approver.active:
            return False
        return may_approve(
            approver_role=approver.role,
            approver_unit=approver.unit.id if approver.unit else None,
            applicant_role=applicant.role,
            applicant_unit=applicant.unit.id if applicant.unit else None,
            centers_of_applicant_unit=(
                self.jurisdiction.centers_of_unit(applicant.unit) if applicant.unit else frozenset()
            ),
        )

    async def colleagues_of(self, member: Staff) -> list[Staff]:
        """Active staff of the same unit, this person excepted (e.g. to delegate a meeting)."""
        if member.unit is None:
            return []
        async with self.db.read() as conn:
            records = await staff.active_in_units(conn, [member.unit.id], [r.value for r in Role])
        found = [await self.by_id(r.id) for r in records if r.id != member.id]
        return [m for m in found if m is not None]

    async def admins(self) -> list[Staff]:
        async with self.db.read() as conn:
            records = await staff.active_with_role(conn, Role.ADMIN.value)
        return [self._staff(record) for record in records]

    async def approvers_for(self, applicant: Staff) -> list[Staff]:
        """Everyone who may decide this application: supervisors in reach, then administrators."""
        candidate_units: list[str] = []
        if applicant.unit is not None:
            candidate_units = [
                applicant.unit.id,
                *self.jurisdiction.centers_of_unit(applicant.unit),
            ]
        async with self.db.read() as conn:
            supervisors = await staff.active_in_units(
                conn, candidate_units, [Role.SUPERVISOR.value]
            )
            admins = await staff.active_with_role(conn, Role.ADMIN.value)
        people = [self._staff(record) for record in [*supervisors, *admins]]
        return [person for person in people if self.may_decide(person, applicant)]

    async def decide(
        self, approver: Staff, applicant_id: int, *, approve: bool, invite_id: int | None = None
    ) -> tuple[DecisionOutcome, Staff | None]:
        """Approve or reject a pending application, once, by someone allowed to."""
        now = utcnow()
        async with self.db.write() as conn:
            record = await staff.by_id(conn, applicant_id)
            if record is None:
                return DecisionOutcome.NOT_FOUND, None
            applicant = self._staff(record)
            if invite_id is not None and record.invite_id != invite_id:
                # The button belongs to an earlier application by the same person.
                return DecisionOutcome.ALREADY_DECIDED, applicant
            if not self.may_decide(approver, applicant):
                await audit.append(
                    conn,
                    at=now,
                    action="staff.decide",
                    outcome="denied",
                    actor_staff_id=approver.id,
                    subject=f"staff:{applicant_id}",
                )
                return DecisionOutcome.NOT_ALLOWED, applicant
            new_status = StaffStatus.ACTIVE if approve else StaffStatus.REJECTED
            if not await staff.decide(
                conn, applicant_id, new_status=new_status.value, decided_by=approver.id, now=now
            ):
                return DecisionOutcome.ALREADY_DECIDED, applicant
            await audit.append(
                conn,
                at=now,
                action="staff.approve" if approve else "staff.reject",
                outcome="allowed",
                actor_staff_id=approver.id,
                subject=f"staff:{applicant_id}",
            )
            return DecisionOutcome.DONE, self._staff(await _must(staff.by_id(conn, applicant_id)))

    async def decided_by(self, applicant: Staff) -> Staff | None:
        async with self.db.read() as conn:
            record = await staff.by_id(conn, applicant.id)
            if record is None or record.decided_by is None:
                return None
            decider = await staff.by_id(conn, record.decided_by)
        return None if decider is None else self._staff(decider)

    # --- preferences and the audit trail -------------------------------------------------------

    async def set_locale(self, member: Staff, locale: str) -> Staff:
        async with self.db.write() as conn:
            await staff.set_fields(conn, member.id, now=utcnow(), locale=locale)
            return self._staff(await _must(staff.by_id(conn, member.id)))

    async def remember_copy(self, subject: str, chat_id: int, message_id: int) -> None:
        """One copy of a notice sent to several people (an application to its approvers)."""
        async with self.db.write() as conn:
            await copies.add(conn, subject, chat_id, message_id, now=utcnow())

    async def take_copies(self, subject: str) -> list[tuple[int, int]]:
        """The copies of a notice, forgotten as they are handed out (they are edited once)."""
        async with self.db.write() as conn:
            found = await copies.of(conn, subject)
            await copies.forget(conn, subject)
        return found

    async def record(
        self,
        action: str,
        outcome: str,
        *,
        member: Staff | None = None,
        telegram_user_id: int | None = None,
        subject: str | None = None,
        detail: dict[str, object] | None = None,
    ) -> None:
        """Write one audit entry on its own (a denied attempt, a view)."""
        async with self.db.write() as conn:
            await audit.append(
                conn,
                at=utcnow(),
                action=action,
                outcome=outcome,
                actor_staff_id=member.id if member else None,
                actor_telegram_id=telegram_user_id,
                subject=subject,
                detail=detail,
            )


async def _must(awaitable: Awaitable[T | None]) -> T:
    value = await awaitable
    if value is None:
        raise LookupError("a row read back inside its own transaction is missing")
    return value
