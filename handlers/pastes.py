"""A long paste that Telegram split: the apps send a text over 4,096 characters as several
messages, a few hundred milliseconds apart. The first part is over every limit the bot has (the
longest, a description, is 1,000 characters) and is refused by the handler it reaches; the parts
that follow belong to it and are refused with it — never saved as if they were the whole. Every
part but the last is full-size, so the first shorter part ends the paste.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from telegram import Update

from bot.accounts import Staff
from bot.domain.redaction import redact
from handlers.base import Context, delete_quietly, reply, services_of

TELEGRAM_SPLITS_AT = 4096
FIRST_PART_AT_LEAST = 4000  # the apps cut on a space or line near the limit
PARTS_WITHIN_SECONDS = 3.0


@dataclass
class Paste:
    last_part_at: float  # time.monotonic() of the latest part
    length: int  # characters of all the parts so far


def _pastes(context: Context) -> dict[int, Paste]:
    found = context.bot_data.setdefault("pastes", {})
    assert isinstance(found, dict)
    return found


async def part_of_a_long_paste(update: Update, context: Context, member: Staff) -> bool:
    """Note the first part of a split paste (and let its handler refuse it); take a part that
    follows it — told the whole length, nothing saved — and say True."""
    message = update.message
    if message is None or not message.text or message.text.startswith("/"):
        return False
    now = time.monotonic()
    pastes = _pastes(context)
    paste = pastes.get(member.telegram_user_id)
    if paste is not None and now - paste.last_part_at <= PARTS_WITHIN_SECONDS:
        paste.last_part_at = now
        paste.length += len(message.text)
        if len(message.text) < FIRST_PART_AT_LEAST:
            del pastes[member.telegram_user_id]  # a part shorter than full is the last one
        await _refuse_the_rest(update, context, member, paste)
        return True
    if len(message.text) >= FIRST_PART_AT_LEAST:
        pastes[member.telegram_user_id] = Paste(now, len(message.text))
    else:
        pastes.pop(member.telegram_user_id, None)
    return False


async def _refuse_the_rest(update: Update, context: Context, member: Staff, paste: Paste) -> None:
    services = services_of(context)
    message = update.message
    assert message is not None
    text = message.text or ""
    if redact(text).removed:
        await delete_quietly(message)
    if await services.referrals.open_draft(member) is not None:
        # Safety first, even in a part that is not kept.
        found = services.referrals.recognise(text)
        if found.mandatory_report:
            await reply(update, services.text(member, "referral.safety_gate", channel=None))
    await reply(update, services.text(member, "common.paste_too_long", length=paste.length))
