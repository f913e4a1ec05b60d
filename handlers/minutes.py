"""A meeting's minutes in chat, after it was held: the organiser confirms who attended (pre-filled
from the answers, one tap to correct a unit), then a case conference decides each case on its
agenda with the choices of the case's state and the follow-up each needs (why a case is
released, which unit a case goes to, who leads a joint plan), or a liaison meeting records its
resolutions; a last summary is confirmed before the minutes go to everyone invited.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from telegram import InputFile, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler

from bot.accounts import Staff
from bot.cases import taipei_today
from bot.domain.dates import parse_date
from bot.domain.minutes import (
    Attendance,
    Decision,
    ReleaseReason,
    choices,
    label_key,
    starts_tracking,
)
from bot.domain.permissions import Action
from bot.domain.text import clean_text
from bot.services import Services
from handlers.base import (
    Button,
    Context,
    answer,
    expiring,
    in_rows,
    keyboard,
    notify,
    reply,
    requires,
    services_of,
    split_data,
)
from handlers.meeting_documents import decision_words, document_name, minutes_document
from handlers.meetings import meeting_for, title
from storage.records import MeetingDecisionRecord, MeetingRecord, ReferralRecord

log = logging.getLogger(__name__)
RESOLUTION = "meeting_resolution"
DECISION_NOTE = "meeting_decision_note"
# 「事項／權責單位／期限」: a full-width slash, or a half-width one not inside a date (115/12/31).
RESOLUTION_SEPARATOR = re.compile(r"／|(?<!\d)/|/(?!\d)")
ATTENDANCE_ICON = {
    Attendance.ATTENDED: "✅",
    Attendance.DELEGATE: "🔁",
    Attendance.EXCUSED: "🙏",
    Attendance.ABSENT: "⬜",
}


@requires(Action.PLAN_MEETING)
async def record(update: Update, context: Context, member: Staff) -> None:
    """`mm:<meeting>`: attendance first, then the next case to decide (or the resolutions)."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    meeting = await meeting_for(update, context, member, (query.data or "")[3:])
    if meeting is not None:
        await next_step(update, context, member, meeting)


async def next_step(
    update: Update, context: Context, member: Staff, meeting: MeetingRecord
) -> None:
    """Where the minutes stand: recorded already, attendance to confirm, or decisions."""
    services = services_of(context)
    if meeting.minutes_recorded_at is not None:
        await reply(update, services.text(member, "reason.meeting.minutes_done"))
    elif meeting.attendance_confirmed_at is None:
        await ask_attendance(update, context, member, meeting)
    else:
        await next_decision(update, context, member, meeting)


# --- attendance ---------------------------------------------------------------------------------


async def ask_attendance(
    update: Update, context: Context, member: Staff, meeting: MeetingRecord
) -> None:
    services = services_of(context)
    states = await services.meetings.attendance(meeting)
    buttons: list[Button] = []
    for unit_id, state in states.items():
        unit = services.jurisdiction.unit(unit_id)
        label = services.text(
            member,
            "minutes.attendance_button",
            icon=ATTENDANCE_ICON[state],
            unit=unit.name if unit else unit_id,
            state=services.text(member, f"attendance.{state}"),
        )
        buttons.append((label, f"au:{meeting.id}:{unit_id}"))
    rows = in_rows(buttons, 1)
    rows.append([(services.text(member, "minutes.attendance_ok"), f"ac:{meeting.id}")])
    counts = Counter(states.values())
    await reply(
        update,
        services.text(
            member, "minutes.ask_attendance", title=title(services, member, meeting), counts=counts
        ),
        keyboard(rows),
    )


@requires(Action.PLAN_MEETING)
async def press_attendance(update: Update, context: Context, member: Staff) -> None:
    """`au:<meeting>:<unit>`: that unit moves to the next state; the list is shown again."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    _, raw_meeting, unit_id = split_data(query, 3)[:3]
    meeting = await meeting_for(update, context, member, raw_meeting)
    if meeting is None:
        return
    current = (await services.meetings.attendance(meeting)).get(unit_id)
    problem = (
        "meeting.bad_unit"
        if current is None
        else await services.meetings.set_attendance(
            member, meeting, unit_id, Attendance.next_after(current)
        )
    )
    if problem:
        await reply(update, services.text(member, f"reason.{problem}", code=""))
        return
    await ask_attendance(update, context, member, meeting)


@requires(Action.PLAN_MEETING)
async def confirm_attendance(update: Update, context: Context, member: Staff) -> None:
    """`ac:<meeting>`: the attendance is right; on to the decisions."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    meeting = await meeting_for(update, context, member, (query.data or "")[3:])
    if meeting is None:
        return
    problem = await services.meetings.confirm_attendance(member, meeting)
    if problem:
        await reply(update, services.text(member, f"reason.{problem}", code=""))
        return
    await reply(update, services.text(member, "minutes.attendance_confirmed"))
    meeting = await services.meetings.by_id(meeting.id) or meeting
    await next_decision(update, context, member, meeting)


# --- decisions ----------------------------------------------------------------------------------


def _open_case(referral: ReferralRecord) -> bool:
    return referral.case_status is not None and referral.case_status != "closed"


async def next_decision(
    update: Update, context: Context, member: Staff, meeting: MeetingRecord
) -> None:
    services = services_of(context)
    if meeting.minutes_recorded_at is not None:
        await reply(update, services.text(member, "reason.meeting.minutes_done"))
        return
    if meeting.attendance_confirmed_at is None:
        await ask_attendance(update, context, member, meeting)
        return
    finish = (services.text(member, "meeting.finish"), f"mf:{meeting.id}")
    if meeting.series_key != "case_conference":
        await services.cases.expect(member, RESOLUTION, str(meeting.id))
        count = len(await services.meetings.resolutions(meeting))
        await reply(
            update,
            services.text(member, "meeting.ask_resolution", count=count),
            keyboard([[finish]]),
        )
        return
    waiting = await services.meetings.undecided(member, meeting)
    if not waiting:
        await reply(update, services.text(member, "meeting.all_decided"), keyboard([[finish]]))
        return
    referral = waiting[0]
    buttons = [
        (
            services.text(member, f"decision_kind.{label_key(kind, was_tracked=referral.tracked)}"),
            f"md:{meeting.id}:{referral.id}:{kind}",
        )
        for kind in choices(tracked=referral.tracked, open_case=_open_case(referral))
    ]
    rows = in_rows(buttons, 2)
    if len(waiting) > 1:
        rest = services.text(member, "minutes.rest_as_is", count=len(waiting) - 1)
        rows.append([(rest, f"mr:{meeting.id}:{referral.id}")])
    rows.append([finish])
    await reply(
        update,
        services.text(
            member,
            "meeting.ask_decision",
            code=referral.code,
            alias=referral.alias,
            left=len(waiting),
            tracked=referral.tracked,
        ),
        keyboard(rows),
    )


@requires(Action.PLAN_MEETING)
async def press_decision(update: Update, context: Context, member: Staff) -> None:
    """`md:<meeting>:<case>:<decision>[:<reason or unit>]`: a decision needing one more answer
    (除管's reason, the unit a case goes to, the unit leading a joint plan) asks it first."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    _, raw_meeting, raw_case, kind, extra = split_data(query, 5)[:5]
    meeting = await meeting_for(update, context, member, raw_meeting)
    referral = await services.referrals.by_id(int(raw_case)) if raw_case.isdigit() else None
    if meeting is None or referral is None:
        return
    if kind in Decision.FOLLOW_UP and not extra:
        await ask_follow_up(update, context, member, meeting, referral, kind=kind)
        return
    problem = await services.meetings.decide(
        member,
        meeting,
        referral,
        decision=kind,
        reason=extra if kind == Decision.RELEASE else None,
        unit=extra if kind in (Decision.REFER_ON, Decision.JOINT_PLAN) else None,
    )
    if problem:
        await reply(update, services.text(member, f"reason.{problem}", code=referral.code))
        return
    await services.cases.expect(member, DECISION_NOTE, f"{meeting.id}:{referral.id}")
    decided = await _decision_of(services, meeting, referral.id)
    await reply(
        update,
        services.text(
            member,
            "meeting.decided",
            code=referral.code,
            decision=decision_words(services, member, decided) if decided else kind,
        ),
        keyboard(
            [[(services.text(member, "minutes.take_back"), f"mu:{meeting.id}:{referral.id}")]]
        ),
    )
    await next_decision(update, context, member, meeting)


async def ask_follow_up(
    update: Update,
    context: Context,
    member: Staff,
    meeting: MeetingRecord,
    referral: ReferralRecord,
    *,
    kind: str,
) -> None:
    services = services_of(context)
    follow_up = kind
    base = f"md:{meeting.id}:{referral.id}:{kind}"
    if kind == Decision.RELEASE:
        options = [
            (services.text(member, f"release_reason.{r}"), f"{base}:{r}") for r in ReleaseReason.ALL
        ]
    else:
        options = [
            (unit.name, f"{base}:{unit.id}")
            for unit in await services.meetings.units_to_name(meeting, referral, kind)
        ]
    rows = in_rows(options, 1)
    rows.append([(services.text(member, "minutes.back"), f"mb:{meeting.id}")])
    await reply(
        update,
        services.text(member, f"minutes.ask_{follow_up}", code=referral.code, alias=referral.alias),
        keyboard(rows),
    )


@requires(Action.PLAN_MEETING)
async def go_back(update: Update, context: Context, member: Staff) -> None:
    """`mb:<meeting>`: no decision after all; the case is asked again."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    meeting = await meeting_for(update, context, member, (query.data or "")[3:])
    if meeting is not None:
        await next_step(update, context, member, meeting)


@requires(Action.PLAN_MEETING)
async def take_back(update: Update, context: Context, member: Staff) -> None:
    """`mu:<meeting>:<case>`: a mis-tapped decision undone; that case is asked again next."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    _, raw_meeting, raw_case = split_data(query, 3)[:3]
    meeting = await meeting_for(update, context, member, raw_meeting)
    if meeting is None or not raw_case.isdigit():
        return
    problem = await services.meetings.take_back(member, meeting, int(raw_case))
    if problem:
        await reply(update, services.text(member, f"reason.{problem}", code=""))
        return
    await services.cases.forget_expected(member)
    await reply(update, services.text(member, "minutes.taken_back"))
    await next_decision(update, context, member, meeting)


@requires(Action.PLAN_MEETING)
async def rest_as_is(update: Update, context: Context, member: Staff) -> None:
    """`mr:<meeting>:<case>` asks, `mr:<meeting>:<case>:yes` records 「其餘維持現狀」 for every
    case still without a decision but the one being asked, which is asked next — nothing starts
    or stops tracking by it."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    _, raw_meeting, raw_case, sure = split_data(query, 4)[:4]
    meeting = await meeting_for(update, context, member, raw_meeting)
    if meeting is None:
        return
    asked = int(raw_case) if raw_case.isdigit() else None
    waiting = [r for r in await services.meetings.undecided(member, meeting) if r.id != asked]
    if sure != "yes":
        tracked = sum(1 for r in waiting if r.tracked)
        await reply(
            update,
            services.text(
                member,
                "minutes.rest_confirm",
                tracked=tracked,
                untracked=len(waiting) - tracked,
            ),
            keyboard(
                [
                    [
                        (
                            services.text(member, "minutes.rest_yes"),
                            f"mr:{meeting.id}:{asked or 0}:yes",
                        ),
                        (services.text(member, "minutes.back"), f"mb:{meeting.id}"),
                    ]
                ]
            ),
        )
        return
    count = await services.meetings.keep_the_rest_as_is(member, meeting, but=asked)
    await services.cases.forget_expected(member)
    await reply(update, services.text(member, "minutes.rest_done", count=count))
    await next_decision(update, context, member, meeting)


async def _decision_of(
    services: Services, meeting: MeetingRecord, referral_id: int
) -> MeetingDecisionRecord | None:
    found = [d for d in await services.meetings.decisions(meeting) if d.referral_id == referral_id]
    return found[0] if found else None


async def receive_decision_note(
    update: Update, context: Context, member: Staff, subject: str
) -> None:
    """What is expected of the lead unit, typed after a decision (optional)."""
    services = services_of(context)
    raw_meeting, _, raw_case = subject.partition(":")
    meeting = await services.meetings.by_id(int(raw_meeting)) if raw_meeting.isdigit() else None
    typed = clean_text((update.message.text if update.message else None) or "")
    if meeting is None or not raw_case.isdigit() or not typed:
        await reply(update, services.text(member, "meeting.use_buttons"))
        return
    problem = await services.meetings.note_decision(member, meeting, int(raw_case), typed)
    await services.cases.forget_expected(member)
    await reply(
        update, services.text(member, f"reason.{problem}" if problem else "meeting.note_saved")
    )


async def receive_resolution(update: Update, context: Context, member: Staff, subject: str) -> None:
    """A liaison meeting's resolution, typed as 「事項／權責單位／期限」."""
    services = services_of(context)
    meeting = await services.meetings.by_id(int(subject)) if subject.isdigit() else None
    if meeting is None:
        await services.cases.forget_expected(member)
        return
    typed = clean_text((update.message.text if update.message else None) or "")
    parts = [p.strip() for p in RESOLUTION_SEPARATOR.split(typed)]
    unit = _unit_named(services, parts[1]) if len(parts) >= 2 else None
    due = parse_date(parts[2], taipei_today()) if len(parts) >= 3 else None
    if not parts[0] or unit is None or (len(parts) >= 3 and due is None):
        await reply(update, services.text(member, "meeting.resolution_format"))
        return
    problem = await services.meetings.add_resolution(
        member, meeting, text=parts[0], owner_unit=unit, due=due
    )
    if problem:
        await reply(update, services.text(member, f"reason.{problem}"))
        return
    await next_decision(update, context, member, meeting)


def _unit_named(services: Services, text: str) -> str | None:
    """A unit by its name or a distinctive part of it (中壢分局, 中壢區公所)."""
    found = [u for u in services.jurisdiction.units if text and (text == u.name or text in u.name)]
    return found[0].id if len(found) == 1 else None


# --- sending ------------------------------------------------------------------------------------


@requires(Action.PLAN_MEETING)
async def finish(update: Update, context: Context, member: Staff) -> None:
    """`mf:<meeting>`: what the minutes will say and do, to confirm before they are sent."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    meeting = await meeting_for(update, context, member, (query.data or "")[3:])
    if meeting is None:
        return
    if meeting.minutes_recorded_at is not None:
        await reply(update, services.text(member, "reason.meeting.minutes_done"))
        return
    if meeting.attendance_confirmed_at is None:
        await ask_attendance(update, context, member, meeting)
        return
    if await services.meetings.undecided(member, meeting):
        await reply(update, services.text(member, "reason.meeting.undecided"))
        return
    decisions = await services.meetings.decisions(meeting)
    kinds = Counter(label_key(d.decision, was_tracked=d.was_tracked) for d in decisions)
    starting = sum(1 for d in decisions if starts_tracking(d.decision, was_tracked=d.was_tracked))
    attendance = Counter((await services.meetings.attendance(meeting)).values())
    await reply(
        update,
        services.text(
            member,
            "minutes.confirm",
            title=title(services, member, meeting),
            kinds=kinds,
            starting=starting,
            attendance=attendance,
            resolutions=len(await services.meetings.resolutions(meeting)),
            conference=meeting.series_key == "case_conference",
        ),
        keyboard(
            [
                [(services.text(member, "minutes.send"), f"mg:{meeting.id}")],
                [(services.text(member, "minutes.not_yet"), f"mb:{meeting.id}")],
            ]
        ),
    )


@requires(Action.PLAN_MEETING)
async def send(update: Update, context: Context, member: Staff) -> None:
    """`mg:<meeting>`: the minutes are recorded once, applied, and sent to all invited."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    meeting = await meeting_for(update, context, member, (query.data or "")[3:])
    if meeting is None:
        return
    problem = await services.meetings.record_minutes(member, meeting)
    if problem:
        await reply(update, services.text(member, f"reason.{problem}"))
        return
    await services.cases.forget_expected(member)
    meeting = await services.meetings.by_id(meeting.id) or meeting
    readers = [*await services.meetings.invitees(meeting), *await services.accounts.admins()]
    unique = {p.id: p for p in readers if p.id != member.id}
    for person in unique.values():
        await notify(
            context,
            person,
            services.text(
                person, "meeting.minutes_sent_to_you", title=title(services, person, meeting)
            ),
        )
        await send_minutes(context, person, meeting, person.telegram_user_id)
    await reply(update, services.text(member, "meeting.minutes_recorded", sent=len(unique)))
    if update.effective_chat is not None:
        await send_minutes(context, member, meeting, update.effective_chat.id)


async def send_minutes(
    context: Context, reader: Staff, meeting: MeetingRecord, chat_id: int
) -> None:
    """This reader's copy of the minutes (only the cases their unit is involved in, unless they
    run the meeting), audited, expiring from the chat like other case messages."""
    services = services_of(context)
    data = await minutes_document(services, reader, meeting)
    name = document_name(services, reader, meeting, "minutes")
    try:
        sent = await context.bot.send_document(chat_id, InputFile(io.BytesIO(data), filename=name))
    except TelegramError as error:
        # One unreachable reader does not stop the others.
        log.warning("minutes of meeting %s not sent to %s: %s", meeting.id, reader.id, error)
        return
    await services.accounts.record(
        "meeting.minutes.sent", "allowed", member=reader, subject=f"meeting:{meeting.id}"
    )
    await expiring(context, sent)


@requires(Action.VIEW_MEETINGS)
async def show_minutes(update: Update, context: Context, member: Staff) -> None:
    """`mn:<meeting>`: my copy of the recorded minutes, again."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    meeting = await meeting_for(update, context, member, (query.data or "")[3:])
    if meeting is not None and meeting.minutes_recorded_at is not None and update.effective_chat:
        await send_minutes(context, member, meeting, update.effective_chat.id)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(record, pattern=r"^mm:"))
    application.add_handler(CallbackQueryHandler(press_attendance, pattern=r"^au:"))
    application.add_handler(CallbackQueryHandler(confirm_attendance, pattern=r"^ac:"))
    application.add_handler(CallbackQueryHandler(press_decision, pattern=r"^md:"))
    application.add_handler(CallbackQueryHandler(go_back, pattern=r"^mb:"))
    application.add_handler(CallbackQueryHandler(take_back, pattern=r"^mu:"))
    application.add_handler(CallbackQueryHandler(rest_as_is, pattern=r"^mr:"))
    application.add_handler(CallbackQueryHandler(finish, pattern=r"^mf:"))
    application.add_handler(CallbackQueryHandler(send, pattern=r"^mg:"))
    application.add_handler(CallbackQueryHandler(show_minutes, pattern=r"^mn:"))
