"""Messages that are answers: a text the bot asked for (a return reason, a case note, a tracking
reason, a monthly report), or the referral draft in progress.

Anything else a member of staff sends gets a short pointer to /help.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from bot.accounts import Staff
from handlers import meeting_changes, meetings, minutes, referral, referral_decisions, updates
from handlers.base import Context, caller_of, cut_from_chat, reply, services_of

AnswerHandler = Callable[[Update, Context, Staff, str], Coroutine[Any, Any, None]]
# Each answer the bot may be waiting for, and who takes it (every one is in inputs.py).
ANSWERS: dict[str, AnswerHandler] = {
    referral_decisions.RETURN_REASON: referral_decisions.receive_reason_for,
    updates.ENTRY_DATE: updates.receive_entry_date,
    updates.ENTRY_NOTE: updates.receive_note,
    updates.CORRECTION_NOTE: updates.receive_correction,
    meetings.DRAFT: meetings.receive_draft_text,
    meeting_changes.NEW_TIME: meeting_changes.receive_new_time,
    minutes.RESOLUTION: minutes.receive_resolution,
    minutes.DECISION_NOTE: minutes.receive_decision_note,
    updates.TRACK_REASON: updates.receive_tracking_reason,
    updates.REPORT_TEXT: updates.receive_report_text,
}
# Answers whose handler deletes a message holding an identifier and says so itself.
TELLS_ITSELF = frozenset({updates.ENTRY_NOTE, updates.CORRECTION_NOTE})


async def receive(update: Update, context: Context) -> None:
    services = services_of(context)
    member = await caller_of(update, context)
    if member is None or not member.active:
        return
    expected = await services.cases.pending_answers(member)
    message = update.message
    if expected is not None and message is not None and message.text:
        kind, subject, _ = expected
        if kind in ANSWERS:
            await ANSWERS[kind](update, context, member, subject)
            if kind not in TELLS_ITSELF:
                await cut_from_chat(update, context, member)
            return
    opened = await services.referrals.open_draft(member)
    if opened is not None:
        await referral.receive_text(update, context, member, opened)
        return
    if not await cut_from_chat(update, context, member, recorded=False):
        await reply(update, services.text(member, "common.not_understood"))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND, receive))
