"""Moving or cancelling a meeting not yet held, from its card in `/meetings`: 🕑 改期 asks for
the new date and time (typed as for /newmeeting); ✖ 取消會議 asks once more before calling it
off. The invitees hear of it once, through the nudge outbox (`bot.nudges`): the reminders
queued for the old time are dropped there, not here.
"""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler

from bot.accounts import Staff
from bot.domain import meetings as rules
from bot.domain.permissions import Action
from bot.domain.text import clean_text
from bot.domain.working_days import TAIPEI
from handlers.base import (
    Context,
    answer,
    data_parts,
    keyboard,
    reply,
    requires,
    services_of,
)
from handlers.meetings import title

NEW_TIME = "meeting_new_time"


@requires(Action.PLAN_MEETING)
async def press_change(update: Update, context: Context, member: Staff) -> None:
    """`mx:move|cancel|cancel_yes:<meeting>`."""
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    await answer(query)
    _, step, raw_id = data_parts(query, 3)
    meeting = await services.meetings.by_id(int(raw_id)) if raw_id.isdigit() else None
    if meeting is None or meeting.cancelled:
        await reply(update, services.text(member, "reason.meeting.gone"))
        return
    if not services.meetings.may_change(member, meeting):
        await reply(update, services.text(member, "reason.meeting.not_organiser"))
        return
    if step == "move":
        await services.cases.expect(member, NEW_TIME, str(meeting.id))
        await reply(
            update,
            services.text(member, "meeting.ask_new_time", title=title(services, member, meeting)),
        )
    elif step == "cancel":
        confirm = [
            (services.text(member, "meeting.cancel_yes"), f"mx:cancel_yes:{meeting.id}"),
            (services.text(member, "meeting.cancel_no"), f"mv:{meeting.id}"),
        ]
        await reply(
            update,
            services.text(member, "meeting.cancel_confirm", title=title(services, member, meeting)),
            keyboard([confirm]),
        )
    elif step == "cancel_yes":
        result = await services.meetings.cancel(member, meeting.id)
        if isinstance(result, str):
            await reply(update, services.text(member, f"reason.{result}", at=None))
            return
        await reply(
            update,
            services.text(member, "meeting.cancelled", title=title(services, member, result)),
        )
    else:
        await reply(update, services.text(member, "common.stale_button"))


async def receive_new_time(update: Update, context: Context, member: Staff, subject: str) -> None:
    """The typed new date and time of a meeting being moved."""
    services = services_of(context)
    typed = clean_text((update.message.text if update.message else None) or "")
    parsed = rules.parse_meeting_time(typed, now=datetime.now(TAIPEI))
    if isinstance(parsed, str):
        await reply(update, services.text(member, f"reason.{parsed}"))
        return  # still waiting for a time
    result = (
        await services.meetings.move(member, int(subject), parsed)
        if subject.isdigit()
        else "meeting.gone"
    )
    if isinstance(result, str):
        await reply(update, services.text(member, f"reason.{result}", at=None))
        if result not in (rules.IN_THE_PAST, "meeting.overlaps"):
            await services.cases.forget_expected(member)
        return  # a time in the past or taken: another one may do
    await services.cases.forget_expected(member)
    await reply(
        update, services.text(member, "meeting.moved", title=title(services, member, result))
    )


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(CallbackQueryHandler(press_change, pattern=r"^mx:"))
