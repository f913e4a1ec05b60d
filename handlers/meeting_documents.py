"""The agenda and minutes documents (DOCX) of a meeting, from what the services know — codes
and masked aliases only; what a reader may not see is not in their copy."""

from __future__ import annotations

from datetime import datetime

from bot import documents
from bot.accounts import Staff
from bot.domain.dates import ROC_OFFSET
from bot.domain.minutes import Attendance, Decision, label_key
from bot.domain.working_days import TAIPEI
from bot.meetings import Agenda, AgendaItem, Answer
from bot.services import Services
from storage.records import MeetingDecisionRecord, MeetingRecord


def _info(
    services: Services, reader: Staff, meeting: MeetingRecord, attendees: list[str]
) -> documents.MeetingInfo:
    series = services.meetings.series(meeting.series_key)
    organiser = services.jurisdiction.unit(meeting.organiser_unit_id)
    return documents.MeetingInfo(
        title=services.text(
            reader,
            "meeting.document_title",
            city=services.jurisdiction.city_name,
            district=meeting.district,
            series=series.name if series else meeting.series_key,
            starts_at=meeting.starts_at,
        ),
        series_name=series.name if series else meeting.series_key,
        starts_at=meeting.starts_at,
        place=meeting.place,
        video_link=meeting.video_link,
        chair=meeting.chair,
        organiser=organiser.name if organiser else meeting.organiser_unit_id,
        attendees=attendees,
    )


def _case(services: Services, reader: Staff, item: AgendaItem) -> documents.AgendaCase:
    """One case's row: its status is the same in every section of the document."""
    referral = item.referral
    center = services.jurisdiction.unit(referral.center_id)
    categories = "、".join(services.text(reader, f"category.{c}") for c in referral.categories)
    status = services.text(reader, f"referral_status.{referral.status}")
    if referral.tracked:
        status += "；" + services.text(reader, f"meeting.report_status_{item.status or 'not_yet'}")
    return documents.AgendaCase(
        code=referral.code,
        alias=referral.alias or "—",
        lead_unit=center.name if center else referral.center_id,
        summary=categories or "—",
        status=status,
    )


def _conference_sections(
    services: Services, reader: Staff, agenda: Agenda
) -> list[documents.AgendaSection]:
    """The plan's order (參.三.(六).3): 前次會議列管案件執行情形報告; the center's report of
    幸扶守護, 兒少高危機, 行方不明兒少 and co-cases; 個案報告 (placed referrals and cases tracked
    since the previous conference); 討論重點; 後續列管處理及回報."""
    sections = [
        documents.AgendaSection(
            heading=services.text(reader, "meeting.section_tracked"),
            cases=[_case(services, reader, i) for i in agenda.tracked],
            notes=[],
        ),
        documents.AgendaSection(
            heading=services.text(reader, "meeting.section_center_report"), cases=[], notes=[]
        ),
    ]
    for category_key, items in agenda.reports.items():
        sections.append(
            documents.AgendaSection(
                heading=services.text(
                    reader,
                    "meeting.section_report",
                    category=services.text(reader, f"category.{category_key}"),
                ),
                cases=[_case(services, reader, i) for i in items],
                notes=[services.text(reader, "meeting.count_line", count=len(items))],
                level=2,
            )
        )
    reported = [*agenda.new_referrals, *agenda.newly_tracked]
    notes = [services.text(reader, "meeting.newly_tracked_note")] if agenda.newly_tracked else []
    if agenda.hidden:
        notes.append(services.text(reader, "meeting.hidden_note", count=agenda.hidden))
    sections.append(
        documents.AgendaSection(
            heading=services.text(reader, "meeting.section_new"),
            cases=[_case(services, reader, i) for i in reported],
            notes=notes,
        )
    )
    points = services.text(reader, "meeting.discussion_case_conference").split("\n")
    sections.append(
        documents.AgendaSection(
            heading=services.text(reader, "meeting.section_discussion"),
            cases=[],
            notes=[],
            points=[p for p in points if p.strip()],
        )
    )
    sections.append(
        documents.AgendaSection(
            heading=services.text(reader, "meeting.section_follow_up"),
            cases=[],
            notes=[services.text(reader, "meeting.follow_up_note")],
        )
    )
    return sections


def _liaison_sections(
    services: Services, reader: Staff, agenda: Agenda
) -> list[documents.AgendaSection]:
    lines = []
    for resolution, text in agenda.resolutions:
        owner = services.jurisdiction.unit(resolution.owner_unit_id)
        lines.append(
            services.text(
                reader,
                "meeting.resolution_line",
                text=text,
                owner=owner.name if owner else resolution.owner_unit_id,
                due=resolution.due,
                state=services.text(reader, f"meeting.resolution_{resolution.state}"),
            )
        )
    return [
        documents.AgendaSection(
            heading=services.text(reader, "meeting.section_resolutions"), cases=[], notes=lines
        ),
        documents.AgendaSection(
            heading=services.text(reader, "meeting.section_proposals"),
            cases=[],
            notes=[services.text(reader, "meeting.proposals_note")],
        ),
    ]


async def agenda_document(services: Services, reader: Staff, agenda: Agenda) -> bytes:
    meeting = agenda.meeting
    conference = meeting.series_key == "case_conference"
    sections = (
        _conference_sections(services, reader, agenda)
        if conference
        else _liaison_sections(services, reader, agenda)
    )
    points: list[str] = []
    if not conference:
        points = services.text(reader, f"meeting.discussion_{meeting.series_key}").split("\n")
    return documents.agenda_docx(
        documents.Agenda(
            meeting=_info(services, reader, meeting, await invited_with_answers(services, meeting)),
            sections=sections,
            discussion_points=[p for p in points if p.strip()],
        )
    )


def document_name(services: Services, reader: Staff, meeting: MeetingRecord, document: str) -> str:
    """A name people can file: 議程_115-12-10_中壢區個案研討會議.docx, 紀錄_….docx."""
    series = services.meetings.series(meeting.series_key)
    day = meeting.starts_at.astimezone(TAIPEI).date()
    return services.text(
        reader,
        f"meeting.file_{document}",
        day=day,
        roc_year=day.year - ROC_OFFSET,
        district=meeting.district or "",
        district_key=(
            found.key if (found := services.jurisdiction.district(meeting.district or "")) else ""
        ),
        series=series.name if series else meeting.series_key,
        series_en=series.name_en if series else meeting.series_key,
    )


async def minutes_document(services: Services, reader: Staff, meeting: MeetingRecord) -> bytes:
    units = await services.meetings.units_of(meeting)
    runs = services.meetings.runs(reader, meeting)
    decisions = []
    for decision in await services.meetings.decisions(meeting):
        referral = await services.referrals.by_id(decision.referral_id)
        if referral is None or not (runs or await services.referrals.may_read(reader, referral)):
            continue  # need to know: each reader's copy holds the cases their unit is part of
        lead = services.jurisdiction.unit(decision.lead_unit_id)
        note = services.meetings.decision_note(decision)
        details = [services.text(reader, "meeting.lead_unit", unit=lead.name if lead else "—")]
        if decision.decision == Decision.JOINT_PLAN:
            names = services.meetings.decision_units(decision)
            details.append(services.text(reader, "minutes.joint_units", units=names))
        if note:
            details.append(note)
        decisions.append(
            documents.Decision(
                code=referral.code,
                alias=referral.alias or "—",
                decision=decision_words(services, reader, decision),
                details="；".join(details),
            )
        )
    resolutions = [
        documents.Resolution(
            text=text,
            owner_unit=(u.name if (u := services.jurisdiction.unit(r.owner_unit_id)) else "—"),
            due=r.due,
        )
        for r, text in await services.meetings.resolutions(meeting)
    ]
    organiser = await services.accounts.by_id(meeting.organiser_id)
    present = await attendance(services, meeting)
    return documents.minutes_docx(
        documents.Minutes(
            meeting=_info(services, reader, meeting, _unit_names(services, units)),
            invited=_unit_names(services, units),
            present=present[Attendance.ATTENDED],
            absent=present[Attendance.ABSENT],
            delegated=present[Attendance.DELEGATE],
            excused=present[Attendance.EXCUSED],
            decisions=decisions,
            resolutions=resolutions,
            recorded_by=f"{organiser.unit_name} {organiser.display_name}" if organiser else "—",
            recorded_at=meeting.minutes_recorded_at or datetime.now().astimezone(),
        )
    )


def _unit_names(services: Services, unit_ids: list[str]) -> list[str]:
    return [(u.name if (u := services.jurisdiction.unit(i)) else i) for i in unit_ids]


def decision_words(services: Services, reader: Staff, decision: MeetingDecisionRecord) -> str:
    """The decision in words: 「除管（問題改善、處遇目標達成）」, 「轉介其他單位：桃園市政府
    衛生局」, 「需聯合服務計畫（主責：…）」, 「列管」 for a case the meeting starts tracking,
    「持續列管」 for one it keeps."""
    words = services.text(
        reader, f"decision_kind.{label_key(decision.decision, was_tracked=decision.was_tracked)}"
    )
    if decision.decision == Decision.RELEASE and decision.reason:
        reason = services.text(reader, f"release_reason.{decision.reason}")
        return services.text(reader, "minutes.with_reason", decision=words, reason=reason)
    if decision.decision == Decision.REFER_ON:
        units = services.meetings.decision_units(decision)
        return services.text(reader, "minutes.referred_to", decision=words, units=units)
    if decision.decision == Decision.JOINT_PLAN:
        lead = services.jurisdiction.unit(decision.lead_unit_id)
        return services.text(
            reader, "minutes.led_by", decision=words, unit=lead.name if lead else "—"
        )
    return words


async def _people_answers(
    services: Services, meeting: MeetingRecord
) -> dict[str, dict[str, list[str]]]:
    """Per unit, per answer, who said it: {"police-zhongli": {"attend": ["王警員"], …}}; a
    delegate is listed as 「王警員（代理 李警員）」 under "delegated"."""
    found: dict[str, dict[str, list[str]]] = {}
    for answered in await services.meetings.answers(meeting):
        person = await services.accounts.by_id(answered.staff_id)
        if person is None or person.unit is None:
            continue
        name = person.display_name or "—"
        if answered.answer == Answer.DELEGATED and answered.delegate_id:
            delegate = await services.accounts.by_id(answered.delegate_id)
            stand_in = delegate.display_name if delegate else "—"
            name = f"{stand_in}（代理 {name}）"
        found.setdefault(person.unit.id, {}).setdefault(answered.answer, []).append(name)
    return found


async def invited_with_answers(services: Services, meeting: MeetingRecord) -> list[str]:
    """The agenda's 邀請單位: each invited unit with the answers so far (出席、代理、請假, or
    未回覆); the organiser's unit runs the meeting."""
    answers = await _people_answers(services, meeting)
    listed = []
    for unit_id in await services.meetings.units_of(meeting):
        unit = services.jurisdiction.unit(unit_id)
        name = unit.name if unit else unit_id
        said = answers.get(unit_id, {})
        parts = [
            f"{label}：{'、'.join(said[answer])}"
            for answer, label in (
                (Answer.ATTEND, "出席"),
                (Answer.DELEGATED, "代理"),
                (Answer.ABSENT, "請假"),
            )
            if said.get(answer)
        ]
        if unit_id == meeting.organiser_unit_id:
            parts.insert(0, "主辦")
        listed.append(f"{name}（{'；'.join(parts) or '未回覆'}）")
    return listed


async def attendance(services: Services, meeting: MeetingRecord) -> dict[str, list[str]]:
    """The minutes' 出席情形 by state, each unit with its people: 出席 and 代理出席 name who came,
    請假 and 缺席 name the unit. The states are the organiser's confirmed ones."""
    answers = await _people_answers(services, meeting)
    organiser = await services.accounts.by_id(meeting.organiser_id)
    grouped: dict[str, list[str]] = {state: [] for state in Attendance.ALL}
    for unit_id, state in (await services.meetings.attendance(meeting)).items():
        unit = services.jurisdiction.unit(unit_id)
        name = unit.name if unit else unit_id
        said = answers.get(unit_id, {})
        people: list[str] = []
        if state == Attendance.ATTENDED:
            people = list(said.get(Answer.ATTEND, []))
            if organiser is not None and organiser.unit and organiser.unit.id == unit_id:
                people.insert(0, organiser.display_name or "—")
        elif state == Attendance.DELEGATE:
            people = list(said.get(Answer.DELEGATED, []))
        grouped[state].append(f"{name} {'、'.join(people)}" if people else name)
    return grouped
