"""What nobody else handled: unknown commands and buttons that no longer exist."""

from __future__ import annotations

import difflib

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.domain.permissions import commands_for
from handlers.base import Context, answer, caller_of, reply, services_of


async def unknown_command(update: Update, context: Context) -> None:
    """An unknown command; a near miss of one this person may use is suggested (/mycase)."""
    member = await caller_of(update, context)
    message = update.message
    if member is None or not member.active or message is None:
        return
    typed = (message.text or "").split()[0].split("@")[0].removeprefix("/").lower()
    mine = [command.name for command in commands_for(member.role)]
    near = difflib.get_close_matches(typed, mine, n=1, cutoff=0.6)
    services = services_of(context)
    if near:
        await reply(update, services.text(member, "common.did_you_mean", command=near[0]))
    else:
        await reply(update, services.text(member, "common.unknown_command"))


async def stale_button(update: Update, context: Context) -> None:
    query = update.callback_query
    member = await caller_of(update, context)
    if query is not None and member is not None:
        await answer(query, services_of(context).text(member, "common.stale_button"), alert=True)


def register(application: Application) -> None:  # type: ignore[type-arg]
    # Registered last in the default group: they run only when no feature handler matched.
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(CallbackQueryHandler(stale_button))
