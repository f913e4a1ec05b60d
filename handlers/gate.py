"""The door: every update meets it first. Only active staff in a private chat get further.

Strangers get one short polite answer (how to obtain an invite) and nothing else; people who are
registering are led back to their next step; group chats get no case features at all. Every
refusal is written to the audit log.
"""

from __future__ import annotations

import re

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, ApplicationHandlerStop, TypeHandler

from bot.accounts import Staff
from bot.domain.redaction import redact
from bot.domain.roles import StaffStatus
from bot.render import locale_for
from handlers.base import (
    Context,
    answer,
    caller_of,
    delete_quietly,
    reply,
    services_of,
    tell_redacted,
)
from handlers.pastes import part_of_a_long_paste
from handlers.registration import ask_next_step, receive_name

GATE_GROUP = -1
_LONGER_THAN_AN_ID = re.compile(r"[0-9]{19,}")  # a database id is at most 2**63 - 1
STATUS_MESSAGES = {
    StaffStatus.PENDING: "common.pending",
    StaffStatus.REJECTED: "common.rejected",
    StaffStatus.SUSPENDED: "common.suspended",
}


def _is_start_with_code(update: Update) -> bool:
    message = update.message
    return (
        _is_command(update, "start")
        and message is not None
        and len((message.text or "").split()) >= 2
    )


def _is_command(update: Update, name: str | None = None) -> bool:
    message = update.message
    if message is None or not message.text or not message.text.startswith("/"):
        return False
    return name is None or message.text.split()[0].split("@")[0] == f"/{name}"


async def guard(update: Update, context: Context) -> None:
    """Let active staff through; answer everyone else here and stop the update."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or (update.message is None and update.callback_query is None):
        raise ApplicationHandlerStop  # edits, joins and other chatter are not for us
    if chat.type != ChatType.PRIVATE:
        await _refuse_group(update, context)
        raise ApplicationHandlerStop
    if update.callback_query is not None and _LONGER_THAN_AN_ID.search(
        update.callback_query.data or ""
    ):
        # No button of ours carries a number beyond a database id; only forged data does.
        await answer(
            update.callback_query,
            services_of(context).text(locale_for(user.language_code), "common.stale_button"),
        )
        raise ApplicationHandlerStop
    if chat.id != user.id:
        # A private chat is its person's own: a press or message from anyone else (which only a
        # forged update can carry) would have the answer delivered to someone who did not ask.
        await _refuse_foreign_chat(update, context)
        raise ApplicationHandlerStop
    if await _delete_media(update, context):
        raise ApplicationHandlerStop
    if _is_command(update) and await _command_holds_identifier(update, context):
        raise ApplicationHandlerStop  # never looked up, audited or echoed
    member = await caller_of(update, context)
    if member is not None and member.active:
        if await part_of_a_long_paste(update, context, member):
            raise ApplicationHandlerStop
        if _is_command(update) and not _is_command(update, "cancel"):
            # A command changes the subject: an answer the bot was waiting for is dropped, so
            # the next text never lands in the wrong place (e.g. a story taken as a reason).
            await services_of(context).cases.forget_expected(member)
        return
    if member is not None and member.status is StaffStatus.REGISTERING:
        await _route_registration(update, context, member)
        return
    if _is_start_with_code(update) and (
        member is None or member.status in (StaffStatus.REJECTED, StaffStatus.SUSPENDED)
    ):
        return  # a new invite: registration decides
    await _refuse(update, context, member)
    raise ApplicationHandlerStop


async def _delete_media(update: Update, context: Context) -> bool:
    """The bot keeps text only. A photo, file, voice note, video, location or contact may carry a
    family's data (a face, an address, a phone number, a caption): it is deleted and the sender
    told. True when it was."""
    message = update.message
    if message is None or not any(
        (
            message.photo,
            message.document,
            message.voice,
            message.audio,
            message.video,
            message.video_note,
            message.location,
            message.venue,
            message.contact,
        )
    ):
        return False
    await delete_quietly(message)
    await reply(
        update, services_of(context).text(await _locale_of(update, context), "common.media_deleted")
    )
    return True


async def _command_holds_identifier(update: Update, context: Context) -> bool:
    """A command typed with an ID or a phone number after it (`/case B123456780`, `/start
    0912345678`): the message is deleted, the person told, and the command not run."""
    message = update.message
    assert message is not None
    found = redact(message.text or "")
    if not found.removed:
        return False
    await delete_quietly(message)
    locale = await _locale_of(update, context)
    await tell_redacted(update, context, locale, found.removed, "common.argument_redacted")
    return True


async def _locale_of(update: Update, context: Context) -> str:
    """The language of whoever sent the update: theirs if they are staff, else their app's."""
    user = update.effective_user
    assert user is not None
    member = await caller_of(update, context)
    return member.locale if member else locale_for(user.language_code)


async def _route_registration(update: Update, context: Context, member: Staff) -> None:
    """Someone registering: /start and registration buttons go on; any other message is the
    answer to the current question; other commands and buttons wait until registration is done."""
    query = update.callback_query
    if _is_command(update, "start") or (query and (query.data or "").startswith("reg:")):
        return
    if update.message is not None and not _is_command(update):
        await receive_name(update, context)
    else:
        await _finish_first(update, context, member)
    raise ApplicationHandlerStop


async def _refuse(update: Update, context: Context, member: Staff | None) -> None:
    services = services_of(context)
    user = update.effective_user
    assert user is not None
    key = STATUS_MESSAGES.get(member.status, "common.not_registered") if member else None
    locale = member.locale if member else locale_for(user.language_code)
    await services.accounts.record(
        "access.denied",
        "denied",
        member=member,
        telegram_user_id=user.id,
        detail={"status": member.status.value if member else "unregistered"},
    )
    text = services.text(locale, key or "common.not_registered")
    if update.callback_query is not None:
        await answer(update.callback_query, text, alert=True)
    else:
        await reply(update, text)


async def _finish_first(update: Update, context: Context, member: Staff) -> None:
    services = services_of(context)
    if update.callback_query is not None:
        await answer(update.callback_query, services.text(member, "registration.finish_first"))
        return
    await reply(update, services.text(member, "registration.finish_first"))
    await ask_next_step(update, context, member)


async def _refuse_group(update: Update, context: Context) -> None:
    """In a group: no case features. Answer commands and button presses once, ignore chatter."""
    services = services_of(context)
    user = update.effective_user
    assert user is not None
    locale = locale_for(user.language_code)
    query = update.callback_query
    if query is None and not _is_command(update):
        return
    await services.accounts.record(
        "access.denied",
        "denied",
        telegram_user_id=user.id,
        detail={"reason": "group_chat"},
    )
    if query is not None:
        await answer(query, services.text(locale, "common.private_only"), alert=True)
    else:
        await reply(update, services.text(locale, "common.private_only"))


async def _refuse_foreign_chat(update: Update, context: Context) -> None:
    services = services_of(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None
    assert chat is not None
    await services.accounts.record(
        "access.denied",
        "denied",
        telegram_user_id=user.id,
        detail={"reason": "not_own_chat", "chat_id": chat.id},
    )
    if update.callback_query is not None:
        locale = locale_for(user.language_code)
        await answer(update.callback_query, services.text(locale, "common.stale_button"))


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(TypeHandler(Update, guard), group=GATE_GROUP)
