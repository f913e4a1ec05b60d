"""Messages that are answers: a text the bot asked for (a return reason, a case note, a tracking
reason, a monthly report), or the referral draft in progress.

Anything else a member of staff sends gets a short pointer to /help.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, MessageHandler, filters

from handlers import meeting_changes, meetings, referral, referral_decisions, updates
from handlers.base import Context, caller_of, reply, services_of


async def receive(update: Update, context: Context) -> None:
    services = services_of(context)
    member = await caller_of(update, context)
    if member is None or not member.active:
        return
    expected = await services.cases.pending_answers(member)
    message = update.message
    if expected is not None and message is not None and message.text:
        kind, subject, _ = expected
        answers = {
            referral_decisions.RETURN_REASON: referral_decisions.receive_reason_for,
            updates.ENTRY_NOTE: updates.receive_note,
            updates.CORRECTION_NOTE: updates.receive_correction,
            meetings.DRAFT: meetings.receive_draft_text,
            meeting_changes.NEW_TIME: meeting_changes.receive_new_time,
            meetings.RESOLUTION: meetings.receive_resolution,
            meetings.DECISION_NOTE: meetings.receive_decision_note,
            updates.TRACK_REASON: updates.receive_tracking_reason,
            updates.REPORT_TEXT: updates.receive_report_text,
        }
        if kind in answers:
            await answers[kind](update, context, member, subject)
            return
    opened = await services.referrals.open_draft(member)
    if opened is not None:
        await referral.receive_text(update, context, member, opened)
        return
    await reply(update, services.text(member, "common.not_understood"))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & ~filters.COMMAND, receive))
