"""The agenda and minutes documents (DOCX) of a meeting, from what the services know — codes
and masked aliases only; what a reader may not see is not in their copy."""

from __future__ import annotations

from datetime import datetime

from bot import documents
from bot.accounts import Staff
from bot.meetings import Agenda, AgendaItem, Answer
from bot.services import Services
from storage.records import MeetingRecord


def _info(
    services: Services, reader: Staff, meeting: MeetingRecord, units: list[str]
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
        attendees=[(u.name if (u := services.jurisdiction.unit(i)) else i) for i in units],
    )


def _case(services: Services, reader: Staff, item: AgendaItem) -> documents.AgendaCase:
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


def agenda_document(services: Services, reader: Staff, agenda: Agenda) -> bytes:
    meeting = agenda.meeting
    sections: list[documents.AgendaSection] = []
    if meeting.series_key == "case_conference":
        sections.append(
            documents.AgendaSection(
                heading=services.text(reader, "meeting.section_tracked"),
                cases=[_case(services, reader, i) for i in agenda.tracked],
                notes=[],
            )
        )
        # The agenda holds the reports in the plan's order: 幸扶守護, 兒少高危機, 行方不明兒少,
        # co-cases.
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
                )
            )
        sections.append(
            documents.AgendaSection(
                heading=services.text(reader, "meeting.section_new"),
                cases=[_case(services, reader, i) for i in agenda.new_referrals],
                notes=[],
            )
        )
    else:
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
        sections.append(
            documents.AgendaSection(
                heading=services.text(reader, "meeting.section_resolutions"),
                cases=[],
                notes=lines,
            )
        )
        sections.append(
            documents.AgendaSection(
                heading=services.text(reader, "meeting.section_proposals"),
                cases=[],
                notes=[services.text(reader, "meeting.proposals_note")],
            )
        )
    if agenda.hidden:
        sections.append(
            documents.AgendaSection(
                heading=services.text(reader, "meeting.section_hidden"),
                cases=[],
                notes=[services.text(reader, "meeting.hidden_note", count=agenda.hidden)],
            )
        )
    points = services.text(reader, f"meeting.discussion_{meeting.series_key}").split("\n")
    return documents.agenda_docx(
        documents.Agenda(
            meeting=_info(services, reader, meeting, []),
            sections=sections,
            discussion_points=[p for p in points if p.strip()],
        )
    )


async def minutes_document(services: Services, reader: Staff, meeting: MeetingRecord) -> bytes:
    units = await services.meetings.units_of(meeting)
    present, absent, delegated = await attendance(services, meeting, units)
    runs = services.meetings.runs(reader, meeting)
    decisions = []
    for decision in await services.meetings.decisions(meeting):
        referral = await services.referrals.by_id(decision.referral_id)
        if referral is None or not (runs or await services.referrals.may_read(reader, referral)):
            continue  # need to know: each reader's copy holds the cases their unit is part of
        lead = services.jurisdiction.unit(decision.lead_unit_id)
        note = services.meetings.decision_note(decision)
        decisions.append(
            documents.Decision(
                code=referral.code,
                alias=referral.alias or "—",
                decision=services.text(reader, f"decision_kind.{decision.decision}"),
                details="；".join(
                    part
                    for part in (
                        services.text(reader, "meeting.lead_unit", unit=lead.name if lead else "—"),
                        note or "",
                    )
                    if part
                ),
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
    return documents.minutes_docx(
        documents.Minutes(
            meeting=_info(services, reader, meeting, units),
            present=present,
            absent=absent,
            delegated=delegated,
            decisions=decisions,
            resolutions=resolutions,
            recorded_by=f"{organiser.unit_name} {organiser.display_name}" if organiser else "—",
            recorded_at=meeting.minutes_recorded_at or datetime.now().astimezone(),
        )
    )


async def attendance(
    services: Services, meeting: MeetingRecord, units: list[str]
) -> tuple[list[str], list[str], list[str]]:
    """Per invited unit: who came (出席), who came for someone (代理), which units were absent.

    A unit is present when anyone of it answered 出席 or sent a delegate; staff who did not
    answer are not listed as absent one by one — the unit is what the minutes record.
    """
    answers = await services.meetings.answers(meeting)
    present, absent, delegated = [], [], []
    for unit_id in units:
        unit = services.jurisdiction.unit(unit_id)
        name = unit.name if unit else unit_id
        attending, delegates = [], []
        for found in answers:
            person = await services.accounts.by_id(found.staff_id)
            if person is None or person.unit is None or person.unit.id != unit_id:
                continue
            if found.answer == Answer.ATTEND:
                attending.append(person.display_name or "—")
            elif found.answer == Answer.DELEGATED and found.delegate_id:
                delegate = await services.accounts.by_id(found.delegate_id)
                if delegate is not None and delegate.display_name not in attending:
                    delegates.append(f"{delegate.display_name}（代理 {person.display_name}）")
        if attending:
            present.append(f"{name} {'、'.join(attending)}")
        if delegates:
            delegated.append(f"{name} {'、'.join(delegates)}")
        if not attending and not delegates:
            absent.append(name)
    return present, absent, delegated
