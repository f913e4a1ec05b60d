"""What every handler shares: the services, the caller, replies, keyboards and the permission check.

Handlers never decide permissions themselves: `requires(action)` asks the permission table.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.accounts import Staff
from bot.domain.permissions import Action, CaseView, commands_for, may
from bot.domain.redaction import RedactionKind, redact
from bot.services import Services
from storage.records import ReferralRecord

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
StaffHandler = Callable[[Update, Context, Staff], Coroutine[Any, Any, None]]
Button = tuple[str, str]  # (label, callback data)


def services_of(context: Context) -> Services:
    found = context.bot_data.get("services")
    if not isinstance(found, Services):
        raise RuntimeError("the application was not built by bot.app.build_application")
    return found


async def caller_of(update: Update, context: Context) -> Staff | None:
    user = update.effective_user
    if user is None:
        return None
    return await services_of(context).accounts.by_telegram_id(user.id)


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def data_parts(query: CallbackQuery, count: int) -> list[str]:
    """A button's callback data split on ":" into exactly `count` parts (missing ones empty),
    the last keeping any further colons."""
    parts = (query.data or "").split(":", count - 1)
    return parts + [""] * (count - len(parts))


CODE_MAX = 32  # characters of a typed case code looked at (TY-115-00042 has 12)


def split_data(query: CallbackQuery, at_least: int) -> list[str]:
    """A button's callback data split on ":", padded with empty parts to at least `at_least`
    (so forged, short data unpacks and is then refused as stale, never raises)."""
    parts = (query.data or "").split(":")
    return parts + [""] * (at_least - len(parts))


LABEL_TEXT = 24  # characters of typed text shown on a button or a duty line


def shortened(text: str, limit: int) -> str:
    """At most `limit` characters, an ellipsis marking a cut (timeline lines, button labels)."""
    return text if len(text) <= limit else f"{text[:limit]}…"


def in_rows(buttons: Sequence[Button], per_row: int) -> list[list[Button]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


async def reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer in the chat the update came from."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, reply_markup=markup)


async def expiring(context: Context, message: Message | None) -> None:
    """Case content in chat does not stay: schedule the message's deletion (a card, a form's
    summary, a note as typed)."""
    if message is None:
        return
    services = services_of(context)
    await services.referrals.expire_later(
        message.chat_id, message.message_id, services.settings.case_message_ttl
    )


async def reply_expiring(
    update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Answer with case content: in the chat the update came from, deleted after a while."""
    sent = await reply(update, text, markup)
    await expiring(context, sent)
    return sent


async def delete_quietly(message: Message) -> None:
    """Delete a message (e.g. one that held an identifier); bots may, in private chats."""
    try:
        await message.delete()
    except TelegramError:
        return


async def tell_redacted(
    update: Update,
    context: Context,
    who: Staff | str,
    removed: Sequence[RedactionKind],
    key: str,
) -> None:
    """Say which kinds of identifier were taken out of what the person (a member of staff, or
    someone not yet one, by locale) typed."""
    services = services_of(context)
    kinds = services.joined(
        who, (services.text(who, f"redaction.{removed_kind.value}") for removed_kind in removed)
    )
    await reply(update, services.text(who, key, kinds=kinds))


def typed_after_command(context: Context, limit: int) -> str:
    """What was typed after a command (`/case …`, `/search …`), at most `limit` characters. One
    holding an identifier never gets here: the gate deletes it and runs nothing."""
    return " ".join(context.args or []).strip()[:limit]


async def cut_from_chat(
    update: Update, context: Context, member: Staff, *, recorded: bool = True
) -> bool:
    """A message typed with an identifier in it is deleted and the person told — that the answer
    was recorded with it cut, or (`recorded=False`) that nothing was. True when it was."""
    message = update.message
    found = redact(message.text or "") if message is not None else None
    if message is None or found is None or not found.removed:
        return False
    await delete_quietly(message)
    key = "common.answer_redacted" if recorded else "common.message_redacted"
    await tell_redacted(update, context, member, found.removed, key)
    return True


async def answer(query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
    """Acknowledge a button press (Telegram shows a spinner until this is done)."""
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError:
        # An old query can no longer be answered; the press itself was still handled.
        return


def requires(action: Action) -> Callable[[StaffHandler], Handler]:
    """Run the handler only for an active member of staff whose role may perform `action`."""

    def decorate(handler: StaffHandler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: Context) -> None:
            services = services_of(context)
            member = await caller_of(update, context)
            if member is None or not member.active:
                return  # the gate has already answered people who are not active staff
            if not may(member.role, action):
                await services.accounts.record(f"command.{action.value}", "denied", member=member)
                text = services.text(
                    member, "common.not_allowed", role=services.role_name(member, member.role)
                )
                if update.callback_query is not None:
                    await answer(update.callback_query, text, alert=True)
                else:
                    await reply(update, text)
                return
            await handler(update, context, member)

        return guarded

    return decorate


async def show_commands(context: Context, member: Staff) -> None:
    """Telegram's command menu for this person: only what their role may use, in their language."""
    services = services_of(context)
    commands = [
        BotCommand(command.name, services.text(member, f"command.{command.name}"))
        for command in commands_for(member.role)
    ]
    try:
        await context.bot.set_my_commands(
            commands, scope=BotCommandScopeChat(member.telegram_user_id)
        )
    except TelegramError:
        # The menu is a convenience; /help always lists the same commands.
        return


async def notify(
    context: Context, member: Staff, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """A message to a member of staff outside the current conversation; a failed delivery is
    logged (without content) and does not fail what caused it."""
    try:
        return await context.bot.send_message(member.telegram_user_id, text, reply_markup=markup)
    except TelegramError as error:
        log.warning("notice to staff %s not delivered: %s", member.id, error)
        return None


async def readable_case(
    update: Update, context: Context, member: Staff, raw_id: str
) -> ReferralRecord | None:
    """The case behind a button, if this person may read it; else they are told the button is
    stale (the same answer whether it does not exist or is not theirs)."""
    services = services_of(context)
    referral = await services.referrals.by_id(int(raw_id)) if raw_id.isdigit() else None
    if referral is None or await services.referrals.view_of(member, referral) in (
        CaseView.NONE,
        CaseView.STATUS,
    ):
        await reply(update, services.text(member, "common.stale_button"))
        return None
    return referral
