"""Referrals: drafts in the database, submission and routing, decisions, co-cases, lookup.

Every change is one transaction with its history event and audit entry; a family's story and
a return reason are encrypted before they are stored; a national ID exists only as a keyed hash.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.accounts import Accounts, Staff
from bot.cases import Cases
from bot.clock import utcnow
from bot.domain.calendar import next_conference, roc_year
from bot.domain.case_code import case_code, parse_case_code, short_case_codes
from bot.domain.jurisdiction import Jurisdiction, MeetingSeries, Unit
from bot.domain.permissions import (
    VISIBILITY,
    CaseView,
    Visibility,
    case_view,
    may_decide_referral,
    sees_referral,
)
from bot.domain.recognition import Recognised, recognise
from bot.domain.redaction import normalise_national_id, redact
from bot.domain.referral_form import Draft, Step
from bot.domain.referral_rules import Category
from bot.domain.referral_status import ReferralEvent, ReferralStatus
from bot.domain.roles import Role, UnitRole
from bot.domain.working_days import TAIPEI
from bot.keys import Keyring
from storage import Database
from storage.records import ObligationRecord, ReferralEventRecord, ReferralRecord
from storage.repositories import audit, cases, drafts, expiries, referrals, staff
from storage.repositories.referrals import Scope

DRAFT_PURPOSE = "referral-draft"
NARRATIVE_PURPOSE = "referral-narrative"
REASON_PURPOSE = "referral-return-reason"
NATIONAL_ID_PURPOSE = "national-id"
NOT_A_CASE_CODE = "(not a case code)"  # the audit subject when what was typed is not one
REPORT_SCOPE = 500  # cases looked at for /report: more than any one person writes in
PAGE_SIZE = 5


def counted_up_to(page: int) -> int:
    """How far the count of a listing's page goes: beyond it, there are "over" that many."""
    return referrals.counted_up_to(page * PAGE_SIZE, PAGE_SIZE)


class CaseList(StrEnum):
    """The lists of /mycases."""

    MINE = "mycases"
    TRACKED = "tracked"
    WAITING = "waiting"
    CENTER = "center"


@dataclass(frozen=True)
class OpenDraft:
    nonce: str  # changes with every new draft: buttons of an older draft are stale
    draft: Draft


@dataclass(frozen=True)
class Submitted:
    referral: ReferralRecord
    created: bool  # False: this draft had already been submitted (a double tap)
    center: Unit
    co_cases: tuple[ReferralRecord, ...] = ()


class DecisionProblem(StrEnum):
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    ALREADY_DECIDED = "already_decided"
    BAD_CHOICE = "bad_choice"


@dataclass(frozen=True)
class Decided:
    referral: ReferralRecord
    previous_center: str | None = None


class Referrals:
    """The service behind /refer, the supervisor's decisions and /case, /mycases, /search."""

    def __init__(
        self,
        db: Database,
        jurisdiction: Jurisdiction,
        keyring: Keyring,
        accounts: Accounts,
        cases: Cases,
    ) -> None:
        self.db = db
        self.jurisdiction = jurisdiction
        self.keyring = keyring
        self.accounts = accounts
        self.cases = cases

    # --- drafts -------------------------------------------------------------------------------

    async def open_draft(self, member: Staff) -> OpenDraft | None:
        async with self.db.read() as conn:
            record = await drafts.get(conn, member.id)
        if record is None:
            return None
        try:
            payload = self.keyring.decrypt(DRAFT_PURPOSE, record.payload)
            return OpenDraft(nonce=record.nonce, draft=Draft.from_json(payload))
        except (ValueError, KeyError, TypeError, InvalidTag):
            # A draft from an older version or another key: start afresh rather than lock the
            # person out of every message.
            async with self.db.write() as conn:
                await drafts.remove(conn, member.id)
                await audit.append(
                    conn,
                    at=utcnow(),
                    action="referral.draft_unreadable",
                    outcome="denied",
                    actor_staff_id=member.id,
                )
            return None

    async def start_draft(self, member: Staff) -> OpenDraft:
        """A new, empty draft (replacing any other)."""
        opened = OpenDraft(nonce=secrets.token_hex(3), draft=Draft())
        async with self.db.write() as conn:
            await drafts.remove(conn, member.id)
            await self._put_draft(conn, member, opened)
        return opened

    async def save_draft(self, member: Staff, opened: OpenDraft) -> bool:
        """Store the draft; False when it is no longer the current one (a stale form)."""
        async with self.db.write() as conn:
            current = await drafts.get(conn, member.id)
            if current is None or current.nonce != opened.nonce:
                return False
            await self._put_draft(conn, member, opened)
        return True

    async def _put_draft(self, conn: AsyncConnection, member: Staff, opened: OpenDraft) -> None:
        payload = self.keyring.encrypt(DRAFT_PURPOSE, opened.draft.to_json())
        await drafts.put(conn, member.id, nonce=opened.nonce, payload=payload, now=utcnow())

    async def discard_draft(self, member: Staff, nonce: str | None = None) -> bool:
        async with self.db.write() as conn:
            return await drafts.remove(conn, member.id, nonce=nonce)

    def recognise(self, text: str) -> Recognised:
        return recognise(text, self.jurisdiction)

    def household_hash(self, national_id: str) -> str | None:
        """The keyed hash of a national ID typed for co-case matching (None: not an ID)."""
        normalised = normalise_national_id(national_id)
        return (
            None if normalised is None else self.keyring.keyed_hash(NATIONAL_ID_PURPOSE, normalised)
        )

    # --- submission ---------------------------------------------------------------------------

    def center_for(self, district: str) -> Unit:
        centers = self.jurisdiction.centers_covering(district)
        if not centers:
            raise LookupError(f"no family service center covers {district}")
        return centers[0]

    def case_conference(self) -> MeetingSeries | None:
        return next(
            (s for s in self.jurisdiction.meeting_series if s.key == "case_conference"), None
        )

    async def submit(self, member: Staff, nonce: str) -> Submitted | None:
        """Turn the draft into a referral, exactly once; None when there is no such draft."""
        now = utcnow()
        async with self.db.write() as conn:
            already = await referrals.by_submission_key(conn, f"{member.id}:{nonce}")
            if already is not None:
                center = self.jurisdiction.unit(already.center_id)
                assert center is not None
                return Submitted(referral=already, created=False, center=center)
            record = await drafts.get(conn, member.id)
            if record is None or record.nonce != nonce:
                return None
            draft = Draft.from_json(self.keyring.decrypt(DRAFT_PURPOSE, record.payload))
            if draft.district is None or draft.next_step() is not Step.CONFIRM:
                return None  # not at its summary: the safety question or another still open
            center = self.center_for(draft.district)
            own_unit = member.unit.id if member.unit else None
            co_cases: tuple[ReferralRecord, ...] = ()
            if draft.household_hash:
                # The same family, served by another unit or another center.
                co_cases = tuple(
                    other
                    for other in await referrals.with_household_hash(conn, draft.household_hash)
                    if other.status != ReferralStatus.RETURNED
                    and (other.referrer_unit_id != own_unit or other.center_id != center.id)
                )
                if co_cases:
                    draft = draft.mark_co_case()
            year = roc_year(now.astimezone(TAIPEI).date())
            number = await referrals.next_number(conn, year)
            created = await referrals.insert(
                conn,
                code=case_code(self.jurisdiction.case_code_prefix, year, number),
                submission_key=f"{member.id}:{nonce}",
                district=center_district(draft),
                village=draft.village,
                alias=draft.alias,
                children_under_6=draft.household.children_under_6,
                children_6_17=draft.household.children_6_17,
                elders_65_plus=draft.household.elders_65_plus,
                disabled=draft.household.disabled,
                categories=[c.value for c in draft.categories],
                needs=[n.value for n in draft.needs],
                priority_flags=[f.value for f in draft.priority_flags],
                serving_units=draft.serving_units,
                urgent=draft.urgent,
                mandatory_report=draft.mandatory_report,
                safety_answer=draft.safety_answer,
                report_channel=draft.report_channel.value if draft.report_channel else None,
                narrative=self.keyring.encrypt(NARRATIVE_PURPOSE, draft.narrative)
                if draft.narrative
                else None,
                household_hash=draft.household_hash,
                status=ReferralStatus.WAITING.value,
                referrer_id=member.id,
                referrer_unit_id=member.unit.id if member.unit else None,
                center_id=center.id,
                adhoc=draft.urgent,
                created_at=now,
                updated_at=now,
            )
            await referrals.add_event(
                conn,
                created.id,
                at=now,
                actor_id=member.id,
                kind=ReferralEvent.SUBMITTED,
                detail={"center": center.id, "urgent": draft.urgent},
            )
            for other in co_cases:
                for referral_id, match in ((created.id, other.code), (other.id, created.code)):
                    await referrals.add_event(
                        conn,
                        referral_id,
                        at=now,
                        actor_id=member.id,
                        kind=ReferralEvent.CO_CASE_FOUND,
                        detail={"with": match},
                    )
                if Category.CO_CASE.value not in other.categories:
                    await referrals.set_fields(
                        conn,
                        other.id,
                        now=now,
                        categories=[*other.categories, Category.CO_CASE.value],
                    )
            await drafts.remove(conn, member.id)
            await audit.append(
                conn,
                at=now,
                action="referral.submit",
                outcome="allowed",
                actor_staff_id=member.id,
                subject=f"referral:{created.code}",
            )
        return Submitted(referral=created, created=True, center=center, co_cases=co_cases)

    # --- decisions ----------------------------------------------------------------------------

    def may_decide(self, member: Staff, referral: ReferralRecord) -> bool:
        return member.active and may_decide_referral(
            role=member.role,
            unit_id=member.unit.id if member.unit else None,
            center_id=referral.center_id,
        )

    async def supervisors_of(self, center_id: str) -> list[Staff]:
        async with self.db.read() as conn:
            records = await staff.active_in_units(conn, [center_id], [Role.SUPERVISOR.value])
        return [member for r in records if (member := await self.accounts.by_id(r.id))]

    async def case_managers_of(self, center_id: str) -> list[Staff]:
        async with self.db.read() as conn:
            records = await staff.active_in_units(conn, [center_id], [Role.CASE_MANAGER.value])
        return [member for r in records if (member := await self.accounts.by_id(r.id))]

    async def _decision(
        self, conn: AsyncConnection, member: Staff, referral_id: int
    ) -> ReferralRecord | DecisionProblem:
        referral = await referrals.by_id(conn, referral_id)
        if referral is None:
            return DecisionProblem.NOT_FOUND
        if not self.may_decide(member, referral):
            await audit.append(
                conn,
                at=utcnow(),
                action="referral.decide",
                outcome="denied",
                actor_staff_id=member.id,
                subject=f"referral:{referral.code}",
            )
            return DecisionProblem.NOT_ALLOWED
        if referral.status != ReferralStatus.WAITING:
            return DecisionProblem.ALREADY_DECIDED
        return referral

    async def _recorded(
        self,
        conn: AsyncConnection,
        member: Staff,
        referral: ReferralRecord,
        event: ReferralEvent,
        detail: dict[str, object] | None = None,
    ) -> ReferralRecord:
        """A decision's history event and audit entry, in its transaction; the referral after."""
        now = utcnow()
        await referrals.add_event(
            conn, referral.id, at=now, actor_id=member.id, kind=event, detail=detail
        )
        await audit.append(
            conn,
            at=now,
            action=f"referral.{event.value}",
            outcome="allowed",
            actor_staff_id=member.id,
            subject=f"referral:{referral.code}",
        )
        updated = await referrals.by_id(conn, referral.id)
        if updated is None:
            raise LookupError(f"referral {referral.id} vanished inside its transaction")
        return updated

    async def accept(
        self, member: Staff, referral_id: int, case_manager_id: int
    ) -> Decided | DecisionProblem:
        """受案: assign a case manager of the center; place it on the next case conference."""
        now = utcnow()
        async with self.db.write() as conn:
            referral = await self._decision(conn, member, referral_id)
            if isinstance(referral, DecisionProblem):
                return referral
            manager = await staff.by_id(conn, case_manager_id)
            if (
                manager is None
                or manager.status != "active"
                or manager.unit_id != referral.center_id
                or manager.role != Role.CASE_MANAGER.value
            ):
                return DecisionProblem.BAD_CHOICE
            series = self.case_conference()
            target = None
            if referral.categories and series is not None:
                year, month = next_conference(series, now.astimezone(TAIPEI).date())
                target = f"{year:04d}-{month:02d}"
            if not await referrals.set_fields(
                conn,
                referral.id,
                now=now,
                expect_status=ReferralStatus.WAITING.value,
                status=ReferralStatus.ACCEPTED.value,
                case_manager_id=manager.id,
                target_conference=target,
                decided_by=member.id,
                decided_at=now,
            ):
                return DecisionProblem.ALREADY_DECIDED  # another decision won the race
            accepted = await referrals.by_id(conn, referral.id)
            assert accepted is not None
            await self.cases.open_case(conn, accepted, now=now)
            updated = await self._recorded(
                conn,
                member,
                referral,
                ReferralEvent.ACCEPTED,
                {"case_manager": manager.id, "conference": target},
            )
        return Decided(referral=updated)

    async def return_to_referrer(
        self, member: Staff, referral_id: int, reason: str
    ) -> Decided | DecisionProblem:
        """退回, with a reason (redacted, encrypted)."""
        now = utcnow()
        async with self.db.write() as conn:
            referral = await self._decision(conn, member, referral_id)
            if isinstance(referral, DecisionProblem):
                return referral
            sealed = self.keyring.encrypt(REASON_PURPOSE, redact(reason).text)
            if not await referrals.set_fields(
                conn,
                referral.id,
                now=now,
                expect_status=ReferralStatus.WAITING.value,
                status=ReferralStatus.RETURNED.value,
                return_reason=sealed,
                decided_by=member.id,
                decided_at=now,
            ):
                return DecisionProblem.ALREADY_DECIDED
            updated = await self._recorded(conn, member, referral, ReferralEvent.RETURNED)
        return Decided(referral=updated)

    async def rerefer(
        self, member: Staff, referral_id: int, center_id: str
    ) -> Decided | DecisionProblem:
        """再轉: hand the referral to another family service center, still waiting."""
        now = utcnow()
        center = self.jurisdiction.unit(center_id)
        async with self.db.write() as conn:
            referral = await self._decision(conn, member, referral_id)
            if isinstance(referral, DecisionProblem):
                return referral
            if (
                center is None
                or center.role is not UnitRole.FAMILY_SERVICE_CENTER
                or center.id == referral.center_id
            ):
                return DecisionProblem.BAD_CHOICE
            if not await referrals.set_fields(
                conn,
                referral.id,
                now=now,
                expect_status=ReferralStatus.WAITING.value,
                center_id=center.id,
            ):
                return DecisionProblem.ALREADY_DECIDED
            updated = await self._recorded(
                conn,
                member,
                referral,
                ReferralEvent.REREFERRED,
                {"from": referral.center_id, "to": center.id},
            )
        return Decided(referral=updated, previous_center=referral.center_id)

    def return_reason(self, referral: ReferralRecord) -> str | None:
        if referral.return_reason is None:
            return None
        return self.keyring.decrypt(REASON_PURPOSE, referral.return_reason)

    # --- lookup -------------------------------------------------------------------------------

    def scope_for(self, member: Staff) -> Scope:
        visibility = VISIBILITY[member.role]
        if visibility is Visibility.EVERYTHING:
            return Scope(everything=True)
        centers = (member.unit.id,) if visibility is Visibility.CENTER and member.unit else ()
        return Scope(
            center_ids=centers,
            referrer_id=member.id,
            case_manager_id=member.id,
            team_unit_id=member.unit.id if member.unit else None,
        )

    def sees(self, member: Staff, referral: ReferralRecord) -> bool:
        return sees_referral(
            role=member.role,
            staff_id=member.id,
            unit_id=member.unit.id if member.unit else None,
            referrer_id=referral.referrer_id,
            center_id=referral.center_id,
            case_manager_id=referral.case_manager_id,
        )

    async def may_read(self, member: Staff, referral: ReferralRecord) -> bool:
        """Whether this person may read the case at all: by role and relation, or because their
        unit serves the family (`permissions.case_view`)."""
        return await self.view_of(member, referral) is not CaseView.NONE

    async def view_of(self, member: Staff, referral: ReferralRecord) -> CaseView:
        """How much of this referral or case this person reads (`permissions.case_view`)."""
        async with self.db.read() as conn:
            team = await cases.team(conn, referral.id)
        return self.view_given(member, referral, team)

    def view_given(self, member: Staff, referral: ReferralRecord, team: frozenset[str]) -> CaseView:
        """`view_of` for a caller that has read the case's team already."""
        return case_view(
            role=member.role,
            staff_id=member.id,
            unit_id=member.unit.id if member.unit else None,
            referrer_id=referral.referrer_id,
            center_id=referral.center_id,
            case_manager_id=referral.case_manager_id,
            is_case=referral.case_status is not None,
            team=team,
        )

    async def view(self, member: Staff, code: str) -> ReferralRecord | None:
        """One referral, if this person may see it; every attempt is audited. What is not shaped
        like a case code is not looked up, and audited without what was typed; a number alone
        (`/case 31`, `/case 00031`) is this year's case of that number, else last year's."""
        prefix = self.jurisdiction.case_code_prefix
        well_formed = parse_case_code(code, prefix)
        candidates = (
            (well_formed,)
            if well_formed
            else short_case_codes(code, prefix, roc_year(utcnow().astimezone(TAIPEI).date()))
        )
        async with self.db.write() as conn:
            referral, allowed = None, False
            for candidate in candidates:  # a short number: the first of them this person sees
                referral = await referrals.by_code(conn, candidate)
                allowed = referral is not None and (
                    self.sees(member, referral)
                    or (
                        member.unit is not None
                        and member.unit.id in await cases.team(conn, referral.id)
                    )
                )
                if allowed:
                    well_formed = candidate
                    break
            await audit.append(
                conn,
                at=utcnow(),
                action="case.view",
                outcome="allowed" if allowed else "denied",
                actor_staff_id=member.id,
                subject=f"referral:{well_formed or next(iter(candidates), NOT_A_CASE_CODE)}",
            )
        return referral if allowed else None

    async def by_id(self, referral_id: int) -> ReferralRecord | None:
        async with self.db.read() as conn:
            return await referrals.by_id(conn, referral_id)

    def own_scope(self, member: Staff) -> Scope:
        """What is mine: referred by me, managed by me, or — outside the family service centers,
        whose unit serves every case of theirs — served by my unit."""
        if VISIBILITY[member.role] is Visibility.CENTER:
            return Scope(referrer_id=member.id, case_manager_id=member.id)
        return Scope(
            referrer_id=member.id,
            case_manager_id=member.id,
            team_unit_id=member.unit.id if member.unit else None,
        )

    async def mine(
        self, member: Staff, page: int, view: CaseList = CaseList.MINE
    ) -> tuple[list[ReferralRecord], int]:
        """Open referrals and cases, newest first: mine; of them the tracked ones or the ones
        waiting for a center; or — for the center's staff — the whole center's
        (`CaseList.CENTER`, and 列管 / 待受案 are the center's too for a supervisor)."""
        center_wide = view is CaseList.CENTER or (
            member.role is Role.SUPERVISOR and view is not CaseList.MINE
        )
        scope = self.scope_for(member) if center_wide else self.own_scope(member)
        statuses = {
            CaseList.WAITING: [ReferralStatus.WAITING.value],
            CaseList.TRACKED: [ReferralStatus.ACCEPTED.value],
        }.get(view, [ReferralStatus.WAITING.value, ReferralStatus.ACCEPTED.value])
        async with self.db.write() as conn:
            found, total = await referrals.listing(
                conn,
                scope,
                statuses=statuses,
                tracked=True if view is CaseList.TRACKED else None,
                limit=PAGE_SIZE,
                offset=page * PAGE_SIZE,
            )
            await audit.append(
                conn,
                at=utcnow(),
                action="case.list",
                outcome="allowed",
                actor_staff_id=member.id,
                detail={"page": page, "codes": [r.code for r in found]},
            )
        return found, total

    async def owing_reports(
        self, member: Staff
    ) -> list[tuple[ReferralRecord, list[ObligationRecord]]]:
        """Every case this person may write in that owes monthly reports, with the reports owed
        (oldest due first), the case owing the oldest first — never only the recent ones."""
        owing = []
        for referral in await self.writable_cases(member, limit=REPORT_SCOPE):
            owed = sorted(await self.cases.reports_owed(referral), key=lambda o: o.due)
            if owed:
                owing.append((referral, owed))
        owing.sort(key=lambda pair: (pair[1][0].due, pair[0].code))
        return owing

    async def writable_cases(self, member: Staff, limit: int = 8) -> list[ReferralRecord]:
        """Open cases this person may write in, most recently changed first."""
        async with self.db.read() as conn:
            found, _ = await referrals.listing(
                conn,
                self.scope_for(member),
                statuses=[ReferralStatus.ACCEPTED.value],
                limit=limit * 3,
            )
            writable = []
            for referral in found:
                team = await cases.team(conn, referral.id)
                if self.cases.writing_problem(member, referral, team) is None:
                    writable.append(referral)
        writable.sort(key=lambda r: r.updated_at, reverse=True)
        return writable[:limit]

    async def search(
        self, member: Staff, query: str, page: int, *, words: Mapping[str, Mapping[str, object]]
    ) -> tuple[list[ReferralRecord], int]:
        """By code, masked alias fragment, district, status, or a word of `words` (a category's
        or need's name, 列管: the filter it stands for) — within what I may see."""
        text = query.strip()
        filters: dict[str, object] = dict(words.get(text, {}))
        status = _STATUS_WORDS.get(text)
        district = self.jurisdiction.district(text) or self.jurisdiction.district(f"{text}區")
        if filters:
            pass  # a category, a need, or 列管
        elif status is not None:
            filters["statuses"] = [status.value]
        elif district is not None:
            filters["district"] = district.name
        elif text.upper().startswith(f"{self.jurisdiction.case_code_prefix}-"):
            filters["code"] = text.upper()
        else:
            filters["alias_fragment"] = text.replace("O", "○").replace("○○", "○")
        async with self.db.write() as conn:
            found, total = await referrals.listing(
                conn,
                self.scope_for(member),
                limit=PAGE_SIZE,
                offset=page * PAGE_SIZE,
                **filters,  # type: ignore[arg-type]
            )
            await audit.append(
                conn,
                at=utcnow(),
                action="case.search",
                outcome="allowed",
                actor_staff_id=member.id,
                detail={"codes": [r.code for r in found]},
            )
        return found, total

    def narrative(self, referral: ReferralRecord) -> str | None:
        if referral.narrative is None:
            return None
        return self.keyring.decrypt(NARRATIVE_PURPOSE, referral.narrative)

    async def history(self, referral: ReferralRecord) -> list[ReferralEventRecord]:
        """The referral's events, oldest first: when, what, who, and any detail."""
        async with self.db.read() as conn:
            return await referrals.events(conn, referral.id)

    # --- messages that show case details expire ------------------------------------------------

    async def expire_later(self, chat_id: int, message_id: int, after: timedelta) -> None:
        async with self.db.write() as conn:
            await expiries.add(conn, chat_id, message_id, utcnow() + after)

    async def due_expiries(self) -> list[tuple[int, int, int]]:
        async with self.db.read() as conn:
            found = await expiries.due(conn, utcnow())
        return [(e.id, e.chat_id, e.message_id) for e in found]

    async def forget_expiries(self, ids: list[int]) -> None:
        async with self.db.write() as conn:
            await expiries.forget(conn, ids)


def center_district(draft: Draft) -> str:
    if draft.district is None:
        raise ValueError("a referral is submitted only with its district")
    return draft.district


_STATUS_WORDS = {
    "待分派": ReferralStatus.WAITING,
    "轉介等待中": ReferralStatus.WAITING,
    "waiting": ReferralStatus.WAITING,
    "受案": ReferralStatus.ACCEPTED,
    "accepted": ReferralStatus.ACCEPTED,
    "退回": ReferralStatus.RETURNED,
    "returned": ReferralStatus.RETURNED,
}
