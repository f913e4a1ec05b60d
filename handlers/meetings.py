"""Meetings in chat: `/newmeeting` (series → district → date and time → place → video link →
chair → units → confirm), invitations answered 出席 / 請假 / 指派代理, `/meetings`, the agenda as
a summary and a DOCX. The minutes are handlers/minutes.py.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime

from telegram import InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.accounts import Staff
from bot.cases import taipei_today
from bot.domain import meetings as rules
from bot.domain.permissions import Action
from bot.domain.redaction import redact
from bot.domain.text import clean_text
from bot.domain.working_days import TAIPEI
from bot.meetings import Agenda, Answer, MeetingPlan
from bot.services import Services
from handlers.base import (
    Button,
    Context,
    answer,
    data_parts,
    expiring,
    in_rows,
    keyboard,
    notify,
    reply,
    requires,
    services_of,
)
from handlers.meeting_documents import agenda_document, document_name
from storage.records import MeetingRecord

log = logging.getLogger(__name__)
DRAFT = "meeting_draft"
STEPS = ("series", "district", "time", "place", "link", "chair", "units", "confirm")


# --- /newmeeting --------------------------------------------------------------------------------


@requires(Action.PLAN_MEETING)
async def new_meeting(update: Update, context: Context, member: Staff) -> None:
    services = services_of(context)
    choices = services.meetings.series_for(member)
    if not choices:
        await reply(update, services.text(member, "meeting.cannot_plan"))
        return
    await services.cases.expect(member, DRAFT, "series", {})
    if len(choices) == 1:
        await advance(update, context, member, {"series": choices[0].key})
        return
    buttons = [(s.name, f"nm:series:{s.key}") for s in choices]
    await reply(update, services.text(member, "meeting.ask_series"), keyboard(in_rows(buttons, 1)))


async def advance(update: Update, context: Context, member: Staff, draft: dict[str, str]) -> None:
    """Save the draft and ask for the first thing still missing."""
    services = services_of(context)
    series = services.meetings.series(draft.get("series", ""))
    if series is None:
        await services.cases.forget_expected(member)
        await reply(update, services.text(member, "common.stale_button"))
        return
    districts = services.meetings.districts_for(member, series)
    if "district" not in draft and len(districts) == 1:
        draft["district"] = districts[0]
    if "district" not in draft and series.scope == "city":
        draft["district"] = ""
    step = next(s for s in STEPS if s not in draft)
    await services.cases.expect(member, DRAFT, step, draft)
    await ask(update, context, member, step, draft)


async def ask(
    update: Update, context: Context, member: Staff, step: str, draft: dict[str, str]
) -> None:
    services = services_of(context)
    series = services.meetings.series(draft["series"])
    assert series is not None
    if step == "units":
        await ask_units(update, context, member, draft)
        return
    if step == "confirm":
        await show_summary(update, context, member, draft)
        return
    text = services.text(member, f"meeting.ask_{step}", series=series.name)
    buttons: list[Button] = []
    if step == "district":
        buttons = [
            (name, f"nm:district:{name}")
            for name in services.meetings.districts_for(member, series)
        ]
    elif step == "time":
        now = datetime.now(TAIPEI)
        buttons = [
            (
                f"{t.month}/{t.day}（{_weekday(services, member, t)}）14:00",
                f"nm:time:{t:%Y%m%d%H%M}",
            )
            for t in await services.meetings.suggested_times(
                series, now, draft.get("district") or None
            )
        ]
    elif step == "link":
        buttons = [(services.text(member, "meeting.no_link"), "nm:link:-")]
    elif step == "chair":
        me = f"{member.unit_name} {member.display_name}"
        buttons = [(me, "nm:chair:me")]
    await reply(update, text, keyboard(in_rows(buttons, 2)) if buttons else None)


def _weekday(services: Services, member: Staff, moment: datetime) -> str:
    return services.text(member, f"meeting.weekday_{moment.weekday()}")


def _units(draft: dict[str, str]) -> list[str]:
    return [u for u in draft.get("units_picked", "").split(",") if u]


async def ask_units(update: Update, context: Context, member: Staff, draft: dict[str, str]) -> None:
    services = services_of(context)
    series = services.meetings.series(draft["series"])
    assert series is not None
    district = draft.get("district") or None
    if "units_picked" not in draft:
        draft["units_picked"] = ",".join(
            u.id for u in services.meetings.default_units(series, district)
        )
        await services.cases.expect(member, DRAFT, "units", draft)
    picked = set(_units(draft))
    own = member.unit.id if member.unit else None
    shown = [u for u in services.meetings.choosable_units(district) if u.id != own]
    buttons = [(("✅ " if u.id in picked else "▫️ ") + u.name, f"nm:unit:{u.id}") for u in shown]
    rows = in_rows(buttons, 2)
    rows.append([(services.text(member, "meeting.units_done"), "nm:units:done")])
    await reply(
        update,
        services.text(
            member,
            "meeting.ask_units",
            count=sum(1 for u in shown if u.id in picked),  # the ticks on the buttons
            own=own in picked,
        ),
        keyboard(rows),
    )


async def show_summary(
    update: Update, context: Context, member: Staff, draft: dict[str, str]
) -> None:
    services = services_of(context)
    plan = _plan(draft)
    series = services.meetings.series(plan.series_key)
    assert series is not None
    _, outside = await services.meetings.window_of(series, plan.district, plan.starts_at)
    await reply(
        update,
        services.text(
            member,
            "meeting.summary",
            series=series.name,
            district=plan.district,
            starts_at=plan.starts_at,
            place=plan.place,
            link=plan.video_link,
            chair=plan.chair,
            units=services.joined(member, _unit_names(services, plan.unit_ids)),
            outside=outside,
            unusual=rules.unusual_hour(plan.starts_at),
        ),
        keyboard(
            [
                [
                    (services.text(member, "meeting.create"), "nm:confirm:yes"),
                    (services.text(member, "meeting.discard"), "nm:confirm:no"),
                ]
            ]
        ),
    )


def _unit_names(services: Services, unit_ids: tuple[str, ...] | list[str]) -> list[str]:
    return [(u.name if (u := services.jurisdiction.unit(i)) else i) for i in unit_ids]


def _plan(draft: dict[str, str]) -> MeetingPlan:
    return MeetingPlan(
        series_key=draft["series"],
        district=draft.get("district") or None,
        starts_at=datetime.fromisoformat(draft["time"]),
        place=draft["place"],
        video_link=draft["link"] or None,
        chair=draft["chair"],
        unit_ids=tuple(_units(draft)),
    )


@requires(Action.PLAN_MEETING)
async def press_new(update: Update, context: Context, member: Staff) -> None:
    """`nm:<step>:<value>` — a button of the /newmeeting draft."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    _, step, value = data_parts(query, 3)
    pending = await services.cases.pending_answers(member)
    if pending is None or pending[0] != DRAFT:
        await reply(update, services.text(member, "meeting.draft_gone"))
        return
    draft = pending[2]
    if step == "series" and services.meetings.series(value) is not None:
        draft = {"series": value}
    elif step == "district":
        series = services.meetings.series(draft.get("series", ""))
        if series is None or value not in services.meetings.districts_for(member, series):
            await reply(update, services.text(member, "common.stale_button"))
            return
        draft["district"] = value
    elif step == "time" and value.isdigit():
        moment = datetime.strptime(value, "%Y%m%d%H%M").replace(tzinfo=TAIPEI)
        if not await accept_time(update, context, member, draft, moment):
            return
    elif step == "link":
        draft["link"] = ""
    elif step == "chair":
        draft["chair"] = f"{member.unit_name} {member.display_name}"
    elif step == "unit":
        picked = _units(draft)
        picked = [u for u in picked if u != value] if value in picked else [*picked, value]
        draft["units_picked"] = ",".join(p for p in picked if services.jurisdiction.unit(p))
        await services.cases.expect(member, DRAFT, "units", draft)
        await ask_units(update, context, member, draft)
        return
    elif step == "units":
        if not _units(draft):
            await reply(update, services.text(member, "meeting.no_units"))
            return
        draft["units"] = "done"
    elif step == "confirm":
        await confirm(update, context, member, draft, create=value == "yes")
        return
    await advance(update, context, member, draft)


async def accept_time(
    update: Update, context: Context, member: Staff, draft: dict[str, str], moment: datetime
) -> bool:
    """A time is taken unless it clashes with another meeting of the series and district."""
    services = services_of(context)
    if moment <= datetime.now(TAIPEI):
        await reply(update, services.text(member, f"reason.{rules.IN_THE_PAST}"))
        return False
    probe = MeetingPlan(
        series_key=draft["series"],
        district=draft.get("district") or None,
        starts_at=moment,
        place="",
        video_link=None,
        chair="",
        unit_ids=(),
    )
    clash = await services.meetings.clash(probe)
    if clash is not None:
        await reply(update, services.text(member, "reason.meeting.overlaps", at=clash.starts_at))
        return False
    draft["time"] = moment.isoformat()
    return True


async def receive_draft_text(update: Update, context: Context, member: Staff, subject: str) -> None:
    """Typed answers of /newmeeting: the date and time, the place, the video link, the chair."""
    services = services_of(context)
    pending = await services.cases.pending_answers(member)
    if pending is None:
        return
    draft = pending[2]
    typed = clean_text((update.message.text if update.message else None) or "")
    if subject == "time":
        parsed = rules.parse_meeting_time(typed, now=datetime.now(TAIPEI))
        if isinstance(parsed, str):
            await reply(update, services.text(member, f"reason.{parsed}"))
            return
        if not await accept_time(update, context, member, draft, parsed):
            return
    elif subject == "link":
        problem = rules.check_video_link(typed)
        if problem:
            await reply(update, services.text(member, f"reason.{problem}"))
            return
        draft["link"] = typed
    elif subject in ("place", "chair"):
        if not typed or len(typed) > 100:
            await reply(update, services.text(member, "meeting.text_length", limit=100))
            return
        draft[subject] = redact(typed).text  # shown in the summary and every invitation
    else:
        await reply(update, services.text(member, "meeting.use_buttons"))
        return
    await advance(update, context, member, draft)


async def confirm(
    update: Update, context: Context, member: Staff, draft: dict[str, str], *, create: bool
) -> None:
    services = services_of(context)
    if create and any(key not in draft for key in ("series", "time", "place", "link", "chair")):
        # An old 建立 button pressed during another draft: that draft is not finished.
        await reply(update, services.text(member, "meeting.use_buttons"))
        return
    await services.cases.forget_expected(member)
    if not create:
        await reply(update, services.text(member, "meeting.discarded"))
        return
    result = await services.meetings.create(member, _plan(draft))
    if isinstance(result, str):
        await reply(update, services.text(member, f"reason.{result}", at=None))
        return
    meeting = result.meeting
    invitees = await services.meetings.invitees(meeting)
    for person in invitees:
        await notify(
            context,
            person,
            meeting_text(services, person, meeting, "meeting.invitation"),
            keyboard([answer_buttons(services, person, meeting)]),
        )
    await reply(
        update,
        services.text(
            member,
            "meeting.created",
            title=title(services, member, meeting),
            invited=len(invitees),
            outside=result.outside_window,
        ),
    )


# --- invitations, /meetings ---------------------------------------------------------------------


def title(services: Services, reader: Staff, meeting: MeetingRecord) -> str:
    series = services.meetings.series(meeting.series_key)
    return services.text(
        reader,
        "meeting.title",
        district=meeting.district,
        series=series.name if series else meeting.series_key,
        starts_at=meeting.starts_at,
    )


def meeting_text(services: Services, reader: Staff, meeting: MeetingRecord, key: str) -> str:
    return services.text(
        reader,
        key,
        title=title(services, reader, meeting),
        place=meeting.place,
        link=meeting.video_link,
        chair=meeting.chair,
        cutoff=meeting.referral_cutoff,
        cutoff_passed=meeting.referral_cutoff is not None
        and meeting.referral_cutoff < taipei_today(),
    )


def answer_buttons(services: Services, reader: Staff, meeting: MeetingRecord) -> list[Button]:
    return [
        (services.text(reader, "meeting.attend"), f"mt:{meeting.id}:attend"),
        (services.text(reader, "meeting.absent"), f"mt:{meeting.id}:absent"),
        (services.text(reader, "meeting.delegate"), f"mt:{meeting.id}:delegate"),
    ]


@requires(Action.VIEW_MEETINGS)
async def press_answer(update: Update, context: Context, member: Staff) -> None:
    """`mt:<meeting>:<attend|absent|delegate>`, and `mt:<meeting>:to:<colleague>`."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    _, raw_id, value, *rest = [*(query.data or "").split(":"), ""]
    if not raw_id.isdigit():
        await reply(update, services.text(member, "common.stale_button"))
        return
    meeting = await services.meetings.by_id(int(raw_id))
    if meeting is None:
        await reply(update, services.text(member, "reason.meeting.gone"))
        return
    if value == "delegate":
        colleagues = await services.accounts.colleagues_of(member)
        if not colleagues:
            await reply(update, services.text(member, "meeting.no_colleagues"))
            return
        buttons = [(c.display_name or "—", f"mt:{meeting.id}:to:{c.id}") for c in colleagues]
        await reply(
            update, services.text(member, "meeting.pick_delegate"), keyboard(in_rows(buttons, 2))
        )
        return
    delegate = None
    if value == "to" and rest and rest[0].isdigit():
        delegate = await services.accounts.by_id(int(rest[0]))
        value = Answer.DELEGATED
    if value not in Answer.ALL:
        await reply(update, services.text(member, "common.stale_button"))
        return
    result = await services.meetings.answer(member, meeting.id, value, delegate)
    if isinstance(result, str):
        await reply(update, services.text(member, f"reason.{result}"))
        return
    await reply(
        update,
        services.text(
            member,
            f"meeting.answered_{value}",
            title=title(services, member, meeting),
            delegate=delegate.display_name if delegate else None,
        ),
    )
    if delegate is not None:
        await notify(
            context,
            delegate,
            meeting_text(services, delegate, meeting, "meeting.delegated_to_you")
            + "\n"
            + services.text(delegate, "meeting.delegated_by", by=member.display_name),
            keyboard([answer_buttons(services, delegate, meeting)[:2]]),
        )


@requires(Action.VIEW_MEETINGS)
async def my_meetings(update: Update, context: Context, member: Staff) -> None:
    services = services_of(context)
    found = await services.meetings.upcoming_for(member)
    resolutions = await services.meetings.open_resolutions_for(member)
    if not found and not resolutions:
        await reply(update, services.text(member, "meeting.none"))
        return
    now = datetime.now(TAIPEI)
    buttons = [
        (
            services.text(
                member,
                "meeting.list_line",
                title=title(services, member, m),
                past=m.starts_at <= now,
                recorded=m.minutes_recorded_at is not None,
            ),
            f"mv:{m.id}",
        )
        for m in found[-10:]
    ]
    if resolutions:
        buttons.append(
            (services.text(member, "meeting.resolutions", count=len(resolutions)), "rl:")
        )
    await reply(update, services.text(member, "meeting.list"), keyboard(in_rows(buttons, 1)))


@requires(Action.VIEW_MEETINGS)
async def show_resolutions(update: Update, context: Context, member: Staff) -> None:
    """`rl:` lists the open resolutions I may close; `rs:<id>` marks one done."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    data = query.data or ""
    if data.startswith("rs:"):
        raw_id = data[3:]
        problem = (
            await services.meetings.resolve(member, int(raw_id))
            if raw_id.isdigit()
            else "meeting.not_yours"
        )
        await reply(
            update, services.text(member, f"reason.{problem}" if problem else "meeting.resolved")
        )
        return
    found = await services.meetings.open_resolutions_for(member)
    if not found:
        await reply(update, services.text(member, "meeting.no_resolutions"))
        return
    lines = [services.text(member, "meeting.resolutions_title")]
    buttons = []
    for resolution, text in found:
        owner = services.jurisdiction.unit(resolution.owner_unit_id)
        lines.append(
            services.text(
                member,
                "meeting.resolution_line",
                text=text,
                owner=owner.name if owner else resolution.owner_unit_id,
                due=resolution.due,
                state=services.text(member, "meeting.resolution_open"),
            )
        )
        buttons.append(
            (services.text(member, "meeting.resolve", text=text[:20]), f"rs:{resolution.id}")
        )
    await reply(update, "\n".join(lines), keyboard(in_rows(buttons, 1)))


@requires(Action.VIEW_MEETINGS)
async def show_meeting(update: Update, context: Context, member: Staff) -> None:
    """`mv:<meeting>`: the meeting, who answered (for those running it), what can be done."""
    query = update.callback_query
    assert query is not None
    await answer(query)
    meeting = await meeting_for(update, context, member, (query.data or "")[3:])
    if meeting is not None:
        await send_meeting(update, context, member, meeting)


async def send_meeting(
    update: Update, context: Context, member: Staff, meeting: MeetingRecord
) -> None:
    """The meeting's card: answers for those running it, answer buttons for invitees."""
    services = services_of(context)
    lines = [meeting_text(services, member, meeting, "meeting.card")]
    rows: list[list[Button]] = [[(services.text(member, "meeting.agenda"), f"ma:{meeting.id}")]]
    if meeting.minutes_recorded_at is not None:
        rows[0].append((services.text(member, "meeting.minutes"), f"mn:{meeting.id}"))
    runs = services.meetings.runs(member, meeting)
    if runs:
        lines.append(await answers_text(services, member, meeting))
        if meeting.minutes_recorded_at is None and meeting.starts_at <= datetime.now(TAIPEI):
            rows.append([(services.text(member, "meeting.record"), f"mm:{meeting.id}")])
    elif meeting.starts_at > datetime.now(TAIPEI):
        rows.append(answer_buttons(services, member, meeting))
    changes = change_buttons(services, member, meeting)
    if changes:
        rows.append(changes)
    await reply(update, "\n\n".join(lines), keyboard(rows))


def change_buttons(services: Services, reader: Staff, meeting: MeetingRecord) -> list[Button]:
    """改期 and 取消會議 (handlers/meeting_changes.py), to those who may, before it starts."""
    if meeting.cancelled or meeting.starts_at <= datetime.now(TAIPEI):
        return []
    if not services.meetings.may_change(reader, meeting):
        return []
    return [
        (services.text(reader, "meeting.move"), f"mx:move:{meeting.id}"),
        (services.text(reader, "meeting.cancel"), f"mx:cancel:{meeting.id}"),
    ]


async def answers_text(services: Services, reader: Staff, meeting: MeetingRecord) -> str:
    answers = await services.meetings.answers(meeting)
    invitees = await services.meetings.invitees(meeting)
    by_id = {a.staff_id: a for a in answers}
    names = {p.id: p.display_name or "—" for p in invitees}
    # Whom each delegate stands in for: the delegate is the one who will attend.
    stands_in_for = {
        a.delegate_id: a.staff_id for a in answers if a.answer == Answer.DELEGATED and a.delegate_id
    }
    groups: dict[str, list[str]] = {v: [] for v in (*Answer.ALL, "none")}
    for person in invitees:
        found = by_id.get(person.id)
        label = f"{person.unit_name} {names[person.id]}"
        if found and found.answer == Answer.DELEGATED and found.delegate_id:
            delegate = names.get(found.delegate_id, "—")
            label = services.text(reader, "meeting.delegated_to", label=label, name=delegate)
            groups[Answer.DELEGATED].append(label)
        elif found:
            groups[found.answer].append(label)
        elif person.id in stands_in_for:
            stood_for = names[stands_in_for[person.id]]
            label = services.text(reader, "meeting.standing_in_for", label=label, name=stood_for)
            groups[Answer.ATTEND].append(label)
        else:
            groups["none"].append(label)
    return services.text(reader, "meeting.answers", groups=groups)


async def meeting_for(
    update: Update, context: Context, member: Staff, raw_id: str
) -> MeetingRecord | None:
    """The meeting behind a button, if this person runs it or is invited (else told)."""
    services = services_of(context)
    meeting = await services.meetings.by_id(int(raw_id)) if raw_id.isdigit() else None
    if meeting is None or not (
        services.meetings.runs(member, meeting)
        or await services.meetings.is_invited(member, meeting)
    ):
        await reply(update, services.text(member, "reason.meeting.gone"))
        return None
    return meeting


# --- the agenda ---------------------------------------------------------------------------------


@requires(Action.VIEW_MEETINGS)
async def show_agenda(update: Update, context: Context, member: Staff) -> None:
    """`ma:<meeting>`: a short summary in chat and the agenda as a DOCX."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    meeting = await meeting_for(update, context, member, (query.data or "")[3:])
    if meeting is None:
        return
    agenda = await services.meetings.agenda(member, meeting)
    await reply(update, agenda_summary(services, member, agenda))
    data = await agenda_document(services, member, agenda)
    if update.effective_chat is not None:
        # Like every message naming cases, the agenda expires from the chat; it can always be
        # asked for again, built from the data of that moment.
        sent = await update.effective_chat.send_document(
            InputFile(io.BytesIO(data), filename=document_name(services, member, meeting, "agenda"))
        )
        await expiring(context, sent)


def agenda_summary(services: Services, reader: Staff, agenda: Agenda) -> str:
    return services.text(
        reader,
        "meeting.agenda_summary",
        title=title(services, reader, agenda.meeting),
        tracked=len(agenda.tracked),
        overdue=sum(1 for i in agenda.tracked if i.status == "overdue"),
        new=len(agenda.new_referrals),
        newly=len(agenda.newly_tracked),
        reports={k: len(v) for k, v in agenda.reports.items()},
        resolutions=len(agenda.resolutions),
        hidden=agenda.hidden,
        conference=agenda.meeting.series_key == "case_conference",
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CommandHandler("newmeeting", new_meeting))
    application.add_handler(CommandHandler("meetings", my_meetings))
    application.add_handler(CallbackQueryHandler(press_new, pattern=r"^nm:"))
    application.add_handler(CallbackQueryHandler(press_answer, pattern=r"^mt:"))
    application.add_handler(CallbackQueryHandler(show_meeting, pattern=r"^mv:"))
    application.add_handler(CallbackQueryHandler(show_agenda, pattern=r"^ma:"))
    application.add_handler(CallbackQueryHandler(show_resolutions, pattern=r"^r[ls]:"))
